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
with TestClient(create_app(settings, tutor)) as client:
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
