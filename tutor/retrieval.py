"""Hybrid retrieval: dense (Chroma) and keyword (BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tutor.store import Store
from tutor.types import Hit, Passage

RRF_K = 60  # the constant from Cormack et al.; dampens the weight of the very top ranks


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Score each id by the sum of 1 / (k + rank) over the rankings it appears in (rank from 1)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def hybrid_search(
    store: Store,
    query: str,
    top_k: int = 5,
    *,
    filters: dict[str, Any] | None = None,
    candidates: int | None = None,
) -> list[Hit]:
    """The `top_k` best chunks for `query` by RRF over dense and keyword rankings."""
    n = candidates or max(4 * top_k, 20)
    dense = store.dense_search(store.embedder.embed_query(query), n, filters)
    keyword = store.keyword_search(query, n, filters)
    hits: dict[str, Hit] = {}
    for rank, (chunk, similarity) in enumerate(dense, start=1):
        hits[chunk.id] = Hit(chunk, 0.0, dense_similarity=similarity, dense_rank=rank)
    for rank, (chunk, score) in enumerate(keyword, start=1):
        hit = hits.setdefault(chunk.id, Hit(chunk, 0.0))
        hit.keyword_score, hit.keyword_rank = score, rank
    fused = reciprocal_rank_fusion([[c.id for c, _ in dense], [c.id for c, _ in keyword]])
    for chunk_id, score in fused.items():
        hits[chunk_id].score = score
    return sorted(hits.values(), key=lambda h: -h.score)[:top_k]


def maximal_marginal_relevance(
    hits: list[Hit], vectors: dict[str, np.ndarray], k: int, lam: float
) -> list[Hit]:
    """Pick `k` hits balancing relevance (fused rank score) against similarity to those already picked."""
    if not hits:
        return []
    top = max(h.score for h in hits) or 1.0
    chosen: list[Hit] = []
    pool = list(hits)
    while pool and len(chosen) < k:

        def value(h: Hit) -> float:
            redundancy = max((float(vectors[h.chunk.id] @ vectors[c.chunk.id]) for c in chosen), default=0.0)
            return lam * h.score / top - (1 - lam) * redundancy

        best = max(pool, key=value)
        chosen.append(best)
        pool.remove(best)
    return chosen


def _join_overlapping(first: str, second: str) -> str:
    """Join two consecutive chunks, dropping the overlap the chunker repeated."""
    for size in range(min(len(first), len(second), 800), 15, -1):
        if first.endswith(second[:size]):
            return first + second[size:]
    return f"{first}\n{second}"


def build_context(hits: list[Hit], budget: int, count_tokens: Callable[[str], int]) -> list[Passage]:
    """Numbered passages in rank order within `budget` tokens; adjacent chunks of a section merge."""
    groups: list[list[Hit]] = []
    for hit in hits:
        c = hit.chunk
        for group in groups:
            positions = [g.chunk.position for g in group]
            same = group[0].chunk.doc_id == c.doc_id and group[0].chunk.section == c.section
            if same and (c.position == max(positions) + 1 or c.position == min(positions) - 1):
                group.append(hit)
                break
        else:
            groups.append([hit])
    passages: list[Passage] = []
    used = 0
    for group in groups:
        ordered = sorted(group, key=lambda h: h.chunk.position)
        text = ordered[0].chunk.text
        for h in ordered[1:]:
            text = _join_overlapping(text, h.chunk.text)
        cost = count_tokens(f"{ordered[0].chunk.heading}\n{text}")
        if used + cost > budget:
            if passages:
                break
            continue  # even the best passage alone is too big: try the next
        used += cost
        passages.append(Passage(len(passages) + 1, ordered[0].chunk, text))
    return passages
