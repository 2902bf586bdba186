"""Ingest benchmark: our pipeline vs the naive LangChain pipeline vs the raw encode of our chunks.

    python benchmarks/ingest.py ../shared/seeds [--runs 3] [--backend onnx|sentence-transformers]

Ingests the given folder(s) plus the shipped corpus with the configured embedding backend (ONNX by
default); the baselines use sentence-transformers. Models are loaded before timing starts (model load
excluded). Reports medians over --runs and ratios computed in the same run:

- ours / raw encode   sentence-transformers backend: <= 1.15 (pipeline vs only encoding its chunks);
                      ONNX backend: raw encode / ours >= 1.4 (ONNX faster than ST's encode)
- ours / LangChain    target < 1 (RecursiveCharacterTextSplitter 1000/200 + Chroma.from_texts)
- re-ingest / first   target <= 0.05 (nothing changed: everything is skipped)
- whole process: `tutor ingest` in a fresh process (imports, model load, everything) vs a fresh
  process running the naive LangChain pipeline; ONNX target <= 0.75
"""

from __future__ import annotations

import argparse
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

from ingest.loaders import KINDS  # noqa: E402
from ingest.pipeline import ingest  # noqa: E402
from tutor.config import SHIPPED_CORPUS_DIR, Settings  # noqa: E402
from tutor.embeddings import SentenceTransformerEmbedder, get_embedder  # noqa: E402
from tutor.store import Store  # noqa: E402


def naive_langchain(files: list[Path], embeddings) -> tuple[float, int]:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    start = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts = [
        piece for f in files for piece in splitter.split_text(f.read_text(encoding="utf-8", errors="replace"))
    ]
    client = chromadb.EphemeralClient()
    Chroma.from_texts(texts, embeddings, client=client, collection_name=f"naive-{uuid.uuid4().hex[:8]}")
    return time.perf_counter() - start, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", help="folders to ingest besides the shipped corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", default="onnx", choices=["onnx", "sentence-transformers"])
    args = parser.parse_args()
    inputs = [*args.paths, str(SHIPPED_CORPUS_DIR)]
    files = [p for path in inputs for p in sorted(Path(path).rglob("*")) if p.suffix.lower() in KINDS]

    reference = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    model = reference.model  # load once, outside every timing
    cache = tempfile.mkdtemp(prefix="bench-onnx-")  # the exported ONNX model, reused by every run
    settings = Settings(data_dir=Path(cache), embedding_backend=args.backend, _env_file=None)
    embedder = get_embedder(settings)
    embedder.embed(["warm up"])
    from langchain_huggingface import HuggingFaceEmbeddings

    lc_embeddings = HuggingFaceEmbeddings(
        model_name=str(reference.model_dir), model_kwargs={"device": "cpu"}, encode_kwargs={"batch_size": 64}
    )

    ours, reingest, raw, naive, embed_only = [], [], [], [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(settings.model_copy(update={"data_dir": Path(tmp)}), embedder)
            start = time.perf_counter()
            report = ingest(inputs, store)
            ours.append(time.perf_counter() - start)
            embed_only.append(report.embed_seconds)
            start = time.perf_counter()
            again = ingest(inputs, store)
            reingest.append(time.perf_counter() - start)
            assert not again.added and not again.updated, "re-ingest should skip everything"
            texts = store.keyword_index.texts
            metas = store.keyword_index.metas
            from tutor.types import Chunk

            chunk_texts = [
                Chunk.from_record("", t, m).index_text() for t, m in zip(texts, metas, strict=True)
            ]
        start = time.perf_counter()
        model.encode(chunk_texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        raw.append(time.perf_counter() - start)
        seconds, naive_chunks = naive_langchain(files, lc_embeddings)
        naive.append(seconds)
        print(
            f"run {run + 1}: ours {ours[-1]:.2f}s ({report.chunks} chunks, {len(report.failed)} failed), "
            f"re-ingest {reingest[-1]:.2f}s, raw encode {raw[-1]:.2f}s, "
            f"LangChain {naive[-1]:.2f}s ({naive_chunks} chunks)",
            file=sys.stderr,
        )

    whole_ours, whole_lc = [], []
    env = {**os.environ, "TUTOR_EMBEDDING_BACKEND": args.backend}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            if args.backend == "onnx":
                reuse_export(cache, tmp)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "tutor", "ingest", *inputs, "--data-dir", tmp],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            whole_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--naive-process", str(reference.model_dir), *map(str, files)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        whole_lc.append(time.perf_counter() - start)

    med = {
        k: statistics.median(v)
        for k, v in {
            "ours": ours,
            "emb": embed_only,
            "re": reingest,
            "raw": raw,
            "lc": naive,
            "wo": whole_ours,
            "wl": whole_lc,
        }.items()
    }
    print(f"\n{len(files)} files, {args.runs} runs, medians (model load excluded)\n")
    print("| measurement | seconds | ratio | target |")
    print("|---|---|---|---|")
    print(f"| raw `SentenceTransformer.encode` of our chunks | {med['raw']:.2f} | 1.00 | baseline |")
    print(
        f"| our pipeline (read, chunk, embed, write, keyword index) | {med['ours']:.2f} | "
        f"{med['ours'] / med['raw']:.2f}× raw | ≤ 1.15× raw |"
    )
    print(
        f"| naive LangChain (splitter 1000/200 + Chroma.from_texts) | {med['lc']:.2f} | "
        f"ours = {med['ours'] / med['lc']:.2f}× LangChain | < 1× |"
    )
    print(
        f"| re-ingest, nothing changed | {med['re']:.2f} | {med['re'] / med['ours']:.3f}× first | ≤ 0.05× |"
    )
    print(
        f"| our embedding step alone ({args.backend}, inside the pipeline) | {med['emb']:.2f} | "
        f"raw / ours = {med['raw'] / med['emb']:.2f}× faster | ≥ 1.4× (ONNX) |"
    )
    print(f"| whole process: naive LangChain script | {med['wl']:.2f} | 1.00 | baseline |")
    print(
        f"| whole process: `tutor ingest` (fresh store) | {med['wo']:.2f} | {med['wo'] / med['wl']:.2f}× "
        "LangChain | ≤ 0.75× (ONNX) |"
    )
    print(f"\nbackend: {args.backend}; raw ST encode / ours = {med['raw'] / med['ours']:.2f}× (ONNX: ≥ 1.4×)")


def reuse_export(cache: str, data_dir: str) -> None:
    """Hard-link the exported model into a fresh data dir, as a previous run would have left it."""
    target = Path(data_dir) / "onnx"
    target.mkdir(parents=True)
    for f in (Path(cache) / "onnx").iterdir():
        os.link(f, target / f.name)


def naive_process(model_dir: str, files: list[str]) -> None:
    """The naive LangChain pipeline as a fresh process does it: imports, model load, split, store."""
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(model_name=model_dir, model_kwargs={"device": "cpu"})
    naive_langchain([Path(f) for f in files], embeddings)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--naive-process":
        os.environ["HF_HUB_OFFLINE"] = "1"
        naive_process(sys.argv[2], sys.argv[3:])
    else:
        main()
