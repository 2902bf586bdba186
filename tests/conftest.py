"""Shared fixtures: a deterministic fake embedder (real tokenizer, hashed bag-of-words vectors)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tutor.config import Settings
from tutor.embeddings import Embedder, bundled_model_dir, load_tokenizer
from tutor.store import Store

WORDS = re.compile(r"[a-z0-9]+")


class FakeEmbedder(Embedder):
    """Same interface and token counting as the real one; vectors are hashed word counts."""

    dimension = 64

    def __init__(self, model_id: str = "fake-hash-64"):
        super().__init__(model_id, load_tokenizer(bundled_model_dir()), max_tokens=256, batch_size=16)
        self.encoded: list[str] = []

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORDS.findall(text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
            out[row, 0] += 1e-3  # never a zero vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def store(settings: Settings, embedder: FakeEmbedder) -> Store:
    return Store(settings, embedder)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page (correct xref offsets)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    font_id = 3 + 2 * n_pages
    for i, text in enumerate(pages):
        content_id = 4 + 2 * i
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def server():
    """A canned HTTP server on loopback (tests/canned.py); queue replies on `server.replies`."""
    import threading

    from tests.canned import CannedServer

    srv = CannedServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory) -> Path:
    """One model cache for the whole run (TUTOR_CACHE_DIR, inherited by subprocesses), as a user's
    machine has one: the model is exported once, by the first test that needs it, never into the
    real user's cache."""
    import os

    folder = tmp_path_factory.mktemp("user-cache")
    os.environ["TUTOR_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def onnx_cache(user_cache) -> Path:
    """The real model exported to ONNX in the run's cache (a folder of .onnx + records)."""
    from tutor.onnx_embedder import OnnxEmbedder

    folder = user_cache / "onnx"
    OnnxEmbedder("all-MiniLM-L6-v2", folder).embed_query("warm up")
    return folder


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60, proc=None) -> None:
    """Poll `url` until it answers 2xx; fail early, with its stderr, if the process `proc` exits."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                detail = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}: {detail}") from None
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds:g} s")


@dataclass
class Served:
    """A `tutor serve` process of a test: where it listens and the environment it runs with."""

    url: str
    port: int
    proc: subprocess.Popen
    env: dict[str, str]


@contextmanager
def served_tutor(
    root: Path, corpus: Path, env: dict[str, str | None] | None = None, *args: str, ready_s: float = 180
) -> Iterator[Served]:
    """`tutor serve` in a fresh process on a free port, offline, answering from `corpus` with its
    data under `root`; `env` adds to the test's environment (None removes a variable) and `args` to
    the command. Yields once /readyz answers (the test fails with the server's stderr if it does not)
    and stops the server after."""
    port = free_port()
    full = {
        **os.environ,
        "TUTOR_DATA_DIR": str(root / "data"),
        "TUTOR_CORPUS_DIR": str(corpus),
        "TUTOR_PROVIDER": "offline",
    }
    for name, value in (env or {}).items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--port", str(port), *args],
        cwd=root,
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/readyz", ready_s, proc)
    except (RuntimeError, TimeoutError) as exc:
        proc.kill()
        pytest.fail(f"tutor serve did not become ready: {exc}")
    try:
        yield Served(url, port, proc, full)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def site():
    """A web site on 127.0.0.1 (tests/sites.py): a private address."""
    from tests.sites import Site

    srv = Site("127.0.0.1")
    yield srv
    srv.close()


@pytest.fixture
def public_site():
    """A web site on 127.0.0.2, which `fake_dns` makes count as a public address."""
    from tests.sites import PUBLIC, Site

    srv = Site(PUBLIC)
    yield srv
    srv.close()


@pytest.fixture
def fake_dns(monkeypatch):
    """name → addresses for this test (tests/sites.py); 127.0.0.2 counts as public."""
    from tests.sites import install_fake_dns

    return install_fake_dns(monkeypatch)
