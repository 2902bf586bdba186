"""The offline answerer: composes a cited answer from the best sentences of the retrieved passages.

No network and no LLM: each sentence is scored by embedding similarity to the question plus keyword
overlap, near-duplicates are skipped, and the chosen sentences are put back in reading order, each
followed by the number of the passage it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

from tutor.embeddings import Embedder
from tutor.grounding import clean, content_words, split_sentences
from tutor.llm.base import Answerer, Message
from tutor.types import Passage

MAX_SENTENCES = 5
MAX_WORDS = 140
DUPLICATE = 0.9  # cosine above which two sentences say the same thing
SIMILARITY_WEIGHT = 0.7


def table_rows(text: str) -> dict[str, str]:
    """Markdown table rows rewritten as readable sentences, keyed by the raw row."""
    rows: dict[str, str] = {}
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.strip().startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            continue
        if header is None:
            header = cells
            continue
        parts = [f"{h}: {c}" if h else c for h, c in zip(header[1:], cells[1:], strict=False) if c]
        rows[line.strip()] = f"{cells[0]} — " + "; ".join(parts) + "."
    return rows


def candidate_sentences(passages: Sequence[Passage]) -> list[tuple[int, int, str]]:
    """(passage n, position, sentence) for every usable sentence of the passages."""
    out = []
    for p in passages:
        rows = table_rows(p.text)
        for position, sentence in enumerate(split_sentences(p.text)):
            text = rows.get(sentence.strip()) or clean(sentence)
            text = re.sub(r"\s+", " ", text).strip()
            if len(content_words(text)) >= 3 and not text.endswith(":"):
                out.append((p.n, position, text))
    return out


class OfflineAnswerer(Answerer):
    name = "offline"

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def select(self, question: str, passages: Sequence[Passage]) -> list[tuple[int, int, str]]:
        candidates = candidate_sentences(passages)
        if not candidates:
            return []
        query = self.embedder.embed_query(question)
        sentence_vectors = self.embedder.embed_cached([c[2] for c in candidates])
        terms = content_words(question)
        rank_of = {p.n: i for i, p in enumerate(passages)}
        scores = []
        for (n, _, text), vector in zip(candidates, sentence_vectors, strict=True):
            overlap = len(terms & content_words(text)) / len(terms) if terms else 0.0
            score = SIMILARITY_WEIGHT * float(vector @ query) + (1 - SIMILARITY_WEIGHT) * overlap
            scores.append(score - 0.02 * rank_of[n])  # a slight preference for better-ranked passages
        chosen: list[int] = []
        words = 0
        for i in np.argsort(scores)[::-1]:
            if len(chosen) >= MAX_SENTENCES or words >= MAX_WORDS:
                break
            if chosen and scores[i] < 0.5 * scores[chosen[0]]:
                break  # the rest is much weaker than the best: leave it out
            if any(float(sentence_vectors[i] @ sentence_vectors[j]) > DUPLICATE for j in chosen):
                continue
            chosen.append(int(i))
            words += len(candidates[i][2].split())
        return sorted((candidates[i] for i in chosen), key=lambda c: (rank_of[c[0]], c[1]))

    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Message]) -> Iterator[str]:
        selected = self.select(question, passages)
        for index, (n, _, text) in enumerate(selected):
            sentence = text if text[-1] in ".!?" else text + "."
            body, end = sentence[:-1], sentence[-1]
            prefix = "" if index == 0 else "\n\n" if selected[index - 1][0] != n else " "
            yield f"{prefix}{body} [{n}]{end}"
