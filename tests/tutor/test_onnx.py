"""The ONNX backend against the sentence-transformers reference, its file cache, and the question
path staying free of torch (real model; the export runs once per test session)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from tutor.config import Settings
from tutor.embedders import get_embedder
from tutor.embeddings import SentenceTransformerEmbedder
from tutor.onnx_embedder import ExportError, OnnxEmbedder
from tutor.store import Store


def varied_texts() -> list[str]:
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    lines = [line for f in sorted(corpus.glob("*.md")) for line in f.read_text().splitlines() if line.strip()]
    texts = lines[:250]
    texts += [
        "",
        "  padded  ",
        "ü ñ 東京 🙂",
        "SQL",
        "x" * 3000,
        " ".join(lines)[:20_000],
    ]  # long ones truncate
    texts += [" ".join(lines[i : i + 40]) for i in range(0, 400, 40)]  # over the 256-token limit
    return texts


@pytest.fixture(scope="module")
def onnx_dir(onnx_cache, tmp_path_factory) -> Path:
    import shutil

    folder = tmp_path_factory.mktemp("onnx-own")  # this module damages files: work on a copy
    for f in onnx_cache.iterdir():
        shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture(scope="module")
def onnx_embedder(onnx_dir) -> OnnxEmbedder:
    return OnnxEmbedder("all-MiniLM-L6-v2", onnx_dir)


def test_onnx_agrees_with_sentence_transformers(onnx_embedder):
    texts = varied_texts()
    assert len(texts) >= 250 and any(onnx_embedder.count_tokens(t) > 256 for t in texts)
    reference = SentenceTransformerEmbedder("all-MiniLM-L6-v2").embed(texts)
    ours = onnx_embedder.embed(texts)
    cosines = np.sum(reference * ours, axis=1)
    assert cosines.min() >= 0.9999, cosines.min()
    assert onnx_embedder.session is not None and onnx_embedder.fallback is None


def test_int8_vectors_stay_close_to_fp32(onnx_embedder, onnx_dir):
    # per-channel int8: the earlier per-tensor quantisation kept a mean cosine of ~0.94 only
    texts = varied_texts()[:120]
    int8 = OnnxEmbedder("all-MiniLM-L6-v2", onnx_dir, quantized=True)
    cosines = np.sum(onnx_embedder.embed(texts) * int8.embed(texts), axis=1)
    assert cosines.mean() >= 0.985 and cosines.min() >= 0.95, (cosines.mean(), cosines.min())
    assert int8.session is not None and int8.model_id.endswith("+int8pc")


def test_quantising_prints_nothing(onnx_dir, tmp_path):
    # onnxruntime's quantiser logs advice through the root logger, which would set up logging for
    # the whole CLI process: its line, and every library's debug lines after it, over the bars
    fp32 = next(f for f in onnx_dir.glob("*.onnx") if "int8" not in f.name)
    code = "import sys; from pathlib import Path; from tutor.onnx_embedder import quantize; "
    code += "quantize(Path(sys.argv[1]), Path(sys.argv[2])); import logging; "
    code += "logging.getLogger('x').error('after')"
    argv = [sys.executable, "-c", code, str(fp32), str(tmp_path / "q.onnx")]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "q.onnx").stat().st_size > 0
    assert run.stderr == "after\n"  # nothing from the quantiser; logging left unconfigured


def test_a_damaged_file_is_rebuilt(onnx_dir):
    first = OnnxEmbedder("all-MiniLM-L6-v2", onnx_dir)
    model, record = first._paths()
    assert model.exists() and record.exists()  # exported by the test above, or now
    model.write_bytes(model.read_bytes()[:1000])  # truncated: size no longer matches the record
    again = OnnxEmbedder("all-MiniLM-L6-v2", onnx_dir)
    vector = again.embed_query("Which framework should I learn?")
    assert model.stat().st_size > 1_000_000 and abs(float(np.linalg.norm(vector)) - 1) < 1e-4


def test_another_model_folder_gets_its_own_file(onnx_dir, tmp_path):
    first = OnnxEmbedder("all-MiniLM-L6-v2", onnx_dir)
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(first.model_dir, copy)
    (copy / "config.json").write_text((copy / "config.json").read_text() + " ")  # a changed model
    assert OnnxEmbedder(str(copy), onnx_dir)._paths()[0] != first._paths()[0]


def test_export_failure_falls_back_to_sentence_transformers(tmp_path, monkeypatch):
    def broken(model_dir, target):
        raise ExportError("unsupported operator")

    monkeypatch.setattr("tutor.onnx_embedder.export_onnx", broken)
    embedder = OnnxEmbedder("all-MiniLM-L6-v2", tmp_path / "onnx")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vector = embedder.embed_query("hello")
    assert embedder.fallback is not None and vector.shape == (384,)
    assert "using sentence-transformers instead" in str(caught[0].message)


def test_unwritable_data_dir_is_a_clear_error(tmp_path):
    from tutor.errors import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    embedder = OnnxEmbedder("all-MiniLM-L6-v2", blocker / "onnx")
    with pytest.raises(ConfigError, match="Cannot create"):
        _ = embedder.session


def test_every_data_dir_shares_the_one_export_in_the_user_cache(onnx_cache, tmp_path):
    first = get_embedder(Settings(data_dir=tmp_path / "a", _env_file=None))
    second = get_embedder(Settings(data_dir=tmp_path / "b", _env_file=None))
    assert first.cache_dir == second.cache_dir == onnx_cache  # TUTOR_CACHE_DIR/onnx, not DATA_DIR
    assert first.embed_query("hello").shape == (384,)
    assert not (tmp_path / "a" / "onnx").exists()
    custom = get_embedder(Settings(data_dir=tmp_path, cache_dir=tmp_path / "mine", _env_file=None))
    assert custom.cache_dir == tmp_path / "mine" / "onnx"


EXPORT_RACE = """
import sys, time
from pathlib import Path
import tutor.onnx_embedder as oe

