"""The HTTP API: FastAPI over the same Tutor as the CLI. Stateless: the conversation is in the request.

`create_app()` builds the app; the model and store load once per worker at start-up (lifespan).
`tutor serve` ingests the shipped corpus into an empty store before the workers start.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import traceback
import uuid
from collections.abc import Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from api.models import (
    CHAT_EXAMPLE,
    ChatRequest,
    ChatResponse,
    ErrorOut,
    IngestRequest,
    IngestResponse,
    SearchRequest,
    SearchResponse,
    SourceOut,
    limit_errors,
)
from api.safety import RateLimiter, check_ingest_inputs, client_address, ingest_roots, key_id, key_matches
from tutor.chain import Tutor
from tutor.config import Settings, split_list
from tutor.errors import ConfigError, ProviderError, StoreError, TutorError
from tutor.types import Answer

STATIC = Path(__file__).resolve().parent / "static"
access_log = logging.getLogger("tutor.access")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a client's id is echoed and logged only if plain


# The chat page loads only its own script and style and talks only to this server; nothing may
# frame it (clickjacking) and links out carry no referrer.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
STORE_UNAVAILABLE = "The document store is unavailable; try again shortly."
log = logging.getLogger("tutor")


def public_detail(exc: TutorError) -> str:
    """What a client may read of an error: store errors name server paths and hosts, provider errors
    the provider's address and its reply, so clients get a sentence without them and the operator
    the details, in the log."""
    if isinstance(exc, StoreError):
        log.warning("store error: %s", exc)
        return STORE_UNAVAILABLE
    if isinstance(exc, ProviderError):
        log.warning("provider error: %s", exc)
        return exc.public
    return str(exc)


def public_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors without the `input` and `ctx` that would echo the request back, with
    locations made printable (a JSON key can be a lone surrogate)."""

    def printable(part: Any) -> Any:
        if isinstance(part, int):
            return part
        return str(part).encode("utf-8", "backslashreplace").decode("utf-8")[:64]

    return [
        {
            "type": e.get("type", "value_error"),
            "loc": [printable(p) for p in e.get("loc", ())],
            "msg": e.get("msg", ""),
        }
        for e in errors
    ]


def error_status(exc: TutorError) -> int:
    if isinstance(exc, ConfigError):
        return 400  # e.g. the request named a provider this server has no key for
    if isinstance(exc, ProviderError):
        return 503 if exc.retryable else 502
    if isinstance(exc, StoreError):
        return 503
    return 500


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def too_large(limit: int) -> str:
    return f"Request body too large: at most {limit} bytes."


