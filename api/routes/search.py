"""POST /v1/search: ranked passages without answering (the same Tutor.retrieve as answers)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from api.deps import ServiceDep, v1_router
from api.errors import resolved_filters
from api.models import SearchRequest, SearchResponse

router = v1_router("search")


@router.post("/search", response_model=SearchResponse)
async def search(body: SearchRequest, service: ServiceDep):
    """Ranked passages for a query (hybrid retrieval), without answering."""
    tutor = await run_in_threadpool(service.tutor)
    filters = await run_in_threadpool(resolved_filters, tutor, body.filters)
    hits = await run_in_threadpool(tutor.retrieve, body.query, body.top_k, filters)
    return SearchResponse.from_hits(hits)
