"""`Learners`: what every front door (CLI, API, MCP, chat) calls for a learner: the repository and
the roadmap graph together, with topic ids checked against the roadmap.

    learners = Learners.from_settings(settings)
    learners.next("ada")                           # NextReport (dataclass; .to_dict() for JSON)
    learners.plan("ada", hours_per_week=8)         # StudyPlan
    learners.set_status("ada", "sql", "done")      # TopicProgress
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from datetime import date

from tutor.config import Settings
from tutor.errors import ConfigError
from tutor.learner.graph import RoadmapGraph, roadmap_graph
from tutor.learner.paths import (
    NextTopic,
    ProgressReport,
    StudyPlan,
    next_topics,
    progress_report,
    study_plan,
)
from tutor.learner.repository import UNSET, LearnerRepository
from tutor.learner.state import (
    InvalidLearnerInput,
    LearnerState,
    Source,
    Status,
    TopicProgress,
    UnknownTopic,
    check_name,
)


@dataclass
class NextReport:
    learner: str
    topics: list[NextTopic]
    remaining: int  # topics not done, skipped or known
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if not self.remaining:
            return "Every topic is done, skipped or known: the roadmap is complete."
        return f"{len(self.topics)} topic(s) to study now, of {self.remaining} left."

    def to_dict(self) -> dict:
        return {
            "learner": self.learner,
            "summary": self.summary,
            "remaining": self.remaining,
            "topics": [t.to_dict() for t in self.topics],
            "problems": self.problems,
        }


WORD = re.compile(r"[^\W_]+")


def same_word(asked: str, name: str) -> bool:
    """Whether two words are the same word, give or take an ending or a typo: equal, one a prefix of
    the other (three letters at least: 'statistic', 'statistics'), the same first six letters
    ('motivation', 'motivated'), or a letter off in four or more, the first one right ('pyton',
    'python'; not 'maths', 'paths')."""
    if asked == name:
        return True
    shorter = min(len(asked), len(name))
    if shorter >= 3 and (name.startswith(asked) or asked.startswith(name)):
        return True
    if shorter >= 6 and asked[:6] == name[:6]:
        return True
    same_start = asked[0] == name[0]
    return shorter >= 4 and same_start and difflib.SequenceMatcher(None, asked, name).ratio() >= 0.8


def closest_topic(graph: RoadmapGraph, folded: str) -> str | None:
    """The one topic id that `folded` (a casefolded id or title that is neither) most looks like, or
    None when no topic is close or several are equally so: the topic whose id or title holds every
    word asked ('leakage': data-leakage), else the id or title nearest in spelling ('sqll': sql),
    clearly nearer than the next topic's."""
    names = [(name, node.id) for node in graph.topics.values() for name in (node.id, node.title.casefold())]
    asked = WORD.findall(folded)
    if asked:
        holding = {
            topic
            for name, topic in names
            if all(any(same_word(a, w) for w in WORD.findall(name)) for a in asked)
        }
        if len(holding) == 1:
            return holding.pop()
    best: dict[str, float] = {}
    for name, topic in names:
        ratio = difflib.SequenceMatcher(None, folded, name).ratio()
        best[topic] = max(best.get(topic, 0.0), ratio)
    ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < 0.6:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < 0.05:
        return None  # two topics about as close: naming one would be a guess
    return ranked[0][0]


def resolve_topic(
    graph: RoadmapGraph, text: str, *, extra: tuple[str, ...] = (), prefixes: bool = True
) -> str:
    """A topic id from what a person typed: the id, or a title (any case), or (with `prefixes`, as
    on the command line) the unique id or title that starts with it; else UnknownTopic naming the
    one closest topic, if any. `extra` ids (a learner's orphans) count as known ids."""
    wanted = text.strip()
    if wanted in graph.topics or wanted in extra:
        return wanted
    folded = wanted.casefold()
    for node in graph.topics.values():
        if node.title.casefold() == folded or node.id == folded:
            return node.id
    if prefixes and folded:
        starts = [
            n.id
            for n in graph.topics.values()
            if n.id.startswith(folded) or n.title.casefold().startswith(folded)
        ]
        if len(starts) == 1:
            return starts[0]
        if starts:
            raise UnknownTopic(text, starting=tuple(starts))
    raise UnknownTopic(text, closest_topic(graph, folded) if folded else None)


