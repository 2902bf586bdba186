"""What next, the study plan and the progress report: pure functions of the roadmap graph and one
learner's state, each decision with the reason a learner can check against the roadmap.

- `next_topics`: topics in progress first, then the pending topics whose prerequisites are all done,
  skipped or known, by phase and order.
- `study_plan`: every remaining topic in prerequisite order (the same order as `next_topics`), packed
  into weeks of the learner's hours; a topic longer than what is left of a week runs on into the next.
- `progress_report`: every topic's status, the totals, and the orphans: progress on topics that are
  no longer in the roadmap, kept and listed (with the topic that looks like their new name).
"""

from __future__ import annotations

import heapq
import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from tutor.learner.durations import format_hours
from tutor.learner.graph import RoadmapGraph, Timeline, TopicNode
from tutor.learner.state import DEFAULT_HOURS_PER_WEEK, LearnerState, Status, check_hours, check_start

EPSILON = 1e-9
PHASE_LABEL = re.compile(r"^\s*(\d+)\.?\s+(.+?)\s*$")


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def phase_words(phase: str) -> str:
    """'1. Foundations' as 'phase 1 (Foundations)': no full stop inside a sentence."""
    match = PHASE_LABEL.match(phase)
    return f"phase {match.group(1)} ({match.group(2)})" if match else f"phase {phase}"


def _how(state: LearnerState, topic_id: str) -> str:
    if topic_id in state.profile.known:
        return "known"
    return state.status(topic_id).value


@dataclass
class NextTopic:
    id: str
    title: str
    phase: str
    order: int
    status: str  # "learning" or "pending"
    hours: float
    hours_reason: str
    reason: str  # "prerequisite Python for machine learning done; about 24 h; phase 1 (Foundations)"
    prerequisites: list[dict[str, str]]  # [{"id", "title", "status"}] with status done|skipped|known|…
    path: str

    def to_dict(self) -> dict:
        return asdict(self)


def _prerequisite_words(graph: RoadmapGraph, state: LearnerState, node: TopicNode) -> tuple[str, list]:
    groups: dict[str, list[str]] = {}
    listed = []
    for prereq in node.prerequisites:
        how = _how(state, prereq)
        groups.setdefault(how, []).append(graph.title(prereq))
        listed.append({"id": prereq, "title": graph.title(prereq), "status": how})
    if not listed:
        return "no prerequisites", listed
    words = "prerequisite " if len(listed) == 1 else "prerequisites "
    order = ["done", "known", "skipped", "learning", "pending"]
    phrases = [f"{_and(groups[how])} {how}" for how in order if how in groups]
    return words + "; ".join(phrases), listed


def next_topics(graph: RoadmapGraph, state: LearnerState, *, limit: int | None = None) -> list[NextTopic]:
    """The topics to study now, each with why: in progress first, then ready ones by phase and order."""
    found: list[tuple[tuple, NextTopic]] = []
    for node in graph.topics.values():
        status = state.status(node.id)
        if status in (Status.DONE, Status.SKIPPED) or node.id in state.profile.known:
            continue
        ready = all(state.satisfied(p) for p in node.prerequisites)
        if status != Status.LEARNING and not ready:
            continue
        prereqs, listed = _prerequisite_words(graph, state, node)
        lead = "in progress; " if status == Status.LEARNING else ""
        reason = f"{lead}{prereqs}; about {format_hours(node.hours)}; {phase_words(node.phase)}"
        item = NextTopic(
            node.id,
            node.title,
            node.phase,
            node.order,
            status.value,
            node.hours,
            node.hours_reason,
            reason,
            listed,
            node.path,
        )
        found.append(((status != Status.LEARNING, node.sort_key), item))
    found.sort(key=lambda pair: pair[0])
    items = [item for _, item in found]
    return items[:limit] if limit is not None else items


