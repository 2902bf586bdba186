"""Eval reports: the JSON report (summary + every question) and a Markdown page for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.runner import METRICS, Result, meets

LABELS = {
    "hit_at_k": "retrieval hit@k",
    "recall_at_k": "retrieval recall@k (expected sources)",
    "mrr_at_10": "MRR@10",
    "ndcg_at_10": "nDCG@10",
    "context_hit": "context hit (answer key in passages given)",
    "answer_key_hit": "answer key hit",
    "citation_validity": "citation validity",
    "citation_recall": "citation recall (ALCE)",
    "citation_precision": "citation precision (ALCE)",
    "faithfulness": "strict faithfulness",
    "refusal_accuracy": "refusal accuracy",
}


def overall(summaries: dict[str, dict[str, float]]) -> dict[str, float]:
    """The summary over every question shown (the "all" split, or the only split asked for)."""
    return summaries.get("all") or next(iter(summaries.values()))


def report_dict(
    summaries: dict[str, dict[str, float]], results: Sequence[Result], meta: dict[str, Any]
) -> dict[str, Any]:
    return {
        "summary": overall(summaries),
        "splits": summaries,
        "meta": meta,
        "results": [r.to_dict() for r in results],
    }


def write_json(path: Path, report: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def badness(result: Result) -> float:
    """How badly a question went: each failed check adds up; used to pick the worst ten."""
    x = result.metrics
    score = 0.0
    for name in ("refusal_accuracy", "context_hit", "answer_key_hit", "hit_at_k"):
        if x.get(name) is not None:
            score += 2 * (1 - x[name])
    for name in ("mrr_at_10", "citation_validity", "citation_recall", "faithfulness"):
        if x.get(name) is not None:
            score += 1 - x[name]
    return score


def markdown(
    name: str,
    summaries: dict[str, dict[str, float]],
    results: Sequence[Result],
    thresholds: dict[str, float],
    missed: list[str],
) -> str:
    summary = overall(summaries)
    splits = list(summaries)
    lines = [f"# tutor eval report: {name}", ""]
    lines += ["| metric | " + " | ".join(splits) + " | threshold | |", "|---|" + "---|" * (len(splits) + 2)]
    for metric in METRICS:
        if metric not in summary:
            continue
        floor = thresholds.get(metric)
        values = [summaries[part].get(metric) for part in splits]
        cells = ["-" if value is None else f"{value:.3f}" for value in values]
        low = floor is not None and any(v is not None and not meets(v, floor) for v in values)
        verdict = "" if floor is None else ("**MISSED**" if low else "ok")
        shown = "" if floor is None else f"≥ {floor:g}"
        lines.append(f"| {LABELS[metric]} | " + " | ".join(cells) + f" | {shown} | {verdict} |")
    lines += ["", f"{int(summary.get('questions', len(results)))} questions."]
    lines += ["", "Thresholds missed: " + "; ".join(missed) if missed else "All thresholds met."]
    worst = sorted((r for r in results if r.problems), key=lambda r: -badness(r))[:10]
    lines += ["", "## The ten worst questions", ""]
    if not worst:
        lines.append("None: every question passed every check.")
    for r in worst:
        lines.append(f"### {r.id}: {r.question}")
        lines.append("")
        lines += [f"- {p}" for p in r.problems]
        if r.retrieved:
            lines.append(f"- retrieved: {', '.join(r.retrieved)}")
        answer = " ".join(r.answer.split())
        lines.append(f"- answer: {answer[:300]}{'…' if len(answer) > 300 else ''}")
        lines.append("")
    return "\n".join(lines) + "\n"
