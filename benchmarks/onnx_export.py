"""The default ONNX export (eager attention) against the previous one (transformers' default, sdpa
attention), on real chunks.

    python benchmarks/onnx_export.py --suite sklearn --sample 400 --runs 5
    python benchmarks/onnx_export.py --int8 --sample 300 --runs 3   # int8 graphs against fp32

Ingests the suite's documents once (its chunks' index text is what ingestion embeds), exports the
model each way, then embeds a fixed sample of those texts with each graph in turn, interleaved run
by run so that a noisy machine slows all alike. Prints the median seconds of each, the ratio to the
previous export and the lowest cosine between its vectors and the default's (the same: ≥ 0.99999).
With --int8 the baseline is the default fp32 graph and the others are its int8 quantisations: one
scale per weight tensor (the earlier TUTOR_ONNX_QUANTIZE) and one per output channel (today's),
with the mean cosine as well.
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

import numpy as np  # noqa: E402

from evals.suites import SUITES  # noqa: E402
from ingest.pipeline import ingest  # noqa: E402
from tutor.config import Settings  # noqa: E402
from tutor.embedders import get_embedder  # noqa: E402
from tutor.embeddings import bundled_model_dir  # noqa: E402
from tutor.onnx_embedder import OnnxEmbedder, export_onnx, quantize  # noqa: E402
from tutor.store import Store  # noqa: E402
from tutor.types import Chunk  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--suite", choices=sorted(SUITES), default="sklearn")
    parser.add_argument("--sample", type=int, default=400, help="chunks embedded per run (0: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--int8", action="store_true", help="compare the int8 graphs with fp32")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    settings = Settings(data_dir=work / "data", cache_dir=work / "cache", _env_file=None)
    embedder = get_embedder(settings)  # as ingestion builds it (its batch size)
    assert isinstance(embedder, OnnxEmbedder)
    store = Store(settings, embedder)
    ingest(SUITES[args.suite].documents(settings), store)
    index = store.keyword_index
    texts = [Chunk.from_record("", t, m).index_text() for t, m in zip(index.texts, index.metas, strict=True)]
    if args.sample and args.sample < len(texts):
        picked = np.random.default_rng(0).choice(len(texts), args.sample, replace=False)
        texts = [texts[i] for i in sorted(picked)]
    default_path, _ = embedder._ensure_file()
    if args.int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        per_tensor = work / "int8-per-tensor.onnx"
        quantize_dynamic(str(default_path), str(per_tensor), weight_type=QuantType.QInt8)
        quantize(default_path, work / "int8-per-channel.onnx")
        reference, baseline_name = "default: fp32", "default: fp32"
        sessions = {
            reference: embedder._open(default_path),
            "int8, one scale per tensor (before)": embedder._open(per_tensor),
            "int8, per channel (TUTOR_ONNX_QUANTIZE now)": embedder._open(work / "int8-per-channel.onnx"),
        }
    else:
        previous_path = work / "sdpa.onnx"
        export_onnx(bundled_model_dir(), previous_path, attention="sdpa")
        reference, baseline_name = "default: eager attention", "previous: sdpa attention"
        sessions = {
            baseline_name: embedder._open(previous_path),
            reference: embedder._open(default_path),
        }
    seconds: dict[str, list[float]] = {name: [] for name in sessions}
    vectors = {}
    for _ in range(args.runs):
        for name, session in sessions.items():
            embedder.__dict__["session"] = session
            start = time.perf_counter()
            vectors[name] = embedder.embed(texts)
            seconds[name].append(time.perf_counter() - start)
    default = vectors[reference]
    baseline = statistics.median(seconds[baseline_name])
    print(f"\n{args.suite}: {len(texts)} chunks, batch {embedder.batch_size}, {args.runs} runs, medians\n")
    print("| graph | seconds | ratio | cosine to the default's vectors: lowest / mean |\n|---|---|---|---|")
    for name, runs in seconds.items():
        median = statistics.median(runs)
        cosines = (vectors[name] * default).sum(axis=1)
        cosine = f"{cosines.min():.7f} / {cosines.mean():.5f}"
        print(f"| {name} | {median:.2f} | {median / baseline:.2f}× | {cosine} |")


if __name__ == "__main__":
    main()