def plan_order(graph: RoadmapGraph, state: LearnerState) -> list[TopicNode]:
    """Every remaining topic in prerequisite order; among those ready at each step, topics in progress
    first, then by phase and order (Kahn's algorithm with a heap: O(E + V log V))."""
    remaining = {
        node.id: node
        for node in graph.topics.values()
        if state.status(node.id) not in (Status.DONE, Status.SKIPPED) and node.id not in state.profile.known
    }
    waiting: dict[str, int] = {}
    unlocks: dict[str, list[str]] = {}
    heap: list[tuple] = []
    for node in remaining.values():
        learning = state.status(node.id) == Status.LEARNING
        blockers = [] if learning else [p for p in node.prerequisites if p in remaining]
        waiting[node.id] = len(blockers)
        for prereq in blockers:
            unlocks.setdefault(prereq, []).append(node.id)
        if not blockers:
            heapq.heappush(heap, (not learning, node.sort_key, node.id))
    ordered: list[TopicNode] = []
    while heap:
        *_, topic_id = heapq.heappop(heap)
        ordered.append(remaining[topic_id])
        for follower in unlocks.get(topic_id, ()):
            waiting[follower] -= 1
            if waiting[follower] == 0:
                heapq.heappush(heap, (True, remaining[follower].sort_key, follower))
    return ordered  # complete: the graph's cycles were set aside when it was built


@dataclass
class WeekItem:
    id: str
    title: str
    hours: float  # this week's share
    topic_hours: float  # the whole topic
    part: str  # "whole", "starts", "continues", "ends"
    path: str


@dataclass
class Week:
    number: int
    start: date
    end: date
    hours: float
    topics: list[WeekItem] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


@dataclass
class StudyPlan:
    learner: str
    hours_per_week: float
    hours_from: str  # "given", "profile" or "default"
    start: date
    weeks: list[Week]
    remaining_hours: float
    remaining_topics: int
    topics_total: int
    done: int  # done, skipped or known
    finish: date | None  # the last day of the last week; None when nothing is left
    timelines: list[Timeline]
    problems: list[str]

    @property
    def summary(self) -> str:
        if not self.weeks:
            total = self.topics_total
            return f"Every one of the {total} topics is done, skipped or known: nothing left to plan."
        weeks = len(self.weeks)
        return (
            f"{self.remaining_topics} topics left, about {format_hours(self.remaining_hours)}: "
            f"at {self.hours_per_week:g} hours a week that is {weeks} week{'s' * (weeks != 1)}, "
            f"from {self.start.isoformat()} to {self.finish.isoformat() if self.finish else '-'}."
        )

    def week_of(self, day: date) -> Week | None:
        return next((w for w in self.weeks if w.start <= day <= w.end), None)

    def to_dict(self) -> dict:
        return {
            "learner": self.learner,
            "hours_per_week": self.hours_per_week,
            "hours_from": self.hours_from,
            "start": self.start.isoformat(),
            "finish": self.finish.isoformat() if self.finish else None,
            "remaining_hours": round(self.remaining_hours, 1),
            "remaining_topics": self.remaining_topics,
            "topics_total": self.topics_total,
            "done": self.done,
            "summary": self.summary,
            "weeks": [w.to_dict() for w in self.weeks],
            "timelines": [asdict(t) for t in self.timelines],
            "problems": self.problems,
        }