def not_a_topic(graph: RoadmapGraph, topic: str) -> UnknownTopic:
    """The error for an id that is not in the roadmap, naming the topic it most looks like."""
    try:
        guess = resolve_topic(graph, topic)
    except UnknownTopic as exc:
        return exc
    return UnknownTopic(topic, guess)


class Learners:
    def __init__(self, settings: Settings, repository: LearnerRepository | None = None):
        self.settings = settings
        self.repository = repository or LearnerRepository.from_settings(settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> Learners:
        return cls(settings)

    @property
    def graph(self) -> RoadmapGraph:
        graph = roadmap_graph(self.settings.corpus_dir)
        if not graph.topics:  # an empty folder, or every file left out: not "the roadmap is complete"
            why = f": {'; '.join(graph.problems[:3])}" if graph.problems else ""
            raise ConfigError(
                f"No valid topic in {self.settings.corpus_dir}{why}. A roadmap topic is a Markdown file "
                "whose front matter gives id, title, phase, order and sources (the shipped corpus/ "
                "has examples); set TUTOR_CORPUS_DIR to such a folder. Questions about your documents "
                "work without one."
            )
        return self._beside_the_store(graph)

    def _beside_the_store(self, graph: RoadmapGraph) -> RoadmapGraph:
        """`graph`, with a problem saying so when the store holds documents but none of its topics:
        someone who ingested their own roadmap and left TUTOR_CORPUS_DIR unset would otherwise be
        planned through the shipped one without a word."""
        from tutor.store import stored_topic_ids

        stored = stored_topic_ids(self.settings)
        if stored is None or stored & set(graph.topics):
            return graph
        note = (  # folder names only, no paths: the note goes to HTTP clients too
            f"none of the {len(graph.topics)} topics of the roadmap folder “{graph.corpus.name}” is in "
            "the store: what next and the plan follow that roadmap, not the documents you ingested. "
            "Set TUTOR_CORPUS_DIR to your roadmap's folder (Markdown topics with front matter: see "
            "docs/corpus.md), or ingest this one."
        )
        return replace(graph, problems=[*graph.problems, note])

    def state(self, name: str, owner: str = "", *, missing_ok: bool = False) -> LearnerState:
        return self.repository.state(name, owner, missing_ok=missing_ok)

    def next(
        self, name: str, owner: str = "", *, limit: int | None = None, missing_ok: bool = True
    ) -> NextReport:
        graph = self.graph
        state = self.state(name, owner, missing_ok=missing_ok)
        remaining = sum(1 for t in graph.topics if not state.satisfied(t))
        return NextReport(
            state.profile.name, next_topics(graph, state, limit=limit), remaining, list(graph.problems)
        )

    def plan(
        self,
        name: str,
        owner: str = "",
        *,
        hours_per_week: float | None = None,
        start: date | None = None,
        today: date | None = None,
        missing_ok: bool = True,
    ) -> StudyPlan:
        state = self.state(name, owner, missing_ok=missing_ok)
        return study_plan(self.graph, state, hours_per_week=hours_per_week, start=start, today=today)

    def progress(self, name: str, owner: str = "", *, missing_ok: bool = True) -> ProgressReport:
        return progress_report(self.graph, self.state(name, owner, missing_ok=missing_ok))

    def topic_id(self, name: str, text: str, owner: str = "", *, prefixes: bool = True) -> str:
        """`text` as a topic id of the roadmap, or of one of this learner's orphaned records: an id,
        a title in any case, or (with `prefixes`) the unique id or title it starts."""
        state = self.state(name, owner, missing_ok=True)
        extra = tuple(state.progress) + state.profile.known
        return resolve_topic(self.graph, text, extra=extra, prefixes=prefixes)

    def move_record(self, name: str, old: str, new: str, owner: str = "") -> tuple[str, str]:
        """Carry the record of a topic that left the roadmap (renamed or removed in the corpus) over
        to a roadmap topic; `old` and `new` may be titles or prefixes. Returns the two ids. A move
        from a topic still in the roadmap, onto itself, or onto a topic that has a record of its
        own is refused: it would lose a record."""
        graph, state = self.graph, self.state(name, owner, missing_ok=True)
        records = tuple(state.progress) + state.profile.known  # read once: old may be one of them
        old, new = (resolve_topic(graph, text, extra=records) for text in (old, new))
        if new not in graph.topics:
            raise not_a_topic(graph, new)
        if old == new:
            raise InvalidLearnerInput(f"{old!r} is the same topic: there is nothing to move.")
        if old in graph.topics:
            raise InvalidLearnerInput(
                f"{old!r} is still a topic of the roadmap: only a record whose topic was renamed or "
                "removed can be moved. Set statuses with --status instead."
            )
        if new in state.progress:
            raise InvalidLearnerInput(
                f"{new!r} already has a record ({state.progress[new].status.value}): moving {old!r} "
                f"onto it would overwrite it. Set {new!r} with --status, then clear {old!r} with "
                "--status pending."
            )
        self.repository.move_progress(name, old, new, owner=owner, title=graph.topics[new].title)
        return old, new

    def set_status(
        self,
        name: str,
        topic: str,
        status: Status | str,
        owner: str = "",
        *,
        source: Source | str = Source.SELF,
        exact: bool = True,
    ) -> TopicProgress:
        """Record a status for a roadmap topic (or for one of the learner's orphaned records, to
        update or clear it). `exact=False` accepts a title or a unique prefix, as the CLI does.
        Learning or pending, said of a topic the profile lists as known, takes it off that list:
        the newer word wins, so no view calls it known while another shows it in progress."""
        graph = self.graph
        if exact:
            if topic not in graph.topics:
                state = self.state(name, owner, missing_ok=True)
                if topic not in state.progress:
                    raise not_a_topic(graph, topic)
        else:
            topic = self.topic_id(name, topic, owner)
        title = graph.topics[topic].title if topic in graph.topics else None
        entry = self.repository.set_progress(name, topic, status, owner=owner, source=source, title=title)
        # the state is read only when the known list can change
        learning = entry.status in (Status.LEARNING, Status.PENDING)
        if learning and topic in self.state(name, owner, missing_ok=True).profile.known:
            self.repository.save_profile(name, owner, remove_known=[topic])
        return entry

    def save_profile(
        self,
        name: str,
        owner: str = "",
        *,
        goal=UNSET,
        hours_per_week=UNSET,
        start_date=UNSET,
        known=UNSET,
        add_known=(),
        remove_known=(),
        exact: bool = True,
    ) -> LearnerState:
        """Set the profile fields given; known topics must be roadmap topics (a known topic that left
        the roadmap may still be removed)."""
        graph = self.graph
        check_name(name)

        def checked(topics) -> list[str]:
            ids = []
            for topic in topics:
                if exact and topic not in graph.topics:
                    raise not_a_topic(graph, topic)
                ids.append(topic if exact else resolve_topic(graph, topic))
            return ids

        known = UNSET if known is UNSET else checked(known)
        add_known = checked(add_known)
        remove_known = list(remove_known) if exact else [self.topic_id(name, t, owner) for t in remove_known]
        if set(add_known) & set(remove_known):
            raise InvalidLearnerInput("A topic cannot be both added to and removed from the known topics.")
        titles = {t: graph.topics[t].title for t in [*(known if known is not UNSET else []), *add_known]}
        return self.repository.save_profile(
            name,
            owner,
            goal=goal,
            hours_per_week=hours_per_week,
            start_date=start_date,
            known=known,
            add_known=add_known,
            remove_known=remove_known,
            titles=titles,
        )
