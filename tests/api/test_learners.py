"""/v1/learners and /v1/chat with a learner, through TestClient: every route, the 4xx a user can
cause, ownership per API key, and path questions answered from the learner's record."""

from __future__ import annotations

import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from ingest.pipeline import ingest
from tests.api.clients import client_for
from tests.api.test_api import events
from tests.conftest import write
from tests.learner.roadmaps import topic_file, write_roadmap
from tutor.chain import Tutor
from tutor.llm.offline import OfflineAnswerer


@pytest.fixture
def tutor(settings, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    roadmap = write_roadmap(tmp_path / "roadmap")
    ingest(["roadmap"], store)
    settings = settings.model_copy(update={"corpus_dir": roadmap, "relevance_floor": 0.05})
    return Tutor(settings, store, OfflineAnswerer(store.embedder))


@pytest.fixture
def client(tutor):
    with client_for(tutor) as c:
        yield c


def test_profile_progress_next_and_plan(client):
    created = client.put(
        "/v1/learners/Ada", json={"goal": "ML engineer", "hours_per_week": 10, "known": ["plans"]}
    )
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "ada" and created.json()["known"] == ["plans"]
    again = client.put("/v1/learners/ada", json={"start_date": "2026-05-04"})
    assert again.status_code == 200 and again.json()["goal"] == "ML engineer"  # fields left out are kept
    assert client.put("/v1/learners/ada/progress/basics", json={"status": "done"}).json()["status"] == "done"
    client.put("/v1/learners/ada/progress/sql", json={"status": "learning"})
    progress = client.get("/v1/learners/ada/progress").json()
    statuses = {t["id"]: t["status"] for t in progress["topics"]}
    assert statuses == {"plans": "known", "basics": "done", "data": "pending", "sql": "learning",
                        "models": "pending", "deploy": "pending"}  # fmt: skip
    nxt = client.get("/v1/learners/ada/next").json()
    assert [t["id"] for t in nxt["topics"]] == ["sql", "data"]
    assert nxt["topics"][1]["reason"] == "prerequisite Python basics done; about 12 h; phase 1 (Basics)"
    plan = client.get("/v1/learners/ada/plan", params={"hours_per_week": 5, "start": "2026-06-01"}).json()
    assert plan["hours_per_week"] == 5 and plan["start"] == "2026-06-01" and plan["weeks"][0]["number"] == 1
    assert plan["remaining_topics"] == 4 and plan["timelines"][0]["label"] == "TheCodeForge"
    ics = client.get("/v1/learners/ada/plan.ics", params={"hours_per_week": 5, "start": "2026-06-01"})
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.count("BEGIN:VEVENT") == len(plan["weeks"]) and "DTSTART;VALUE=DATE:20260601" in ics.text
    history = client.get("/v1/learners/ada/history").json()["events"]
    assert [(e["topic"], e["status"]) for e in history] == [("sql", "learning"), ("basics", "done")]
    (listed,) = client.get("/v1/learners").json()["learners"]
    assert listed["name"] == "ada" and listed["known"] == client.get("/v1/learners/ada").json()["known"] != []
    assert client.delete("/v1/learners/ada").status_code == 204
    assert client.get("/v1/learners/ada").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("put", "/v1/learners/bad%20name", {}, 422, "a learner name has 1 to 64 characters"),
        ("put", "/v1/learners/" + "x" * 65, {}, 422, "a learner name has"),
        ("put", "/v1/learners/ada", {"hours_per_week": 0}, 422, "greater than or equal to 0.5"),
        ("put", "/v1/learners/ada", {"hours_per_week": "8"}, 422, "valid number"),
        ("put", "/v1/learners/ada", {"start_date": "next monday"}, 422, "date"),
        ("put", "/v1/learners/ada", {"nickname": "x"}, 422, "Extra inputs"),
        ("put", "/v1/learners/ada", {"known": ["pyton"]}, 422, "Unknown topic 'pyton'"),
        ("put", "/v1/learners/ada", {"goal": "x" * 501}, 422, "at most 500"),
        (
            "put",
            "/v1/learners/ada/progress/sql",
            {"status": "finished"},
            422,
            "'pending', 'learning', 'done'",
        ),
        ("put", "/v1/learners/ada/progress/sql", {"status": "done", "source": "quiz"}, 422, "'self'"),
        ("put", "/v1/learners/ada/progress/sqll", {"status": "done"}, 404, "Did you mean sql"),
        ("get", "/v1/learners/nobody", None, 404, "No learner named 'nobody'"),
        ("get", "/v1/learners/nobody/next", None, 404, "No learner named 'nobody'"),
        ("get", "/v1/learners/ada/plan?hours_per_week=500", None, 422, "less than or equal to 112"),
        ("delete", "/v1/learners/nobody", None, 404, "No learner named 'nobody'"),
    ],
)
def test_bad_input_is_a_clear_4xx(client, method, path, body, status, says):
    response = client.request(method.upper(), path, json=body)
    assert response.status_code == status, response.text
    assert says in json.dumps(response.json()["detail"]), response.text


