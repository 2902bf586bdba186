"""The ONNX Runtime embedder: the default backend. Questions need only onnxruntime + tokenizers.

On first use the sentence-transformers model (transformer, pooling and normalisation, exactly as
sentence-transformers computes the embedding) is exported once with torch's ONNX exporter into the
user's cache (`TUTOR_CACHE_DIR/onnx/`, shared by every data dir), keyed by the model's identity (its
folder and a hash of its weights). A file lock keeps two first runs from exporting twice; the file
is written to a temporary name and renamed when complete; a file whose size or model identity does
not match its record, or that ONNX Runtime cannot load, is rebuilt. If the export fails, the
embedder falls back to sentence-transformers with a warning.

The model is exported with transformers' eager attention rather than its default (sdpa): the same
vectors (cosine ≥ 0.999999) in 0.85× the time on a CPU (benchmarks/onnx_export.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import warnings
from functools import cached_property
from pathlib import Path

import numpy as np

from tutor.embeddings import Embedder, SentenceTransformerEmbedder, load_tokenizer, resolve_model
from tutor.errors import ConfigError

log = logging.getLogger("tutor")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
FORMAT = 2  # bump when the export itself changes (2: eager attention)


class ExportError(Exception):
    """The model could not be exported to ONNX."""


def weights_hash(model_dir: Path, cache_dir: Path) -> str:
    """sha256 of the model's weights and configs; cached per (path, size, mtime) so it is cheap."""
    files = sorted(
        p
        for p in model_dir.rglob("*")
        if p.is_file() and (p.suffix in (".json", ".txt") or p.name in WEIGHT_FILES)
    )
    stamp = "|".join(f"{p.relative_to(model_dir)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    memo = cache_dir / "weights-hashes.json"
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        known = {}
    key = f"{model_dir}|{stamp}"
    if key in known:
        return known[key]
    digest = hashlib.sha256()
    for p in files:
        digest.update(str(p.relative_to(model_dir)).encode())
        with p.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    known[key] = digest.hexdigest()[:16]
    with contextlib.suppress(OSError):  # only a memo: an unwritable folder is reported by the export
        atomic_write(memo, json.dumps(known).encode())
    return known[key]


@contextlib.contextmanager
def replacing(target: Path):
    """A temporary path beside `target`, renamed over it only when the block completes: readers
    never see a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    with replacing(path) as tmp:
        Path(tmp).write_bytes(data)


def export_onnx(model_dir: Path, target: Path, *, attention: str = "eager") -> None:
    """Export the sentence-transformers model at `model_dir` (all of its modules) to `target`.
    `attention="sdpa"` is transformers' default, which the export used before (benchmarks/
    onnx_export.py compares them)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # our own progress bars are enough
        # eager attention exports plain matrix products, which ONNX Runtime runs faster on a CPU
        # than the graph torch makes of sdpa
        model = SentenceTransformer(
            str(model_dir), device="cpu", model_kwargs={"attn_implementation": attention}
        ).eval()

        class Embedding(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask, token_type_ids):
                features = {
                    "input_ids": input_ids,
                    "attention_mask": attention_mask,
                    "token_type_ids": token_type_ids,
                }
                return self.model(features)["sentence_embedding"]

        ids = torch.ones((2, 8), dtype=torch.long)
        names = ["input_ids", "attention_mask", "token_type_ids"]
        with replacing(target) as tmp, warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Embedding(),
                (ids, ids, torch.zeros_like(ids)),
                tmp,
                input_names=names,
                output_names=["embedding"],
                dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno in (13, 30):
            raise ConfigError(f"Cannot write the ONNX model under {target.parent}: {exc}") from exc
        raise ExportError(str(exc)) from exc
    except Exception as exc:  # any exporter failure: unsupported ops, odd architectures
        raise ExportError(f"{type(exc).__name__}: {exc}") from exc


# int8 weights, one scale per output channel: vectors keep cosine ~0.99 to fp32 (one scale per
# tensor, the earlier "int8", kept ~0.94). The tag names both the cached file and the vectors'
# model id, so a store built with the earlier int8 refuses these.
INT8 = "int8pc"


