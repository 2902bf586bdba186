"""POST /v1/ingest: files under the configured roots, or public http(s) URLs; the admin key only."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, ServiceDep, v1_router
from api.models import ErrorOut, IngestRequest, IngestResponse
from api.safety import check_ingest_inputs, ingest_roots

router = v1_router("ingest")


@router.post(
    "/ingest",
    response_model=IngestResponse,
    responses={
        400: {
            "model": ErrorOut,
            "description": "Unparsable body, a path outside the roots, a URL not allowed, or every input "
            "failed (nothing was ingested: `failed` lists why)",
        },
        403: {"model": ErrorOut, "description": "Missing or wrong admin key, or ingestion disabled"},
    },
)
async def ingest(body: IngestRequest, service: ServiceDep, admin: AdminDep):
    """Ingest files under the configured roots, or public http(s) URLs. Needs the admin key."""
    settings = service.settings
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

    report = await run_in_threadpool(run)
    done = IngestResponse.from_report(report)
    if report.all_failed:
        # as the CLI exits 1: nothing came in
        detail = "Nothing was ingested: every input failed (see `failed`)."
        return JSONResponse({"detail": detail, "failed": done.failed}, status_code=400)
    return done
