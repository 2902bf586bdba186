"""`tutor serve --workers 4` with many clients updating one learner's progress at once: every update
lands (SQLite in WAL mode, BEGIN IMMEDIATE, upserts), and the history holds each one."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest

from tests.conftest import served_tutor
from tests.learner.roadmaps import generated_topics, write_roadmap

CYCLE = ("pending", "learning", "done", "skipped")


@pytest.fixture(scope="module")
def four_workers(tmp_path_factory):
    root = tmp_path_factory.mktemp("workers")
    roadmap = write_roadmap(root / "roadmap", generated_topics(120))
    with served_tutor(root, roadmap, {"TUTOR_RATE_LIMIT": "0"}, "--workers", "4", ready_s=300) as served:
        yield served.url


def call(url: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"}, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def test_four_workers_updating_one_learner_lose_no_update(four_workers):
    clients, per_client = 8, 14  # topics t00000-t00111, and t00119 for all
    failures: list[str] = []

    def client(n: int) -> None:
        try:
            for i in range(per_client):
                topic = f"t{n * per_client + i:05d}"
                call(f"{four_workers}/v1/learners/ada/progress/{topic}", "PUT", {"status": CYCLE[i % 4]})
                call(f"{four_workers}/v1/learners/ada/progress/t00119", "PUT", {"status": CYCLE[n % 4]})
        except Exception as exc:  # reported below, with the others
            failures.append(f"client {n}: {exc!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    topics = {t["id"]: t["status"] for t in call(f"{four_workers}/v1/learners/ada/progress")["topics"]}
    for n in range(clients):
        for i in range(per_client):
            assert topics[f"t{n * per_client + i:05d}"] == CYCLE[i % 4]
    events = call(f"{four_workers}/v1/learners/ada/history?limit=1000")["events"]
    assert len(events) == clients * per_client * 2
    assert len(call(f"{four_workers}/v1/learners")["learners"]) == 1
