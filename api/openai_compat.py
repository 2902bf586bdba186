"""The OpenAI Chat Completions shape for tutor's answers: request bodies, the `chat.completion` and
`chat.completion.chunk` objects with citations the way Perplexity carries them (`[n]` in the text,
`citations[n-1]` and `search_results[n-1]` at the top level), and errors as
`{"error": {"message", "type", "param", "code"}}` on the OpenAI-compatible routes.

Requests follow OpenAI's API: parameters tutor has no use for (`top_p`, `seed`, `user`, `tools`, ...)
are accepted and ignored, those it reads are type-checked as strictly as the rest of the API."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.models import Text
from tutor.text import snippet
from tutor.types import Answer, Passage

MODEL = "tutor"
OPENAI_PATHS = ("/v1/chat/completions", "/v1/models")
CREATED = int(time.time())  # when this worker started: the model's `created`

EXAMPLE = {"model": MODEL, "messages": [{"role": "user", "content": "I know pandas but not SQL, what next?"}]}


class ContentPart(BaseModel):
    """One part of a message's content; tutor reads `text` parts only."""

    model_config = ConfigDict(strict=True, extra="ignore")

    type: Annotated[str, Field(max_length=40)]
    text: Text | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    content: Text | list[ContentPart] | None = None
    name: Annotated[Text, Field(max_length=100)] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    include_usage: bool | None = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        json_schema_extra={"examples": [EXAMPLE, {**EXAMPLE, "stream": True}]},
    )

    model: Annotated[Text, Field(max_length=200, description=f"Always {MODEL!r} (GET /v1/models).")]
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="The conversation; the last message is the question, earlier user and assistant "
        "messages are its history. System and developer messages are ignored: they never replace "
        "tutor's rules for answering from the documents.",
    )
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, description="Passed to an LLM provider (the server caps it).")
    max_completion_tokens: int | None = Field(None, ge=1, description="Preferred over max_tokens.")
    temperature: float | None = Field(None, ge=0, le=2, description="Passed to an LLM provider.")
    n: int | None = Field(None, ge=1, le=1, description="One choice per request.")

    @property
    def answer_tokens(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens


def completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


def model_card() -> dict[str, Any]:
    return {"id": MODEL, "object": "model", "created": CREATED, "owned_by": "tutor"}


def message_text(message: ChatMessage) -> str | None:
    """The message's text, or None when it holds a part that is not text."""
    if message.content is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    if any(part.type != "text" for part in message.content):
        return None
    return "\n".join(part.text or "" for part in message.content)


def references(passages: Sequence[Passage]) -> tuple[list[str], list[dict[str, Any]]]:
    """`citations` and `search_results` in passage order, so that `[n]` in the answer is
    `citations[n-1]` and `search_results[n-1]`: the passage's URL when it came from the web, else
    its source path."""
    citations, results = [], []
    for passage in sorted(passages, key=lambda p: p.n):
        chunk = passage.chunk
        url = chunk.extra.get("url")
        where = url if isinstance(url, str) and url else chunk.source
        citations.append(where)
        results.append(
            {
                "title": chunk.title,
                "url": where,
                "snippet": snippet(passage.text),
                "source": chunk.source,
                "section": chunk.section,
            }
        )
    return citations, results


def answer_extras(answer: Answer) -> dict[str, Any]:
    """What tutor adds to an OpenAI response: citations, search results and the grounding report."""
    citations, results = references(answer.contexts)
    return {
        "citations": citations,
        "search_results": results,
        "grounding": answer.grounding.to_dict(),
        "refused": answer.refused,
    }


def usage(
    count_tokens: Callable[[str], int], question: str, history: Sequence[dict[str, str]], answer: Answer
) -> dict[str, int]:
    """Token counts by the embedding model's tokenizer: an estimate of what an LLM would count."""
    prompt = count_tokens(question) + sum(count_tokens(m["content"]) for m in history)
    prompt += sum(count_tokens(p.text) for p in answer.contexts)
    completion = count_tokens(answer.answer)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion(answer: Answer, completion_usage: dict[str, int]) -> dict[str, Any]:
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.answer, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": completion_usage,
        **answer_extras(answer),
    }


