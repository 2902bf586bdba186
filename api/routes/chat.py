"""POST /v1/chat: the answer as JSON, or streamed as Server-Sent Events."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from api.deps import ClientDep, ServiceDep, v1_router
from api.errors import error_status, public_detail, resolved_filters
from api.models import CHAT_EXAMPLE, ChatRequest, ChatResponse, ErrorOut, limit_errors
from tutor.errors import TutorError
from tutor.types import Answer

router = v1_router("chat")
log = logging.getLogger("tutor")


def learner_tutor(request: Request, service, tutor, name: str, owner: str):
    """The Tutor that knows this learner (404 when the caller has no learner of that name)."""
    from api.routes.learners import get_learners
    from tutor.learner.guide import LearnerTutor

    learners = get_learners(request, service)
    learners.state(name, owner)  # UnknownLearner: 404
    return LearnerTutor(tutor, learners, name, owner)


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={
        200: {
            "description": "The answer as JSON, or with `stream: true` Server-Sent Events: "
            "`token` ({text}) as text arrives, then `citations`, `grounding`, `done` "
            "(refused, provider, timings_ms, answer); `error` ({detail, status}) if it fails.",
            "content": {"text/event-stream": {}},
        },
        400: {"model": ErrorOut, "description": "Unparsable body, or a provider this server cannot use"},
        404: {"model": ErrorOut, "description": "No learner of that name (for this key)"},
        502: {"model": ErrorOut, "description": "The LLM provider failed"},
    },
    openapi_extra={"requestBody": {"content": {"application/json": {"example": CHAT_EXAMPLE}}}},
)
async def chat(body: ChatRequest, service: ServiceDep, request: Request, client: ClientDep):
    """Answer the last user message, with the earlier user and assistant messages as history
    (system and developer messages are ignored). With `learner`, questions about that learner's own
    path are answered from their progress and plan."""
    settings = service.settings
    errors = limit_errors(body, settings)
    if errors:
        raise RequestValidationError(errors)
    tutor = await run_in_threadpool(service.tutor, body.provider)
    filters = await run_in_threadpool(resolved_filters, tutor, body.filters)
    if body.learner is not None:
        tutor = await run_in_threadpool(
            learner_tutor, request, service, tutor, body.learner, client.key or ""
        )
    turns = body.turns  # without system and developer messages
    question, history = turns[-1].content, [m.model_dump() for m in turns[:-1]]
    top_k = body.top_k or settings.top_k
    if not body.stream:
        answer = await run_in_threadpool(tutor.ask, question, history, top_k=top_k, filters=filters)
        return ChatResponse.from_answer(answer)

    def events() -> Iterator[str]:
        streamed = False
        try:
            for event in tutor.stream(question, history, top_k=top_k, filters=filters):
                if isinstance(event, Answer):
                    if not streamed and event.answer:  # a refusal comes whole: its text is a token too
                        yield sse("token", {"text": event.answer})
                    out = ChatResponse.from_answer(event).model_dump()
                    yield sse("citations", out["citations"])
                    yield sse("grounding", out["grounding"])
                    yield sse("done", {k: out[k] for k in ("answer", "refused", "provider", "timings_ms")})
                else:
                    streamed = True
                    yield sse("token", {"text": event})
        except TutorError as exc:
            yield sse("error", {"detail": public_detail(exc), "status": error_status(exc)})
        except Exception as exc:  # never a dropped connection; logged without its message
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("stream failed with %s:\n%s", type(exc).__name__, frames.rstrip())
            yield sse("error", {"detail": "Internal error while answering.", "status": 500})

    return StreamingResponse(
        iterate_in_threadpool(events()),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
