"""The HTTP API: FastAPI over the same Tutor as the CLI. Stateless: the conversation is in the request.

`create_app()` only assembles: the worker's Service, the lifespan (the model and store load once per
worker at start-up), middleware, error handlers and the routers of `api.routes`. `tutor serve`
ingests the shipped corpus into an empty store before the workers start.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api.deps import Service
from api.errors import NOT_JSON, error_status, public_detail, public_errors, unread_body
from api.middleware import BodyLimit, HeadAsGet, HeadLimit, LoopbackHosts, add_access_log
from api.openai_compat import OpenAIErrors
from api.routes import ROUTERS
from tutor.chain import Tutor
from tutor.config import Settings, split_list
from tutor.errors import TutorError

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("tutor")


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
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Admin-Key"],
        )
    app.add_middleware(HeadAsGet)  # innermost: the access log still records HEAD
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)  # before the access log
    app.add_middleware(HeadLimit, limit=settings.max_header_bytes)
    allowed_hosts = split_list(settings.allowed_hosts)
    if not split_list(settings.api_keys) and "*" not in allowed_hosts:
        app.add_middleware(LoopbackHosts, extra=allowed_hosts)
    add_access_log(app)
    app.add_middleware(OpenAIErrors)  # outermost: OpenAI's error shape on its routes, from any layer

    @app.exception_handler(TutorError)
    async def tutor_error(request: Request, exc: TutorError):
        status = error_status(exc)
        if status == 422:  # shaped like every other 422, as the OpenAPI schema documents it
            detail = [{"type": "value_error", "loc": ["body"], "msg": public_detail(exc)}]
            return JSONResponse({"detail": detail}, status)
        return JSONResponse({"detail": public_detail(exc)}, status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if unread_body(exc.body):
            return JSONResponse({"detail": NOT_JSON}, 415)
        return JSONResponse({"detail": public_errors(exc.errors())}, 422)

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
