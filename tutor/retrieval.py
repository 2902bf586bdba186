"""Hybrid retrieval: dense (Chroma) and keyword (BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from tutor.store import Store
from tutor.text import fences_open
from tutor.types import Chunk, Hit, Passage

RRF_K = 60  # the constant from Cormack et al.; dampens the weight of the very top ranks
# How deep each ranker's list goes into the fusion. Deeper lists favour a chunk both rankers place
# low over one that either places first (20–40 deep, "if I skip the foundations phase, around which
# week do people get lost?" lost its passage, first by keywords, to chunks about weeks and phases).
RANKER_DEPTH = 10


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
    n = candidates or max(RANKER_DEPTH, top_k)
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


def fuse(*rankings: list[Hit]) -> list[Hit]:
    """Hits of several rankings in one, by reciprocal rank fusion (a hit in two ranks above both)."""
    hits = {h.chunk.id: h for ranking in reversed(rankings) for h in ranking}
    scores = reciprocal_rank_fusion([[h.chunk.id for h in ranking] for ranking in rankings])
    return sorted((replace(hits[i], score=score) for i, score in scores.items()), key=lambda h: -h.score)


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
    """Two consecutive chunks of a store from before `PIPELINE_VERSION` 9, whose chunks do not say
    how they join: the longest end of `first` that `second` opens with is taken as repeated."""
    for size in range(min(len(first), len(second), 800), 15, -1):
        if first.endswith(second[:size]):
            return first + second[size:]
    return f"{first}\n{second}"


def _across_gap(first: str, second: str, fence: str) -> str:
    """Two chunks with text left out between them: a code block open at the end of `first` is
    closed, and one `second` starts inside (`fence`) is opened, so code and text do not trade
    places."""
    open_after = fences_open(first)[1]
    now = open_after[-1] if open_after else ""
    return "\n".join([first, *([m for m in (now, fence) if m] if now != fence else []), second])


def build_context(
    hits: list[Hit],
    budget: int,
    count_tokens: Callable[[str], int],
    window: Callable[[Chunk], list[Chunk]] | None = None,
) -> list[Passage]:
    """Numbered passages in rank order within `budget` tokens.

    Each hit brings the chunks around it that `window` gives (its neighbours in the same section,
    in document order) when the budget allows, else comes alone; chunks of one document that touch
    or overlap are merged into one passage, so no text is given twice, unless they lie on different
    pages of a PDF: a passage's citation names one page, so each page's text is its own passage."""
    chosen: dict[str, dict[int, Chunk]] = {}  # doc_id -> position -> chunk
    order: list[str] = []  # documents in the rank order of their first hit

    def runs() -> list[list[Chunk]]:
        out = []
        for doc_id in order:
            run: list[Chunk] = []
            for position in sorted(chosen[doc_id]):
                chunk = chosen[doc_id][position]
                if run and (
                    position != run[-1].position + 1
                    or chunk.section != run[-1].section
                    or chunk.page != run[-1].page  # a passage is cited by one page
                ):
                    out.append(run)
                    run = []
                run.append(chunk)
            out.append(run)
        return out

    def cost(run: list[Chunk]) -> int:
        return count_tokens(f"{run[0].heading}\n{joined(run)}")

    def used() -> int:
        return sum(cost(run) for run in runs())

    for hit in hits:
        core = hit.chunk
        if core.position in chosen.get(core.doc_id, {}):
            continue
        options = [window(core), [core]] if window else [[core]]
        for chunks in options:
            added = {c.position: c for c in chunks if c.position not in chosen.get(core.doc_id, {})}
            if core.doc_id not in chosen:
                order.append(core.doc_id)
            chosen.setdefault(core.doc_id, {}).update(added)
            if used() <= budget:
                break
            for position in added:
                del chosen[core.doc_id][position]
            if not chosen[core.doc_id]:
                del chosen[core.doc_id]
                order.remove(core.doc_id)
        else:
            if chosen:
                break  # the budget is full
    # Passages follow the rank of their best hit.
    rank = {h.chunk.id: i for i, h in enumerate(hits)}
    ordered = sorted(runs(), key=lambda run: min(rank.get(c.id, len(rank)) for c in run))
    return [Passage(n, run[0], joined(run)) for n, run in enumerate(ordered, start=1)]


def joined(run: list[Chunk]) -> str:
    """The text of consecutive chunks as the document has it: joined by the white space between
    them, without the characters the chunker repeated, across text left out with any code block
    closed or reopened; a run that starts inside a code block reopens it."""
    fence = run[0].extra.get("in_code")
    text = f"{fence}\n{run[0].text}" if fence else run[0].text
    for chunk in run[1:]:
        joins = chunk.extra
        if "after" in joins:
            text += joins["after"] + chunk.text
        elif "overlap" in joins:
            text += chunk.text[joins["overlap"] :]
        elif "gap" in joins:
            text = _across_gap(text, chunk.text, joins.get("in_code", ""))
        else:
            text = _join_overlapping(text, chunk.text)  # a store from before PIPELINE_VERSION 9
    return text
