"""Run the eval: each question through the same Tutor as the CLI, then score retrieval and answers.

`evaluate()` asks the Tutor; `score_run()` grades answers produced elsewhere. Both end in the same
per-question records and the same summary, which `evals/report.py` writes out.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import metrics as m
from evals.dataset import EvalItem, RunItem
from evals.judges import Judge
from tutor.chain import Tutor, is_refusal
from tutor.errors import ConfigError
from tutor.grounding import citations_in, claims
from tutor.types import Cited, heading_of

RETRIEVAL_DEPTH = 10
# Summary metrics, in report order. Retrieval metrics exist only for answerable questions of a Tutor
# run; answer metrics only for questions that were answered.
METRICS = (
    "hit_at_k",
    "recall_at_k",
    "mrr_at_10",
    "ndcg_at_10",
    "context_hit",
    "answer_key_hit",
    "citation_validity",
    "citation_recall",
    "citation_precision",
    "faithfulness",
    "refusal_accuracy",
)


@dataclass
class Result:
    """One question's outcome: what was asked, retrieved and answered, and its metrics."""

    id: str
    question: str
    answer: str
    refused: bool
    answerable: bool | None
    citations: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)  # sources of the top results, rank order
    metrics: dict[str, float | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answerable": self.answerable,
            "refused": self.refused,
            "answer": self.answer,
            "citations": self.citations,
            "contexts": self.contexts,
            "retrieved": self.retrieved,
            "grounding": {"sentences": self.sentences},
            "metrics": {k: (round(v, 4) if v is not None else None) for k, v in self.metrics.items()},
            "problems": self.problems,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


def source_matches(source: str, expected: str) -> bool:
    """A retrieved source matches an expected one when one path ends with the other."""
    a, b = source.replace("\\", "/").strip("/"), expected.replace("\\", "/").strip("/")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def is_relevant(item: EvalItem, source: str, text: str) -> bool:
    """A retrieved passage is relevant when it comes from an expected source (if the item names any)
    and holds an answer key (if it has any): the passage that answers, not just the right page."""
    from_source = not item.expected_sources or any(source_matches(source, e) for e in item.expected_sources)
    return from_source and (not item.answer_keys or m.key_hit(text, item.answer_keys))


def retrieval_metrics(item: EvalItem, ranked: Sequence[tuple[str, str]], k: int) -> dict[str, float | None]:
    """Metrics of a ranked list of (source, text): hit@k, MRR and nDCG by passage relevance
    (`is_relevant`), recall@k by expected sources (pages)."""
    relevance = [int(is_relevant(item, source, text)) for source, text in ranked]
    recall = None
    if item.expected_sources:
        found = [e for e in item.expected_sources if any(source_matches(s, e) for s, _ in ranked[:k])]
        recall = m.recall_at_k(found, item.expected_sources, k)
    return {
        "hit_at_k": m.hit_at_k(relevance, k),
        "recall_at_k": recall,
        "mrr_at_10": m.mrr_at_k(relevance, RETRIEVAL_DEPTH),
        "ndcg_at_10": m.ndcg_at_k(relevance, RETRIEVAL_DEPTH),
    }


def answer_metrics(
    answer: str,
    passages: dict[int, str],
    removed: Sequence[int],
    judge: Judge,
) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    """Citation validity, ALCE citation recall/precision and strict faithfulness of one answer.

    `removed`: invalid citations the Tutor already took out of the text (they still count)."""
    sentences = claims(answer)
    cited = [*citations_in(answer), *removed]
    cited_sets = [[n for n in ns if n in passages] for _, ns in sentences]
    # Every passage set the metrics ask about, judged in one batch.
    wanted: dict[tuple[int, tuple[int, ...]], None] = {}
    for i, ns in enumerate(cited_sets):
        wanted[(i, tuple(ns or sorted(passages)))] = None  # uncited: against everything given
        for n in ns:
            wanted[(i, (n,))] = None
            if len(ns) > 1:
                wanted[(i, tuple(x for x in ns if x != n))] = None
    keys = list(wanted)
    verdicts = judge.judge([(sentences[i][0], [passages[n] for n in ns]) for i, ns in keys])
    verdict = dict(zip(keys, verdicts, strict=True))

    def support(i: int, ns: Sequence[int]) -> bool:
        return verdict.get((i, tuple(ns))) is True

    full = [verdict[(i, tuple(ns or sorted(passages)))] for i, ns in enumerate(cited_sets)]
    report = [{"text": text, "citations": ns, "supported": full[i]} for i, (text, ns) in enumerate(sentences)]
    return {
        "citation_validity": m.citation_validity(cited, passages),
        "citation_recall": m.citation_recall(cited_sets, support),
        "citation_precision": m.citation_precision(cited_sets, support),
        "faithfulness": m.faithfulness(full),
    }, report


def problems_of(result: Result, item: EvalItem | None, invalid: Sequence[int]) -> list[str]:
    """What went wrong, in words, for the Markdown report."""
    out = []
    x = result.metrics
    if item is not None and x.get("refusal_accuracy") == 0.0:
        out.append(
            "refused an answerable question" if item.answerable else "answered an unanswerable question"
        )
    if x.get("context_hit") == 0.0:
        out.append(f"no answer key ({'; '.join(item.answer_keys) if item else ''}) in the passages given")
    if x.get("mrr_at_10") == 0.0:
        out.append(f"no relevant passage in the top {RETRIEVAL_DEPTH}")
    elif x.get("mrr_at_10") is not None and x["mrr_at_10"] < 1.0:
        out.append(f"first relevant passage at rank {round(1 / x['mrr_at_10'])}")
    if x.get("answer_key_hit") == 0.0 and x.get("context_hit") != 0.0:
        out.append("the answer misses every answer key although the passages had one")
    if invalid:
        out.append(f"invalid citations {sorted(set(invalid))}")
    unsupported = [s for s in result.sentences if s["supported"] is not True]
    if unsupported:
        out.append(f"{len(unsupported)} of {len(result.sentences)} sentences unsupported")
    return out


def finish(
    result: Result, item: EvalItem | None, passages: dict[int, str], removed: Sequence[int], judge: Judge
):
    if item is not None:
        result.metrics["refusal_accuracy"] = m.refusal_correct(item.answerable, result.refused)
        if item.answerable and item.answer_keys:
            result.metrics["answer_key_hit"] = float(
                not result.refused and m.key_hit(result.answer, item.answer_keys)
            )
    if not result.refused and result.answer.strip():
        scores, result.sentences = answer_metrics(result.answer, passages, removed, judge)
        result.metrics.update(scores)
    invalid = [*removed, *(n for n in citations_in(result.answer) if n not in passages)]
    result.problems = problems_of(result, item, invalid)
    return result


def evaluate_item(tutor: Tutor, item: EvalItem, judge: Judge) -> Result:
    started = time.perf_counter()
    answer = tutor.ask(item.question, [t.model_dump() for t in item.history])
    ranked = [(h.chunk.source, h.chunk.text) for h in tutor.retrieve(answer.query, RETRIEVAL_DEPTH)]
    result = Result(
        id=item.id,
        question=item.question,
        answer=answer.answer,
        refused=answer.refused,
        answerable=item.answerable,
        citations=answer.to_dict()["citations"],
        contexts=[p.to_dict() for p in answer.contexts],
        retrieved=[source for source, _ in ranked[: tutor.settings.top_k]],
        timings_ms=dict(answer.timings_ms),
    )
    if item.answerable:
        result.metrics.update(retrieval_metrics(item, ranked, tutor.settings.top_k))
        if item.answer_keys:
            context = "\n".join(p.text for p in answer.contexts)
            result.metrics["context_hit"] = float(m.key_hit(context, item.answer_keys))
    passages = {p.n: p.cited for p in answer.contexts}
    finish(result, item, passages, answer.grounding.invalid_citations, judge)
    result.timings_ms["eval"] = (time.perf_counter() - started) * 1000
    return result


def evaluate(
    tutor: Tutor, items: Sequence[EvalItem], judge: Judge, on_item: Callable[[Result], None] | None = None
) -> list[Result]:
    results = []
    for item in items:
        results.append(evaluate_item(tutor, item, judge))
        if on_item:
            on_item(results[-1])
    return results


def score_run(
    runs: Sequence[RunItem],
    judge: Judge,
    dataset: Sequence[EvalItem] = (),
    on_item: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Grade answers produced elsewhere; answer keys and answerability come from `dataset` by id."""
    by_id = {item.id: item for item in dataset}
    results = []
    for run in runs:
        item = by_id.get(run.id)
        passages = {c.n: Cited(c.text, heading_of(c.title, c.section)) for c in run.contexts}
        cited = citations_in(run.answer)
        refused = run.refused if run.refused is not None else not cited and is_refusal(run.answer)
        result = Result(
            id=run.id,
            question=run.question or (item.question if item else ""),
            answer=run.answer,
            refused=refused,
            answerable=item.answerable if item else None,
            contexts=[c.model_dump() for c in run.contexts],
        )
        if item is not None and item.answerable and item.answer_keys:
            result.metrics["context_hit"] = float(m.key_hit("\n".join(passages.values()), item.answer_keys))
        results.append(finish(result, item, passages, [], judge))
        if on_item:
            on_item(results[-1])
    return results


def summarize(results: Sequence[Result]) -> dict[str, float]:
    summary: dict[str, float] = {}
    for name in METRICS:
        value = m.mean(r.metrics[name] for r in results if r.metrics.get(name) is not None)
        if value is not None:
            summary[name] = round(value, 4)
    summary["questions"] = len(results)
    return summary


CALIBRATION_FLOORS = ("accuracy", "unsupported_recall", "supported_precision", "category_accuracy")


def load_thresholds(path: Path, suite: str | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """The metric minimums for `suite` (its own table, e.g. [seeds]; [minimum] for any other dataset)
    and the offline judge's calibration minimums ([calibration])."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read thresholds {path}: {exc}") from None
    for section, table in data.items():
        if section.startswith("quiz"):
            continue  # the quiz eval's limits: checked by evals/quiz.py
        known = CALIBRATION_FLOORS if section == "calibration" else METRICS
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise ConfigError(
                f"{path} [{section}]: unknown metrics {', '.join(unknown)} (known: {', '.join(known)})."
            )
    minimum = data.get(suite) if suite in data else data.get("minimum", {})
    judge = data.get("calibration", {})
    return {k: float(v) for k, v in minimum.items()}, {k: float(v) for k, v in judge.items()}


def meets(value: float, floor: float) -> bool:
    """A metric meets its threshold (with room for float rounding)."""
    return value >= floor - 1e-9


def missed_thresholds(summary: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    """One line per threshold the summary misses; metrics the run did not compute are not judged."""
    return [
        f"{name} {summary[name]:.4f} < {floor:g}"
        for name, floor in thresholds.items()
        if name in summary and not meets(summary[name], floor)
    ]
