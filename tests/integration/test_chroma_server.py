"""tutor against a real Chroma server (`chroma run`, from the chromadb package): ingest, search,
ask, eval and serve with several workers; the server going down and coming back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import FakeEmbedder, free_port, wait_for, write
from tests.tutor.test_chain import DOCS, make_tutor
from tutor.config import Settings
from tutor.llm.offline import OfflineAnswerer
from tutor.store import Store

CHROMA = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
pytestmark = pytest.mark.skipif(CHROMA is None, reason="the chroma command (chromadb) is not installed")


class ChromaServer:
    def __init__(self, path: Path):
        self.path, self.port, self.proc = path, free_port(), None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [CHROMA, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", proc=self.proc)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


@pytest.fixture
def chroma(tmp_path):
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def env(chroma, tmp_path, onnx_cache):
    for name, text in DOCS.items():
        write(tmp_path / "docs" / name, text)
    data = tmp_path / "data"
    return {
        **os.environ,
        "TUTOR_CHROMA_HOST": "127.0.0.1",
        "TUTOR_CHROMA_PORT": str(chroma.port),
        "TUTOR_DATA_DIR": str(data),
        "TUTOR_CORPUS_DIR": str(tmp_path / "docs"),
        "TUTOR_PROVIDER": "offline",
        "TUTOR_RATE_LIMIT": "0",
    }


def tutor_cli(env, *args, cwd=None, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "tutor", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_ingest_search_ask_and_eval_against_the_server(env, tmp_path):
    tutor_cli(env, "ingest", "docs", cwd=tmp_path)
    sources = json.loads(tutor_cli(env, "sources", "--json", cwd=tmp_path).stdout)
    assert {s["source"] for s in sources} == {"docs/sql.md", "docs/time.md", "docs/evil.md"}
    hits = json.loads(tutor_cli(env, "search", "pandas but not SQL", "--json", cwd=tmp_path).stdout)
    assert hits[0]["chunk"]["title"] == "SQL"
    answer = json.loads(tutor_cli(env, "ask", "I know pandas but not SQL", "--json", cwd=tmp_path).stdout)
    assert "SQLZoo" in answer["answer"] and answer["citations"][0]["title"] == "SQL"
    dataset = write(
        tmp_path / "d.jsonl",
        json.dumps({"id": "a", "question": "I know pandas but not SQL", "answer_keys": ["SQLZoo"]}) + "\n",
    )
    report = tmp_path / "report.json"
    tutor_cli(env, "eval", "--dataset", str(dataset), "--report-json", str(report), cwd=tmp_path)
    assert json.loads(report.read_text())["summary"]["context_hit"] == 1.0
    assert not (Path(env["TUTOR_DATA_DIR"]) / "chroma").exists()  # nothing was stored locally


def test_serve_with_four_workers_answers_from_every_worker(env, tmp_path):
    tutor_cli(env, "ingest", "docs", cwd=tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--port", str(port), "--workers", "4"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/healthz", 120, server)
        workers, answers = set(), []
        deadline = time.monotonic() + 120
        while (len(workers) < 4 or len(answers) < 24) and time.monotonic() < deadline:
            with urllib.request.urlopen(url + "/readyz", timeout=30) as response:
                ready = json.loads(response.read())
            if ready.get("status") != "ready":
                time.sleep(0.5)
                continue
            workers.add(ready["worker"])
            body = json.dumps({"messages": [{"role": "user", "content": "I know pandas but not SQL"}]})
            request = urllib.request.Request(
                url + "/v1/chat", body.encode(), {"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                answers.append(json.loads(response.read()))
        assert len(workers) == 4, f"answers came from workers {workers}"
        assert all("SQLZoo" in a["answer"] and a["citations"] for a in answers)
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_ingest_fails_clearly_when_the_server_is_down_and_repairs_after(env, chroma, tmp_path):
    tutor_cli(env, "ingest", "docs", cwd=tmp_path)
    chroma.stop()
    write(tmp_path / "docs" / "sql.md", DOCS["sql.md"] + "\nSQLBolt is another free option.\n")
    result = tutor_cli(env, "ingest", "docs", cwd=tmp_path, check=False)
    assert result.returncode != 0
    assert "Chroma server 127.0.0.1" in result.stderr and "Traceback" not in result.stderr
    chroma.start()
    tutor_cli(env, "ingest", "docs", cwd=tmp_path)
    settings = Settings(
        chroma_host="127.0.0.1", chroma_port=chroma.port, data_dir=Path(env["TUTOR_DATA_DIR"]), _env_file=None
    )
    from tutor.embedders import get_embedder

    store = Store(settings, get_embedder(settings))
    docs = store.documents()
    assert all(d.complete for d in docs.values()) and len(docs) == 3
    assert sorted(store.keyword_index.ids) == sorted(c for d in docs.values() for c in d.chunk_ids)


def test_api_answers_503_while_the_server_is_down_and_recovers(chroma, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # searches read the local copy of the store; each looks for changes at the server first
    # (every 2 s by default, at once here), and that finds the server down
    monkeypatch.setattr("tutor.store.KEYWORD_RECHECK_SECONDS", 0.0)
    for name, text in DOCS.items():
        write(tmp_path / "docs" / name, text)
    settings = Settings(
        chroma_host="127.0.0.1", chroma_port=chroma.port, data_dir=tmp_path / "data", _env_file=None
    )
    store = Store(settings, FakeEmbedder())
    from ingest.pipeline import ingest

    ingest(["docs"], store)
    tutor = make_tutor(settings, store, OfflineAnswerer(store.embedder), relevance_floor=0.05)
    question = {"messages": [{"role": "user", "content": "I know pandas but not SQL"}]}
    with TestClient(
        create_app(tutor.settings, tutor), base_url="http://localhost", client=("127.0.0.1", 50000)
    ) as client:
        assert client.post("/v1/chat", json=question).status_code == 200
        chroma.stop()
        assert client.get("/readyz").status_code == 503
        down = client.post("/v1/chat", json=question)
        assert down.status_code == 503 and "store is unavailable" in down.json()["detail"]
        assert str(chroma.port) not in down.text  # where the store lives is for the log, not clients
        streamed = client.post("/v1/chat", json={**question, "stream": True}).text
        assert "event: error" in streamed
        assert client.get("/healthz").status_code == 200
        chroma.start()
        assert client.get("/readyz").status_code == 200
        assert "SQLZoo" in client.post("/v1/chat", json=question).json()["answer"]
