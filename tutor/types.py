"""Plain dataclasses that flow between ingest, store, retrieval and the answerers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

NOT_COVERED = "The documents don't cover this"  # how a declined answer opens

SECTION_SEPARATOR = " › "


@dataclass
class Document:
    """One loaded document: its text (Markdown where structure is known) and metadata."""

    doc_id: str  # stable identity: absolute path or URL
    source: str  # what users see: path relative to the working directory, or the URL
    title: str
    text: str
    kind: str  # md | txt | html | pdf
    metadata: dict[str, Any] = field(default_factory=dict)  # front matter etc.
    pages: list[str] | None = None  # PDF: one text per page


def heading_of(title: str, section: str) -> str:
    """Title and section as one line, without repeating the title."""
    if not section or section == title:
        return title
    if section.startswith(title + SECTION_SEPARATOR):
        return section
    return f"{title}{SECTION_SEPARATOR}{section}"


@dataclass
class Chunk:
    """A passage of a document, sized to fit the embedding model."""

    id: str
    doc_id: str
    source: str
    title: str
    section: str  # "Phase 2 › Model evaluation"
    text: str
    position: int
    page: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # phase, order, url, ...

    @property
    def heading(self) -> str:
        return heading_of(self.title, self.section)

    def index_text(self) -> str:
        """What is embedded and keyword-indexed: the heading gives a passage its context."""
        return f"{self.heading}\n{self.text}"

    def to_metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "position": self.position,
        }
        if self.page is not None:
            meta["page"] = self.page
        for key, value in self.extra.items():
            if isinstance(value, str | int | float | bool):
                meta[key] = value
        return meta

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        known = {"doc_id", "source", "title", "section", "position", "page"}
        return cls(
            id=chunk_id,
            doc_id=meta.get("doc_id", ""),
            source=meta.get("source", ""),
            title=meta.get("title", ""),
            section=meta.get("section", ""),
            text=text,
            position=int(meta.get("position", 0)),
            page=meta.get("page"),
            extra={k: v for k, v in meta.items() if k not in known},
        )


@dataclass
class Hit:
    """A retrieved chunk with its scores (fused rank score, and each ranker's view)."""

    chunk: Chunk
    score: float
    dense_similarity: float | None = None  # cosine similarity, 1 is identical
    keyword_score: float | None = None  # BM25 score
    dense_rank: int | None = None
    keyword_rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["chunk"]["heading"] = self.chunk.heading
        return data


class Cited(str):
    """A passage's text as a judge reads it, with the title the answerer saw it under
    ("TheCodeForge — Machine Learning Roadmap › Month 5"): a sentence may name its source without
    the text repeating the name."""

    heading: str  # not `title`: a plain str has a method of that name

    def __new__(cls, text: str, heading: str = "") -> Cited:
        cited = super().__new__(cls, text)
        cited.heading = heading
        return cited


@dataclass
class Passage:
    """A numbered passage handed to the answerer (one chunk, or adjacent chunks merged)."""

    n: int
    chunk: Chunk
    text: str

    @property
    def cited(self) -> Cited:
        return Cited(self.text, self.chunk.heading)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.chunk.source,
            "title": self.chunk.title,
            "section": self.chunk.section,
            "text": self.text,
        }


@dataclass
class Citation:
    n: int
    source: str
    title: str
    section: str
    url: str | None
    snippet: str
    page: int | None = None  # the PDF page the cited passage starts on


@dataclass
class SentenceCheck:
    text: str
    citations: list[int]
    supported: bool
    reason: str = ""  # why a sentence is not supported


@dataclass
class Grounding:
    """The grounding report of an answer: which sentences its cited passages support."""

    sentences: list[SentenceCheck] = field(default_factory=list)
    invalid_citations: list[int] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(s.supported for s in self.sentences) / len(self.sentences) if self.sentences else 1.0

    @property
    def unsupported(self) -> list[str]:
        return [s.text for s in self.sentences if not s.supported]

    @property
    def uncited(self) -> list[str]:
        return [s.text for s in self.sentences if not s.citations]

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "sentences": [asdict(s) for s in self.sentences],
            "unsupported": self.unsupported,
            "uncited": self.uncited,
            "invalid_citations": self.invalid_citations,
        }


@dataclass
class Answer:
    """What every front door returns; to_dict() is the one JSON form (CLI, API, eval reports)."""

    answer: str
    citations: list[Citation]
    contexts: list[Passage]
    grounding: Grounding
    refused: bool
    provider: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    query: str = ""  # the standalone query used for retrieval

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": [asdict(c) for c in self.citations],
            "contexts": [p.to_dict() for p in self.contexts],
            "grounding": self.grounding.to_dict(),
            "refused": self.refused,
            "provider": self.provider,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