def quantize(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantiser logs advice through the root logger, which would configure logging for the
    # whole process and print it (and every library's debug lines) above the progress bars.
    root, quiet = logging.getLogger(), logging.NullHandler()
    root.addHandler(quiet)
    try:
        with replacing(target) as tmp:
            quantize_dynamic(str(source), tmp, weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.removeHandler(quiet)


class OnnxEmbedder(Embedder):
    """all-MiniLM-L6-v2 (or any local sentence-transformers folder) through ONNX Runtime."""

    def __init__(
        self, name: str, cache_dir: Path, *, batch_size: int = 64, quantized: bool = False, threads: int = 0
    ):
        model_id, model_dir = resolve_model(name)
        if model_dir is None:
            raise ExportError(f"{name!r} is not a local folder; the ONNX backend needs one")
        self.model_dir, self.cache_dir, self.quantized = model_dir, Path(cache_dir), quantized
        self.threads = threads or os.cpu_count() or 1
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        tokenizer = load_tokenizer(model_dir)
        # quantised vectors drift from fp32 ones: a store must not mix them
        super().__init__(
            model_id + (f"+{INT8}" if quantized else ""), tokenizer, config["max_seq_length"], batch_size
        )
        self._name = name
        self.fallback: SentenceTransformerEmbedder | None = None

    def _paths(self) -> tuple[Path, Path]:
        base = self.model_id.removesuffix(f"+{INT8}").replace("/", "_")
        identity = f"{base}-{weights_hash(self.model_dir, self.cache_dir)}-v{FORMAT}"
        suffix = f"-{INT8}" if self.quantized else ""
        return self.cache_dir / f"{identity}{suffix}.onnx", self.cache_dir / f"{identity}{suffix}.json"

    def _valid(self, model: Path, record: Path) -> bool:
        try:
            meta = json.loads(record.read_text())
        except (OSError, ValueError):
            return False
        return (
            meta.get("model_dir") == str(self.model_dir)
            and model.exists()
            and model.stat().st_size == meta.get("bytes")
        )

    def _build(self, model: Path, record: Path) -> None:
        log.info("exporting %s to ONNX in %s (once)", self.model_dir.name, self.cache_dir)
        if self.quantized:
            fp32, _ = OnnxEmbedder(self._name, self.cache_dir)._ensure_file()
            quantize(fp32, model)
        else:
            export_onnx(self.model_dir, model)
        atomic_write(
            record,
            json.dumps(
                {"model_dir": str(self.model_dir), "bytes": model.stat().st_size, "quantized": self.quantized}
            ).encode(),
        )

    def _ensure_file(self) -> tuple[Path, Path]:
        model, record = self._paths()
        if self._valid(model, record):
            return model, record
        from filelock import FileLock

        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"Cannot create {self.cache_dir} for the ONNX model: {exc}") from exc
        # Two first runs at once (two terminals, API workers): one exports, the other waits and
        # finds the file made.
        with FileLock(self.cache_dir / f"{model.name}.lock"):
            if not self._valid(model, record):
                self._build(model, record)
        return model, record

    def _open(self, model: Path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # No busy-waiting between runs: under concurrent requests spinning threads steal the CPU
        # that other requests need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    @cached_property
    def session(self):
        """The ONNX Runtime session, exporting first if needed; None after falling back."""
        try:
            model, record = self._ensure_file()
            try:
                return self._open(model)
            except Exception:  # damaged file: rebuild once
                model.unlink(missing_ok=True)
                record.unlink(missing_ok=True)
                model, _ = self._ensure_file()
                return self._open(model)
        except ExportError as exc:
            warnings.warn(
                f"Could not export {self._name!r} to ONNX ({exc}); using sentence-transformers instead.",
                stacklevel=2,
            )
            self.fallback = SentenceTransformerEmbedder(self._name, batch_size=self.batch_size)
            return None

    @cached_property
    def _batch_tokenizer(self):
        tok = load_tokenizer(self.model_dir)
        tok.enable_truncation(max_length=self.max_tokens)
        tok.enable_padding(pad_id=tok.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        return tok

    @property
    def dimension(self) -> int:
        if self.session is None:
            return self.fallback.dimension
        return int(self.session.get_outputs()[0].shape[-1])

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        session = self.session
        if session is None:
            return self.fallback._encode_batch(texts)
        encoded = self._batch_tokenizer.encode_batch([t.strip() for t in texts])  # as sentence-transformers
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return session.run(None, feeds)[0].astype(np.float32, copy=False)
