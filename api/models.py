"""Request and response bodies of the HTTP API, and the check of a request against the server's
configured limits (validated before any work).

Requests are strict: exact JSON types (`"stream": "yes"` or `"top_k": true` is a 422), no unknown
fields, every string valid Unicode, filters only on the documented fields with plain equality."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from tutor.config import Settings
from tutor.llm import provider_help
from tutor.text import blank
from tutor.types import Answer, Citation, Hit

CHAT_EXAMPLE = {
    "messages": [{"role": "user", "content": "I know pandas but not SQL, what should I do?"}],
    "stream": False,
    "top_k": 5,
}
STRICT = ConfigDict(strict=True, extra="forbid")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def valid_unicode(value: str) -> str:
    """JSON can carry a lone surrogate ("\\ud800"), which no encoder, tokenizer or log accepts."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text (a lone surrogate)") from None
    return value


def learner_name(value: str) -> str:
    from tutor.learner.state import NAME_RULE, InvalidLearnerInput, check_name

    try:
        return check_name(value)
    except InvalidLearnerInput:
        raise ValueError(f"a learner name has {NAME_RULE}") from None


def ingest_input(value: str) -> str:
    valid_unicode(value)
    if not value.strip():
        raise ValueError('an input is empty (send "." for the whole first ingest root)')
    if CONTROL.search(value):
        raise ValueError("an input contains a control character")
    return value


Text = Annotated[str, AfterValidator(valid_unicode)]
IngestInput = Annotated[str, Field(min_length=1, max_length=2048), AfterValidator(ingest_input)]
FilterField = Literal["source", "title", "section", "phase", "topic_id", "order", "page"]
# Chroma keeps integers as signed 64-bit: a larger one in a filter is a 422 here, not a store error.
FilterInt = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
FilterValue = Annotated[str, Field(max_length=500), AfterValidator(valid_unicode)] | FilterInt
NUMBER_FIELDS = ("order", "page")


def filter_types(filters: dict[str, object]) -> dict[str, object]:
    """`order` and `page` are stored as numbers and every other field as text: a value of the other
    type would match nothing, and the question would read as not covered."""
    for name, value in filters.items():
        if (name in NUMBER_FIELDS) != isinstance(value, int):
            kind = "a number" if name in NUMBER_FIELDS else "text"
            raise ValueError(
                f"the filter {name!r} takes {kind} (e.g. {{'order': 5}}, {{'phase': '1. Basics'}})"
            )
    return filters


Filters = Annotated[
    dict[FilterField, FilterValue],
    AfterValidator(filter_types),
    Field(
        max_length=7,
        description="Equality on metadata fields, all must match: source, title, section, phase, "
        'topic_id, order or page, e.g. {"source": "corpus/13-sql.md"} or {"phase": "1. Foundations"}.',
    ),
]


class Message(BaseModel):
    model_config = STRICT

    role: Literal["user", "assistant", "system", "developer"] = Field(
        description="user and assistant messages are the conversation; system and developer messages "
        "are accepted and ignored, as on /v1/chat/completions: tutor's own rules for answering from "
        "the documents are never replaced."
    )
    content: Text


TURNS = ("user", "assistant")


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [CHAT_EXAMPLE, {**CHAT_EXAMPLE, "stream": True}]},
    )

    messages: list[Message] = Field(
        min_length=1,
        description="The conversation; the last user message is asked, the user and assistant messages "
        "before it are its history. System and developer messages are ignored.",
    )
    stream: bool = Field(False, description="Answer as Server-Sent Events.")
    top_k: int | None = Field(None, ge=1, le=20, description="Passages to retrieve (default: server's).")
    provider: Annotated[Text, Field(max_length=40)] | None = Field(
        None, description=f"The answerer: {provider_help()} (default: the server's)."
    )
    filters: Filters | None = None
    learner: Annotated[Text, Field(max_length=200), AfterValidator(learner_name)] | None = Field(
        None,
        description="A learner: questions about their own path (what next, what is left, this week) are "
        "answered from their progress and plan; other questions as usual.",
    )

    @property
    def turns(self) -> list[Message]:
        """The user and assistant messages: system and developer messages are dropped, so nothing a
        client sends replaces tutor's rules (as on /v1/chat/completions)."""
        return [m for m in self.messages if m.role in TURNS]

    @model_validator(mode="after")
    def conversation(self) -> ChatRequest:
        turns = self.turns
        if not turns or turns[-1].role != "user":
            raise ValueError("the last message must be the user's question")
        if blank(turns[-1].content):
            raise ValueError("the question is empty")
        return self


