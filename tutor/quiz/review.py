"""Spaced review with FSRS (the `fsrs` package): every answered item becomes a card; pure functions
over a card's state (a JSON-able dict, what the learner store keeps), no clock of their own.

A right answer is rated Good, a wrong one Again; an ungraded answer does not touch the card.
Fuzzing is off, so the same answers at the same times give the same schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tutor.quiz.grading import Grade

CardState = dict[
    str, Any
]  # fsrs.Card.to_dict(): card_id, state, step, stability, difficulty, due, last_review
MASTERY_MIN_GRADED = 3  # a quiz this size or larger can mark a topic done
MASTERY_SHARE = 0.8


def _scheduler():
    from fsrs import Scheduler

    return Scheduler(enable_fuzzing=False)


def utc(moment: datetime | None = None) -> datetime:
    """`moment` (now by default) as an aware UTC datetime, which fsrs requires."""
    moment = moment or datetime.now(UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def card_id(item_id: str) -> int:
    """The fsrs card id of an item: its hex id as a number (52 bits, safe in JSON)."""
    return int(item_id[:13], 16)


def new_card(item_id: str, now: datetime | None = None) -> CardState:
    from fsrs import Card

    return Card(card_id=card_id(item_id), due=utc(now)).to_dict()


def rating(grade: Grade):
    """The fsrs Rating for a grade: Good when right, Again when wrong, None when ungraded."""
    from fsrs import Rating

    if not grade.graded:
        return None
    return Rating.Good if grade.correct else Rating.Again


def review(
    card: CardState | None, item_id: str, grade: Grade, now: datetime | None = None
) -> CardState | None:
    """The card after this answer (a new card for a first answer); None when the answer was not
    graded and there was no card yet; the card unchanged when ungraded."""
    from fsrs import Card

    rated = rating(grade)
    if rated is None:
        return card
    current = Card.from_dict(card) if card else Card.from_dict(new_card(item_id, now))
    updated, _ = _scheduler().review_card(current, rated, review_datetime=utc(now))
    return updated.to_dict()


def due_at(card: CardState) -> datetime:
    return utc(datetime.fromisoformat(card["due"]))


def is_due(card: CardState, now: datetime | None = None) -> bool:
    return due_at(card) <= utc(now)


def retrievability(card: CardState, now: datetime | None = None) -> float:
    """fsrs's estimate of the chance the learner still recalls it now (0 for a card never reviewed)."""
    from fsrs import Card

    return float(_scheduler().get_card_retrievability(Card.from_dict(card), utc(now)))


def quiz_mastery(correct: int, graded: int) -> str | None:
    """What a quiz's result says of the topic, as a learner-state status (recorded with source
    "quiz"): "done" with at least MASTERY_MIN_GRADED graded answers of which MASTERY_SHARE are
    right, else "learning"; None when nothing was graded."""
    if graded <= 0:
        return None
    if graded >= MASTERY_MIN_GRADED and correct / graded >= MASTERY_SHARE:
        return "done"
    return "learning"