def test_an_unknown_known_topic_is_a_422_naming_it_and_the_one_close_topic(client):
    response = client.put("/v1/learners/ada", json={"known": ["basics", "deploying models"]})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "known", 1]
    assert error["msg"] == "Unknown topic 'deploying models'. Did you mean deploy?"  # not "models, deploy"
    (error,) = client.put("/v1/learners/ada", json={"known": ["xyz"]}).json()["detail"]
    assert error["msg"] == "Unknown topic 'xyz'. No topic of the roadmap has that id or title."
    assert client.get("/v1/learners/ada").status_code == 404  # nothing was saved
    # a topic in the path is a resource that is not there: 404, and no command to run either
    missing = client.put("/v1/learners/ada/progress/xyz", json={"status": "done"})
    assert missing.status_code == 404 and "tutor roadmap" not in missing.text


def test_progress_takes_a_topic_id_or_its_exact_title_in_any_case(tutor):
    roadmap = tutor.settings.corpus_dir
    write(
        roadmap / "22-ci.md", topic_file("ci", "CI/CD for models", "2. Models", 3, None, ["deploy"], "Tests.")
    )
    with client_for(tutor) as client:
        for topic, status in [
            ("sql", "done"),
            ("Python basics", "done"),
            ("deploying A MODEL", "learning"),
            ("CI%2FCD%20for%20models", "learning"),  # a title with a '/', URL-encoded
        ]:
            response = client.put(f"/v1/learners/ada/progress/{topic}", json={"status": status})
            assert response.status_code == 200, (topic, response.text)
        statuses = {t["id"]: t["status"] for t in client.get("/v1/learners/ada/progress").json()["topics"]}
        assert statuses["sql"] == statuses["basics"] == "done"
        assert statuses["deploy"] == statuses["ci"] == "learning"
        # not a prefix, as the command line takes: which topic it means changes as the roadmap grows
        partial = client.put("/v1/learners/ada/progress/SQL for", json={"status": "done"})
        assert partial.status_code == 404 and partial.json()["detail"].endswith("Did you mean sql?")


def key_id(key: str) -> str:
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]


def test_a_learner_belongs_to_the_key_that_created_it(tutor):
    with client_for(tutor, api_keys="k1,k2", admin_key="adm") as client:
        one, two = {"Authorization": "Bearer k1"}, {"Authorization": "Bearer k2"}
        assert client.put("/v1/learners/me", json={"hours_per_week": 6}, headers=one).status_code == 201
        client.put("/v1/learners/me/progress/basics", json={"status": "done"}, headers=one)
        for path in ("", "/progress", "/next", "/plan", "/history"):
            assert client.get(f"/v1/learners/me{path}", headers=two).status_code == 404
        assert client.get("/v1/learners/me", headers={"Authorization": "Bearer nope"}).status_code == 401
        # the second key has its own "me", and changing it leaves the first one's alone
        assert client.put("/v1/learners/me", json={"hours_per_week": 20}, headers=two).status_code == 201
        assert client.get("/v1/learners/me", headers=one).json()["hours_per_week"] == 6
        assert client.get("/v1/learners", headers=two).json()["learners"][0]["hours_per_week"] == 20
        # the admin key reads everyone's
        admin = {**two, "X-Admin-Key": "adm"}
        listed = client.get("/v1/learners", headers=admin).json()["learners"]
        assert sorted(p["owner"] for p in listed) == sorted([key_id("k1"), key_id("k2")])
        read = client.get("/v1/learners/me/progress", params={"owner": key_id("k1")}, headers=admin)
        assert read.status_code == 200 and read.json()["counts"]["done"] == 1
        assert client.get("/v1/learners/me", params={"owner": key_id("k1")}, headers=two).status_code == 403
        wrong = {**two, "X-Admin-Key": "guess"}
        assert client.get("/v1/learners/me", params={"owner": key_id("k1")}, headers=wrong).status_code == 403
        chat = {"messages": [{"role": "user", "content": "What should I do next?"}], "learner": "me"}
        assert client.post("/v1/chat", json=chat, headers=one).json()["provider"] == "learner"


