"""`tutor eval --quiz`: generate items for every topic of the shipped corpus and measure them.

The generator's own output is measured, before the validation that guards learners: how many items
each topic yields, the share that passes validation, the share whose answer the cited passage
supports (by the eval's judge), duplicates, and stems that give the answer away. Offline, every
candidate item is measured; with an LLM provider, its drafts for `n` items per topic (first replies
and the one retry). Minimums and maximums live in the [quiz] table of evals/thresholds.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import dataset as ds
from evals.judges import Judge
from evals.runner import meets
from tutor.config import Settings
from tutor.errors import ConfigError
from tutor.quiz.items import QuizItem, normalise
from tutor.quiz.validation import form_problems, gives_away

# metric -> "min" (a floor) or "max" (a ceiling), in report order
QUIZ_METRICS = {
    "topics": None,
    "items": None,
    "items_per_topic_mean": None,
    "items_per_topic_min": "min",
    "topics_without_items": "max",
    "valid_share": "min",
    "supported_share": "min",
    "duplicates": "max",
    "give_aways": "max",
    "draft_valid_share": "min",
    "dropped": None,
}
QUIZ_LABELS = {
    "topics": "topics",
    "items": "items generated",
    "items_per_topic_mean": "items per topic (mean)",
    "items_per_topic_min": "items per topic (fewest)",
    "topics_without_items": "topics without an item",
    "valid_share": "share valid",
    "supported_share": "answers supported by the cited passage",
    "duplicates": "duplicates",
    "give_aways": "stems giving the answer away",
    "draft_valid_share": "LLM drafts valid at the first attempt",
    "dropped": "LLM drafts dropped after the retry",
}
NEAR_DUPLICATE = 0.8  # content-word overlap (Jaccard) of two stems with the same answer


@dataclass
class ItemCheck:
    """One generated item and what the eval found."""

    item: QuizItem
    problems: list[str]
    supported: bool | None
    gives_away: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "topic": self.item.topic,
            "kind": self.item.kind,
            "generator": self.item.generator,
            "stem": self.item.stem,
            "answer": self.item.answer,
            "options": [o.text for o in self.item.options],
            "source": self.item.source.heading,
            "quote": self.item.source.quote,
            "valid": not self.problems,
            "problems": self.problems,
            "supported": self.supported,
            "gives_away": self.gives_away,
        }


@dataclass
class QuizEval:
    generator: str
    judge: str
    checks: list[ItemCheck] = field(default_factory=list)
    per_topic: dict[str, int] = field(default_factory=dict)  # topic -> items generated
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # pairs of item ids
    summary: dict[str, float] = field(default_factory=dict)
    limits: dict[str, float] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)
    drafts: dict[str, Any] = field(default_factory=dict)  # topic -> DraftReport (LLM runs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generator": self.generator,
            "judge": self.judge,
            "summary": self.summary,
            "thresholds": self.limits,
            "missed": self.missed,
            "per_topic": self.per_topic,
            "duplicates": [list(p) for p in self.duplicates],
            "drafts": self.drafts,
            "items": [c.to_dict() for c in self.checks],
        }


def load_quiz_thresholds(path: Path, section: str = "quiz") -> dict[str, float]:
    """The [quiz] table (or another quiz table): each key a metric of QUIZ_METRICS with a limit."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read thresholds {path}: {exc}") from None
    table = data.get(section, {})
    unknown = sorted(k for k in table if QUIZ_METRICS.get(k) is None)
    if unknown:
        known = ", ".join(k for k, v in QUIZ_METRICS.items() if v)
        raise ConfigError(f"{path} [{section}]: unknown limits {', '.join(unknown)} (known: {known}).")
    return {k: float(v) for k, v in table.items()}


def missed_limits(summary: dict[str, float], limits: dict[str, float]) -> list[str]:
    out = []
    for name, limit in limits.items():
        value = summary.get(name)
        if value is None:
            continue
        if QUIZ_METRICS[name] == "min" and not meets(value, limit):
            out.append(f"{name} {value:.4f} < {limit:g}")
        elif QUIZ_METRICS[name] == "max" and value > limit + 1e-9:
            out.append(f"{name} {value:g} > {limit:g}")
    return out


def _content(text: str) -> set[str]:
    from tutor.grounding import content_words

    return content_words(text.replace("_____", " "))


def find_duplicates(items: Sequence[QuizItem]) -> list[tuple[str, str]]:
    """Pairs of items that ask the same thing: the same id, the same stem, the same answer stated
    by the same sentence, or stems of the same answer that share most of their words."""
    pairs = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            same_answer = normalise(a.answer) == normalise(b.answer)
            same = (
                a.id == b.id
                or normalise(a.stem) == normalise(b.stem)
                or (same_answer and normalise(a.statement) == normalise(b.statement))
            )
            if not same and same_answer:
                wa, wb = _content(a.stem), _content(b.stem)
                same = bool(wa | wb) and len(wa & wb) / len(wa | wb) >= NEAR_DUPLICATE
            if same:
                pairs.append((a.id, b.id))
    return pairs