def limit_errors(body: ChatRequest, settings: Settings) -> list[dict[str, Any]]:
    """The request's breaches of this server's limits, as validation errors (a 422 like any other)."""
    errors: list[dict[str, Any]] = []
    if len(body.messages) > settings.max_messages:
        msg = f"at most {settings.max_messages} messages per request"
        errors.append({"type": "value_error", "loc": ("body", "messages"), "msg": msg})
    for i, message in enumerate(body.messages):
        if len(message.content) > settings.max_message_chars:
            msg = f"a message may have at most {settings.max_message_chars} characters"
            errors.append({"type": "value_error", "loc": ("body", "messages", i, "content"), "msg": msg})
    return errors


class ChatResponse(BaseModel):
    answer: str
    citations: list[Citation]  # n, source, title, section, url, snippet, page (PDF)
    contexts: list[dict[str, Any]]
    grounding: dict[str, Any]
    refused: bool
    provider: str
    timings_ms: dict[str, float]

    @classmethod
    def from_answer(cls, answer: Answer) -> ChatResponse:
        return cls.model_validate(answer.to_dict())


def not_blank(value: str) -> str:
    if blank(value):
        raise ValueError("the query is empty")
    return value


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"query": "how many hours a day", "top_k": 3}]},
    )

    query: Annotated[Text, Field(max_length=2000), AfterValidator(not_blank)]  # "" too: "the query is empty"
    top_k: int = Field(5, ge=1, le=50)
    filters: Filters | None = None


class PassageOut(BaseModel):
    rank: int
    score: float = Field(description="The fused (reciprocal-rank) score the ranking is by.")
    dense_similarity: float | None = Field(
        description="The cosine of the passage to the query; null for a passage only the keyword "
        "ranking found (its vector was never compared)."
    )
    source: str
    title: str
    section: str
    text: str


class SearchResponse(BaseModel):
    results: list[PassageOut]

    @classmethod
    def from_hits(cls, hits: list[Hit]) -> SearchResponse:
        return cls(
            results=[
                PassageOut(
                    rank=rank,
                    score=h.score,
                    dense_similarity=h.dense_similarity,
                    source=h.chunk.source,
                    title=h.chunk.title,
                    section=h.chunk.section,
                    text=h.chunk.text,
                )
                for rank, h in enumerate(hits, start=1)
            ]
        )


class ErrorOut(BaseModel):
    detail: str


class SourceOut(BaseModel):
    source: str
    title: str
    chunks: int


class IngestRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"inputs": ["notes/extra.md", "https://example.com/guide.html"]}]},
    )

    inputs: list[IngestInput] = Field(
        min_length=1,
        max_length=100,
        description='Paths under the ingest roots ("." is the first root), or public http(s) URLs.',
    )
    prune: bool = False


class IngestResponse(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    pruned: list[str]
    gone: list[str] = Field(
        default_factory=list, description="No longer there but kept (no `prune`): still searched and cited."
    )
    failed: list[dict[str, str]]
    skipped: list[dict[str, str]] = Field(
        description="Files found but not taken, with why: links out of the folder, FIFOs, devices."
    )
    unsupported: dict[str, int] = Field(
        default_factory=dict,
        description="Files of the folders walked that no loader reads, counted by suffix ({'.rst': 36}).",
    )
    notes: list[dict[str, str]] = Field(
        default_factory=list,
        description="Documents ingested with something to check, with what: a code block never closed.",
    )
    chunks: int
    seconds: float

    @classmethod
    def from_report(cls, report) -> IngestResponse:
        return cls(
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            pruned=report.pruned,
            gone=report.gone,
            failed=[{"source": s, "reason": r} for s, r in report.failed],
            skipped=[{"source": s, "reason": r} for s, r in report.skipped],
            notes=[{"source": s, "note": n} for s, n in report.notes],
            unsupported=report.unsupported,
            chunks=report.chunks,
            seconds=round(report.seconds, 3),
        )
