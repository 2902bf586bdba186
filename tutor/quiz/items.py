"""Quiz items as plain dataclasses: what is served (stem, labelled options, where to read), what
stays with the server until the learner answers (the key, the quote that proves it), and item ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tutor.types import SECTION_SEPARATOR

Kind = Literal["choice", "number", "text"]
KINDS: tuple[str, ...] = ("choice", "number", "text")
LABELS = "ABCDEFGH"
BLANK = "_____"

_MARKDOWN = re.compile(r"\*\*|__|`|^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_PUNCT = re.compile(r"[^\w\s%+#.&/-]|(?<!\w)[.&/-]|[.&/-](?!\w)")
_ARTICLE = re.compile(r"^(?:a|an|the)\s+")


def plain(text: str) -> str:
    """Markdown emphasis, code marks, links and list bullets removed; whitespace collapsed."""
    text = _LINK.sub(r"\1", text)
    return " ".join(_MARKDOWN.sub("", text).split())


def normalise(text: str) -> str:
    """The form answers and options are compared in: Unicode-folded, lower case, no markdown, no
    punctuation but what belongs to terms (C++, .NET, 0.6, 20%), hyphens read as spaces
    ("precision-recall" is "precision recall"), no leading article."""
    text = unicodedata.normalize("NFKC", plain(text)).casefold()
    text = text.translate(str.maketrans({"–": " ", "—": " ", "‑": " ", "−": " ", "-": " ", "’": "'"}))
    text = " ".join(_PUNCT.sub(" ", text).split())
    return _ARTICLE.sub("", text)


def item_id(topic: str, passage: str, stem: str) -> str:
    """Stable id of an item: the same question on the same passage of the same topic is the same
    item, whichever quiz serves it (and however its options are lettered)."""
    key = "\x1f".join((topic, passage, normalise(stem)))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class Option:
    label: str
    text: str


@dataclass
class ItemSource:
    """The passage that proves an item's answer. Before answering only where it is (title ›
    section) is shown; the quote and snippet could give the answer away, so they come after."""

    source: str
    title: str
    section: str
    quote: str  # the sentence that states the answer
    snippet: str = ""  # the passage around it
    url: str | None = None
    chunk_id: str = ""

    @property
    def heading(self) -> str:
        if not self.section or self.section == self.title:
            return self.title
        return f"{self.title}{SECTION_SEPARATOR}{self.section}"

    @property
    def passage_key(self) -> str:
        """What an item id holds of its passage: the document and section (stable across edits
        elsewhere in the document, unlike the chunk id)."""
        return f"{self.source}#{self.section}"

    def public(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "section": self.section, "url": self.url}

    def full(self) -> dict[str, Any]:
        return {**self.public(), "heading": self.heading, "quote": self.quote, "snippet": self.snippet}


@dataclass
class QuizItem:
    """One question. `answer` is what is expected: the correct option's text for a choice, the
    figure for a number, the model answer for free text (graded by `key_terms`). `statement` is the
    answer said as a sentence: what the grounding judge checks against the cited passage."""

    id: str
    topic: str
    kind: Kind
    stem: str
    answer: str
    statement: str
    source: ItemSource
    options: list[Option] = field(default_factory=list)
    key_terms: list[str] = field(default_factory=list)
    tolerance: float = 0.0  # number items: how far off an answer may be and still count
    explanation: str = ""
    generator: str = "offline"

    @property
    def correct_label(self) -> str | None:
        target = normalise(self.answer)
        return next((o.label for o in self.options if normalise(o.text) == target), None)

    @property
    def expected(self) -> str:
        """The expected answer as a learner should read it: "B) stratified", "2", "..."."""
        label = self.correct_label
        return f"{label}) {self.answer}" if label else self.answer

    def public(self) -> dict[str, Any]:
        """What a learner sees before answering: no key, no quote."""
        return {
            "id": self.id,
            "topic": self.topic,
            "kind": self.kind,
            "stem": self.stem,
            "options": [asdict(o) for o in self.options],
            "citation": self.source.public(),
        }

    def explain(self) -> str:
        """The explanation after answering: the answer, then the quoted passage that proves it."""
        lead = f"{self.explanation.strip()} " if self.explanation.strip() else ""
        return f"{lead}The answer is {self.expected}. {self.source.heading} says: “{self.source.quote}”"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuizItem:
        data = dict(data)
        data["source"] = ItemSource(**data["source"])
        data["options"] = [Option(**o) for o in data.get("options", [])]
        return cls(**data)


def letter_options(texts: list[str], seed: str) -> list[Option]:
    """Options in an order fixed by `seed` (the item id), lettered A, B, C…: the same item always
    comes with the same letters, and the key is not always A."""
    ordered = sorted(texts, key=lambda t: hashlib.sha256(f"{seed}\x1f{normalise(t)}".encode()).digest())
    return [Option(LABELS[i], text) for i, text in enumerate(ordered)]