def slow_export(model_dir, target):  # a stand-in for the 7 s export, counting how often it runs
    with open(sys.argv[2], "a") as log:
        log.write("export\\n")
    time.sleep(1.5)
    oe.atomic_write(Path(target), b"not a real model")

oe.export_onnx = slow_export
embedder = oe.OnnxEmbedder("all-MiniLM-L6-v2", Path(sys.argv[1]))
model, record = embedder._ensure_file()
print(model.read_bytes().decode())
"""


def test_two_first_runs_at_once_export_only_once(tmp_path):
    cache, log = tmp_path / "onnx", tmp_path / "exports.log"
    runs = [
        subprocess.Popen([sys.executable, "-c", EXPORT_RACE, str(cache), str(log)], stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0].decode() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert log.read_text().count("export") == 1  # the second waited for the lock and found the file
    assert outputs == ["not a real model\n"] * 2


def test_settings_pick_the_backend(tmp_path):
    assert isinstance(get_embedder(Settings(data_dir=tmp_path, _env_file=None)), OnnxEmbedder)
    st = Settings(data_dir=tmp_path, embedding_backend="sentence-transformers", _env_file=None)
    assert isinstance(get_embedder(st), SentenceTransformerEmbedder)
    int8 = get_embedder(Settings(data_dir=tmp_path, onnx_quantize=True, _env_file=None))
    assert int8.model_id.endswith("+int8pc")  # a store built with fp32 vectors refuses int8 ones


def test_tutor_ask_does_not_import_torch(onnx_cache, tmp_path):
    data = tmp_path / "data"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "sql.md").write_text("# SQL\n\nIf you know pandas but not SQL, do the SQLZoo tutorial.\n")
    settings = Settings(data_dir=data, _env_file=None)
    from ingest.pipeline import ingest

    ingest([str(docs)], Store(settings, get_embedder(settings)))
    env = {**os.environ, "TUTOR_DATA_DIR": str(data), "TUTOR_PROVIDER": "offline"}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tutor", "ask", "pandas but not SQL?", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "SQLZoo" in result.stdout
    modules = {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "onnxruntime" in modules  # the check sees the real question path
    assert not modules & {"torch", "transformers", "sentence_transformers"}
