"""The learner repository: profiles, known topics and progress, read and written in transactions.

Every write is one transaction of atomic statements (an upsert, not read-then-write), so concurrent
writers from several processes never overwrite each other's changes: two workers marking two
topics both land, and every change is also appended to the history (`progress_events`).

The API other parts of tutor use (the quiz records tested mastery with it):

    repo = LearnerRepository.from_settings(settings)
    repo.set_progress("ada", "sql", "done", source="quiz", title="SQL for pulling training data")
    repo.state("ada")  # LearnerState: profile + progress per topic

A learner belongs to an `owner`: the id of the API key that created it, "" without keys. Names are
unique per owner, so two keys may each have a learner called "me".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from tutor.config import Settings
from tutor.learner.db import Database
from tutor.learner.models import KnownTopicRow, LearnerRow, ProgressEventRow, ProgressRow
from tutor.learner.state import (
    InvalidLearnerInput,
    LearnerState,
    Profile,
    Source,
    Status,
    TopicProgress,
    UnknownLearner,
    check_goal,
    check_hours,
    check_name,
    check_source,
    check_start,
    check_status,
)

UNSET: Any = object()
MAX_TOPICS_PER_WRITE = 5000


def now() -> datetime:
    return datetime.now(UTC)


class LearnerRepository:
    def __init__(self, database: Database):
        self.db = database

    @classmethod
    def from_settings(cls, settings: Settings) -> LearnerRepository:
        return cls(Database.from_settings(settings))

    # -- helpers -------------------------------------------------------------------------------

    def _insert(self, connection, table):
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    def _learner_id(self, connection, name: str, owner: str, *, create: bool) -> int | None:
        from sqlalchemy import select

        table = LearnerRow.__table__
        if create:
            moment = now()
            statement = (
                self._insert(connection, table)
                .values(owner=owner, name=name, created_at=moment, updated_at=moment)
                .on_conflict_do_nothing(index_elements=["owner", "name"])
            )
            connection.execute(statement)
        return connection.execute(
            select(table.c.id).where(table.c.owner == owner, table.c.name == name)
        ).scalar()

    def _touch(self, connection, learner_id: int, **values) -> None:
        from sqlalchemy import update

        table = LearnerRow.__table__
        connection.execute(update(table).where(table.c.id == learner_id).values(updated_at=now(), **values))

    # -- reads ---------------------------------------------------------------------------------

    def exists(self, name: str, owner: str = "") -> bool:
        name = check_name(name)
        with self.db.read() as connection:
            return self._learner_id(connection, name, owner, create=False) is not None

    def state(self, name: str, owner: str = "", *, missing_ok: bool = False) -> LearnerState:
        """The learner's profile and progress in one snapshot. A learner nobody saved is
        UnknownLearner, or with `missing_ok` an empty state (`exists` False)."""
        from sqlalchemy import select

        name = check_name(name)
        learners, known, progress = LearnerRow.__table__, KnownTopicRow.__table__, ProgressRow.__table__
        with self.db.read() as connection:
            row = connection.execute(
                select(learners).where(learners.c.owner == owner, learners.c.name == name)
            ).first()
            if row is None:
                if missing_ok:
                    return LearnerState(Profile(name, owner), {}, exists=False)
                raise UnknownLearner(f"No learner named {name!r}.")
            known_rows = connection.execute(
                select(known.c.topic_id, known.c.title)
                .where(known.c.learner_id == row.id)
                .order_by(known.c.topic_id)
            ).all()
            progress_rows = connection.execute(select(progress).where(progress.c.learner_id == row.id)).all()
        profile = Profile(
            name=row.name,
            owner=row.owner,
            goal=row.goal,
            hours_per_week=row.hours_per_week,
            start_date=row.start_date,
            known=tuple(k.topic_id for k in known_rows),
            known_titles={k.topic_id: k.title for k in known_rows if k.title},
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        entries = {
            p.topic_id: TopicProgress(p.topic_id, Status(p.status), Source(p.source), p.changed_at, p.title)
            for p in progress_rows
        }
        return LearnerState(profile, entries)

    def learners(self, owner: str | None = "") -> list[Profile]:
        """The learners of `owner` (None: everyone's, for the admin), by owner and name."""
        from sqlalchemy import select

        table, known = LearnerRow.__table__, KnownTopicRow.__table__
        owned = [table.c.owner == owner] if owner is not None else []
        with self.db.read() as connection:
            rows = connection.execute(select(table).where(*owned).order_by(table.c.owner, table.c.name)).all()
            # every listed learner's known topics in one query, as `state` reads one learner's
            listed = select(table.c.id).where(*owned)
            known_rows = connection.execute(
                select(known.c.learner_id, known.c.topic_id, known.c.title)
                .where(known.c.learner_id.in_(listed))
                .order_by(known.c.topic_id)
            ).all()
        topics: dict[int, list] = {}
        for k in known_rows:
            topics.setdefault(k.learner_id, []).append(k)
        return [
            Profile(
                r.name,
                r.owner,
                r.goal,
                r.hours_per_week,
                r.start_date,
                tuple(k.topic_id for k in topics.get(r.id, ())),
                {k.topic_id: k.title for k in topics.get(r.id, ()) if k.title},
                r.created_at,
                r.updated_at,
            )
            for r in rows
        ]

    def history(
        self, name: str, owner: str = "", *, topic: str | None = None, limit: int = 100
    ) -> list[dict]:
        """The latest changes of status, newest first."""
        from sqlalchemy import select

        name = check_name(name)
        events = ProgressEventRow.__table__
        with self.db.read() as connection:
            learner_id = self._learner_id(connection, name, owner, create=False)
            if learner_id is None:
                raise UnknownLearner(f"No learner named {name!r}.")
            query = select(events).where(events.c.learner_id == learner_id)
            if topic is not None:
                query = query.where(events.c.topic_id == topic)
            rows = connection.execute(query.order_by(events.c.id.desc()).limit(limit)).all()
        return [
            {"topic": r.topic_id, "status": r.status, "source": r.source, "at": r.at.isoformat()}
            for r in rows
        ]

    # -- writes --------------------------------------------------------------------------------

    def save_profile(
        self,
        name: str,
        owner: str = "",
        *,
        goal: str | None = UNSET,
        hours_per_week: float | None = UNSET,
        start_date: date | None = UNSET,
        known: Iterable[str] = UNSET,
        add_known: Iterable[str] = (),
        remove_known: Iterable[str] = (),
        titles: Mapping[str, str] | None = None,
        create: bool = True,
    ) -> LearnerState:
        """Set the profile fields given (the others are kept), creating the learner if needed.
        `known` replaces the known topics; `add_known` / `remove_known` change them. `titles` are
        the topics' titles, kept beside each id so a topic that later leaves the roadmap is named."""
        from sqlalchemy import delete

        name = check_name(name)
        values: dict[str, Any] = {}
        if goal is not UNSET:
            values["goal"] = check_goal(goal) or None if goal is not None else None
        if hours_per_week is not UNSET:
            values["hours_per_week"] = check_hours(hours_per_week) if hours_per_week is not None else None
        if start_date is not UNSET:
            values["start_date"] = check_start(start_date) if start_date is not None else None
        replace = None if known is UNSET else list(dict.fromkeys(known))
        add, remove = list(dict.fromkeys(add_known)), list(dict.fromkeys(remove_known))
        if len(replace or []) + len(add) > MAX_TOPICS_PER_WRITE:
            raise InvalidLearnerInput(f"At most {MAX_TOPICS_PER_WRITE} known topics at once.")
        titles = titles or {}
        table = KnownTopicRow.__table__
        with self.db.write() as connection:
            learner_id = self._learner_id(connection, name, owner, create=create)
            if learner_id is None:
                raise UnknownLearner(f"No learner named {name!r}.")
            if replace is not None:
                connection.execute(delete(table).where(table.c.learner_id == learner_id))
                add = replace
            if remove:
                connection.execute(
                    delete(table).where(table.c.learner_id == learner_id, table.c.topic_id.in_(remove))
                )
            if add:
                moment = now()
                rows = [
                    {"learner_id": learner_id, "topic_id": t, "title": titles.get(t), "added_at": moment}
                    for t in add
                ]
                connection.execute(
                    self._insert(connection, table).on_conflict_do_nothing(
                        index_elements=["learner_id", "topic_id"]
                    ),
                    rows,
                )
            self._touch(connection, learner_id, **values)
        return self.state(name, owner)

    def set_progress(
        self,
        name: str,
        topic: str,
        status: Status | str,
        *,
        owner: str = "",
        source: Source | str = Source.SELF,
        title: str | None = None,
        at: datetime | None = None,
    ) -> TopicProgress:
        """Record `status` for `topic` (creating the learner if needed), with where the claim comes
        from: `self` (the learner said so) or `quiz` (a graded quiz showed it)."""
        return self.set_progress_many(
            name, {topic: status}, owner=owner, source=source, titles={topic: title} if title else None, at=at
        )[0]

    def set_progress_many(
        self,
        name: str,
        updates: Mapping[str, Status | str],
        *,
        owner: str = "",
        source: Source | str = Source.SELF,
        titles: Mapping[str, str] | None = None,
        at: datetime | None = None,
    ) -> list[TopicProgress]:
        """Several topics in one transaction: all of them are recorded, or none."""
        name = check_name(name)
        source = check_source(source)
        checked = {str(topic): check_status(status) for topic, status in updates.items()}
        if not checked:
            return []
        if len(checked) > MAX_TOPICS_PER_WRITE:
            raise InvalidLearnerInput(f"At most {MAX_TOPICS_PER_WRITE} topics at once.")
        for topic in checked:
            if not topic or len(topic) > 200:
                raise InvalidLearnerInput("A topic id must have 1 to 200 characters.")
        moment = at or now()
        titles = titles or {}
        progress, events = ProgressRow.__table__, ProgressEventRow.__table__
        rows = [
            {
                "topic_id": topic,
                "status": status.value,
                "source": source.value,
                "title": titles.get(topic),
                "changed_at": moment,
            }
            for topic, status in checked.items()
        ]
        with self.db.write() as connection:
            learner_id = self._learner_id(connection, name, owner, create=True)
            for row in rows:
                row["learner_id"] = learner_id
            statement = self._insert(connection, progress)
            statement = statement.on_conflict_do_update(
                index_elements=["learner_id", "topic_id"],
                set_={
                    "status": statement.excluded.status,
                    "source": statement.excluded.source,
                    "changed_at": statement.excluded.changed_at,
                    # keep the title we knew if this update brings none
                    "title": _coalesce(statement.excluded.title, progress.c.title),
                },
            )
            connection.execute(statement, rows)
            connection.execute(
                events.insert(),
                [
                    {k: r[k] for k in ("learner_id", "topic_id", "status", "source")} | {"at": moment}
                    for r in rows
                ],
            )
            self._touch(connection, learner_id)
        return [TopicProgress(r["topic_id"], Status(r["status"]), source, moment, r["title"]) for r in rows]

    def move_progress(
        self, name: str, old: str, new: str, *, owner: str = "", title: str | None = None
    ) -> None:
        """Carry a record over to a topic's new id (after a rename in the corpus): the progress and
        the known mark move; the history keeps what happened under the old id and gains the move,
        an event of the new id with the record's status. Callers check the ids (Learners.move_record)."""
        from sqlalchemy import delete, select, update

        name = check_name(name)
        progress, known = ProgressRow.__table__, KnownTopicRow.__table__
        events = ProgressEventRow.__table__
        with self.db.write() as connection:
            learner_id = self._learner_id(connection, name, owner, create=False)
            if learner_id is None:
                raise UnknownLearner(f"No learner named {name!r}.")
            old_row = connection.execute(
                select(progress).where(progress.c.learner_id == learner_id, progress.c.topic_id == old)
            ).first()
            was_known = connection.execute(
                select(known.c.topic_id).where(known.c.learner_id == learner_id, known.c.topic_id == old)
            ).first()
            if old_row is None and was_known is None:
                raise InvalidLearnerInput(f"{name!r} has no record on {old!r} to move.")
            if old_row is not None:
                connection.execute(
                    delete(progress).where(progress.c.learner_id == learner_id, progress.c.topic_id == new)
                )
                connection.execute(
                    update(progress)
                    .where(progress.c.learner_id == learner_id, progress.c.topic_id == old)
                    .values(topic_id=new, title=title or old_row.title)
                )
                connection.execute(
                    events.insert().values(
                        learner_id=learner_id,
                        topic_id=new,
                        status=old_row.status,
                        source=old_row.source,
                        at=now(),
                    )
                )
            if was_known is not None:
                connection.execute(
                    delete(known).where(known.c.learner_id == learner_id, known.c.topic_id.in_([old, new]))
                )
                connection.execute(
                    known.insert().values(learner_id=learner_id, topic_id=new, title=title, added_at=now())
                )
            self._touch(connection, learner_id)

    def delete(self, name: str, owner: str = "") -> bool:
        """Forget a learner and everything recorded about them; False when there was none."""
        from sqlalchemy import delete

        name = check_name(name)
        tables = (ProgressEventRow.__table__, ProgressRow.__table__, KnownTopicRow.__table__)
        with self.db.write() as connection:
            learner_id = self._learner_id(connection, name, owner, create=False)
            if learner_id is None:
                return False
            for table in tables:  # explicit: SQLite enforces ON DELETE CASCADE only with foreign_keys on
                connection.execute(delete(table).where(table.c.learner_id == learner_id))
            learners = LearnerRow.__table__
            connection.execute(delete(learners).where(learners.c.id == learner_id))
        return True


def _coalesce(first, second):
    from sqlalchemy import func

    return func.coalesce(first, second)
