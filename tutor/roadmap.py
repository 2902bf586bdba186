"""The roadmap's structure from the corpus front matter: schema, checks, and the phase/topic tree."""

from __future__ import annotations

import graphlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tutor.errors import ConfigError
from tutor.frontmatter import FrontMatterError, split_front_matter


class Resource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    url: str
    type: str = Field(min_length=1)
    free: bool

    @field_validator("url")
    @classmethod
    def _https_with_host(cls, url: str) -> str:
        parsed = urlparse(url)
        if parsed.scheme != "https" or not parsed.hostname or "." not in parsed.hostname or " " in url:
            raise ValueError(f"not a well-formed https:// URL: {url!r}")
        return url


TOPIC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # a document's source (a path, a URL) never matches


class TopicMeta(BaseModel):
    """The front matter every corpus file carries."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=TOPIC_ID.pattern)
    title: str = Field(min_length=1)
    phase: str = Field(min_length=1)
    order: int = Field(ge=0)
    duration: str | None = None
    prerequisites: list[str] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)


@dataclass
class Topic:
    meta: TopicMeta
    path: Path
    body: str


def readable(exc: ValidationError) -> str:
    """'title: Field required; order: Input should be a valid integer', without pydantic's echo of
    the input or its links."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'front matter'}: {e['msg']}" for e in exc.errors()
    )


def load_topic(path: Path) -> Topic:
    text = path.read_text(encoding="utf-8")
    try:
        raw, body = split_front_matter(text)
        if raw is None:
            raise ConfigError(f"{path}: no YAML front matter")
        meta = TopicMeta.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid front matter: {readable(exc)}") from None
    except FrontMatterError as exc:
        raise ConfigError(f"{path}: invalid front matter: {exc}") from None
    return Topic(meta, path, body)


def load_roadmap(corpus_dir: Path) -> list[Topic]:
    """Every topic under `corpus_dir` (README.md excluded), in phase and order."""
    if not corpus_dir.is_dir():
        raise ConfigError(f"Corpus folder not found: {corpus_dir}")
    paths = sorted(p for p in corpus_dir.rglob("*.md") if p.name.lower() != "readme.md")
    topics = [load_topic(p) for p in paths]
    return sorted(topics, key=lambda t: (t.meta.phase, t.meta.order, t.meta.id))


def roadmap_problems(topics: list[Topic]) -> list[str]:
    """Cross-file checks: unique ids, prerequisites that exist, no cycles, no empty bodies."""
    problems: list[str] = []
    ids: dict[str, Path] = {}
    for topic in topics:
        if topic.meta.id in ids:
            problems.append(
                f"duplicate id {topic.meta.id!r} in {topic.path.name} and {ids[topic.meta.id].name}"
            )
        ids[topic.meta.id] = topic.path
        if not topic.body.strip():
            problems.append(f"{topic.path.name}: empty body")
    for topic in topics:
        for prereq in topic.meta.prerequisites:
            if prereq not in ids:
                problems.append(f"{topic.path.name}: unknown prerequisite {prereq!r}")
    graph: dict[str, set[str]] = {}
    for topic in topics:  # duplicates merge, so a cycle through either copy is still found
        graph.setdefault(topic.meta.id, set()).update(set(topic.meta.prerequisites) & ids.keys())
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        problems.append(f"prerequisite cycle: {' → '.join(exc.args[1])}")
    return problems


def roadmap_tree(topics, title: str = "Roadmap"):
    """A rich Tree: phases in order, each topic (anything with id, title, phase, duration and
    declared prerequisites: the learner graph's nodes) with its duration and prerequisites. Text
    from the files is escaped: "[a-z]" in a title is not markup."""
    from rich.markup import escape
    from rich.tree import Tree

    tree = Tree(f"[bold]{escape(title)}[/]")
    phases: dict[str, Tree] = {}
    for topic in topics:
        branch = phases.get(topic.phase) or phases.setdefault(
            topic.phase, tree.add(f"[bold cyan]{escape(topic.phase)}[/]")
        )
        label = f"{escape(topic.title)} [dim]({escape(topic.id)})[/]"
        if topic.duration:
            label += f" — [green]{escape(topic.duration)}[/]"
        node = branch.add(label)
        if topic.declared:
            node.add("[dim]after: " + escape(", ".join(topic.declared)) + "[/]")
    return tree
