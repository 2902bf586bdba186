"""/v1/learners: a learner's profile, progress, what next and study plan.

With API keys configured, a learner belongs to the key that created it: names are per key, so
another key never sees it (404, as for a learner that does not exist) and may have its own learner
of the same name. The admin key (`X-Admin-Key`) may read every learner: `GET /v1/learners` lists
all of them with their owner, and `?owner=` on a GET reads one owner's learner.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import ClientDep, ServiceDep, v1_router
from api.models import ErrorOut, Text, learner_name
from tutor.learner import Learners
from tutor.learner.state import MAX_GOAL_CHARS, MAX_HOURS, MIN_HOURS, NAME_RULE, UnknownTopic

router = v1_router("learners")
_lock = threading.Lock()

NOT_FOUND = {
    403: {"model": ErrorOut, "description": "A wrong admin key, or `owner` without the admin key"},
    404: {"model": ErrorOut, "description": "No such learner (for this key), or no such topic"},
}


LearnerPath = Annotated[
    str, Path(max_length=200, description=f"The learner's name: {NAME_RULE}."), AfterValidator(learner_name)
]
TopicId = Annotated[Text, Field(min_length=1, max_length=200)]
TopicPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="A topic id of the roadmap, or a topic's exact title in any case (URL-encoded).",
    ),
]
Hours = Annotated[float, Field(ge=MIN_HOURS, le=MAX_HOURS)]


def get_learners(request: Request, service: ServiceDep) -> Learners:
    """One `Learners` per worker (one engine, one connection pool), made on first use."""
    state = request.app.state
    learners = getattr(state, "learners", None)
    if learners is None:
        with _lock:
            learners = getattr(state, "learners", None)
            if learners is None:
                learners = state.learners = Learners.from_settings(service.settings)
    return learners


LearnersDep = Annotated[Learners, Depends(get_learners)]


class Caller(BaseModel):
    owner: str  # the verified key's id, "" without keys
    admin: bool


def get_caller(request: Request, service: ServiceDep, client: ClientDep) -> Caller:
    """Who asks, and whether they showed the admin key (a wrong one is a 403, as everywhere)."""
    admin = False
    header = request.headers.get("x-admin-key")
    if header is not None:
        settings = service.settings
        key = settings.admin_key.get_secret_value() if settings.admin_key else ""
        if not key:
            raise HTTPException(403, "There is no admin key on this server: set TUTOR_ADMIN_KEY.")
        service.verify(request, header, [key], 403, "Missing or wrong admin key: send `X-Admin-Key: <key>`.")
        admin = True
    return Caller(owner=client.key or "", admin=admin)


CallerDep = Annotated[Caller, Depends(get_caller)]
OwnerQuery = Annotated[
    str | None,
    Query(max_length=64, description="Admin only (X-Admin-Key): read the learner of this owner (a key id)."),
]


def owner_for_reading(caller: Caller, owner: str | None) -> str:
    if owner is None or owner == caller.owner:
        return caller.owner
    if not caller.admin:
        raise HTTPException(403, "Only the admin key may read another owner's learners.")
    return owner


class ProfileIn(BaseModel):
    """The fields sent are set; the ones left out are kept. `known` replaces the known topics."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"goal": "ML engineer", "hours_per_week": 8, "start_date": "2026-09-01", "known": ["python"]}
            ]
        },
    )

    goal: Annotated[Text, Field(max_length=MAX_GOAL_CHARS)] | None = None
    hours_per_week: Hours | None = None
    start_date: Annotated[date, Field(strict=False)] | None = None
    known: list[TopicId] | None = Field(None, max_length=1000)


class ProgressIn(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="forbid", json_schema_extra={"examples": [{"status": "done"}]}
    )

    status: Literal["pending", "learning", "done", "skipped"]
    source: Literal["self"] = Field(
        "self", description="Where the claim comes from; quiz results are recorded by tutor's quizzes."
    )


def profile_out(learners: Learners, name: str, owner: str, *, include_owner: bool = False) -> dict:
    state = learners.state(name, owner)
    report = learners.progress(name, owner, missing_ok=False)
    data = state.profile.to_dict() | {"progress": report.summary, "counts": report.counts}
    if include_owner:
        data["owner"] = owner
    return data


@router.get(
    "/learners", responses={403: NOT_FOUND[403]}, summary="The caller's learners (the admin's: everyone's)"
)
async def list_learners(learners: LearnersDep, caller: CallerDep):
    profiles = await run_in_threadpool(learners.repository.learners, None if caller.admin else caller.owner)
    return {"learners": [p.to_dict() | ({"owner": p.owner} if caller.admin else {}) for p in profiles]}


@router.get("/learners/{learner}", responses=NOT_FOUND, summary="A learner's profile")
async def get_profile(
    learner: LearnerPath, learners: LearnersDep, caller: CallerDep, owner: OwnerQuery = None
):
    who = owner_for_reading(caller, owner)
    return await run_in_threadpool(profile_out, learners, learner, who, include_owner=caller.admin)


