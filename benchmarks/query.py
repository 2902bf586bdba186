"""Query benchmark: warm retrieval latency and cold `tutor ask` wall time, each against a baseline.

    python benchmarks/query.py [--questions 200] [--cold-runs 5]

1. Warm retrieval (model loaded, store open, shipped corpus ingested): our hybrid search (dense +
   BM25 + reciprocal-rank fusion) vs the naive LangChain `Chroma.similarity_search` (dense only)
   over the same chunks, timed per question over the eval dataset's questions (cycled).
   Target: our p50 <= 1.5x LangChain's p50.
2. Cold `tutor ask --provider offline` in a fresh process (store already ingested) vs the floor: a
   fresh process that imports sentence-transformers, loads the model and encodes one query.
   Issue 4 target: <= 1.3x the floor; with the ONNX backend (issue 8): <= 0.35x.

Medians and percentiles are computed in the same run; ratios are what to compare across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from tutor.config import SHIPPED_CORPUS_DIR, Settings  # noqa: E402
from tutor.embedders import get_embedder  # noqa: E402
from tutor.embeddings import bundled_model_dir  # noqa: E402
from tutor.retrieval import hybrid_search  # noqa: E402
from tutor.store import Store  # noqa: E402

FLOOR = (
    "import os; os.environ['HF_HUB_OFFLINE']='1'\n"
    "from sentence_transformers import SentenceTransformer\n"
    "m = SentenceTransformer({path!r}, device='cpu')\n"
    "m.encode(['I know pandas but not SQL, what should I do?'], normalize_embeddings=True)\n"
)
QUESTION = "I know pandas but not SQL, what should I do?"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def questions(n: int) -> list[str]:
    dataset = ROOT / "evals" / "datasets" / "roadmap.jsonl"
    if dataset.exists():
        asked = [json.loads(line)["question"] for line in dataset.read_text().splitlines() if line.strip()]
    else:
        asked = [QUESTION, "How long will this take at 2 hours a day?", "What is data leakage?"]
    return [asked[i % len(asked)] for i in range(n)]


def warm_retrieval(store: Store, asked: list[str]) -> tuple[list[float], list[float]]:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    index = store.keyword_index
    texts = index.texts
    lc = Chroma.from_texts(
        texts,
        HuggingFaceEmbeddings(model_name=str(bundled_model_dir()), model_kwargs={"device": "cpu"}),
        client=chromadb.EphemeralClient(),
        collection_name=f"naive-{uuid.uuid4().hex[:8]}",
    )
    for q in asked[:5]:  # warm both paths
        hybrid_search(store, q, 5)
        lc.similarity_search(q, k=5)
    ours, naive = [], []
    for q in asked:  # interleaved, so both see the same machine noise
        start = time.perf_counter()
        hybrid_search(store, q, 5)
        ours.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        lc.similarity_search(q, k=5)
        naive.append((time.perf_counter() - start) * 1000)
    return ours, naive


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), _env_file=None)
        store = Store(settings, get_embedder(settings))
        ingest([str(SHIPPED_CORPUS_DIR)], store)
        ours, naive = warm_retrieval(store, questions(args.questions))

        env = {**os.environ, "TUTOR_DATA_DIR": tmp, "TUTOR_PROVIDER": "offline"}
        tutor_cmd = [sys.executable, "-m", "tutor", "ask", QUESTION, "--provider", "offline"]
        floor_cmd = [sys.executable, "-c", FLOOR.format(path=str(bundled_model_dir()))]
        timed(tutor_cmd, env)  # first run may export/caches; not counted
        cold, floor = [], []
        for _ in range(args.cold_runs):
            cold.append(timed(tutor_cmd, env))
            floor.append(timed(floor_cmd, env))

    p50, lc50 = statistics.median(ours), statistics.median(naive)
    cold50, floor50 = statistics.median(cold), statistics.median(floor)
    backend = getattr(settings, "embedding_backend", "sentence-transformers")
    print(f"\nbackend: {backend}; {len(ours)} warm queries, {args.cold_runs} cold runs\n")
    print("| measurement | p50 | p95 | ratio (p50) | target |")
    print("|---|---|---|---|---|")
    print(
        f"| naive LangChain `similarity_search` (dense only), warm | {lc50:.1f} ms | "
        f"{percentile(naive, 0.95):.1f} ms | 1.00 | baseline |"
    )
    print(
        f"| our hybrid search (dense + BM25 + RRF), warm | {p50:.1f} ms | {percentile(ours, 0.95):.1f} ms | "
        f"{p50 / lc50:.2f}× | ≤ 1.5× |"
    )
    print(f"| floor: import sentence-transformers, load, encode 1 | {floor50:.2f} s | | 1.00 | baseline |")
    print(
        f"| cold `tutor ask --provider offline` | {cold50:.2f} s | | {cold50 / floor50:.2f}× | "
        "≤ 1.3× (ST) · ≤ 0.35× (ONNX) |"
    )


if __name__ == "__main__":
    main()