class ChunkWriter:
    """`chat.completion.chunk` objects of one streamed completion, as Server-Sent Events lines."""

    def __init__(self, include_usage: bool):
        self.id, self.created, self.include_usage = completion_id(), int(time.time()), include_usage

    def _event(self, choices: list[dict[str, Any]], **extra: Any) -> str:
        body = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": MODEL,
            "choices": choices,
            **({"usage": None} if self.include_usage else {}),
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def delta(self, delta: dict[str, Any]) -> str:
        return self._event([{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}])

    def finish(self, answer: Answer) -> str:
        choice = {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
        return self._event([choice], **answer_extras(answer))

    def usage(self, completion_usage: dict[str, int]) -> str:
        return self._event([], usage=completion_usage)


DONE = "data: [DONE]\n\n"


def stream_error(error: dict[str, Any]) -> str:
    """A failure after the stream began: the SDKs raise on a chunk carrying `error`."""
    return f"data: {json.dumps({'error': error}, ensure_ascii=False)}\n\n"


class OpenAIError(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIErrorOut(BaseModel):
    """Every error on the OpenAI-compatible routes: `{"error": {message, type, param, code}}`."""

    error: OpenAIError


# Error type and code for each status, as OpenAI names them.
ERROR_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", "forbidden"),
    404: ("invalid_request_error", "not_found"),
    405: ("invalid_request_error", "method_not_allowed"),
    413: ("invalid_request_error", "request_too_large"),
    415: ("invalid_request_error", "unsupported_media_type"),
    422: ("invalid_request_error", "invalid_value"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("server_error", "internal_error"),
    502: ("server_error", "provider_error"),
    503: ("server_error", "service_unavailable"),
}


def error_object(status: int, detail: Any) -> dict[str, Any]:
    """`{"message", "type", "param", "code"}` for a status and a detail as tutor's routes give it:
    a sentence, a list of validation errors (loc, msg), or a dict that already names some fields."""
    kind, code = ERROR_KINDS.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
    error: dict[str, Any] = {"message": "", "type": kind, "param": None, "code": code}
    if isinstance(detail, dict):
        error.update({k: detail[k] for k in ("message", "type", "param", "code") if k in detail})
    elif isinstance(detail, list):
        messages = []
        for problem in (p for p in detail if isinstance(p, dict)):
            if problem.get("type") == "json_invalid":
                messages.append("The body is not valid JSON.")
                continue
            where = ".".join(str(x) for x in problem.get("loc", ()) if x != "body")
            error["param"] = error["param"] or where or None
            messages.append(f"{where}: {problem.get('msg', '')}" if where else str(problem.get("msg", "")))
        error["message"] = "; ".join(messages)
    elif detail is not None:
        error["message"] = str(detail)
    if not error["message"]:
        error["message"] = f"Request failed with status {status}."
    return error


def error_body(status: int, raw: bytes) -> dict[str, Any]:
    """An error response's body in OpenAI's shape, whatever shape it came in."""
    try:
        data = json.loads(raw)
    except ValueError:
        return {"error": error_object(status, raw.decode("utf-8", "replace")[:500].strip() or None)}
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return data
    if isinstance(data, dict):
        detail = next((data[k] for k in ("detail", "message", "title") if k in data), None)
        return {"error": error_object(status, detail)}
    return {"error": error_object(status, None)}


def is_openai_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in OPENAI_PATHS)


class OpenAIErrors:
    """ASGI middleware: error responses on the OpenAI-compatible routes get OpenAI's body shape,
    whatever produced them (the guard's keys and rate limit, the body limit, validation, the error
    tree, an unexpected failure); their status and headers (Retry-After) are kept. Every other
    route keeps its own shape. Added outermost, so it sees the responses of every other layer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not is_openai_path(scope.get("path", "")):
            return await self.app(scope, receive, send)
        held: dict[str, Any] | None = None
        body = bytearray()

        async def reshaping_send(message):
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] >= 400:
                held = message
                return
            if held is None or message["type"] != "http.response.body":
                return await send(message)
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            payload = json.dumps(error_body(held["status"], bytes(body)), ensure_ascii=False).encode()
            drop = (b"content-length", b"content-type")
            headers = [(k, v) for k, v in held.get("headers", []) if k.lower() not in drop]
            headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]
            await send({"type": "http.response.start", "status": held["status"], "headers": headers})
            await send({"type": "http.response.body", "body": payload})

        await self.app(scope, receive, reshaping_send)
