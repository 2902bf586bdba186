"""The learner database's tables (SQLAlchemy 2 declarative models). Alembic migrations in
`tutor/learner/migrations/` create exactly this schema; a test compares the two."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
STATUSES = "'pending', 'learning', 'done', 'skipped'"
SOURCES = "'self', 'quiz'"
TOPIC_ID_LENGTH = 200


class UTCDateTime(TypeDecorator):
    """A moment in UTC: written as UTC (SQLite keeps no zone, so it gets naive UTC), read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class LearnerRow(Base):
    """A learner: `owner` is the API key id that created it ('' without keys); a name is unique per owner."""

    __tablename__ = "learners"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_learners_owner_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    goal: Mapped[str | None] = mapped_column(Text)
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    start_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class KnownTopicRow(Base):
    """A topic the learner says they already know (self-declared in the profile)."""

    __tablename__ = "known_topics"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)  # the topic's title then: names an orphan
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ProgressRow(Base):
    """The current status of one topic for one learner."""

    __tablename__ = "progress"
    __table_args__ = (
        CheckConstraint(f"status IN ({STATUSES})", name="status"),
        CheckConstraint(f"source IN ({SOURCES})", name="source"),
    )

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str | None] = mapped_column(Text)  # the topic's title then: names an orphan
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ProgressEventRow(Base):
    """Every change of status, appended: the history behind `progress`, never rewritten."""

    __tablename__ = "progress_events"
    __table_args__ = (
        CheckConstraint(f"status IN ({STATUSES})", name="status"),
        CheckConstraint(f"source IN ({SOURCES})", name="source"),
        Index("ix_progress_events_learner_at", "learner_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), nullable=False)
    topic_id: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
