"""GET /healthz (the process is up) and GET /readyz (the store answers, the model is loaded)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ServiceDep
from api.errors import public_detail
from tutor.errors import TutorError

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz():
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready: the store or model is unavailable"}})
async def readyz(service: ServiceDep):
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
