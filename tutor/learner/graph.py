"""The roadmap as a prerequisite graph for learners: topics from the corpus front matter, each with
its study hours, and the problems of someone's own corpus reported rather than raised.

A corpus may have a file with broken front matter, a duplicate id, a prerequisite that names no
topic, or a prerequisite cycle. None of these stops `next` or `plan`: the broken file is left out,
the unknown prerequisite is ignored, and the prerequisites *inside* a cycle are set aside so its
topics stay reachable; each is listed in `RoadmapGraph.problems` with what was done about it.

`roadmap_graph(folder)` caches the graph per folder and re-reads it when a file changes (checked at
most every `RECHECK_SECONDS`), so a warm call costs a dictionary lookup.
"""

from __future__ import annotations

import graphlib
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tutor.errors import ConfigError
from tutor.learner.durations import estimate_hours
from tutor.roadmap import Resource, Topic, load_topic

RECHECK_SECONDS = 2.0
PHASE_NUMBER = re.compile(r"^\s*(\d+)")


def phase_key(phase: str) -> tuple[float, str]:
    """Phases sort by their leading number ("10. MLOps" after "2. Classical"), then by name."""
    match = PHASE_NUMBER.match(phase)
    return (float(match.group(1)) if match else float("inf"), phase)


@dataclass(frozen=True)
class TopicNode:
    id: str
    title: str
    phase: str
    order: int
    hours: float
    hours_reason: str
    duration: str | None
    prerequisites: tuple[str, ...]  # the ones that count: existing topics, not inside a cycle
    declared: tuple[str, ...]  # as the front matter lists them
    path: str  # the file, relative to the corpus folder
    resources: tuple[Resource, ...] = field(default=(), compare=False)  # as the front matter lists them

    @property
    def sort_key(self) -> tuple:
        return (phase_key(self.phase), self.order, self.id)


@dataclass(frozen=True)
class Timeline:
    """One publisher's own timeline, a row of a table in a topic file ("Weekly effort", "Total")."""

    label: str  # the row's first cell: "TheCodeForge"
    summary: str  # "weekly effort: 2 hours a day, 6 days a week; total: about 6 months, 360 hours"
    topic_id: str
    title: str
    section: str
    path: str


@dataclass
class RoadmapGraph:
    corpus: Path
    topics: dict[str, TopicNode]  # in phase, order, id order
    problems: list[str] = field(default_factory=list)
    timelines: list[Timeline] = field(default_factory=list)

    def title(self, topic_id: str) -> str:
        node = self.topics.get(topic_id)
        return node.title if node else topic_id


