"""The quiz tables in the learner database (same metadata as tutor/learner/models.py, created by
migration 0002): quizzes as served, their items with the option letters they were served with,
every answer, and one FSRS review card per learner and item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from tutor.learner.models import TOPIC_ID_LENGTH, Base, UTCDateTime


class QuizRow(Base):
    """One quiz served to one learner. `status` is what its result recorded for the topic, once every
    item has a graded answer (NULL until then)."""

    __tablename__ = "quizzes"
    __table_args__ = (Index("ix_quizzes_learner_created", "learner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), nullable=False)
    topic_id: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH), nullable=False)
    title: Mapped[str | None] = mapped_column(Text)
    generator: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str | None] = mapped_column(String(16))


class QuizItemRow(Base):
    """An item exactly as served in a quiz (JSON: stem, options with their letters, key, source)."""

    __tablename__ = "quiz_items"

    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    item: Mapped[str] = mapped_column(Text, nullable=False)


class AnswerRow(Base):
    """Every answer given, in a quiz or in a review (`quiz_id` NULL). In a quiz an item takes one
    graded answer (a partial unique index): ungraded ones may be followed by another try."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        Index(
            "uq_quiz_answers_graded",
            "quiz_id",
            "item_id",
            unique=True,
            sqlite_where=text("graded AND quiz_id IS NOT NULL"),
            postgresql_where=text("graded AND quiz_id IS NOT NULL"),
        ),
        Index("ix_quiz_answers_learner_at", "learner_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), nullable=False)
    quiz_id: Mapped[str | None] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(32), nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    graded: Mapped[bool] = mapped_column(Boolean, nullable=False)
    correct: Mapped[bool] = mapped_column(Boolean, nullable=False)
    chosen: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ReviewCardRow(Base):
    """One FSRS card per learner and item: the card's state (fsrs Card.to_dict, JSON), when it is
    due, and the item as last served (what a review shows)."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_learner_due", "learner_id", "due"),)

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH), nullable=False)
    item: Mapped[str] = mapped_column(Text, nullable=False)
    card: Mapped[str] = mapped_column(Text, nullable=False)
    due: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reviews: Mapped[int] = mapped_column(Integer, nullable=False)
    lapses: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
