"""Quiz items drafted by an LLM: asked for as JSON, turned into items, validated. An item that
fails validation (or a reply that does not parse) is asked for once more, with what was wrong;
what fails again is dropped, never shown."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tutor.grounding import content_words, neutralise_citations, split_sentences
from tutor.prompts import QUIZ_SYSTEM, quiz_prompt, quiz_retry_prompt
from tutor.quiz.items import KINDS, ItemSource, QuizItem, item_id, letter_options, plain
from tutor.quiz.topics import TopicDoc
from tutor.quiz.validation import SupportJudge, problems
from tutor.types import Passage

Complete = Callable[..., str]  # LLMAnswerer.complete(prompt, system=, max_tokens=)
PASSAGE_CHARS = 12_000  # how much of a topic one request shows the model
MAX_TOKENS = 2_500


class DraftError(ValueError):
    """A drafted item that cannot even be read as an item; the message says why."""


@dataclass
class DraftReport:
    """What happened to an LLM's drafts: how many were valid at once, asked again, dropped."""

    drafted: int = 0
    valid_first: int = 0
    retried: int = 0
    valid_retry: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)  # {"stem", "problems"}
    errors: list[str] = field(default_factory=list)  # replies that did not parse

    @property
    def valid(self) -> int:
        return self.valid_first + self.valid_retry

    def to_dict(self) -> dict[str, Any]:
        return {
            "drafted": self.drafted,
            "valid_first": self.valid_first,
            "retried": self.retried,
            "valid_retry": self.valid_retry,
            "dropped": self.dropped,
            "errors": self.errors,
        }


def topic_passages(doc: TopicDoc, limit: int = PASSAGE_CHARS) -> list[Passage]:
    """The topic's chunks as numbered passages, in document order, up to `limit` characters."""
    out: list[Passage] = []
    used = 0
    for chunk in doc.chunks:
        if out and used + len(chunk.text) > limit:
            break
        used += len(chunk.text)
        out.append(Passage(len(out) + 1, chunk, neutralise_citations(chunk.text)))
    return out


def parse_drafts(reply: str) -> list[dict[str, Any]]:
    """The item objects of a reply; ValueError when it holds no {"items": [...]}."""
    match = re.search(r"\{.*\}", reply, re.DOTALL)
    if not match:
        raise ValueError("the reply holds no JSON object")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply is not valid JSON ({exc.msg})") from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError('the reply has no "items" list')
    return [d for d in items if isinstance(d, dict)]


def best_sentence(statement: str, passage: str) -> str:
    """The passage sentence that shares most words with the statement: the quote shown after
    answering."""
    words = content_words(statement)
    sentences = [plain(s) for s in split_sentences(passage)] or [plain(passage)]
    return max(sentences, key=lambda s: (len(words & content_words(s)), -len(s)))


def _text(draft: dict[str, Any], key: str) -> str:
    value = draft.get(key, "")
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise DraftError(f'"{key}" is not text')
    return str(value).strip()