def ask(client, question: str, learner: str | None = "ada", **extra):
    body = {"messages": [{"role": "user", "content": question}], **extra}
    if learner:
        body["learner"] = learner
    return client.post("/v1/chat", json=body)


def test_a_keyless_server_answers_only_requests_addressed_to_a_loopback_name(tutor):
    """DNS rebinding: a page at evil.example whose name now resolves to 127.0.0.1 must not read or
    change the local learner's record, nor spend the server's LLM key."""
    rebound = {"host": "evil.example:8000"}
    with client_for(tutor) as c:
        before = c.get("/v1/learners/me/progress").json()
        for method, path, body in [
            ("GET", "/v1/learners", None),
            ("PUT", "/v1/learners/me/progress/python", {"status": "skipped"}),
            ("DELETE", "/v1/learners/me", None),
            ("POST", "/v1/chat", {"messages": [{"role": "user", "content": "What is SQL?"}]}),
        ]:
            response = c.request(method, path, json=body, headers=rebound)
            assert response.status_code == 421 and "TUTOR_ALLOWED_HOSTS" in response.json()["detail"]
        assert c.get("/v1/learners/me/progress").json() == before  # nothing changed
        assert c.get("/healthz", headers=rebound).status_code == 200  # probes carry no data
        for host in ("127.0.0.1:8000", "localhost", "[::1]:8000"):
            assert c.get("/v1/learners", headers={"host": host}).status_code == 200
    with client_for(tutor, allowed_hosts="tutor.lan") as c:
        assert c.get("/v1/learners", headers={"host": "tutor.lan:8000"}).status_code == 200
        assert c.get("/v1/learners", headers=rebound).status_code == 421
    with client_for(tutor, api_keys="k") as c:  # with keys, the key is the gate
        assert c.get("/v1/learners", headers={**rebound, "authorization": "Bearer k"}).status_code == 200


def test_a_keyless_server_refuses_other_machines_whatever_host_they_claim(tutor):
    """Bound to 0.0.0.0 without keys, a LAN client sending "Host: localhost" read and wrote the
    learners and could spend the server's LLM key."""
    app = create_app(tutor.settings, tutor)
    for peer in ("192.0.2.2", "10.0.0.5", "::ffff:192.0.2.2", "2001:db8::1"):
        with TestClient(app, base_url="http://localhost", client=(peer, 40000)) as lan:
            for method, path in [("GET", "/v1/sources"), ("PUT", "/v1/learners/me"), ("GET", "/mcp")]:
                response = lan.request(method, path, json={} if method == "PUT" else None)
                assert response.status_code == 403 and "TUTOR_API_KEYS" in response.json()["detail"]
            assert lan.get("/healthz").status_code == 200  # probes carry no data
    for peer in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        with TestClient(app, base_url="http://localhost", client=(peer, 40000)) as local:
            assert local.get("/v1/sources").status_code == 200
    # The operator chose to serve others: names in TUTOR_ALLOWED_HOSTS, or keys
    served = create_app(tutor.settings.model_copy(update={"allowed_hosts": "tutor.lan"}), tutor)
    with TestClient(served, base_url="http://tutor.lan", client=("192.0.2.2", 40000)) as lan:
        assert lan.get("/v1/sources").status_code == 200
    keyed = create_app(tutor.settings.model_copy(update={"api_keys": SecretStr("k")}), tutor)
    with TestClient(keyed, base_url="http://tutor.lan", client=("192.0.2.2", 40000)) as lan:
        assert lan.get("/v1/sources", headers={"authorization": "Bearer k"}).status_code == 200


