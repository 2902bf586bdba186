"""The OpenAI-compatible door: POST /v1/chat/completions and GET /v1/models, so chat front ends and
SDKs made for OpenAI talk to tutor as they are. The same Tutor, keys, limits and rate limit as
/v1/chat; errors in OpenAI's shape (api/openai_compat.py)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from api.deps import ServiceDep, v1_router
from api.errors import error_status, public_detail
from api.openai_compat import (
    DONE,
    MODEL,
    ChatCompletionRequest,
    ChunkWriter,
    OpenAIErrorOut,
    completion,
    error_object,
    message_text,
    model_card,
    stream_error,
    usage,
)
from tutor.chain import Tutor
from tutor.config import Settings
from tutor.errors import TutorError
from tutor.text import blank
from tutor.types import Answer

router = v1_router("openai", error_model=OpenAIErrorOut)
log = logging.getLogger("tutor")
ERROR_RESPONSE = {"model": OpenAIErrorOut, "description": "OpenAI's error shape"}


def unknown_model() -> HTTPException:
    """404 in OpenAI's shape, without the name sent (errors echo nothing)."""
    detail = {
        "message": f"The model asked for does not exist: this server serves {MODEL!r}.",
        "param": "model",
        "code": "model_not_found",
    }
    return HTTPException(404, detail)


@router.get("/models")
async def models() -> dict[str, Any]:
    """The models this server answers with: one, `tutor`."""
    return {"object": "list", "data": [model_card()]}


@router.get("/models/{model}", responses={404: ERROR_RESPONSE})
async def model(model: str) -> dict[str, Any]:
    if model != MODEL:
        raise unknown_model()
    return model_card()


def conversation(body: ChatCompletionRequest, settings: Settings) -> tuple[str, list[dict[str, str]]]:
    """The question and its history (earlier user and assistant messages); system and developer
    messages are dropped, so nothing a client sends replaces tutor's rules. A request that breaks
    the server's limits, or does not end with a question, is a 422 like on /v1/chat."""
    errors: list[dict[str, Any]] = []
    if len(body.messages) > settings.max_messages:
        msg = f"at most {settings.max_messages} messages per request"
        errors.append({"type": "value_error", "loc": ("body", "messages"), "msg": msg})
    turns: list[dict[str, str]] = []
    for i, message in enumerate(body.messages):
        text = message_text(message)
        if text is None:
            detail = {
                "message": "tutor reads text only: a message holds a part that is not text.",
                "param": f"messages.{i}.content",
                "code": "unsupported_content",
            }
            raise HTTPException(400, detail)
        if len(text) > settings.max_message_chars:
            msg = f"a message may have at most {settings.max_message_chars} characters"
            errors.append({"type": "value_error", "loc": ("body", "messages", i, "content"), "msg": msg})
        if message.role in ("user", "assistant") and not blank(text):
            turns.append({"role": message.role, "content": text})
    if not errors and (not turns or turns[-1]["role"] != "user"):
        msg = "the last message must be the user's question (and not empty)"
        errors.append({"type": "value_error", "loc": ("body", "messages"), "msg": msg})
    if errors:
        raise RequestValidationError(errors)
    return turns[-1]["content"], turns[:-1]


def tutor_for(base: Tutor, body: ChatCompletionRequest) -> Tutor:
    """The server's Tutor, answering with the request's max_tokens (capped by the server's
    TUTOR_LLM_MAX_TOKENS) and temperature when its answerer samples from an LLM."""
    tokens = body.answer_tokens
    if tokens is None and body.temperature is None:
        return base
    if tokens is not None:
        tokens = min(tokens, base.settings.llm_max_tokens)
    answerer = base.answerer.with_options(max_tokens=tokens, temperature=body.temperature)
    return base if answerer is base.answerer else Tutor(base.settings, base.store, answerer)


@router.post(
    "/chat/completions",
    responses={
        200: {
            "description": "A `chat.completion` with top-level `citations` (URL or path of each [n]) "
            "and `search_results` (title, url, snippet, source, section); with `stream: true`, "
            "`chat.completion.chunk` events, the last one with `finish_reason: stop`, the "
            "citations and search results, then `data: [DONE]`.",
            "content": {"text/event-stream": {}},
        },
        400: ERROR_RESPONSE,
        404: ERROR_RESPONSE,
        422: ERROR_RESPONSE,
        502: ERROR_RESPONSE,
    },
)
async def chat_completions(body: ChatCompletionRequest, service: ServiceDep):
    """Answer the last user message from the roadmap's documents, OpenAI's way."""
    if body.model != MODEL:
        raise unknown_model()
    question, history = conversation(body, service.settings)
    tutor = tutor_for(await run_in_threadpool(service.tutor), body)
    count = tutor.store.embedder.count_tokens
    if not body.stream:
        answer = await run_in_threadpool(tutor.ask, question, history)
        return completion(answer, usage(count, question, history, answer))

    events = tutor.stream(question, history)
    # The first event (after condensing and retrieval) before the 200: an early failure is an
    # HTTP error the SDKs map, not a broken stream.
    first = await run_in_threadpool(next, events, None)
    writer = ChunkWriter(include_usage=bool(body.stream_options and body.stream_options.include_usage))

    def chunks() -> Iterator[str]:
        yield writer.delta({"role": "assistant", "content": ""})
        sent = ""
        try:
            for event in _prepend(first, events):
                if not isinstance(event, Answer):
                    if event:
                        sent += event
                        yield writer.delta({"content": event})
                    continue
                # The finished answer may add to what was streamed (a decline replacing an empty
                # draft); what was sent cannot be taken back.
                if event.answer.startswith(sent) and event.answer != sent:
                    yield writer.delta({"content": event.answer[len(sent) :]})
                yield writer.finish(event)
                if writer.include_usage:
                    yield writer.usage(usage(count, question, history, event))
                yield DONE
        except TutorError as exc:
            yield stream_error(error_object(error_status(exc), public_detail(exc)))
        except Exception as exc:  # never a dropped connection; logged without its message
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("completion stream failed with %s:\n%s", type(exc).__name__, frames.rstrip())
            yield stream_error(error_object(500, "Internal error while answering."))

    return StreamingResponse(
        iterate_in_threadpool(chunks()),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _prepend(first, rest):
    if first is not None:
        yield first
    yield from rest
