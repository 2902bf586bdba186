"""Retrieval side by side: tutor vs the naive tutorial pipelines, same documents, same questions.

    python benchmarks/retrieval.py --suite sklearn [--split test] [--data-dir .tutor-bench]

For one eval suite (roadmap, seeds or sklearn: see evals/suites.py), every answerable question is
retrieved three ways:

- tutor: its own store (structural chunks, hybrid dense + BM25 + RRF, context assembly), the
  passages exactly as the answerer gets them;
- naive dense: the LangChain tutorial pipeline: the pages' text (HTML reduced to its text as
  BeautifulSoup's get_text would), RecursiveCharacterTextSplitter(1000, 200), the same MiniLM through
  HuggingFaceEmbeddings, Chroma, `similarity_search`;
- naive RRF: the same chunks, dense and rank_bm25 (BM25Okapi, lower-cased word tokens) rankings
  fused by reciprocal rank (k = 60).

All three get the same query (tutor's standalone query: a follow-up is condensed with its history
first). Relevance is the eval's: a passage from an expected source that holds an answer key. Printed:
hit@5, MRR@10, context hit@1500 / @3000 (an answer key in the first N characters of the passages in
order; for the naive pipelines, their top 10 chunks joined) and the p50 retrieval latency. Needs the
bench extras: pip install -e ".[bench]".
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import naive  # noqa: E402
from evals import metrics as m  # noqa: E402
from evals.dataset import load_dataset  # noqa: E402
from evals.run import EvalProgress, prepare_suite, select  # noqa: E402
from evals.runner import is_relevant  # noqa: E402
from evals.suites import SUITES  # noqa: E402
from tutor.chain import Tutor  # noqa: E402
from tutor.config import Settings  # noqa: E402
from tutor.embeddings import bundled_model_dir  # noqa: E402

DEPTH = 10


def score(item, ranked: list[tuple[str, str]], context: str) -> dict[str, float]:
    relevance = [int(is_relevant(item, source, text)) for source, text in ranked]
    return {
        "hit@5": m.hit_at_k(relevance, 5),
        "MRR@10": m.mrr_at_k(relevance, DEPTH),
        "context hit@1500": float(m.key_hit(context[:1500], item.answer_keys)),
        "context hit@3000": float(m.key_hit(context[:3000], item.answer_keys)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--suite", default="seeds", choices=sorted(SUITES))
    parser.add_argument("--split", default="all", choices=["dev", "test", "all"])
    parser.add_argument("--data-dir", type=Path, help="where tutor's store for the suite is kept")
    args = parser.parse_args()
    suite = SUITES[args.suite]
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    settings = Settings(data_dir=data_dir, provider="offline", _env_file=None)
    items = [i for i in select(load_dataset(suite.dataset), args.split) if i.answerable and i.answer_keys]

    tutor = Tutor.from_settings(settings, store=prepare_suite(settings, suite, EvalProgress()))
    baseline = naive.build(
        naive.files_of(suite.documents(settings)), naive.embeddings(str(bundled_model_dir()))
    )
    rows: dict[str, list[dict[str, float]]] = {"tutor": [], "naive dense": [], "naive RRF": []}
    latency: dict[str, list[float]] = {name: [] for name in rows}
    for item in items:
        history = [t.model_dump() for t in item.history]
        query = tutor.answerer.condense(item.question, history) if history else item.question  # as gather
        start = time.perf_counter()
        context = tutor.gather(query)
        latency["tutor"].append(time.perf_counter() - start)
        ranked = [(h.chunk.source, h.chunk.text) for h in tutor.retrieve(query, DEPTH)]
        rows["tutor"].append(score(item, ranked, "\n".join(p.text for p in context.passages)))
        for name, method in (("naive dense", baseline.dense), ("naive RRF", baseline.rrf)):
            start = time.perf_counter()
            ids = method(query, DEPTH)
            latency[name].append(time.perf_counter() - start)
            ranked = [(baseline.sources[i], baseline.texts[i]) for i in ids]
            rows[name].append(score(item, ranked, "\n".join(baseline.texts[i] for i in ids)))

    metrics = list(rows["tutor"][0])
    print(f"\n{args.suite} ({args.split}): {len(items)} answerable questions\n")
    print("| pipeline | " + " | ".join(metrics) + " | p50 ms |")
    print("|---|" + "---|" * (len(metrics) + 1))
    for name, scores in rows.items():
        means = [statistics.fmean(s[k] for s in scores) for k in metrics]
        p50 = statistics.median(latency[name]) * 1000
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in means) + f" | {p50:.1f} |")
    tutor_mrr = statistics.fmean(s["MRR@10"] for s in rows["tutor"])
    rrf_mrr = statistics.fmean(s["MRR@10"] for s in rows["naive RRF"])
    print(f"\ntutor MRR@10 − naive RRF MRR@10 = {tutor_mrr - rrf_mrr:+.3f}")


if __name__ == "__main__":
    main()