@router.put(
    "/learners/{learner}",
    responses={201: {"description": "Created"}, **NOT_FOUND},
    summary="Create a learner or set profile fields",
)
async def put_profile(learner: LearnerPath, body: ProfileIn, learners: LearnersDep, caller: CallerDep):
    fields = {k: getattr(body, k) for k in body.model_fields_set if k != "known"}
    if "known" in body.model_fields_set:
        fields["known"] = body.known or []

    def save():
        existed = learners.repository.exists(learner, caller.owner)
        learners.save_profile(learner, caller.owner, **fields)
        return existed, profile_out(learners, learner, caller.owner)

    try:
        existed, data = await run_in_threadpool(save)
    except UnknownTopic as exc:  # a bad value in the body: a 422 pointing at it, not a 404
        known = fields.get("known", [])
        loc = ["body", "known", *([known.index(exc.topic)] if exc.topic in known else [])]
        raise RequestValidationError([{"type": "value_error", "loc": loc, "msg": exc.public}]) from None
    return JSONResponse(data, status_code=200 if existed else 201)


@router.delete("/learners/{learner}", status_code=204, responses=NOT_FOUND, summary="Forget a learner")
async def delete_learner(learner: LearnerPath, learners: LearnersDep, caller: CallerDep):
    if not await run_in_threadpool(learners.repository.delete, learner, caller.owner):
        raise HTTPException(404, f"No learner named {learner!r}.")
    return Response(status_code=204)


@router.get("/learners/{learner}/progress", responses=NOT_FOUND, summary="Every topic's status, and orphans")
async def get_progress(
    learner: LearnerPath, learners: LearnersDep, caller: CallerDep, owner: OwnerQuery = None
):
    who = owner_for_reading(caller, owner)
    report = await run_in_threadpool(learners.progress, learner, who, missing_ok=False)
    return report.to_dict()


@router.put(
    "/learners/{learner}/progress/{topic:path}",  # a title may hold a '/': "CI/CD for machine learning"
    responses=NOT_FOUND,
    summary="Set a topic's status (creates the learner if needed)",
)
async def put_progress(
    learner: LearnerPath, topic: TopicPath, body: ProgressIn, learners: LearnersDep, caller: CallerDep
):
    def record():
        # the id, or the exact title as the command line reads it; not a prefix, whose meaning
        # would change as the roadmap grows
        topic_id = learners.topic_id(learner, topic, caller.owner, prefixes=False)
        return learners.set_status(learner, topic_id, body.status, caller.owner)

    return (await run_in_threadpool(record)).to_dict()


@router.get("/learners/{learner}/history", responses=NOT_FOUND, summary="The latest status changes")
async def get_history(
    learner: LearnerPath,
    learners: LearnersDep,
    caller: CallerDep,
    topic: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    owner: OwnerQuery = None,
):
    who = owner_for_reading(caller, owner)
    events = await run_in_threadpool(learners.repository.history, learner, who, topic=topic, limit=limit)
    return {"learner": learner, "events": events}


@router.get("/learners/{learner}/next", responses=NOT_FOUND, summary="What to study now, with the reasons")
async def get_next(
    learner: LearnerPath,
    learners: LearnersDep,
    caller: CallerDep,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
    owner: OwnerQuery = None,
):
    who = owner_for_reading(caller, owner)
    report = await run_in_threadpool(learners.next, learner, who, limit=limit, missing_ok=False)
    return report.to_dict()


PlanHours = Annotated[
    float | None, Query(ge=MIN_HOURS, le=MAX_HOURS, description="Default: the profile's, else 10.")
]
PlanStart = Annotated[
    date | None, Query(description="YYYY-MM-DD; default: today (or a later profile start).")
]


@router.get("/learners/{learner}/plan", responses=NOT_FOUND, summary="The remaining topics packed into weeks")
async def get_plan(
    learner: LearnerPath,
    learners: LearnersDep,
    caller: CallerDep,
    hours_per_week: PlanHours = None,
    start: PlanStart = None,
    owner: OwnerQuery = None,
):
    who = owner_for_reading(caller, owner)
    plan = await run_in_threadpool(
        learners.plan, learner, who, hours_per_week=hours_per_week, start=start, missing_ok=False
    )
    return plan.to_dict()


@router.get(
    "/learners/{learner}/plan.ics",
    responses={**NOT_FOUND, 200: {"content": {"text/calendar": {}}}},
    summary="The plan's weeks as calendar events",
)
async def get_plan_ics(
    learner: LearnerPath,
    learners: LearnersDep,
    caller: CallerDep,
    hours_per_week: PlanHours = None,
    start: PlanStart = None,
    owner: OwnerQuery = None,
):
    from tutor.learner.calendar import plan_calendar

    who = owner_for_reading(caller, owner)
    plan = await run_in_threadpool(
        learners.plan, learner, who, hours_per_week=hours_per_week, start=start, missing_ok=False
    )
    return Response(
        plan_calendar(plan),
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{learner}-plan.ics"'},
    )