def check_items(items: Sequence[QuizItem], passages: dict[str, str], judge: Judge) -> list[ItemCheck]:
    """Validate each item (form, then its statement against its passage by `judge`)."""
    verdicts = judge.judge([(i.statement, [passages.get(i.source.chunk_id, "")]) for i in items])
    checks = []
    for item, verdict in zip(items, verdicts, strict=True):
        found = form_problems(item)
        if not passages.get(item.source.chunk_id, "").strip():
            found.append("the cited passage is missing")
        elif verdict is not True:
            found.append("the cited passage does not support the answer")
        checks.append(ItemCheck(item, found, verdict is True, gives_away(item)))
    return checks


def summarise(run: QuizEval) -> dict[str, float]:
    n = len(run.checks)
    counts = list(run.per_topic.values()) or [0]
    return {
        "topics": float(len(run.per_topic)),
        "items": float(n),
        "items_per_topic_mean": round(sum(counts) / len(counts), 2),
        "items_per_topic_min": float(min(counts)),
        "topics_without_items": float(sum(c == 0 for c in counts)),
        "valid_share": round(sum(not c.problems for c in run.checks) / n, 4) if n else 0.0,
        "supported_share": round(sum(bool(c.supported) for c in run.checks) / n, 4) if n else 0.0,
        "duplicates": float(len(run.duplicates)),
        "give_aways": float(sum(c.gives_away for c in run.checks)),
    }


def run_quiz_eval(
    settings: Settings,
    *,
    provider: str | None = None,
    model: str | None = None,
    judge: str = "offline",
    n: int = 5,
    thresholds: Path = ds.DEFAULT_THRESHOLDS,
    progress=None,
) -> QuizEval:
    """Generate for every topic of the shipped corpus (its own store, as the roadmap suite uses) and
    measure. Offline: every candidate the generator yields. With an LLM: its drafts for `n` items
    per topic. The offline limits are the [quiz] table; an LLM run is measured against [quiz-llm]."""
    from evals.run import EvalProgress, make_judge, prepare_suite
    from evals.suites import SUITES
    from tutor.llm import get_answerer, resolve_provider
    from tutor.quiz.drafting import llm_items
    from tutor.quiz.maker import QuizMaker
    from tutor.quiz.offline import candidates

    progress = progress or EvalProgress()
    store = prepare_suite(settings, SUITES["roadmap"], progress)
    grader = make_judge(judge, settings, store.embedder)
    maker = QuizMaker(store)
    name = resolve_provider(settings, provider)
    offline = name == "offline"
    run = QuizEval("offline" if offline else f"llm:{name}", grader.name)
    run.limits = load_quiz_thresholds(thresholds, "quiz" if offline else "quiz-llm")
    answerer = None if offline else get_answerer(settings, store.embedder, name, model)
    docs, inventory = maker._state()
    progress.start("quiz", len(docs))
    items: list[QuizItem] = []
    passages: dict[str, str] = {}
    for topic, doc in docs.items():
        passages.update({c.id: c.text for c in doc.chunks})
        if offline:
            generated = [c.item for c in candidates(inventory, doc)]
        else:  # the whole pipeline: drafts validated, the invalid asked for once more, then dropped
            generated, report = llm_items(answerer.complete, doc, n, maker.judge, run.generator)
            run.drafts[topic] = report.to_dict()
        run.per_topic[topic] = len(generated)
        items += generated
        progress.advance("quiz")
    run.checks = check_items(items, passages, grader)
    run.duplicates = find_duplicates(items)
    run.summary = summarise(run)
    if run.drafts:  # how many drafts passed at the first attempt, before the retry and the drops
        drafted = sum(r["drafted"] for r in run.drafts.values())
        first = sum(r["valid_first"] for r in run.drafts.values())
        run.summary["draft_valid_share"] = round(first / drafted, 4) if drafted else 0.0
        run.summary["dropped"] = float(sum(len(r["dropped"]) for r in run.drafts.values()))
    run.missed = missed_limits(run.summary, run.limits)
    return run


def markdown_report(run: QuizEval) -> str:
    """The summary, items per topic, and every item that failed a check, for people."""
    lines = [f"# Quiz eval: generator {run.generator}, judge {run.judge}", "", "| metric | value | limit |"]
    lines.append("|---|---|---|")
    for name, label in QUIZ_LABELS.items():
        if name in run.summary:
            limit = run.limits.get(name)
            sign = "≥" if QUIZ_METRICS[name] == "min" else "≤"
            lines.append(
                f"| {label} | {run.summary[name]:g} | {'' if limit is None else f'{sign} {limit:g}'} |"
            )
    lines += ["", "## Items per topic", "", "| topic | items |", "|---|---|"]
    lines += [f"| {topic} | {count} |" for topic, count in run.per_topic.items()]
    bad = [c for c in run.checks if c.problems or c.gives_away]
    lines += ["", f"## Items that failed a check ({len(bad)})", ""]
    for c in bad:
        why = "; ".join(c.problems + (["gives the answer away"] if c.gives_away else []))
        lines.append(f"- `{c.item.id}` {c.item.topic}: {c.item.stem} → {c.item.answer} ({why})")
    if run.duplicates:
        lines += ["", "## Duplicates", ""] + [f"- `{a}` and `{b}`" for a, b in run.duplicates]
    return "\n".join(lines) + "\n"
