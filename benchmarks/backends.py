"""Retrieval quality and query speed per embedding backend, on the shipped eval dataset.

    python benchmarks/backends.py

Runs `tutor eval` (offline answerer) once per backend, each on a fresh store: sentence-transformers
(the reference), ONNX fp32 (the default) and ONNX int8 (TUTOR_ONNX_QUANTIZE). Prints the retrieval
and answer metrics side by side, and the median query-embedding time in-process. fp32 ONNX must
match sentence-transformers; int8 ships only if its metrics do not drop.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.runner import METRICS as RUN_METRICS  # noqa: E402
from tutor.config import Settings  # noqa: E402
from tutor.embedders import get_embedder  # noqa: E402

BACKENDS = {
    "sentence-transformers": {"TUTOR_EMBEDDING_BACKEND": "sentence-transformers"},
    "onnx fp32": {"TUTOR_EMBEDDING_BACKEND": "onnx"},
    "onnx int8": {"TUTOR_EMBEDDING_BACKEND": "onnx", "TUTOR_ONNX_QUANTIZE": "true"},
}
METRICS = [m for m in RUN_METRICS if not m.startswith("citation") and m != "faithfulness"]


def query_ms(env: dict[str, str], data_dir: str) -> float:
    settings = Settings(
        data_dir=Path(data_dir),
        embedding_backend=env["TUTOR_EMBEDDING_BACKEND"],
        onnx_quantize=env.get("TUTOR_ONNX_QUANTIZE") == "true",
        _env_file=None,
    )
    embedder = get_embedder(settings)
    embedder.embed(["warm up"])
    times = []
    for i in range(100):
        start = time.perf_counter()
        embedder._encode_batch([f"How long does step {i} of the roadmap take?"])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    rows = {}
    for name, extra in BACKENDS.items():
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, **extra, "TUTOR_PROVIDER": "offline"}
            report = Path(tmp) / "report.json"
            subprocess.run(
                [sys.executable, "-m", "tutor", "eval", "--data-dir", tmp, "--report-json", str(report)],
                env=env,
                cwd=ROOT,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            summary = json.loads(report.read_text())["summary"]
            rows[name] = (summary, query_ms(extra, tmp))
        print(f"{name}: done", file=sys.stderr)
    print("\n| metric | " + " | ".join(rows) + " |")
    print("|---|" + "---|" * len(rows))
    for metric in METRICS:
        print(
            f"| {metric} | "
            + " | ".join(f"{s.get(metric, float('nan')):.3f}" for s, _ in rows.values())
            + " |"
        )
    print("| query embedding, median ms | " + " | ".join(f"{ms:.1f}" for _, ms in rows.values()) + " |")


if __name__ == "__main__":
    main()
