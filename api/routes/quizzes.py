"""/v1/learners/{learner}/quizzes and /reviews: quizzes on a topic, graded answers, spaced review.

The same keys and learner ownership as /v1/learners: a learner belongs to the API key that created
it, another key gets 404 for it; a learner is created by its first quiz, as by its first progress
update. Items are served without their keys; an answer comes back graded, with the expected answer
and the passage that proves it.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import ServiceDep, v1_router
from api.models import ErrorOut, Text
from api.routes.learners import NOT_FOUND, CallerDep, LearnerPath
from tutor.quiz import DEFAULT_ITEMS, MAX_ITEMS, QuizMaker
from tutor.quiz.records import DUE_LIMIT, QuizRecords

router = v1_router("quizzes")
_lock = threading.Lock()

QuizIdPath = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")]
ItemId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")]
Answer = Annotated[Text, Field(max_length=500)]
NOT_A_QUIZ = {404: {"model": ErrorOut, "description": "No such learner (for this key), quiz, item or topic"}}
NOTHING_NEW = (
    "No new question on this topic right now: every one has been answered and none is due for review "
    "yet. GET /v1/learners/{learner}/reviews/due lists the items due; answer them with POST "
    "/v1/learners/{learner}/reviews."
)
NO_QUESTION = "this topic yields no question the generator can check against its text"


class QuizIn(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="forbid", json_schema_extra={"examples": [{"topic": "sql", "n": 5}]}
    )

    topic: Annotated[Text, Field(min_length=1, max_length=200)] = Field(
        description="A topic id of the roadmap, or an ingested document's source or title."
    )
    n: int = Field(DEFAULT_ITEMS, ge=1, le=MAX_ITEMS, description="How many questions.")
    provider: Annotated[Text, Field(max_length=40)] | None = Field(
        None, description="Who drafts the questions: a provider (offline by default when no key is set)."
    )


class AnswerIn(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"item_id": "0f3c9a1b2d4e5f60", "answer": "b"}]},
    )

    item_id: ItemId
    answer: Answer = Field(description="A letter (b, B, B), (b)), an option's text, a number or a few words.")


def get_quizzes(request: Request, service: ServiceDep) -> tuple[QuizMaker, QuizRecords]:
    """One QuizMaker (over the worker's store) and one QuizRecords per worker, made on first use."""
    state = request.app.state
    made = getattr(state, "quizzes", None)
    if made is None:
        with _lock:
            made = getattr(state, "quizzes", None)
            if made is None:
                tutor = service.tutor()
                made = state.quizzes = (QuizMaker(tutor.store), QuizRecords.from_settings(service.settings))
    return made


QuizzesDep = Annotated[tuple[QuizMaker, QuizRecords], Depends(get_quizzes)]


@router.post(
    "/learners/{learner}/quizzes",
    status_code=201,
    responses={
        **NOT_A_QUIZ,
        409: {"model": ErrorOut, "description": "Every question on the topic is answered and none is due"},
    },
    summary="A quiz on one topic for this learner (items without their keys)",
)
async def create_quiz(
    learner: LearnerPath, body: QuizIn, quizzes: QuizzesDep, caller: CallerDep, service: ServiceDep
):
    maker, records = quizzes

    def make():
        answerer = service.tutor(body.provider).answerer
        hidden = records.hidden(learner, owner=caller.owner)
        quiz = maker.make(body.topic, body.n, answerer=answerer, exclude=hidden)
        # No quiz without a question (nor a learner created for one): a client is told why over HTTP
        if quiz.empty == "not-due":
            raise HTTPException(409, NOTHING_NEW.format(learner=learner))
        if quiz.empty:
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("body", "topic"), "msg": NO_QUESTION}]
            )
        quiz_id = records.create(learner, quiz, owner=caller.owner)
        return {"quiz_id": quiz_id, **quiz.public()}

    return JSONResponse(await run_in_threadpool(make), status_code=201)


@router.get(
    "/learners/{learner}/quizzes/{quiz_id}",
    responses=NOT_A_QUIZ,
    summary="A quiz as served, and what is answered",
)
async def get_quiz(learner: LearnerPath, quiz_id: QuizIdPath, quizzes: QuizzesDep, caller: CallerDep):
    _, records = quizzes
    stored = await run_in_threadpool(records.quiz, learner, quiz_id, owner=caller.owner)
    return stored.public()


@router.post(
    "/learners/{learner}/quizzes/{quiz_id}/answers",
    responses=NOT_A_QUIZ,
    summary="Answer one item: graded, with the expected answer and the passage that proves it",
)
async def answer_item(
    learner: LearnerPath, quiz_id: QuizIdPath, body: AnswerIn, quizzes: QuizzesDep, caller: CallerDep
):
    _, records = quizzes
    result = await run_in_threadpool(
        records.answer, learner, quiz_id, body.item_id, body.answer, owner=caller.owner
    )
    return result.to_dict()


@router.get("/learners/{learner}/reviews/due", responses=NOT_FOUND, summary="The items due for review now")
async def due_reviews(learner: LearnerPath, quizzes: QuizzesDep, caller: CallerDep):
    _, records = quizzes
    due = await run_in_threadpool(records.due, learner, owner=caller.owner, limit=DUE_LIMIT)
    return {"learner": learner, "items": [{**item.public(), "due": at.isoformat()} for item, at in due]}


@router.post("/learners/{learner}/reviews", responses=NOT_A_QUIZ, summary="Answer an item under review")
async def answer_review(learner: LearnerPath, body: AnswerIn, quizzes: QuizzesDep, caller: CallerDep):
    _, records = quizzes
    result = await run_in_threadpool(records.review, learner, body.item_id, body.answer, owner=caller.owner)
    return result.to_dict()
