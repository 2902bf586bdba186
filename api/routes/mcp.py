"""/mcp: the MCP server (api/mcp_server.py) as streamable HTTP, behind the same API keys (Bearer)
and rate limit as /v1.

Stateless (every request stands alone, answered as JSON), so any worker of `tutor serve --workers N`
can answer any request. Each app starts its own MCP server in its lifespan. Without API keys, /mcp
answers only requests addressed to a loopback name, like every route (api.middleware.LoopbackHosts:
a web page cannot reach a local, keyless server through a name of its own); with keys, the key is
the gate."""

from __future__ import annotations

from contextlib import asynccontextmanager
from types import SimpleNamespace

from fastapi import APIRouter, FastAPI, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.deps import guard

PATH = "/mcp"


@asynccontextmanager
async def lifespan(app: FastAPI):
    from mcp.server.transport_security import TransportSecuritySettings

    from api.mcp_server import build_mcp_server
    from api.routes.learners import get_learners

    service = app.state.service
    # The worker's one Learners (one engine), shared with /v1/learners; get_learners reads only the app.
    server = build_mcp_server(service.tutor, lambda: get_learners(SimpleNamespace(app=app), service))
    # The app checks the Host of every request (TUTOR_ALLOWED_HOSTS included); the SDK's own check,
    # with a list of its own, would refuse the names the operator allowed.
    security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    server.streamable_http_app(
        streamable_http_path=PATH, stateless_http=True, json_response=True, transport_security=security
    )
    async with server.session_manager.run():
        app.state.mcp = server.session_manager.asgi_app
        try:
            yield
        finally:
            app.state.mcp = None


class GuardedMCP:
    """The MCP transport behind `guard`: keys (when configured) and the rate limit; the verified
    caller goes to the tools (their learners are the key's, as on /v1/learners)."""

    async def __call__(self, scope, receive, send):
        app = scope["app"]
        request = Request(scope, receive)
        handler = getattr(app.state, "mcp", None)
        try:
            # The MCP transport reads the same scope: tools find the verified caller in its state.
            request.state.tutor_client = guard(request, app.state.service)
        except HTTPException as exc:
            # the guard's headers: Retry-After on a 429, WWW-Authenticate on a 401
            response = JSONResponse({"detail": exc.detail}, exc.status_code, exc.headers)
            return await response(scope, receive, send)
        if handler is None:
            response = JSONResponse({"detail": "The MCP server is not running."}, 503)
            return await response(scope, receive, send)
        await handler(scope, receive, send)


router = APIRouter(tags=["mcp"], lifespan=lifespan)
# No GET: a stateless server has no session to push messages on, and the SDK would hold an empty
# event stream open for as long as the client likes (past the read timeout): 405, as the MCP spec allows.
router.routes.append(Route(PATH, GuardedMCP(), methods=["POST", "DELETE"], include_in_schema=False))