def _cycle_members(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with a cycle (Tarjan's algorithm, iterative: a 2,000-topic
    chain must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    components.append(sorted(component))
    return components


def _one_cycle(members: list[str], graph: dict[str, set[str]]) -> list[str]:
    inside = set(members)
    sub = {m: graph[m] & inside for m in members}
    try:
        tuple(graphlib.TopologicalSorter(sub).static_order())
    except graphlib.CycleError as exc:
        return list(exc.args[1])  # each a prerequisite of the next, as `tutor roadmap` prints it
    return members  # unreachable: the members form a cycle


TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
TIMELINE_COLUMNS = re.compile(r"effort|weekly|total|hours|duration|length", re.IGNORECASE)
# A timeline row speaks of time: "Maximum length" over "100 m" is a cable's, not a course's.
TIME_WORD = re.compile(r"\b(\d+\s*h|hours?|hrs?|days?|weeks?|wks?|months?|years?|minutes?|mins?)\b", re.I)


def table_cells(line: str) -> list[str]:
    match = TABLE_ROW.match(line)
    if not match:
        return []
    return [c.strip().replace("**", "").replace("__", "") for c in match.group(1).split("|")]


def find_timelines(topic: Topic, path: str) -> list[Timeline]:
    """The rows of tables whose header has a weekly-effort or total column, as timelines (a row
    whose such cells name no span of time is not one)."""
    found: list[Timeline] = []
    section = ""
    lines = topic.body.splitlines()
    i = 0
    while i < len(lines):
        heading = HEADING.match(lines[i])
        if heading:
            if len(heading.group(1)) > 1:
                section = heading.group(2)
            i += 1
            continue
        header = table_cells(lines[i])
        rule = table_cells(lines[i + 1]) if i + 1 < len(lines) else []
        if not header or not rule or not all(set(c) <= set(":- ") for c in rule):
            i += 1
            continue
        wanted = [n for n, name in enumerate(header) if n and TIMELINE_COLUMNS.search(name)]
        i += 2
        while i < len(lines) and (row := table_cells(lines[i])):
            if wanted and len(row) == len(header) and row[0]:
                parts = [f"{header[n].lower()}: {row[n]}" for n in wanted if row[n]]
                if parts and any(TIME_WORD.search(row[n]) for n in wanted):
                    found.append(
                        Timeline(row[0], "; ".join(parts), topic.meta.id, topic.meta.title, section, path)
                    )
            i += 1
    return found


def build_graph(corpus: Path, topics: Iterable[Topic], problems: Iterable[str] = ()) -> RoadmapGraph:
    """The graph of `topics` (already loaded), with every problem named."""
    problems = list(problems)
    chosen: dict[str, Topic] = {}
    for topic in sorted(topics, key=lambda t: str(t.path)):
        if topic.meta.id in chosen:
            problems.append(
                f"duplicate id {topic.meta.id!r} in {chosen[topic.meta.id].path.name} and "
                f"{topic.path.name}: {topic.path.name} is left out"
            )
            continue
        chosen[topic.meta.id] = topic
    graph: dict[str, set[str]] = {}
    for topic in chosen.values():
        known = []
        for prereq in topic.meta.prerequisites:
            if prereq in chosen:
                known.append(prereq)
            else:
                problems.append(
                    f"{topic.path.name}: unknown prerequisite {prereq!r}: ignored, "
                    f"so {topic.meta.id!r} does not wait for it"
                )
        graph[topic.meta.id] = set(known)
    set_aside: set[tuple[str, str]] = set()
    for members in _cycle_members(graph):
        cycle = _one_cycle(members, graph)
        inside = set(members)
        problems.append(
            f"prerequisite cycle: {' → '.join(cycle)}: the prerequisites among "
            f"{', '.join(members)} are set aside, so these topics stay reachable"
        )
        set_aside |= {(m, p) for m in members for p in graph[m] & inside}

    def relative(path: Path) -> str:
        try:
            return path.relative_to(corpus).as_posix()
        except ValueError:
            return path.name

    nodes: list[TopicNode] = []
    timelines: list[Timeline] = []
    for topic in chosen.values():
        meta = topic.meta
        estimate = estimate_hours(meta.duration)
        if estimate.no_figure:  # "a weekend": say so, not a quiet 8 h
            problems.append(f"{topic.path.name}: duration {estimate.reason} ({estimate.hours:g} h)")
        nodes.append(
            TopicNode(
                id=meta.id,
                title=meta.title,
                phase=meta.phase,
                order=meta.order,
                hours=estimate.hours,
                hours_reason=estimate.reason,
                duration=meta.duration,
                prerequisites=tuple(
                    p
                    for p in dict.fromkeys(meta.prerequisites)
                    if p in graph and (meta.id, p) not in set_aside
                ),
                declared=tuple(meta.prerequisites),
                path=relative(topic.path),
                resources=tuple(meta.resources),
            )
        )
        timelines += find_timelines(topic, relative(topic.path))
    nodes.sort(key=lambda n: n.sort_key)
    return RoadmapGraph(corpus, {n.id: n for n in nodes}, problems, timelines)


def _corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.md") if p.name.lower() != "readme.md" and p.is_file())


def load_graph(corpus: Path) -> RoadmapGraph:
    """Read every topic under `corpus`, leaving out (and reporting) files whose front matter is
    broken; Markdown without front matter is a plain document, not a topic."""
    if not corpus.is_dir():
        raise ConfigError(f"Corpus folder not found: {corpus}")
    topics: list[Topic] = []
    problems: list[str] = []
    for path in _corpus_files(corpus):
        try:
            topics.append(load_topic(path))
        except ConfigError as exc:
            message = str(exc)
            if message.endswith("no YAML front matter"):
                continue
            problems.append(f"{path.name}: {message.split(': ', 1)[-1]}: left out")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}: cannot be read ({type(exc).__name__}): left out")
    return build_graph(corpus, topics, problems)


def _fingerprint(corpus: Path) -> tuple:
    entries = []
    for path in _corpus_files(corpus):
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


_cache: dict[Path, tuple[tuple, float, RoadmapGraph]] = {}
_lock = threading.Lock()


def roadmap_graph(corpus: Path) -> RoadmapGraph:
    """The graph of `corpus`, cached; re-read when a file was added, removed or changed."""
    folder = Path(corpus).expanduser().resolve()
    now = time.monotonic()
    with _lock:
        cached = _cache.get(folder)
        if cached and now - cached[1] < RECHECK_SECONDS:
            return cached[2]
    if not folder.is_dir():
        raise ConfigError(f"Corpus folder not found: {corpus}")
    fingerprint = _fingerprint(folder)
    graph = cached[2] if cached and cached[0] == fingerprint else load_graph(folder)
    with _lock:
        _cache[folder] = (fingerprint, now, graph)
    return graph
