"""The offline judge against the bag-of-words judge it replaced, on the labelled calibration pairs.

    python benchmarks/judge.py [--split dev|test|all] [--set evals/datasets/judge.jsonl] [--repeat 3]

Every sentence is judged as an answer's grounding report would judge it: the embedding model loaded
(ONNX), the cited passages' sentence vectors already in `Embedder.embed_cached` (the offline answerer
and earlier sentences put them there), the sentence itself new (its vector is computed each time it
is needed, never cached), and its passages read afresh (in an answer, later sentences citing the same
passage find it already read: this is the worst case). Printed per judge: median, p90 and mean time
per sentence, the ratio to the baseline's median, and accuracy, unsupported recall and supported
precision on the split; beside them, the time to embed one sentence (what a judge that embeds every
sentence cannot go below).

Baseline: the judge of tutor/grounding.py before issue 13 (numbers, key terms and absolutes must
appear in the cited passages; a sentence with enough new content words is rejected; otherwise
supported on word overlap or embedding cosine), kept here verbatim as `bag_of_words_judge`.
Tune nothing on `--split test`: it is for reporting.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.dataset import DEFAULT_CALIBRATION, load_calibration  # noqa: E402
from evals.run import Tally  # noqa: E402
from tutor.config import Settings  # noqa: E402
from tutor.embedders import get_embedder  # noqa: E402
from tutor.entailment import read_passage  # noqa: E402
from tutor.grounding import (  # noqa: E402
    DASHES,
    STOPWORDS,
    WORD,
    check_sentence,
    clean,
    content_words,
    normalise,
    split_sentences,
    strip_citations,
)

# --- the baseline: tutor/grounding.py's judge before issue 13 ------------------------------------

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
DURATION = re.compile(r"(\d+(?:[.,]\d+)*)\s+(hour|day|week|month|year)")
SEMANTIC_FLOOR, OVERLAP_FLOOR = 0.55, 0.6
_NUMBERS = "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty"
NUMBER_WORDS = frozenset(f"{_NUMBERS} fifty sixty hundred thousand million".split())
ABSOLUTES = frozenset(["always", "never", "best", "worst", "every", "none"])
HEDGES = frozenset(["about", "roughly", "approximately", "around", "mostly", "because"])
NOVEL_MIN, NOVEL_SHARE = 3, 0.3


def key_terms(sentence: str) -> set[str]:
    words = [w.removesuffix("'s") for w in WORD.findall(sentence)]
    terms = {w for i, w in enumerate(words) if i > 0 and w[0].isupper() and w.lower() not in STOPWORDS}
    terms |= {w for w in words if len(w) > 1 and any(c.isupper() for c in w[1:])}
    terms |= {w for w in words if any(c.isdigit() for c in w) or w.lower() in NUMBER_WORDS}
    return terms


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def stems(text: str) -> set[str]:
    words = [w.removesuffix("'s") for w in content_words(text) if w not in HEDGES]
    return set(_stemmer().stemWords(words))


def bag_of_words_judge(sentence: str, cited: Sequence[str], embed=None) -> tuple[bool, str]:
    claim = clean(strip_citations(sentence))
    if not cited:
        return False, "no citation"
    haystack = normalise(" ".join(cited))
    for number in NUMBER.findall(claim):
        if number not in haystack:
            return False, f"number {number} is not in the cited passages"
    for amount, unit in DURATION.findall(claim.lower()):
        if f"{amount} {unit}" not in haystack:
            return False, f"'{amount} {unit}' is not in the cited passages"
    for term in key_terms(claim):
        if term.lower().translate(DASHES) not in haystack:
            return False, f"'{term}' is not in the cited passages"
    present = set(WORD.findall(haystack))
    for word in WORD.findall(claim.lower()):
        if word in ABSOLUTES and word not in present:
            return False, f"'{word}' is not in the cited passages"
    words = stems(claim)
    novel = words - stems(haystack)
    if len(novel) >= NOVEL_MIN and len(novel) / len(words) > NOVEL_SHARE:
        return False, "says what the cited passages do not"
    if words and 1 - len(novel) / len(words) >= OVERLAP_FLOOR:
        return True, ""
    if embed is not None:
        candidates = [s for text in cited for s in split_sentences(text)] or list(cited)
        vectors = embed([claim, *candidates])
        if float(np.max(vectors[1:] @ vectors[0])) >= SEMANTIC_FLOOR:
            return True, ""
    return False, "not close enough in meaning to the cited passages"


# --- the measurement ---------------------------------------------------------------------------


def answer_embed(embedder) -> Callable[[list[str]], np.ndarray]:
    """Vectors as an answer's check has them: the passages' sentences cached, the sentence new."""

    def embed(texts: list[str]) -> np.ndarray:
        return np.vstack([embedder.embed([texts[0]]), embedder.embed_cached(texts[1:])])

    return embed


def measure(judge, pairs, embed, repeat: int) -> tuple[list[float], Tally]:
    times: list[float] = []
    tally = Tally()
    for pair in pairs:
        best = float("inf")
        for _ in range(repeat):  # the least disturbed of a few runs: the machine is shared
            read_passage.cache_clear()  # each sentence reads its passages afresh (the worst case)
            start = time.perf_counter()
            verdict, _ = judge(pair.sentence, pair.cited, embed)
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
        tally.add(verdict, pair.supported)
    return times, tally


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--set", type=Path, default=DEFAULT_CALIBRATION, help="labelled pairs (JSONL)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per sentence (the fastest counts)")
    args = parser.parse_args()

    pairs = [p for p in load_calibration(args.set) if args.split == "all" or p.split in (args.split, None)]
    with tempfile.TemporaryDirectory() as data_dir:
        embedder = get_embedder(Settings(data_dir=Path(data_dir), _env_file=None))
        embedder.embed(["warm up"])
        for pair in pairs:  # what the offline answerer (or an earlier sentence) already embedded
            embedder.embed_cached([s for p in pair.cited for s in split_sentences(p)])
        embed = answer_embed(embedder)
        one = []
        for pair in pairs[:50]:
            start = time.perf_counter()
            embedder.embed([clean(strip_citations(pair.sentence))])
            one.append((time.perf_counter() - start) * 1000)
        results = {
            "bag of words (before)": measure(bag_of_words_judge, pairs, embed, args.repeat),
            "offline judge (now)": measure(check_sentence, pairs, embed, args.repeat),
        }
    base = statistics.median(results["bag of words (before)"][0])
    print(f"{len(pairs)} sentences ({args.set.name}, split {args.split}), ms per sentence, model loaded")
    header = f"{'judge':24} {'median':>7} {'p90':>7} {'mean':>7} {'ratio':>6}"
    print(f"{header}  {'acc':>5} {'uns.rec':>7} {'sup.prec':>8}")
    for name, (times, t) in results.items():
        p90 = statistics.quantiles(times, n=10)[-1]
        print(
            f"{name:24} {statistics.median(times):7.2f} {p90:7.2f} {statistics.mean(times):7.2f} "
            f"{statistics.median(times) / base:6.2f}  {t.accuracy:5.3f} {t.unsupported_recall or 0:7.3f} "
            f"{t.supported_precision or 0:8.3f}"
        )
    print(f"{'embed one sentence':24} {statistics.median(one):7.2f}  (reference: ONNX MiniLM, batch of 1)")


if __name__ == "__main__":
    main()
