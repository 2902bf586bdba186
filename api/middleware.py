"""Middleware: the request body limit and the access log (JSON lines: method, route, status, ms,
request id; never messages, keys or query strings)."""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
import traceback
import uuid

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

access_log = logging.getLogger("tutor.access")
log = logging.getLogger("tutor")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a client's id is echoed and logged only if plain


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


class HeadLimit:
    """A 431 for a request head (request line and headers) over the limit. uvicorn's h11 bounds a
    head that arrives in pieces (h11_max_incomplete_event_size), not one that arrives whole in a
    single read: a 100 KB head sent at once was answered."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            size += sum(len(name) + len(value) + 4 for name, value in scope["headers"])
            if size > self.limit:
                detail = f"The request head is over {self.limit} bytes (TUTOR_MAX_HEADER_BYTES)."
                return await JSONResponse({"detail": detail}, 431)(scope, receive, send)
        await self.app(scope, receive, send)


class HeadAsGet:
    """HEAD on any GET route (a monitor or a link checker asking whether a URL is there): answered as
    GET would be, status and headers, without the body. FastAPI's routes answer GET only (405)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
UNCHECKED_PATHS = ("/healthz", "/readyz")  # probes carry no data; orchestrators address them by pod IP


def host_name(host: str) -> str:
    """A Host header's name without its port: "localhost:8000" → "localhost", "[::1]:80" → "[::1]"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def local_peer(scope) -> bool:
    """Whether the request comes from this machine: a loopback address, or a Unix socket."""
    client = scope.get("client")
    if not client or not client[0]:
        return True  # a Unix socket: only this machine's users can connect to it
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return (mapped or address).is_loopback


class LoopbackHosts:
    """For a server without API keys: a 421 for any request whose Host is not a loopback name (or
    one of `extra`). A web page cannot then reach the keyless local server, its learners or the
    owner's LLM key through a name of its own that resolves to 127.0.0.1 (DNS rebinding). Unless
    `extra` names hosts to serve (the operator chose to serve others without keys), a request from
    another machine is refused too (403), whatever Host it claims: a keyless server bound to
    0.0.0.0 is not open to the LAN."""

    def __init__(self, app, extra: list[str]):
        self.app = app
        self.allowed = {*LOOPBACK_NAMES, *(host_name(h) for h in extra)}
        self.serves_others = bool(extra)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] not in UNCHECKED_PATHS:
            if not self.serves_others and not local_peer(scope):
                detail = (
                    "This server has no TUTOR_API_KEYS and answers only this machine; set API keys, "
                    "or list the names clients use in TUTOR_ALLOWED_HOSTS to serve others without keys."
                )
                return await JSONResponse({"detail": detail}, 403)(scope, receive, send)
            host = host_name(dict(scope["headers"]).get(b"host", b"").decode("latin-1"))
            if host not in self.allowed:
                detail = (
                    "Invalid Host header: a server without TUTOR_API_KEYS answers only requests "
                    "addressed to 127.0.0.1, localhost or [::1]; set TUTOR_ALLOWED_HOSTS to accept "
                    "other names, or set API keys."
                )
                return await JSONResponse({"detail": detail}, 421)(scope, receive, send)
        await self.app(scope, receive, send)


def add_access_log(app: FastAPI) -> None:
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
        # No page of this server is framed (/docs's "Execute" under another site's clicks)
        response.headers.setdefault("x-frame-options", "DENY")
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
