"""Quizzes, answers and review cards in the learner database (SQLite and a real PostgreSQL): a quiz
keeps its items as served, an item takes one graded answer (a learner answering twice gets the
first grade back), a grader that raises costs nothing, a finished quiz marks the topic with source
`quiz` in the same transaction, reviews come back when FSRS says so, and learners are per owner."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.learner.test_repository import postgres, url  # noqa: F401  (fixtures)
from tutor.errors import NotFoundError
from tutor.learner.db import Database
from tutor.learner.repository import LearnerRepository
from tutor.learner.state import LearnerDatabaseError, Source, Status, UnknownLearner
from tutor.quiz import grading
from tutor.quiz.items import ItemSource, QuizItem, letter_options
from tutor.quiz.maker import Quiz
from tutor.quiz.records import QuizRecords

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOURCE = ItemSource(
    "docs/sql.md", "SQL", "Pandas users", "Do the SQLZoo tutorial first.", "Do the SQLZoo tutorial first."
)


def item(n: int, kind: str = "choice") -> QuizItem:
    if kind == "number":
        return QuizItem(
            f"{n:016x}", "sql", "number", "Fill in the number: “_____ hours”", "4", "4 hours", SOURCE
        )
    options = letter_options(["SQLZoo", "NumPy", "Poetry", "Kaggle"], f"seed{n}")
    return QuizItem(
        f"{n:016x}", "sql", "choice", f"Q{n}: do the _____ tutorial", "SQLZoo", SOURCE.quote, SOURCE, options
    )


def quiz(*items: QuizItem) -> Quiz:
    return Quiz("sql", "SQL for training data", list(items or [item(1), item(2), item(3)]), "offline")


def label(it: QuizItem, text: str) -> str:
    return next(o.label for o in it.options if o.text == text)


@pytest.fixture
def records(url):  # noqa: F811
    database = Database(url)
    yield QuizRecords(database)
    database.close()


def test_a_quiz_keeps_its_items_as_served(records):
    served = quiz()
    quiz_id = records.create("Ada", served, now=NOW)
    stored = records.quiz("ada", quiz_id)
    assert [i.to_dict() for i in stored.items] == [i.to_dict() for i in served.items]
    assert stored.public()["items"][0]["options"] == [
        {"label": o.label, "text": o.text} for o in served.items[0].options
    ]
    assert stored.answers == {} and stored.topic == "sql"


def test_answering_twice_returns_the_first_grade(records):
    first_item = quiz().items[0]
    quiz_id = records.create("ada", quiz(), now=NOW)
    right = records.answer("ada", quiz_id, first_item.id, label(first_item, "SQLZoo").lower(), now=NOW)
    assert right.grade.correct and not right.already_answered and right.next_review > NOW
    again = records.answer(
        "ada", quiz_id, first_item.id, label(first_item, "NumPy"), now=NOW + timedelta(minutes=1)
    )
    assert again.already_answered and again.grade.correct  # the first answer stands
    assert again.next_review is None  # and the card was not reviewed twice
    assert records.upcoming("ada") == (1, right.next_review)


def test_an_ungraded_answer_can_be_tried_again_and_gives_nothing_away(records):
    it = item(1)
    quiz_id = records.create("ada", quiz(it, item(2)), now=NOW)
    result = records.answer("ada", quiz_id, it.id, "z", now=NOW)
    data = result.to_dict()
    assert not data["graded"] and not data["correct"] and data["expected"] is None
    assert data["explanation"] == "" and "quote" not in data["citation"]
    assert records.upcoming("ada") == (0, None)  # no card for an ungraded answer
    assert records.answer("ada", quiz_id, it.id, "SQLZoo", now=NOW).grade.correct


def test_a_grader_that_raises_leaves_the_item_open(records, monkeypatch):
    it = item(1)
    quiz_id = records.create("ada", quiz(it), now=NOW)

    def broken(item, answer):
        raise ZeroDivisionError("bug")

    monkeypatch.setitem(grading.GRADERS, "choice", broken)
    result = records.answer("ada", quiz_id, it.id, "a", now=NOW)
    assert not result.grade.graded and "ZeroDivisionError" in result.grade.reason
    monkeypatch.undo()
    assert records.answer("ada", quiz_id, it.id, "SQLZoo", now=NOW).grade.correct


def test_a_quiz_on_a_document_that_is_no_roadmap_topic_records_no_progress(records):
    items = [item(1), item(2)]
    made = Quiz("notes/intro.md", "My notes", items, "offline")  # no front-matter id: its source
    quiz_id = records.create("ada", made, now=NOW)
    records.answer("ada", quiz_id, items[0].id, "SQLZoo", now=NOW)
    last = records.answer("ada", quiz_id, items[1].id, "SQLZoo", now=NOW)
    assert last.quiz["done"] and last.quiz["status"] and last.quiz["recorded"] is False
    assert LearnerRepository(records.db).state("ada").progress == {}


def test_an_item_answered_in_one_quiz_is_not_answered_again_in_another(records):
    # two quizzes made before any answer serve the same items: failing one, reading the keys, then
    # passing the other marked the topic done
    items = [item(1), item(2)]
    first = records.create("erin", quiz(*items), now=NOW)
    second = records.create("erin", quiz(*items), now=NOW)
    for it in items:
        records.answer("erin", first, it.id, "NumPy", now=NOW)
    retake = [records.answer("erin", second, it.id, "SQLZoo", now=NOW) for it in items]
    assert all(r.already_answered and not r.grade.correct for r in retake)
    assert not retake[-1].quiz["done"] and not retake[-1].quiz["recorded"]
    assert LearnerRepository(records.db).state("erin").progress["sql"].status == Status.LEARNING


def test_a_quiz_below_the_mark_leaves_a_known_topic_known(records):
    # it was recorded as learning while the profile still said known: next and plan left it out
    repository = LearnerRepository(records.db)
    repository.save_profile("kim", known=["sql"])
    items = [item(1), item(2)]
    quiz_id = records.create("kim", quiz(*items), now=NOW)
    records.answer("kim", quiz_id, items[0].id, "NumPy", now=NOW)
    last = records.answer("kim", quiz_id, items[1].id, "Poetry", now=NOW)
    assert last.quiz["done"] and last.quiz["status"] == "learning" and last.quiz["recorded"] is False
    state = repository.state("kim")
    assert state.profile.known == ("sql",) and "sql" not in state.progress


def test_a_finished_quiz_marks_the_topic_tested(records):
    items = [item(1), item(2), item(3)]
    quiz_id = records.create("ada", quiz(*items), now=NOW)
    for it in items[:2]:
        assert not records.answer("ada", quiz_id, it.id, "SQLZoo", now=NOW).quiz["done"]
    last = records.answer("ada", quiz_id, items[2].id, "SQLZoo", now=NOW)
    assert last.quiz == {"quiz_id": quiz_id, "topic": "sql", "total": 3, "graded": 3, "correct": 3} | {
        "done": True,
        "status": "done",
        "recorded": True,
    }
    progress = LearnerRepository(records.db).state("ada").progress["sql"]
    assert (progress.status, progress.source, progress.title) == (
        Status.DONE,
        Source.QUIZ,
        "SQL for training data",
    )


def test_a_failed_quiz_says_learning_but_never_undoes_what_the_learner_marked_done(records):
    repo = LearnerRepository(records.db)
    items = [item(1), item(2), item(3)]
    quiz_id = records.create("bo", quiz(*items), now=NOW)
    for it in items:
        records.answer("bo", quiz_id, it.id, "NumPy", now=NOW)
    assert repo.state("bo").progress["sql"].status == Status.LEARNING
    repo.set_progress("cy", "sql", "done")
    quiz_id = records.create("cy", quiz(*items), now=NOW)
    for it in items:
        result = records.answer("cy", quiz_id, it.id, "NumPy", now=NOW)
    assert result.quiz["status"] == "learning"
    state = repo.state("cy").progress["sql"]
    assert (state.status, state.source) == (Status.DONE, Source.SELF)


def test_everything_of_an_answer_commits_together(records, monkeypatch):
    it = item(1)
    quiz_id = records.create("ada", quiz(it), now=NOW)

    def broken(*args, **kwargs):
        raise LearnerDatabaseError("disk full")

    monkeypatch.setattr(QuizRecords, "_record_progress", broken)
    with pytest.raises(LearnerDatabaseError):
        records.answer("ada", quiz_id, it.id, "SQLZoo", now=NOW)
    monkeypatch.undo()
    assert records.quiz("ada", quiz_id).answers == {}  # the answer was rolled back with it
    assert records.upcoming("ada") == (0, None)  # and so was the card
    assert records.answer("ada", quiz_id, it.id, "SQLZoo", now=NOW).quiz["done"]


def test_answered_items_are_hidden_until_due_then_reviewed(records):
    items = [item(1), item(2, "number")]
    quiz_id = records.create("ada", quiz(*items), now=NOW)
    right = records.answer("ada", quiz_id, items[0].id, "SQLZoo", now=NOW)
    wrong = records.answer("ada", quiz_id, items[1].id, "5", now=NOW)
    assert not wrong.grade.correct and wrong.grade.graded
    assert records.hidden("ada", now=NOW) == {items[0].id, items[1].id}
    assert records.due("ada", now=NOW) == []
    later = max(right.next_review, wrong.next_review)
    assert records.hidden("ada", now=later) == set()
    due = records.due("ada", now=later)
    assert {i.id for i, _ in due} == {items[0].id, items[1].id}
    again = records.review("ada", items[0].id, label(items[0], "SQLZoo"), now=later)
    assert again.grade.correct and again.next_review > right.next_review + timedelta(hours=12)
    with pytest.raises(NotFoundError):
        records.review("ada", "ffffffffffffffff", "a", now=later)


def test_a_repeated_review_within_a_minute_is_graded_but_not_counted(records):
    it = item(2, "number")
    quiz_id = records.create("ada", quiz(it), now=NOW)
    records.answer("ada", quiz_id, it.id, "5", now=NOW)  # wrong: the card comes back soon
    at_once = records.review("ada", it.id, "4", now=NOW + timedelta(seconds=5))  # right after it
    assert at_once.already_answered and at_once.grade.correct
    first = records.review("ada", it.id, "4", now=NOW + timedelta(seconds=70))  # early, allowed
    assert first.grade.correct and not first.already_answered
    double = records.review("ada", it.id, "4", now=NOW + timedelta(seconds=71))  # a double click
    assert double.already_answered and double.grade.correct and double.next_review == first.next_review
    later = records.review("ada", it.id, "4", now=NOW + timedelta(seconds=140))  # a real early review
    assert not later.already_answered and later.next_review != first.next_review


def test_learners_and_quizzes_belong_to_their_owner(records):
    it = item(1)
    quiz_id = records.create("ada", quiz(it), owner="key-a", now=NOW)
    with pytest.raises(UnknownLearner):
        records.quiz("ada", quiz_id, owner="key-b")
    records.create("ada", quiz(it), owner="key-b", now=NOW)  # key B's own "ada"
    with pytest.raises(NotFoundError):
        records.answer("ada", quiz_id, it.id, "a", owner="key-b", now=NOW)
    with pytest.raises(NotFoundError):
        records.answer("ada", quiz_id, "0" * 16, "a", owner="key-a", now=NOW)
    with pytest.raises(UnknownLearner):
        records.due("nobody")


def test_two_answers_at_once_record_one(records):
    it = item(1)
    quiz_id = records.create("ada", quiz(it, item(2)), now=NOW)
    results, errors = [], []

    def answer(text):
        try:
            results.append(records.answer("ada", quiz_id, it.id, text, now=NOW))
        except Exception as exc:  # pragma: no cover - the assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(t,)) for t in ("SQLZoo", "NumPy", "SQLZoo", "NumPy")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(not r.already_answered for r in results) == 1
    assert len({r.grade.correct for r in results}) == 1  # everyone sees the grade that stands
    assert records.upcoming("ada")[0] == 1
