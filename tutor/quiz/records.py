"""Quizzes, answers and review cards in the learner database, each change one transaction.

- `create`: a quiz and its items as served (their option letters included), for a learner of an
  owner (created on first use, as the learner routes do);
- `answer`: grade against the stored item, keep the answer, schedule the item's FSRS card, and when
  every item of the quiz has a graded answer, record what the quiz showed for the topic in the
  learner's progress with source `quiz` (done, or learning; a failed quiz never undoes a topic
  the learner marked done or skipped): all of it commits together, or none of it;
- `hidden`: the items the learner has answered and is not yet due to see again;
- `due` and `review`: the cards due now, and an answer to one of them.

An item of a quiz takes one graded answer: answering it again returns the first grade unchanged (a
learner cannot re-answer after reading the explanation, a double click is harmless); an ungraded
answer may be followed by another try.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tutor.config import Settings
from tutor.errors import NotFoundError
from tutor.learner.db import Database
from tutor.learner.models import KnownTopicRow, LearnerRow, ProgressEventRow, ProgressRow
from tutor.learner.state import LearnerDatabaseError, Source, Status, UnknownLearner, check_name
from tutor.quiz.grading import Grade, grade
from tutor.quiz.items import QuizItem
from tutor.quiz.maker import Quiz
from tutor.quiz.models import AnswerRow, QuizItemRow, QuizRow, ReviewCardRow
from tutor.quiz.review import due_at, quiz_mastery, review, utc
from tutor.roadmap import TOPIC_ID

DUE_LIMIT = 50
REPEAT_SECONDS = 60  # a second answer to a card not due within this is a repeat, not a review
KEEP = frozenset({Status.DONE.value, Status.SKIPPED.value})  # what a failed quiz does not undo


@dataclass
class AnswerResult:
    """What a learner gets back for an answer."""

    item: QuizItem
    grade: Grade
    already_answered: bool = False
    next_review: datetime | None = None
    quiz: dict[str, Any] = field(default_factory=dict)  # answered, graded, correct, total, done, status

    def to_dict(self) -> dict[str, Any]:
        """The grade; after a graded answer also the expected answer and the passage that proves it.
        An ungraded answer may be tried again, so it gives nothing of the key away."""
        graded = self.grade.graded
        return {
            "item_id": self.item.id,
            "correct": self.grade.correct,
            "graded": graded,
            "expected": self.grade.expected if graded else None,
            "reason": self.grade.reason,
            "chosen": self.grade.chosen,
            "explanation": self.item.explain() if graded else "",
            "citation": self.item.source.full() if graded else self.item.source.public(),
            "already_answered": self.already_answered,
            "next_review": self.next_review.isoformat() if self.next_review else None,
            **({"quiz": self.quiz} if self.quiz else {}),
        }


@dataclass
class StoredQuiz:
    id: str
    topic: str
    title: str | None
    generator: str
    created_at: datetime
    items: list[QuizItem]
    answers: dict[str, Grade]  # item id -> its graded answer
    status: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "quiz_id": self.id,
            "topic": self.topic,
            "title": self.title,
            "generator": self.generator,
            "created_at": self.created_at.isoformat(),
            "items": [i.public() for i in self.items],
            "answered": sorted(self.answers),
            "status": self.status,
        }


def _insert(connection, table):
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _keep_answer(connection, learner_id, quiz_id: str | None, item_id: str, answer, result: Grade, at):
    """One answer as given (a quiz's, or a review's with no quiz) and its grade."""
    connection.execute(
        AnswerRow.__table__.insert().values(
            learner_id=learner_id,
            quiz_id=quiz_id,
            item_id=item_id,
            answer=str(answer)[:2000] if isinstance(answer, str) else "",
            graded=result.graded,
            correct=result.correct,
            chosen=result.chosen,
            reason=result.reason or None,
            answered_at=at,
        )
    )


def _grade_of(row) -> Grade:
    return Grade(bool(row.correct), bool(row.graded), "", row.reason or "", row.chosen)


class QuizRecords:
    def __init__(self, database: Database):
        self.db = database

    @classmethod
    def from_settings(cls, settings: Settings) -> QuizRecords:
        return cls(Database.from_settings(settings))

    # -- learners ------------------------------------------------------------------------------

    @staticmethod
    def _learner(connection, name: str, owner: str, *, create: bool) -> int:
        from sqlalchemy import select

        table = LearnerRow.__table__
        if create:
            moment = utc()
            connection.execute(
                _insert(connection, table)
                .values(owner=owner, name=name, created_at=moment, updated_at=moment)
                .on_conflict_do_nothing(index_elements=["owner", "name"])
            )
        learner_id = connection.execute(
            select(table.c.id).where(table.c.owner == owner, table.c.name == name)
        ).scalar()
        if learner_id is None:
            raise UnknownLearner(f"No learner named {name!r}.")
        return learner_id

    # -- quizzes -------------------------------------------------------------------------------

    def create(self, name: str, quiz: Quiz, *, owner: str = "", now: datetime | None = None) -> str:
        """Store `quiz` as served to learner `name` (created if new); returns the quiz id."""
        name = check_name(name)
        moment = utc(now)
        quiz_id = secrets.token_hex(12)
        with self.db.write() as connection:
            learner_id = self._learner(connection, name, owner, create=True)
            connection.execute(
                QuizRow.__table__.insert().values(
                    id=quiz_id,
                    learner_id=learner_id,
                    topic_id=quiz.topic,
                    title=quiz.title,
                    generator=quiz.generator,
                    created_at=moment,
                )
            )
            if quiz.items:
                connection.execute(
                    QuizItemRow.__table__.insert(),
                    [
                        {"quiz_id": quiz_id, "item_id": i.id, "position": n, "item": json.dumps(i.to_dict())}
                        for n, i in enumerate(quiz.items)
                    ],
                )
        return quiz_id

    def _quiz_row(self, connection, learner_id: int, quiz_id: str):
        from sqlalchemy import select

        quizzes = QuizRow.__table__
        row = connection.execute(
            select(quizzes).where(quizzes.c.id == quiz_id, quizzes.c.learner_id == learner_id)
        ).first()
        if row is None:
            raise NotFoundError(f"No quiz {quiz_id!r} for this learner.")
        return row

    def quiz(self, name: str, quiz_id: str, *, owner: str = "") -> StoredQuiz:
        from sqlalchemy import select

        name = check_name(name)
        items_t, answers = QuizItemRow.__table__, AnswerRow.__table__
        with self.db.read() as connection:
            learner_id = self._learner(connection, name, owner, create=False)
            row = self._quiz_row(connection, learner_id, quiz_id)
            items = connection.execute(
                select(items_t.c.item).where(items_t.c.quiz_id == quiz_id).order_by(items_t.c.position)
            ).all()
            graded = connection.execute(
                select(answers).where(answers.c.quiz_id == quiz_id, answers.c.graded.is_(True))
            ).all()
        return StoredQuiz(
            row.id,
            row.topic_id,
            row.title,
            row.generator,
            row.created_at,
            [QuizItem.from_dict(json.loads(r.item)) for r in items],
            {a.item_id: _grade_of(a) for a in graded},
            row.status,
        )

    def hidden(self, name: str, *, owner: str = "", now: datetime | None = None) -> set[str]:
        """Ids of the items this learner has a card for that is not due yet: not served again."""
        from sqlalchemy import select

        name = check_name(name)
        cards, learners = ReviewCardRow.__table__, LearnerRow.__table__
        with self.db.read() as connection:
            rows = connection.execute(
                select(cards.c.item_id)
                .join(learners, learners.c.id == cards.c.learner_id)
                .where(learners.c.owner == owner, learners.c.name == name, cards.c.due > utc(now))
            ).all()
        return {r.item_id for r in rows}

    # -- answers -------------------------------------------------------------------------------

    def _schedule(self, connection, learner_id: int, item: QuizItem, result: Grade, moment: datetime):
        """The item's card after this answer (created on the first graded one); its due time."""
        from sqlalchemy import select

        cards = ReviewCardRow.__table__
        row = connection.execute(
            select(cards).where(cards.c.learner_id == learner_id, cards.c.item_id == item.id)
        ).first()
        state = json.loads(row.card) if row else None
        updated = review(state, item.id, result, moment)
        if updated is None or updated is state:
            return due_at(state) if state else None
        values = {
            "topic_id": item.topic,
            "item": json.dumps(item.to_dict()),
            "card": json.dumps(updated),
            "due": due_at(updated),
            "reviews": (row.reviews if row else 0) + 1,
            "lapses": (row.lapses if row else 0) + (not result.correct),
            "updated_at": moment,
        }
        statement = _insert(connection, cards).values(learner_id=learner_id, item_id=item.id, **values)
        connection.execute(
            statement.on_conflict_do_update(index_elements=["learner_id", "item_id"], set_=values)
        )
        return values["due"]

    def _record_progress(
        self, connection, learner_id: int, topic: str, title: str | None, status: str, moment
    ):
        """The quiz's verdict on the topic, in the learner's progress (source quiz) and its history;
        False when the topic keeps its status (done, skipped or known, and the verdict is learning:
        a known topic recorded as learning was both, and next and plan left it out)."""
        from sqlalchemy import select

        progress, events = ProgressRow.__table__, ProgressEventRow.__table__
        current = connection.execute(
            select(progress.c.status).where(progress.c.learner_id == learner_id, progress.c.topic_id == topic)
        ).scalar()
        if status == Status.LEARNING.value:
            if current in KEEP:
                return False
            known = KnownTopicRow.__table__
            if connection.execute(
                select(known.c.topic_id).where(known.c.learner_id == learner_id, known.c.topic_id == topic)
            ).first():
                return False  # known, as the profile says: a quiz below the mark does not put it in progress
        values = {"status": status, "source": Source.QUIZ.value, "changed_at": moment}
        statement = _insert(connection, progress).values(
            learner_id=learner_id, topic_id=topic, title=title, **values
        )
        connection.execute(
            statement.on_conflict_do_update(index_elements=["learner_id", "topic_id"], set_=values)
        )
        connection.execute(
            events.insert().values(
                learner_id=learner_id, topic_id=topic, status=status, source=Source.QUIZ.value, at=moment
            )
        )
        connection.execute(
            LearnerRow.__table__.update()
            .where(LearnerRow.__table__.c.id == learner_id)
            .values(updated_at=moment)
        )
        return True

    def answer(
        self,
        name: str,
        quiz_id: str,
        item_id: str,
        answer: object,
        *,
        owner: str = "",
        now: datetime | None = None,
    ) -> AnswerResult:
        """Grade and keep one answer to an item of a quiz, in one transaction (see the module). Two
        answers racing on PostgreSQL: the unique index turns the second away, and it is read again
        as already answered."""
        from sqlalchemy.exc import IntegrityError

        name = check_name(name)
        try:
            return self._answer(name, quiz_id, item_id, answer, owner, utc(now))
        except LearnerDatabaseError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            return self._answer(name, quiz_id, item_id, answer, owner, utc(now))

    def _answer(self, name, quiz_id, item_id, answer, owner, moment) -> AnswerResult:
        from sqlalchemy import func, select

        items_t, answers, quizzes = QuizItemRow.__table__, AnswerRow.__table__, QuizRow.__table__
        with self.db.write() as connection:
            learner_id = self._learner(connection, name, owner, create=False)
            quiz = self._quiz_row(connection, learner_id, quiz_id)
            stored = connection.execute(
                select(items_t.c.item).where(items_t.c.quiz_id == quiz_id, items_t.c.item_id == item_id)
            ).scalar()
            if stored is None:
                raise NotFoundError(f"No item {item_id!r} in this quiz.")
            item = QuizItem.from_dict(json.loads(stored))
            # the item's graded answer in this quiz, else in another of the learner's quizzes (the
            # same item, not a retake)
            first = connection.execute(
                select(answers)
                .join(quizzes, quizzes.c.id == answers.c.quiz_id)
                .where(
                    quizzes.c.learner_id == learner_id,
                    answers.c.item_id == item_id,
                    answers.c.graded.is_(True),
                )
                .order_by((answers.c.quiz_id == quiz_id).desc())
                .limit(1)
            ).first()
            if first is not None:
                result = AnswerResult(item, grade(item, first.answer), already_answered=True)
            else:
                result = AnswerResult(item, grade(item, answer))
                _keep_answer(connection, learner_id, quiz_id, item_id, answer, result.grade, moment)
            if result.grade.graded and not result.already_answered:
                result.next_review = self._schedule(connection, learner_id, item, result.grade, moment)
            total = connection.execute(
                select(func.count()).select_from(items_t).where(items_t.c.quiz_id == quiz_id)
            ).scalar()
            graded = connection.execute(
                select(answers.c.correct).where(answers.c.quiz_id == quiz_id, answers.c.graded.is_(True))
            ).all()
            right = sum(bool(g.correct) for g in graded)
            status, recorded = quiz.status, False
            if quiz.finished_at is None and total and len(graded) == total:
                status = quiz_mastery(right, len(graded))
                connection.execute(
                    quizzes.update().where(quizzes.c.id == quiz_id).values(finished_at=moment, status=status)
                )
                if status and TOPIC_ID.match(quiz.topic_id):  # a roadmap topic, not just a document
                    recorded = self._record_progress(
                        connection, learner_id, quiz.topic_id, quiz.title, status, moment
                    )
            result.quiz = {
                "quiz_id": quiz_id,
                "topic": quiz.topic_id,
                "total": total,
                "graded": len(graded),
                "correct": right,
                "done": bool(total) and len(graded) == total,
                "status": status,
                # whether this answer's quiz changed the learner's progress (a quiz below the mark
                # never undoes a topic marked done or skipped)
                "recorded": recorded,
            }
        return result

    # -- reviews -------------------------------------------------------------------------------

    def due(
        self, name: str, *, owner: str = "", now: datetime | None = None, limit: int = DUE_LIMIT
    ) -> list[tuple[QuizItem, datetime]]:
        """The learner's cards due now, the longest overdue first: (item as last served, due)."""
        from sqlalchemy import select

        name = check_name(name)
        cards = ReviewCardRow.__table__
        with self.db.read() as connection:
            learner_id = self._learner(connection, name, owner, create=False)
            rows = connection.execute(
                select(cards.c.item, cards.c.due)
                .where(cards.c.learner_id == learner_id, cards.c.due <= utc(now))
                .order_by(cards.c.due, cards.c.item_id)
                .limit(limit)
            ).all()
        return [(QuizItem.from_dict(json.loads(r.item)), r.due) for r in rows]

    def upcoming(self, name: str, *, owner: str = "") -> tuple[int, datetime | None]:
        """How many cards the learner has, and when the next one falls due."""
        from sqlalchemy import func, select

        name = check_name(name)
        cards, learners = ReviewCardRow.__table__, LearnerRow.__table__
        with self.db.read() as connection:
            row = connection.execute(
                select(func.count(), func.min(cards.c.due))
                .select_from(cards.join(learners, learners.c.id == cards.c.learner_id))
                .where(learners.c.owner == owner, learners.c.name == name)
            ).first()
        due = row[1] if row else None
        if due is not None and due.tzinfo is None:
            due = utc(due)
        return (int(row[0]) if row else 0), due

    def review(
        self, name: str, item_id: str, answer: object, *, owner: str = "", now: datetime | None = None
    ) -> AnswerResult:
        """An answer to a card (due or not: reviewing early is allowed, FSRS accounts for it). An
        answer to a card that is not due, within REPEAT_SECONDS of its last answer (a double click,
        a retried request), is graded but not counted: `already_answered`, the card unchanged."""
        from sqlalchemy import select

        name = check_name(name)
        moment = utc(now)
        cards = ReviewCardRow.__table__
        with self.db.write() as connection:
            learner_id = self._learner(connection, name, owner, create=False)
            card = connection.execute(
                select(cards.c.item, cards.c.due, cards.c.updated_at).where(
                    cards.c.learner_id == learner_id, cards.c.item_id == item_id
                )
            ).first()
            if card is None:
                raise NotFoundError(f"No review card for item {item_id!r}.")
            item = QuizItem.from_dict(json.loads(card.item))
            if utc(card.due) > moment and (moment - utc(card.updated_at)).total_seconds() < REPEAT_SECONDS:
                result = AnswerResult(item, grade(item, answer), already_answered=True)
                result.next_review = utc(card.due)
                return result
            result = AnswerResult(item, grade(item, answer))
            _keep_answer(connection, learner_id, None, item_id, answer, result.grade, moment)
            result.next_review = self._schedule(connection, learner_id, item, result.grade, moment)
        return result