def test_chat_answers_a_path_question_from_the_learners_record(client):
    client.put("/v1/learners/ada", json={"hours_per_week": 10, "known": ["plans"]})
    client.put("/v1/learners/ada/progress/basics", json={"status": "done"})
    body = ask(client, "What should I do next?").json()
    assert body["provider"] == "learner" and not body["refused"]
    assert "Next for ada: Data with pandas (prerequisite Python basics done; about 12 h" in body["answer"]
    sources = {c["source"] for c in body["citations"]}
    assert "learner:ada" in sources and "roadmap/11-data.md" in sources  # the record and the topic file
    assert body["grounding"]["score"] == 1.0 and not body["grounding"]["unsupported"]
    left = ask(client, "How long have I got left?").json()
    assert "4 topics left, about 49 h: at 10 hours a week that is 5 weeks" in left["answer"]
    assert "TheCodeForge: weekly effort: 2 hours a day, 6 days a week" in left["answer"]
    assert "roadmap/00-plans.md" in {c["source"] for c in left["citations"]}
    assert left["grounding"]["score"] == 1.0
    week = ask(client, "What's on this week?").json()
    assert "Week 1 of the plan" in week["answer"] and "Data with pandas, 10 h of about 12 h" in week["answer"]


def test_chat_with_a_learner_still_answers_roadmap_questions_from_the_documents(client):
    client.put("/v1/learners/ada", json={"hours_per_week": 10})
    body = ask(client, "Why learn SQL for training data?").json()
    assert body["provider"] == "offline" and "learner:ada" not in {c["source"] for c in body["citations"]}
    assert "roadmap/12-sql.md" in {c["source"] for c in body["citations"]}


def test_chat_streams_a_path_answer_and_refuses_unknown_learners(client):
    client.put("/v1/learners/ada/progress/basics", json={"status": "done"})
    streamed = client.post(
        "/v1/chat",
        json={"messages": [{"role": "user", "content": "how am I doing?"}], "learner": "ada", "stream": True},
    )
    names = [name for name, _ in events(streamed.text)]
    assert names[0] == "token" and names[-3:] == ["citations", "grounding", "done"]
    assert "ada's progress: 1 of 6 topics done" in dict(events(streamed.text))["done"]["answer"]
    assert ask(client, "What next?", learner="nobody").status_code == 404
    assert ask(client, "What next?", learner="Not Valid").status_code == 422


def test_a_store_without_the_roadmaps_topics_is_said_without_naming_server_paths(
    settings, store, tmp_path, monkeypatch
):
    """Own documents ingested, TUTOR_CORPUS_DIR left at a roadmap none of whose files is in the
    store: the progress report says so; the note named the data dir's full path to HTTP clients."""
    monkeypatch.chdir(tmp_path)
    roadmap = write_roadmap(tmp_path / "roadmap")
    write(tmp_path / "notes" / "caching.md", "# Caching\n\nA browser keeps a response for max-age seconds.")
    ingest(["notes"], store)
    tutor = Tutor(settings.model_copy(update={"corpus_dir": roadmap}), store, OfflineAnswerer(store.embedder))
    with client_for(tutor) as client:
        assert client.put("/v1/learners/ada", json={}).status_code in (200, 201)
        body = client.get("/v1/learners/ada/progress").json()
    (note,) = [p for p in body["problems"] if "is in the store" in p]
    assert note.startswith("none of the 6 topics of the roadmap folder “roadmap” is in the store")
    assert str(tmp_path) not in json.dumps(body)


def test_a_roadmap_folder_without_topics_is_a_400_without_the_servers_paths(settings, store, tmp_path):
    empty = tmp_path / "srv" / "roadmap"
    empty.mkdir(parents=True)
    tutor = Tutor(settings.model_copy(update={"corpus_dir": empty}), store, OfflineAnswerer(store.embedder))
    with client_for(tutor) as client:
        client.put("/v1/learners/ada", json={})
        response = client.get("/v1/learners/ada/next")
    assert response.status_code == 400 and "No valid topic in …/roadmap" in response.json()["detail"]
    assert str(tmp_path) not in response.text
