"""/v1/learners/{learner}/quizzes and /reviews through TestClient: the shapes the issue names, letters
and texts as answers, answering twice, the result in the learner's progress (and so in `next`),
reviews when due, the 4xx a user can cause, and ownership per API key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ingest.pipeline import ingest
from tests.api.clients import client_for
from tests.conftest import write
from tests.tutor.test_quiz_generation import ROADMAP
from tutor.chain import Tutor
from tutor.llm.offline import OfflineAnswerer


@pytest.fixture
def tutor(settings, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in ROADMAP.items():
        write(tmp_path / "docs" / name, text)
    ingest(["docs"], store)
    settings = settings.model_copy(update={"corpus_dir": tmp_path / "docs"})
    return Tutor(settings, store, OfflineAnswerer(store.embedder))


@pytest.fixture
def client(tutor):
    with client_for(tutor) as c:
        yield c


def keys_of(client, learner: str, quiz_id: str) -> dict:
    """The stored items with their keys (what the server grades against), by id."""
    records = client.app.state.quizzes[1]
    return {i.id: i for i in records.quiz(learner, quiz_id).items}


def test_a_quiz_is_served_without_its_keys(client):
    response = client.post("/v1/learners/Ada/quizzes", json={"topic": "sql", "n": 3})
    assert response.status_code == 201, response.text
    quiz = response.json()
    assert set(quiz) >= {"quiz_id", "items", "topic", "title", "generator", "warnings"}
    assert quiz["topic"] == "sql" and len(quiz["items"]) == 3
    for item in quiz["items"]:
        assert set(item) == {"id", "topic", "kind", "stem", "options", "citation"}
        assert set(item["citation"]) == {"source", "title", "section", "url"}
        assert all(set(o) == {"label", "text"} for o in item["options"])
    assert "answer" not in response.text and "quote" not in response.text
    stored = client.get(f"/v1/learners/ada/quizzes/{quiz['quiz_id']}").json()
    assert stored["items"] == quiz["items"] and stored["answered"] == []


def test_answers_by_letter_or_text_are_graded_with_the_passage(client):
    quiz = client.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 3}).json()
    keys = keys_of(client, "ada", quiz["quiz_id"])
    choice = next(i for i in quiz["items"] if i["options"])
    key = keys[choice["id"]]
    url = f"/v1/learners/ada/quizzes/{quiz['quiz_id']}/answers"
    result = client.post(url, json={"item_id": choice["id"], "answer": f"({key.correct_label.lower()})"})
    assert result.status_code == 200, result.text
    body = result.json()
    assert {"correct", "graded", "expected", "explanation", "citation"} <= set(body)
    assert body["correct"] and body["graded"] and body["expected"] == key.expected
    assert body["citation"]["quote"] in body["explanation"] and body["citation"]["heading"]
    assert body["next_review"] and body["quiz"]["graded"] == 1
    # a learner answering twice gets the first grade back, whatever the second answer says
    wrong = next(o["label"] for o in choice["options"] if o["label"] != key.correct_label)
    again = client.post(url, json={"item_id": choice["id"], "answer": wrong}).json()
    assert again["already_answered"] and again["correct"] and again["quiz"]["graded"] == 1


def test_a_finished_quiz_marks_the_topic_and_next_moves_on(client):
    quiz = client.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 3}).json()
    keys = keys_of(client, "ada", quiz["quiz_id"])
    url = f"/v1/learners/ada/quizzes/{quiz['quiz_id']}/answers"
    for item in quiz["items"]:
        last = client.post(url, json={"item_id": item["id"], "answer": keys[item["id"]].answer}).json()
    assert last["quiz"]["done"] and last["quiz"]["status"] == "done"
    progress = {t["id"]: t for t in client.get("/v1/learners/ada/progress").json()["topics"]}
    assert (progress["sql"]["status"], progress["sql"]["source"]) == ("done", "quiz")
    following = [t["id"] for t in client.get("/v1/learners/ada/next").json()["topics"]]
    assert "sql" not in following


def test_an_ungraded_answer_gives_nothing_away_and_may_be_tried_again(client):
    quiz = client.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 3}).json()
    choice = next(i for i in quiz["items"] if i["options"])
    url = f"/v1/learners/ada/quizzes/{quiz['quiz_id']}/answers"
    body = client.post(url, json={"item_id": choice["id"], "answer": "h"}).json()
    assert body["graded"] is False and body["correct"] is False and body["expected"] is None
    assert (
        body["explanation"] == ""
        and "quote" not in body["citation"]
        and "not one of the options" in body["reason"]
    )
    assert client.post(url, json={"item_id": choice["id"], "answer": "a"}).json()["graded"]


def test_answered_items_come_back_for_review_when_due(client, monkeypatch):
    import tutor.quiz.records as records_module

    quiz = client.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 2}).json()
    keys = keys_of(client, "ada", quiz["quiz_id"])
    for item in quiz["items"]:
        client.post(
            f"/v1/learners/ada/quizzes/{quiz['quiz_id']}/answers",
            json={"item_id": item["id"], "answer": keys[item["id"]].answer},
        )
    assert client.get("/v1/learners/ada/reviews/due").json()["items"] == []
    hidden = client.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 2}).json()
    assert not {i["id"] for i in hidden["items"]} & set(keys)  # not served again until due
    real = records_module.utc
    monkeypatch.setattr(records_module, "utc", lambda m=None: real(m) if m else real() + timedelta(days=1))
    due = client.get("/v1/learners/ada/reviews/due").json()["items"]
    assert {i["id"] for i in due} == set(keys) and all(i["due"] and "answer" not in i for i in due)
    item = due[0]
    reviewed = client.post(
        "/v1/learners/ada/reviews", json={"item_id": item["id"], "answer": keys[item["id"]].answer}
    )
    assert reviewed.status_code == 200 and reviewed.json()["correct"]
    assert item["id"] not in {i["id"] for i in client.get("/v1/learners/ada/reviews/due").json()["items"]}


def test_no_quiz_without_a_question_and_the_4xx_says_why_over_http(client, tutor):
    # every question on the topic answered, none due yet: 409, pointing at the review routes
    for _ in range(10):
        response = client.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 20})
        if response.status_code != 201:
            break
        quiz = response.json()
        keys = keys_of(client, "ada", quiz["quiz_id"])
        for item in quiz["items"]:
            url = f"/v1/learners/ada/quizzes/{quiz['quiz_id']}/answers"
            client.post(url, json={"item_id": item["id"], "answer": keys[item["id"]].answer})
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert "none is due for review yet" in detail and "GET /v1/learners/ada/reviews/due" in detail
    assert "`tutor" not in detail  # no command line to run for an HTTP client
    # a topic whose text yields no checkable question: 422 on the topic, and no quiz nor learner made
    text = "# Greetings\n\nThis page says hello to every reader who opens it, then says goodbye.\n"
    write(tutor.settings.corpus_dir / "hello.md", text)
    ingest(["docs"], tutor.store)
    response = client.post("/v1/learners/bob/quizzes", json={"topic": "Greetings"})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "topic"] and "yields no question" in error["msg"]
    assert client.get("/v1/learners/bob").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/learners/ada/quizzes", {"topic": "zebras"}, 404),
        ("/v1/learners/ada/quizzes", {"topic": "sql", "n": 0}, 422),
        ("/v1/learners/ada/quizzes", {"topic": "sql", "n": 21}, 422),
        ("/v1/learners/ada/quizzes", {"topic": "sql", "n": "5"}, 422),
        ("/v1/learners/ada/quizzes", {"topic": "sql", "extra": 1}, 422),
        ("/v1/learners/ada/quizzes", {"topic": ""}, 422),
        ("/v1/learners/ada/quizzes", {"topic": "sql", "provider": "anthropic"}, 400),
        ("/v1/learners/Not%20A%20Name/quizzes", {"topic": "sql"}, 422),
        ("/v1/learners/ada/quizzes/abc123/answers", {"item_id": "ab", "answer": "a"}, 404),
        ("/v1/learners/ada/quizzes/not-hex/answers", {"item_id": "ab", "answer": "a"}, 422),
        ("/v1/learners/ada/quizzes/abc123/answers", {"item_id": "ab", "answer": "a" * 501}, 422),
        ("/v1/learners/ada/quizzes/abc123/answers", {"item_id": "ab", "answer": 2}, 422),
        ("/v1/learners/ada/reviews", {"item_id": "ab", "answer": "a"}, 404),
    ],
)
def test_what_a_user_can_get_wrong_is_a_4xx(client, path, body, status):
    client.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 1})
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    assert "detail" in response.json()


def test_an_unknown_quiz_topic_names_the_topics_and_no_command(client):
    detail = client.post("/v1/learners/ada/quizzes", json={"topic": "zebras" * 30}).json()["detail"]
    assert detail.startswith("No topic or document 'zebraszebras") and "…" in detail and "sql" in detail
    assert "tutor roadmap" not in detail and len(detail) < 400


def test_reviews_of_an_unknown_learner_are_404(client):
    assert client.get("/v1/learners/nobody/reviews/due").status_code == 404


def test_learners_and_their_quizzes_belong_to_their_key(tutor):
    with client_for(tutor, api_keys="key-a,key-b") as c:
        a, b = {"Authorization": "Bearer key-a"}, {"Authorization": "Bearer key-b"}
        assert c.post("/v1/learners/ada/quizzes", json={"topic": "sql"}).status_code == 401
        quiz = c.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 2}, headers=a).json()
        item = quiz["items"][0]["id"]
        url = f"/v1/learners/ada/quizzes/{quiz['quiz_id']}"
        assert c.get(url, headers=b).status_code == 404
        assert c.post(f"{url}/answers", json={"item_id": item, "answer": "a"}, headers=b).status_code == 404
        assert c.get("/v1/learners/ada/reviews/due", headers=b).status_code == 404
        assert c.post(f"{url}/answers", json={"item_id": item, "answer": "a"}, headers=a).status_code == 200
        assert c.get("/v1/learners/ada/reviews/due", headers=a).status_code == 200
        # key B's own "ada" is another learner, with none of A's quizzes
        c.post("/v1/learners/ada/quizzes", json={"topic": "sql", "n": 1}, headers=b)
        assert c.get(url, headers=b).status_code == 404
