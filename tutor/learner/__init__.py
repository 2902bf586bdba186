"""Learner state and the path through the roadmap: profile, progress, what next, the study plan.

- `graph`: the roadmap's prerequisite graph from the corpus front matter (cached; problems reported)
- `paths`: pure functions over graph + state: `next_topics`, `study_plan`, `progress_report`, `orphans`
- `repository`: profiles and progress in SQLite or PostgreSQL (SQLAlchemy 2, Alembic migrations
  applied on open), `LearnerRepository.set_progress(name, topic, status, source=...)`
- `service`: `Learners`, the one object the front doors call
- `guide`: questions about the learner's own path, answered from the state with citations
- `calendar`: a plan's weeks as iCalendar events

Nothing here imports the front doors (api/, tutor/cli/) or ingest/ and evals/.
"""

from tutor.learner.graph import RoadmapGraph, TopicNode, roadmap_graph
from tutor.learner.paths import (
    NextTopic,
    Orphan,
    ProgressReport,
    StudyPlan,
    Week,
    next_topics,
    orphans,
    progress_report,
    study_plan,
)
from tutor.learner.repository import LearnerRepository
from tutor.learner.service import Learners, NextReport
from tutor.learner.state import (
    InvalidLearnerInput,
    LearnerDatabaseError,
    LearnerError,
    LearnerState,
    Profile,
    Source,
    Status,
    TopicProgress,
    UnknownLearner,
    UnknownTopic,
    check_name,
)

__all__ = [
    "InvalidLearnerInput",
    "LearnerDatabaseError",
    "LearnerError",
    "LearnerRepository",
    "LearnerState",
    "Learners",
    "NextReport",
    "NextTopic",
    "Orphan",
    "Profile",
    "ProgressReport",
    "RoadmapGraph",
    "Source",
    "Status",
    "StudyPlan",
    "TopicNode",
    "TopicProgress",
    "UnknownLearner",
    "UnknownTopic",
    "Week",
    "check_name",
    "next_topics",
    "orphans",
    "progress_report",
    "roadmap_graph",
    "study_plan",
]