class BodyLimit:
    """A JSON 413 for request bodies over the limit: at once when the Content-Length says so, and
    for bodies sent without one (chunked) as they stream in.

    Added innermost, so the HTTPException it raises reaches the route as is (outer middleware
    would wrap it in an exception group, which the framework turns into a 400)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await JSONResponse({"detail": too_large(self.limit)}, 413)(scope, receive, send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, too_large(self.limit))
            return message

        await self.app(scope, limited_receive, send)


class Service:
    """What one worker holds: settings, one Tutor per provider sharing one store and model."""

    def __init__(self, settings: Settings, tutor: Tutor | None = None):
        self.settings = settings
        self.tutors: dict[str | None, Tutor] = {None: tutor} if tutor else {}
        self.lock = threading.Lock()  # building tutors
        self.ingest_lock = threading.Lock()  # one ingest at a time per worker
        self.limiter = RateLimiter(settings.rate_limit)
        self.auth_failures = RateLimiter(settings.auth_failure_limit)  # per address
        self.api_keys = split_list(settings.api_keys)
        self.worker_id = uuid.uuid4().hex[:12]  # tells workers apart in /readyz without a process id

    def verify(self, request: Request, given: str, keys: list[str], status: int, message: str) -> str:
        """The configured key that `given` matches, else `status` with `message`. Failed attempts
        are limited per address: once they run out, every attempt from it is 429 (a right guess
        too) until they refill."""
        address = client_address(request)
        wait = self.auth_failures.peek(address)
        if wait:
            raise HTTPException(
                429, "Too many wrong keys from this address; try again later.", {"Retry-After": str(wait)}
            )
        for key in keys:
            if key_matches(given, key):
                return key
        self.auth_failures.check(address)
        raise HTTPException(status, message)

    def close(self) -> None:
        """At shutdown: what the store holds goes (uvicorn ends a worker by re-raising SIGTERM,
        so exit handlers do not run)."""
        if None in self.tutors:
            self.tutors[None].store.close()

    def tutor(self, provider: str | None = None) -> Tutor:
        """The default Tutor, or the one for `provider`; the name is validated and made canonical
        first ("  Offline " is "offline", an unknown name is a ConfigError), so the cache holds at
        most one Tutor per known provider whatever clients send. A client may only pick a provider
        the operator configured (a key, a base URL): never make the server call one it was not
        told to, nor learn which setting is missing."""
        from tutor.llm import offered_providers, resolve_provider

        name = None if provider is None else resolve_provider(self.settings, provider)
        if name is not None and name not in (offered := offered_providers(self.settings)):
            raise ConfigError(
                f"This server does not offer the {name} provider (it offers: {', '.join(offered)})."
            )
        with self.lock:
            if None not in self.tutors:
                self.tutors[None] = Tutor.from_settings(self.settings)
            if name not in self.tutors:
                from tutor.llm import get_answerer

                base = self.tutors[None]
                answerer = get_answerer(self.settings, base.store.embedder, name)
                self.tutors[name] = Tutor(self.settings, base.store, answerer)
            return self.tutors[name]


def create_app(settings: Settings | None = None, tutor: Tutor | None = None) -> FastAPI:
    settings = settings or Settings()
    service = Service(settings, tutor)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        def warm() -> None:
            service.tutor().store.embedder.embed_query("warm up")  # load the model before traffic

        try:
            await run_in_threadpool(warm)
        except TutorError as exc:  # keep serving: /readyz says it is not ready, the log says why
            log.error("start-up: %s", exc)
        yield
        service.close()

    app = FastAPI(
        title="tutor",
        version="1",
        summary="Answers questions about a learning roadmap from its documents, citing every claim.",
        lifespan=lifespan,
    )
    app.state.service = service
    origins = split_list(settings.cors_origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)  # before the one below: innermost

    @app.middleware("http")
    async def access_log_line(request: Request, call_next):
        started = time.perf_counter()
        request_id = REQUEST_ID.fullmatch(request.headers.get("x-request-id", "")[:64])
        request_id = request_id.group(0) if request_id else uuid.uuid4().hex[:16]
        try:
            response = await call_next(request)
        except Exception as exc:
            # Logged here, not by the server: a traceback's messages can quote the request (a
            # validation error lists its input), so the log gets the frames and the type only.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("request %s failed with %s:\n%s", request_id, type(exc).__name__, frames.rstrip())
            response = JSONResponse({"detail": f"Internal error (request {request_id})."}, 500)
        response.headers["x-request-id"] = request_id
        response.headers["x-content-type-options"] = "nosniff"
        route = request.scope.get("route")
        access_log.info(
            json.dumps(
                {
                    "method": request.method,
                    "route": getattr(route, "path", request.url.path),
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "request_id": request_id,
                }
            )
        )
        return response

    @app.exception_handler(TutorError)
    async def tutor_error(request: Request, exc: TutorError):
        return JSONResponse({"detail": public_detail(exc)}, error_status(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": public_errors(exc.errors())}, 422)

    def guard(request: Request) -> None:
        """API keys (when configured) and the rate limit, for every /v1 route. A client is its
        verified key, or its address: never a token nobody checked."""
        if service.api_keys:
            header = request.headers.get("authorization", "")
            token = header[7:].strip() if header.lower().startswith("bearer ") else ""
            key = service.verify(
                request,
                token,
                service.api_keys,
                401,
                "Missing or wrong API key: send `Authorization: Bearer <key>`.",
            )
            client = key_id(key)
        else:
            client = "address:" + client_address(request)
        wait = service.limiter.check(client)
        if wait:
            raise HTTPException(
                429, f"Rate limit: {settings.rate_limit} requests a minute.", {"Retry-After": str(wait)}
            )

    v1 = APIRouter(
        prefix="/v1",
        dependencies=[Depends(guard)],
        responses={
            400: {"model": ErrorOut, "description": "The body could not be parsed"},
            401: {"model": ErrorOut, "description": "Missing or wrong API key (when keys are configured)"},
            413: {"model": ErrorOut, "description": "Request body too large"},
            429: {"model": ErrorOut, "description": "Rate limited; see the Retry-After header"},
            503: {"model": ErrorOut, "description": "The store (or provider) is unavailable; try again"},
        },
    )

    @v1.post(
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
            502: {"model": ErrorOut, "description": "The LLM provider failed"},
        },
        openapi_extra={"requestBody": {"content": {"application/json": {"example": CHAT_EXAMPLE}}}},
    )
    async def chat(body: ChatRequest):
        """Answer the last user message, with the earlier messages as history."""
        errors = limit_errors(body, settings)
        if errors:
            raise RequestValidationError(errors)
        tutor = await run_in_threadpool(service.tutor, body.provider)
        question, history = body.messages[-1].content, [m.model_dump() for m in body.messages[:-1]]
        top_k = body.top_k or settings.top_k
        if not body.stream:
            answer = await run_in_threadpool(
                tutor.ask, question, history, top_k=top_k, filters=body.filters or None
            )
            return ChatResponse.from_answer(answer)

        def events() -> Iterator[str]:
            try:
                for event in tutor.stream(question, history, top_k=top_k, filters=body.filters or None):
                    if isinstance(event, Answer):
                        out = ChatResponse.from_answer(event).model_dump()
                        yield sse("citations", out["citations"])
                        yield sse("grounding", out["grounding"])
                        yield sse(
                            "done", {k: out[k] for k in ("answer", "refused", "provider", "timings_ms")}
                        )
                    else:
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

    @v1.post("/search", response_model=SearchResponse)
    async def search(body: SearchRequest):
        """Ranked passages for a query (hybrid retrieval), without answering."""
        tutor = await run_in_threadpool(service.tutor)
        hits = await run_in_threadpool(tutor.retrieve, body.query, body.top_k, body.filters or None)
        return SearchResponse.from_hits(hits)

    @v1.get("/sources", response_model=list[SourceOut])
    async def sources():
        """The ingested documents."""
        tutor = await run_in_threadpool(service.tutor)
        docs = await run_in_threadpool(tutor.store.documents)
        return [
            SourceOut(source=d.source, title=d.title, chunks=len(d.chunk_ids))
            for d in sorted(docs.values(), key=lambda d: d.source)
        ]

    @v1.post(
        "/ingest",
        response_model=IngestResponse,
        responses={
            400: {
                "model": ErrorOut,
                "description": "Unparsable body, a path outside the roots, or a URL not allowed",
            },
            403: {"model": ErrorOut, "description": "Missing or wrong admin key, or ingestion disabled"},
        },
    )
    async def ingest(body: IngestRequest, request: Request):
        """Ingest files under the configured roots, or public http(s) URLs. Needs the admin key."""
        admin = settings.admin_key.get_secret_value() if settings.admin_key else ""
        header = request.headers.get("x-admin-key", "")
        if not admin:
            raise HTTPException(403, "Ingestion over HTTP is disabled: set TUTOR_ADMIN_KEY on the server.")
        service.verify(
            request, header, [admin], 403, "Missing or wrong admin key: send `X-Admin-Key: <key>`."
        )
        inputs = await run_in_threadpool(check_ingest_inputs, body.inputs, settings)  # resolves names
        tutor = await run_in_threadpool(service.tutor)
        roots = ingest_roots(settings)

        def run():
            from ingest.pipeline import ingest as run_ingest

            with service.ingest_lock:
                return run_ingest(
                    inputs,
                    tutor.store,
                    prune=body.prune,
                    within=roots,
                    public_urls_only=not settings.allow_private_urls,
                )

        return IngestResponse.from_report(await run_in_threadpool(run))

    app.include_router(v1)

    @app.get("/healthz")
    async def healthz():
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", responses={503: {"description": "Not ready: the store or model is unavailable"}})
    async def readyz():
        """The store answers and the embedding model is loaded; 503 otherwise."""
        try:
            tutor = await run_in_threadpool(service.tutor)
            chunks = await run_in_threadpool(tutor.store.count)
        except TutorError as exc:
            return JSONResponse({"status": "unavailable", "detail": public_detail(exc)}, 503)
        return {
            "status": "ready",
            "chunks": chunks,
            "model": tutor.store.embedder.model_id,
            "worker": service.worker_id,
        }

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