def draft_item(draft: dict[str, Any], topic: str, passages: dict[int, Passage], generator: str) -> QuizItem:
    """One drafted object as an item (options lettered by us); DraftError when it is unreadable."""
    kind = draft.get("kind")
    if kind not in KINDS:
        raise DraftError(f"unknown kind {kind!r}")
    number = draft.get("passage")
    if not isinstance(number, int) or isinstance(number, bool) or number not in passages:
        raise DraftError(f"cites no passage given (passage {number!r})")
    passage = passages[number]
    stem, statement = _text(draft, "stem"), _text(draft, "statement")
    chunk = passage.chunk
    url = chunk.extra.get("url")
    quote = best_sentence(statement, passage.text) if statement else ""
    snippet = plain(passage.text)[:320]
    source = ItemSource(
        chunk.source,
        chunk.title,
        chunk.section,
        quote,
        snippet,
        url if isinstance(url, str) else None,
        chunk.id,
    )
    iid = item_id(topic, source.passage_key, stem)
    common = {"statement": statement, "source": source, "explanation": _text(draft, "explanation")}
    if kind == "choice":
        options = draft.get("options")
        if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
            raise DraftError('"options" is not a list of {"text", "correct"}')
        texts = [_text(o, "text") for o in options]
        correct = [t for t, o in zip(texts, options, strict=True) if o.get("correct") is True]
        if len(correct) != 1:
            raise DraftError(f"{len(correct)} options marked correct: exactly one must be")
        return QuizItem(
            iid,
            topic,
            "choice",
            stem,
            correct[0],
            options=letter_options(texts, iid),
            generator=generator,
            **common,
        )
    answer = _text(draft, "answer")
    if kind == "number":
        tolerance = draft.get("tolerance", 0)
        if not isinstance(tolerance, int | float) or isinstance(tolerance, bool):
            raise DraftError('"tolerance" is not a number')
        return QuizItem(
            iid, topic, "number", stem, answer, tolerance=float(tolerance), generator=generator, **common
        )
    terms = draft.get("key_terms") or [answer]
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise DraftError('"key_terms" is not a list of words')
    return QuizItem(
        iid, topic, "text", stem, answer, key_terms=[t.strip() for t in terms], generator=generator, **common
    )


def _check(
    drafts: Sequence[dict[str, Any]],
    doc: TopicDoc,
    passages: dict[int, Passage],
    judge: SupportJudge | None,
    generator: str,
) -> tuple[list[QuizItem], list[tuple[str, str]]]:
    """(valid items, [(stem, what is wrong)] for the rest)."""
    valid: list[QuizItem] = []
    rejected: list[tuple[str, str]] = []
    for draft in drafts:
        stem = str(draft.get("stem", ""))[:200]
        try:
            item = draft_item(draft, doc.id, passages, generator)
        except DraftError as exc:
            rejected.append((stem, str(exc)))
            continue
        found = problems(item, passages[int(draft["passage"])].text, judge)
        if not found and any(item.id == v.id for v in valid):
            found = ["the same question twice"]
        if found:
            rejected.append((stem, "; ".join(found)))
        else:
            valid.append(item)
    return valid, rejected


def llm_items(
    complete: Complete,
    doc: TopicDoc,
    n: int,
    judge: SupportJudge | None,
    generator: str = "llm",
) -> tuple[list[QuizItem], DraftReport]:
    """Up to `n` validated items drafted by an LLM; the invalid asked for once more, then dropped.
    Provider errors propagate (the caller decides whether to fall back)."""
    report = DraftReport()
    passages = topic_passages(doc)
    if not passages:
        return [], report
    by_n = {p.n: p for p in passages}
    reply = complete(quiz_prompt(doc.title, passages, n), system=QUIZ_SYSTEM, max_tokens=MAX_TOKENS)
    try:
        drafts = parse_drafts(reply)
    except ValueError as exc:  # the whole reply is asked for again
        report.errors.append(str(exc))
        valid, rejected = [], [("(the whole reply)", f"{exc}: reply with JSON only, in the form given")]
        wanted = n
    else:
        report.drafted = len(drafts)
        valid, rejected = _check(drafts, doc, by_n, judge, generator)
        report.valid_first = len(valid)
        wanted = len(rejected)
    if not rejected:
        return valid[:n], report
    report.retried = wanted
    retry = complete(
        quiz_retry_prompt(doc.title, passages, rejected, wanted), system=QUIZ_SYSTEM, max_tokens=MAX_TOKENS
    )
    try:
        second = parse_drafts(retry)[:wanted]
    except ValueError as exc:
        report.errors.append(str(exc))
        second = []
    report.drafted += len(second)
    more, failed = _check(second, doc, by_n, judge, generator)
    more = [m for m in more if all(m.id != v.id for v in valid)]
    report.valid_retry = len(more)
    report.dropped = [{"stem": stem, "problems": why} for stem, why in failed]
    report.dropped += [{"stem": "", "problems": "no replacement came"}] * max(0, wanted - len(second))
    return [*valid, *more][:n], report
