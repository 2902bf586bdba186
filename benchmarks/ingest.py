"""Ingest benchmark: our pipeline vs the naive LangChain pipeline vs the raw encode of our chunks.

    python benchmarks/ingest.py --suite seeds [--runs 3] [--backend onnx|sentence-transformers]
    python benchmarks/ingest.py --suite sklearn --runs 3       # 49 HTML pages of the sklearn guide
    TUTOR_ONNX_QUANTIZE=true python benchmarks/ingest.py ...   # the int8 model
    python benchmarks/ingest.py PATH [PATH ...]                  # any files or folders

Ingests the documents of an eval suite (evals/suites.py) or the given paths with the configured
embedding backend (ONNX by default); the baselines use sentence-transformers. Reports medians over
--runs and ratios computed in the same run:

- where our time goes: read, extract (HTML/PDF to text), chunk (incl. token counting), embed, write,
  keyword index;
- ours / raw encode: the pipeline vs only encoding its chunks with sentence-transformers;
- ours / LangChain (in process, models loaded): RecursiveCharacterTextSplitter 1000/200 + Chroma;
- re-ingest / first: nothing changed, everything skipped (target <= 0.05);
- whole process: `tutor ingest` in a fresh process into a new data dir, in the usual case (the ONNX
  export already in the user cache) and the first-ever case (an empty cache: the export included),
  vs a fresh process running the naive LangChain pipeline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import naive  # noqa: E402
from evals.suites import SUITES  # noqa: E402
from ingest.pipeline import ingest  # noqa: E402
from tutor.config import Settings  # noqa: E402
from tutor.embedders import get_embedder  # noqa: E402
from tutor.embeddings import SentenceTransformerEmbedder  # noqa: E402
from tutor.store import Store  # noqa: E402
from tutor.types import Chunk  # noqa: E402

STAGES = ("read", "extract", "chunk", "embed", "write", "index")


def timed_process(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", help="files or folders (besides --suite)")
    parser.add_argument("--suite", choices=sorted(SUITES), help="the documents of an eval suite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", default="onnx", choices=["onnx", "sentence-transformers"])
    args = parser.parse_args()
    base = Settings(_env_file=None)
    inputs = [*(SUITES[args.suite].documents(base) if args.suite else []), *args.paths]
    if not inputs:
        parser.error("give --suite or paths")
    files = naive.files_of(inputs)

    reference = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    model = reference.model  # load once, outside every timing
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))  # the user cache: the ONNX export, once
    settings = Settings(cache_dir=cache, embedding_backend=args.backend, _env_file=None)
    embedder = get_embedder(settings)
    embedder.embed(["warm up"])
    lc_embeddings = naive.embeddings(str(reference.model_dir))

    ours, reingest, raw, lc = [], [], [], []
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(settings.model_copy(update={"data_dir": Path(tmp)}), embedder)
            start = time.perf_counter()
            report = ingest(inputs, store)
            ours.append(time.perf_counter() - start)
            for stage in STAGES:
                stages[stage].append(report.stages_ms.get(stage, 0.0) / 1000)
            start = time.perf_counter()
            again = ingest(inputs, store)
            reingest.append(time.perf_counter() - start)
            assert not again.added and not again.updated, "re-ingest should skip everything"
            index = store.keyword_index
            texts = [
                Chunk.from_record("", t, m).index_text()
                for t, m in zip(index.texts, index.metas, strict=True)
            ]
        start = time.perf_counter()
        model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        raw.append(time.perf_counter() - start)
        start = time.perf_counter()
        baseline = naive.build(files, lc_embeddings)
        lc.append(time.perf_counter() - start)
        print(
            f"run {run + 1}: ours {ours[-1]:.2f}s ({report.chunks} chunks, {len(report.failed)} failed), "
            f"re-ingest {reingest[-1]:.2f}s, raw encode {raw[-1]:.2f}s, "
            f"LangChain {lc[-1]:.2f}s ({len(baseline.texts)} chunks)",
            file=sys.stderr,
        )

    whole_usual, whole_first, whole_lc = [], [], []
    tutor_ingest = [sys.executable, "-m", "tutor", "ingest", *inputs, "--data-dir"]
    naive_script = [sys.executable, __file__, "--naive-process", str(reference.model_dir), *map(str, files)]
    env = {**os.environ, "TUTOR_EMBEDDING_BACKEND": args.backend, "TUTOR_CACHE_DIR": str(cache)}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            whole_usual.append(timed_process([*tutor_ingest, tmp], env))
        if run == 0 or args.runs > 2:  # the export is slow: at most a few first-ever runs
            with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as empty:
                whole_first.append(timed_process([*tutor_ingest, tmp], {**env, "TUTOR_CACHE_DIR": empty}))
        whole_lc.append(timed_process(naive_script, env))

    med = {
        name: statistics.median(values)
        for name, values in {
            "ours": ours,
            "re": reingest,
            "raw": raw,
            "lc": lc,
            "usual": whole_usual,
            "first": whole_first,
            "wl": whole_lc,
        }.items()
    }
    label = args.suite or ", ".join(args.paths)
    backend = args.backend + (" int8" if args.backend == "onnx" and settings.onnx_quantize else "")
    print(f"\n{label}: {len(files)} files, {args.runs} runs, medians, backend {backend}\n")
    print("| stage of our pipeline | seconds | share |")
    print("|---|---|---|")
    for stage in STAGES:
        seconds = statistics.median(stages[stage])
        print(f"| {stage} | {seconds:.2f} | {seconds / med['ours']:.0%} |")
    print("\n| measurement | seconds | ratio | target |")
    print("|---|---|---|---|")
    print(f"| raw `SentenceTransformer.encode` of our chunks | {med['raw']:.2f} | 1.00 | baseline |")
    print(f"| our pipeline, models loaded | {med['ours']:.2f} | {med['ours'] / med['raw']:.2f}× raw | |")
    print(
        f"| naive LangChain, models loaded | {med['lc']:.2f} | ours = {med['ours'] / med['lc']:.2f}× "
        "LangChain | < 1× |"
    )
    print(
        f"| re-ingest, nothing changed | {med['re']:.2f} | {med['re'] / med['ours']:.3f}× first | ≤ 0.05× |"
    )
    print(f"| whole process: naive LangChain script | {med['wl']:.2f} | 1.00 | baseline |")
    print(
        f"| whole process: `tutor ingest`, export in the user cache | {med['usual']:.2f} | "
        f"{med['usual'] / med['wl']:.2f}× LangChain | ≤ 0.6× (seeds), ≤ 0.75× (sklearn) |"
    )
    print(
        f"| whole process: `tutor ingest`, first ever (export included) | {med['first']:.2f} | "
        f"{med['first'] / med['wl']:.2f}× LangChain | |"
    )


def naive_process(model_dir: str, files: list[str]) -> None:
    """The naive LangChain pipeline as a fresh process does it: imports, model load, split, store."""
    naive.build([Path(f) for f in files], naive.embeddings(model_dir))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--naive-process":
        os.environ["HF_HUB_OFFLINE"] = "1"
        naive_process(sys.argv[2], sys.argv[3:])
    else:
        main()
