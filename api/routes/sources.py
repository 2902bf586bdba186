"""GET /v1/sources: the ingested documents."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from api.deps import ServiceDep, v1_router
from api.models import SourceOut

router = v1_router("sources")


@router.get("/sources", response_model=list[SourceOut])
async def sources(service: ServiceDep):
    """The ingested documents."""
    tutor = await run_in_threadpool(service.tutor)
    docs = await run_in_threadpool(tutor.store.documents)
    return [
        SourceOut(source=d.source, title=d.title, chunks=len(d.chunk_ids))
        for d in sorted(docs.values(), key=lambda d: d.source)
    ]