def study_plan(
    graph: RoadmapGraph,
    state: LearnerState,
    *,
    hours_per_week: float | None = None,
    start: date | None = None,
    today: date | None = None,
) -> StudyPlan:
    """The remaining topics packed into weeks of `hours_per_week` (else the profile's, else
    DEFAULT_HOURS_PER_WEEK) from `start` (else the profile's start date if it is still ahead, else
    today)."""
    profile = state.profile
    if hours_per_week is not None:
        pace, hours_from = check_hours(hours_per_week), "given"
    elif profile.hours_per_week:
        pace, hours_from = profile.hours_per_week, "profile"
    else:
        pace, hours_from = DEFAULT_HOURS_PER_WEEK, "default"
    today = today or date.today()
    if start is None:
        start = profile.start_date if profile.start_date and profile.start_date > today else today
    check_start(start)
    ordered = plan_order(graph, state)
    weeks: list[Week] = []
    week: Week | None = None
    for node in ordered:
        left = node.hours
        first = True
        while left > EPSILON:
            if week is None or week.hours >= pace - EPSILON:
                begin = start + timedelta(weeks=len(weeks))
                week = Week(len(weeks) + 1, begin, begin + timedelta(days=6), 0.0)
                weeks.append(week)
            share = min(left, pace - week.hours)
            left -= share
            part = (
                ("whole" if left <= EPSILON else "starts")
                if first
                else ("ends" if left <= EPSILON else "continues")
            )
            week.topics.append(WeekItem(node.id, node.title, round(share, 2), node.hours, part, node.path))
            week.hours = round(week.hours + share, 6)
            first = False
    done = sum(1 for t in graph.topics if state.satisfied(t))
    return StudyPlan(
        learner=profile.name,
        hours_per_week=pace,
        hours_from=hours_from,
        start=start,
        weeks=weeks,
        remaining_hours=sum(n.hours for n in ordered),
        remaining_topics=len(ordered),
        topics_total=len(graph.topics),
        done=done,
        finish=weeks[-1].end if weeks else None,
        timelines=list(graph.timelines),
        problems=list(graph.problems),
    )


@dataclass
class Orphan:
    """Progress (or a known topic) on a topic id the roadmap no longer has: kept, and shown."""

    topic: str
    title: str | None
    status: str  # a progress status, or "known"
    source: str | None
    changed_at: str | None
    maybe_now: str | None  # a current topic with the same title: perhaps it was renamed

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TopicLine:
    id: str
    title: str
    phase: str
    status: str  # pending | learning | done | skipped | known
    source: str | None
    changed_at: str | None
    hours: float
    path: str


@dataclass
class ProgressReport:
    learner: str
    topics: list[TopicLine]
    counts: dict[str, int]
    orphans: list[Orphan]
    problems: list[str]

    @property
    def summary(self) -> str:
        total = len(self.topics)
        done = self.counts.get("done", 0) + self.counts.get("known", 0) + self.counts.get("skipped", 0)
        text = (
            f"{done} of {total} topics done, known or skipped; {self.counts.get('learning', 0)} in progress."
        )
        if self.orphans:
            text += f" {len(self.orphans)} record(s) on topics no longer in the roadmap (kept)."
        return text

    def to_dict(self) -> dict:
        return {
            "learner": self.learner,
            "summary": self.summary,
            "counts": self.counts,
            "topics": [asdict(t) for t in self.topics],
            "orphans": [o.to_dict() for o in self.orphans],
            "problems": self.problems,
        }


def orphans(graph: RoadmapGraph, state: LearnerState) -> list[Orphan]:
    """Progress and known topics whose id is not in the roadmap any more, oldest first."""
    by_title = {node.title.casefold(): node.id for node in graph.topics.values()}
    found = []
    for entry in state.progress.values():
        if entry.topic_id in graph.topics:
            continue
        maybe = by_title.get((entry.title or "").casefold())
        found.append(
            Orphan(
                entry.topic_id,
                entry.title,
                entry.status.value,
                entry.source.value,
                entry.changed_at.isoformat(),
                maybe,
            )
        )
    for topic_id in state.profile.known:
        if topic_id in graph.topics or topic_id in state.progress:
            continue
        title = state.profile.known_titles.get(topic_id)
        maybe = by_title.get((title or "").casefold())
        found.append(Orphan(topic_id, title, "known", None, None, maybe))
    return sorted(found, key=lambda o: (o.changed_at or "", o.topic))


def progress_report(graph: RoadmapGraph, state: LearnerState) -> ProgressReport:
    lines = []
    counts = {s.value: 0 for s in Status} | {"known": 0}
    for node in graph.topics.values():
        entry = state.progress.get(node.id)
        status = state.status(node.id).value
        if status == Status.PENDING and node.id in state.profile.known:
            status = "known"
        counts[status] += 1
        lines.append(
            TopicLine(
                node.id,
                node.title,
                node.phase,
                status,
                entry.source.value if entry else None,
                entry.changed_at.isoformat() if entry else None,
                node.hours,
                node.path,
            )
        )
    return ProgressReport(state.profile.name, lines, counts, orphans(graph, state), list(graph.problems))
