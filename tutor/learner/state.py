"""What tutor knows about a learner, as plain dataclasses: the profile, progress per topic, and the
checks of what a learner's name, a status and a claim's source may be."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from tutor.errors import TutorError

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
NAME_RULE = "1 to 64 characters: letters, digits, '.', '_' or '-', starting and ending with a letter or digit"
MAX_GOAL_CHARS = 500
MIN_HOURS, MAX_HOURS = 0.5, 112.0  # a week has 168 hours; 16 a day is already heroic
DEFAULT_HOURS_PER_WEEK = 10.0


class LearnerError(TutorError):
    """A learner request that cannot be done as asked; the message says why."""


class InvalidLearnerInput(LearnerError):
    """A bad name, status, source, hours or date (a 422 in the API, exit 2 in the CLI)."""

    exit_code = 2


class UnknownLearner(LearnerError):
    """No such learner (for this caller)."""


class UnknownTopic(LearnerError):
    """A topic id that is neither in the roadmap nor in the learner's record. `topic` is what was
    asked, `suggestion` the one topic id it most looks like (None when none is close). The message
    is the command line's; `public` names no command, for the other doors."""

    def __init__(self, topic: str, suggestion: str | None = None, starting: tuple[str, ...] = ()):
        self.topic, self.suggestion, self.starting = topic, suggestion, starting
        super().__init__(self._words(topic, "`tutor roadmap` lists the topic ids."))

    def _words(self, topic: str, otherwise: str) -> str:
        if self.starting:  # "Data": the start of several titles
            shown = ", ".join(self.starting[:5]) + (", …" if len(self.starting) > 5 else "")
            return f"{topic!r} is the start of {len(self.starting)} topics ({shown}): name one."
        if self.suggestion:
            return f"Unknown topic {topic!r}. Did you mean {self.suggestion}?"
        return f"Unknown topic {topic!r}. {otherwise}"

    @property
    def public(self) -> str:
        topic = self.topic if len(self.topic) <= 64 else self.topic[:63] + "…"
        return self._words(topic, "No topic of the roadmap has that id or title.")


class LearnerDatabaseError(LearnerError):
    """The learner database cannot be opened, migrated, read or written."""


class Status(StrEnum):
    PENDING = "pending"
    LEARNING = "learning"
    DONE = "done"
    SKIPPED = "skipped"


class Source(StrEnum):
    SELF = "self"  # the learner said so
    QUIZ = "quiz"  # a graded quiz showed it (tutor.quiz records these)


SATISFIED = frozenset({Status.DONE, Status.SKIPPED})  # with known topics: what unlocks the next ones


def check_name(name: str) -> str:
    """The learner's name as stored (lower case), or InvalidLearnerInput saying what is allowed."""
    if not isinstance(name, str):
        raise InvalidLearnerInput(f"A learner name must be text: {NAME_RULE}.")
    folded = name.strip().lower()
    if not NAME.match(folded):
        raise InvalidLearnerInput(f"Invalid learner name: use {NAME_RULE}.")
    return folded


def check_status(status: str) -> Status:
    try:
        return Status(str(status).strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Status)
        raise InvalidLearnerInput(f"Unknown status {status!r}: use one of {choices}.") from None


def check_source(source: str) -> Source:
    try:
        return Source(str(source).strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Source)
        raise InvalidLearnerInput(f"Unknown source {source!r}: use one of {choices}.") from None


def check_hours(hours: float) -> float:
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not MIN_HOURS <= hours <= MAX_HOURS:
        raise InvalidLearnerInput(f"Hours per week must be between {MIN_HOURS:g} and {MAX_HOURS:g}.")
    return float(hours)


def check_goal(goal: str) -> str:
    goal = goal.strip()
    if len(goal) > MAX_GOAL_CHARS:
        raise InvalidLearnerInput(f"The goal may have at most {MAX_GOAL_CHARS} characters.")
    if any(ord(c) < 32 and c not in "\n\t" for c in goal) or "\x7f" in goal:
        raise InvalidLearnerInput("The goal contains a control character.")
    return goal


def check_start(start: date) -> date:
    if not 1970 <= start.year <= 2200:
        raise InvalidLearnerInput("The start date must be between 1970 and 2200.")
    return start


@dataclass(frozen=True)
class TopicProgress:
    topic_id: str
    status: Status
    source: Source
    changed_at: datetime
    title: str | None = None  # the topic's title when it was recorded: names an orphan

    def to_dict(self) -> dict:
        return {
            "topic": self.topic_id,
            "status": self.status.value,
            "source": self.source.value,
            "changed_at": self.changed_at.isoformat(),
            "title": self.title,
        }


@dataclass(frozen=True)
class Profile:
    name: str
    owner: str = ""  # the API key id that created it; "" when created without keys
    goal: str | None = None
    hours_per_week: float | None = None
    start_date: date | None = None
    known: tuple[str, ...] = ()  # topics the learner says they already know
    known_titles: dict[str, str] = field(default_factory=dict)  # their titles when declared
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "goal": self.goal,
            "hours_per_week": self.hours_per_week,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "known": list(self.known),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


@dataclass(frozen=True)
class LearnerState:
    """A learner's profile and progress as read in one transaction."""

    profile: Profile
    progress: dict[str, TopicProgress] = field(default_factory=dict)
    exists: bool = True  # False: nobody saved this learner yet (an empty state)

    def status(self, topic_id: str) -> Status:
        entry = self.progress.get(topic_id)
        return entry.status if entry else Status.PENDING

    def satisfied(self, topic_id: str) -> bool:
        return self.status(topic_id) in SATISFIED or topic_id in self.profile.known
