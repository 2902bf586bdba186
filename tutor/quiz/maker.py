"""Making a quiz on one topic: LLM drafts when a provider is configured, the offline generator's
items always (to fill up, and as the fallback), every item validated, items the learner is not due
to see again left out, and no item in a quiz giving another's answer away."""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from tutor.errors import ProviderError
from tutor.quiz.drafting import DraftReport, llm_items
from tutor.quiz.items import QuizItem, normalise
from tutor.quiz.offline import Inventory, build_inventory, candidates
from tutor.quiz.topics import TopicDoc, find_topic, topic_documents
from tutor.quiz.validation import SupportJudge, grounding_judge, problems

log = logging.getLogger("tutor")
DEFAULT_ITEMS = 5
MAX_ITEMS = 20


@dataclass
class Quiz:
    topic: str
    title: str
    items: list[QuizItem]
    generator: str  # "offline", or the provider whose drafts it holds ("anthropic", ...)
    warnings: list[str] = field(default_factory=list)
    drafts: DraftReport | None = None
    # Why there are no items: "not-due" (every question was answered and none is due for review
    # yet) or "no-question" (the topic yields none the generator can check); None when there are.
    empty: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "title": self.title,
            "generator": self.generator,
            "items": [i.public() for i in self.items],
            "warnings": self.warnings,
        }


def _gives_away(a: QuizItem, b: QuizItem) -> bool:
    """Whether one item's stem or options hold the other's answer."""
    for first, second in ((a, b), (b, a)):
        shown = normalise(f"{first.stem} {' '.join(o.text for o in first.options)}")
        key = normalise(second.answer)
        if second.kind != "number" and key and f" {key} " in f" {shown} ":
            return True
    return normalise(a.statement) == normalise(b.statement)


def choose(pool: list[QuizItem], n: int, exclude: Collection[str] = ()) -> list[QuizItem]:
    """Up to `n` items of `pool` (in its order of preference), none excluded, none repeating a
    question or giving another's answer away; then in the order of the text they come from."""
    chosen: list[QuizItem] = []
    for item in pool:
        if item.id in exclude or any(item.id == c.id or _gives_away(item, c) for c in chosen):
            continue
        chosen.append(item)
        if len(chosen) == n:
            break
    position = {item.id: i for i, item in enumerate(pool)}
    return sorted(chosen, key=lambda i: (i.source.chunk_id == "", position[i.id]))


class QuizMaker:
    """Quizzes over one store. The topics and the term inventory are read from the keyword index
    once per version of it (a long-lived API worker sees new documents)."""

    def __init__(self, store, *, judge: SupportJudge | None = None, embed_terms: bool = True):
        self.store = store
        self.judge = judge or grounding_judge(store.embedder.embed_cached)
        self.embed_terms = embed_terms
        self._lock = threading.Lock()
        self._built: tuple[int, dict[str, TopicDoc], Inventory] | None = None

    def _state(self) -> tuple[dict[str, TopicDoc], Inventory]:
        index = self.store.keyword_index
        with self._lock:
            if self._built is None or self._built[0] != id(index):
                docs = topic_documents(index)
                embed = self.store.embedder.embed_cached if self.embed_terms else None
                self._built = (id(index), docs, build_inventory(docs, embed))
            return self._built[1], self._built[2]

    def topics(self) -> dict[str, TopicDoc]:
        return self._state()[0]

    def topic(self, name: str) -> TopicDoc:
        return find_topic(self.topics(), name)

    def offline_items(self, name: str) -> tuple[list[QuizItem], list[dict[str, Any]]]:
        """The topic's offline items that pass validation, best first, and the rejected with why."""
        docs, inventory = self._state()
        doc = find_topic(docs, name)
        texts = {c.id: c.text for c in doc.chunks}
        valid, rejected = [], []
        for candidate in candidates(inventory, doc):
            item = candidate.item
            found = problems(item, texts.get(item.source.chunk_id, ""), self.judge)
            if found:
                rejected.append({"id": item.id, "stem": item.stem, "problems": "; ".join(found)})
            else:
                valid.append(item)
        return valid, rejected

    def make(
        self, name: str, n: int = DEFAULT_ITEMS, *, answerer=None, exclude: Collection[str] = ()
    ) -> Quiz:
        """A quiz of up to `n` items on topic `name`. With an LLM answerer (one with `complete`),
        its validated drafts come first; offline items fill up. `exclude`: item ids not to serve
        (those the learner has seen and is not yet due to review)."""
        n = max(1, min(n, MAX_ITEMS))
        doc = self.topic(name)
        offline, _ = self.offline_items(doc.id)
        pool: list[QuizItem] = []
        generator, warnings, report = "offline", [], None
        complete = getattr(answerer, "complete", None)
        if complete is not None:
            generator = getattr(answerer, "name", "llm")
            try:
                drafted, report = llm_items(complete, doc, n, self.judge, f"llm:{generator}")
                pool += drafted
                if report.dropped or report.errors:
                    log.info("quiz drafts on %s: %s", doc.id, report.to_dict())
            except ProviderError as exc:
                # the full message is the operator's (it may name the provider's address and quote
                # its reply); the learner, and an API client, get its public part
                log.warning("quiz drafting on %s: provider error: %s", doc.id, exc)
                warnings.append(
                    f"The {generator} provider failed ({exc.public}); these questions are offline ones."
                )
                generator = "offline"
        pool += offline
        items = choose(pool, n, exclude)
        empty = None if items else "not-due" if offline else "no-question"
        if not items:
            warnings.append(
                "No new question on this topic right now: every one has been answered and is not due "
                "for review yet (see `tutor review`)."
                if offline
                else "This topic yields no question the generator can check against its text."
            )
        elif len(items) < n:
            warnings.append(f"Only {len(items)} question(s) are available on this topic now.")
        return Quiz(doc.id, doc.title, items, generator, warnings, report, empty)
