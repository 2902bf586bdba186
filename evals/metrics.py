"""Eval metrics: pure functions of plain values, each unit-tested with hand-computed cases.

Retrieval metrics take `relevance`, the ranked list of 0/1 judgements of what was retrieved (rank 1
first). Answer metrics take sentences as (citations, supported-by-its-citations) and so on; the judge
that decides "supported" lives in evals/judges.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from tutor.grounding import normalise

Support = Callable[[Sequence[int]], bool]  # does the passage set with these numbers support it?


def key_hit(text: str, keys: Iterable[str]) -> bool:
    """True when any answer key occurs in `text` (case-insensitive, dashes equal, spaces folded, code
    ticks ignored: "pass `RandomState` instances" holds "RandomState instance")."""
    haystack = normalise(text.replace("`", ""))
    return any(normalise(key) in haystack for key in keys if key.strip())


def hit_at_k(relevance: Sequence[int], k: int) -> float:
    return 1.0 if any(relevance[:k]) else 0.0


def recall_at_k(retrieved: Sequence[str], expected: Iterable[str], k: int) -> float:
    """Share of the expected items that appear in the first k retrieved (1.0 when none expected)."""
    wanted = set(expected)
    return len(wanted & set(retrieved[:k])) / len(wanted) if wanted else 1.0


def mrr_at_k(relevance: Sequence[int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant result within the first k, else 0."""
    return next((1.0 / rank for rank, rel in enumerate(relevance[:k], start=1) if rel), 0.0)


def ndcg_at_k(relevance: Sequence[int], k: int = 10, n_relevant: int | None = None) -> float:
    """Binary nDCG@k. The ideal ranking puts `n_relevant` relevant items first; when the number of
    relevant items in the collection is unknown, the relevant items retrieved are used."""
    gains = relevance[:k]
    dcg = sum(rel / math.log2(rank + 1) for rank, rel in enumerate(gains, start=1))
    ideal = min(k, n_relevant if n_relevant is not None else sum(1 for r in relevance if r))
    idcg = sum(1 / math.log2(rank + 1) for rank in range(1, ideal + 1))
    return dcg / idcg if idcg else 0.0


def citation_validity(cited: Sequence[int], given: Iterable[int]) -> float:
    """Share of [n] citations that point to a passage that was given (1.0 when nothing is cited)."""
    allowed = set(given)
    return sum(n in allowed for n in cited) / len(cited) if cited else 1.0


def citation_recall(
    sentences: Sequence[Sequence[int]], support: Callable[[int, Sequence[int]], bool]
) -> float:
    """ALCE citation recall: share of sentences that cite something and whose cited passages,
    together, support them. `support(i, ns)` judges sentence i against passages ns."""
    if not sentences:
        return 1.0
    return sum(bool(ns) and support(i, ns) for i, ns in enumerate(sentences)) / len(sentences)


def citation_precision(
    sentences: Sequence[Sequence[int]], support: Callable[[int, Sequence[int]], bool]
) -> float:
    """ALCE citation precision: a citation counts when its sentence is supported by all its
    citations and the citation is needed: it supports the sentence alone, or the others do not
    without it. Citations of unsupported sentences do not count."""
    total = sum(len(ns) for ns in sentences)
    if not total:
        return 1.0
    precise = 0
    for i, ns in enumerate(sentences):
        if not ns or not support(i, ns):
            continue
        for n in ns:
            rest = [m for m in ns if m != n]
            if support(i, [n]) or not rest or not support(i, rest):
                precise += 1
    return precise / total


def faithfulness(verdicts: Sequence[bool | None]) -> float:
    """Strict faithfulness: supported sentences / sentences; "can't tell" (None) is unsupported."""
    return sum(v is True for v in verdicts) / len(verdicts) if verdicts else 1.0


def refusal_correct(answerable: bool, refused: bool) -> float:
    """1 when an unanswerable question was refused or an answerable one was answered."""
    return 1.0 if refused != answerable else 0.0


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None
