"""A store on a read-only data dir (a read-only mount, a baked image) still answers reads, and
refuses writes with one clear message.

Root ignores file modes, so when the tests run as root the reader runs without the capabilities
that let it (setpriv drops them); otherwise plain file modes do it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from tests.conftest import write
from tests.tutor.test_chain import DOCS

REPO = Path(__file__).resolve().parents[2]

READER = """
import json, sys
from fastapi.testclient import TestClient
from api.app import create_app
from ingest.pipeline import ingest
from tests.conftest import FakeEmbedder
from tests.tutor.test_chain import make_tutor
from tutor.config import Settings
from tutor.errors import StoreError
from tutor.llm.offline import OfflineAnswerer
from tutor.store import Store

settings = Settings(data_dir=sys.argv[1], _env_file=None)
store = Store(settings, FakeEmbedder())
out = {"documents": sorted(d.title for d in store.documents().values())}
out["keyword"] = [c.title for c, _ in store.keyword_search("SQLZoo pandas", 1)]
tutor = make_tutor(settings, store, OfflineAnswerer(store.embedder))
question = {"messages": [{"role": "user", "content": "I know pandas but not SQL"}]}
app = create_app(settings, tutor)
with TestClient(app, base_url="http://localhost", client=("127.0.0.1", 50000)) as client:
    out["sources"] = client.get("/v1/sources").status_code
    search = client.post("/v1/search", json={"query": "SQLZoo pandas"})
    out["search"] = [search.status_code, search.json()["results"][0]["title"]]
    out["chat"] = client.post("/v1/chat", json=question).status_code
try:
    ingest([sys.argv[2]], store)
    out["write"] = "accepted"
except StoreError as exc:
    out["write"] = str(exc)
print(json.dumps(out))
"""


def without_write_rights() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot take away the right to write")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def set_modes(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755 if writable else 0o555)
        else:
            path.chmod(0o644 if writable else 0o444)


def test_reads_work_on_a_read_only_store(store, settings, tmp_path):
    for name, text in DOCS.items():
        write(tmp_path / "docs" / name, text)
    ingest([str(tmp_path / "docs")], store)
    new = write(tmp_path / "new" / "extra.md", "# Extra\n\nA document that cannot be written.\n")
    data = Path(settings.data_dir)
    del store
    set_modes(data, writable=False)
    try:
        result = subprocess.run(
            [*without_write_rights(), sys.executable, "-c", READER, str(data), str(new)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        set_modes(data, writable=True)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["documents"] == ["Deep learning", "SQL", "Time plans"]
    assert out["keyword"] == ["SQL"]
    assert out["sources"] == 200 and out["search"] == [200, "SQL"] and out["chat"] == 200
    assert "read-only" in out["write"]


KILLED_READER = """
import os, signal, sys
from tests.conftest import FakeEmbedder
from tutor.config import Settings
from tutor.store import Store

store = Store(Settings(data_dir=sys.argv[1], _env_file=None), FakeEmbedder("all-MiniLM-L6-v2"))
store.collection  # opens the private copy
os.kill(os.getpid(), signal.SIGKILL)  # no exit handlers: the copy stays behind
"""


def copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("tutor-read-only-*"))


def test_private_copies_of_a_read_only_store_do_not_pile_up_across_restarts(tmp_path, onnx_cache):
    """Every start of `tutor serve` on a read-only data dir left two copies of the store in /tmp
    (uvicorn re-raises SIGTERM, so exit handlers never ran), and a killed one left its copy too."""
    from tests.conftest import free_port, wait_for
    from tutor.config import Settings
    from tutor.embedders import get_embedder
    from tutor.store import Store

    for name, text in DOCS.items():
        write(tmp_path / "docs" / name, text)
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    ingest([str(tmp_path / "docs")], Store(settings, get_embedder(settings)))
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TMPDIR": str(temp),
        "TUTOR_DATA_DIR": str(tmp_path / "data"),
        "TUTOR_CORPUS_DIR": str(tmp_path / "docs"),
        "TUTOR_PROVIDER": "offline",
    }
    set_modes(tmp_path / "data", writable=False)
    try:
        killed = subprocess.run(
            [*without_write_rights(), sys.executable, "-c", KILLED_READER, str(tmp_path / "data")],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert killed.returncode == -9 and len(copies(temp)) == 1, killed.stderr[-2000:]
        port = free_port()
        serve = subprocess.Popen(
            [*without_write_rights(), sys.executable, "-m", "tutor", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/readyz", 180, serve)
            assert len(copies(temp)) == 1  # the killed reader's copy is gone; the server's is here
        finally:
            serve.terminate()
            serve.wait(timeout=30)
    finally:
        set_modes(tmp_path / "data", writable=True)
    assert copies(temp) == []


def test_a_private_copy_in_use_is_never_removed_as_stale(tmp_path, monkeypatch):
    from tutor.store import private_copy, remove_stale_copies

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    write(tmp_path / "chroma" / "chroma.sqlite3", b"not really a database")
    first, remove_first = private_copy(tmp_path / "chroma")
    second, remove_second = private_copy(tmp_path / "chroma")  # its stale sweep sees the first
    assert first.exists() and second.exists() and remove_stale_copies(tmp_path / "tmp") == []
    remove_first()
    assert not first.parent.exists() and second.exists()
    remove_second()
    assert copies(tmp_path / "tmp") == []
