"""Hybrid retrieval: dense (Chroma) and keyword (BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutor.store import Store
from tutor.types import Hit

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
