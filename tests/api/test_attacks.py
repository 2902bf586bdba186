"""The attacks of issue 19 against the HTTP API, one test per attack, each named for what it stops.
docs/reliability.md maps them onto the threat model."""

from __future__ import annotations

import functools
import json
import logging
import os
import time
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.safety import RateLimiter
from ingest.pipeline import ingest
from tests.api import clients
from tests.conftest import write
from tests.sites import PUBLIC, Page
from tests.tutor.test_chain import DOCS, make_tutor
from tutor.config import Settings
from tutor.errors import StoreError
from tutor.llm.offline import OfflineAnswerer

QUESTION = {"messages": [{"role": "user", "content": "I know pandas but not SQL"}]}
SECRET = "root:x:0:0:root:/root:/bin/bash\n"
ADMIN = {"X-Admin-Key": "adm"}
# An attacker sees a 500 as a response, not as an exception.
client_for = functools.partial(clients.client_for, raise_server_exceptions=False)


@pytest.fixture
def tutor(settings, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in DOCS.items():
        write(tmp_path / "docs" / name, text)
    ingest(["docs"], store)
    return make_tutor(settings, store, OfflineAnswerer(store.embedder), relevance_floor=0.4)


@pytest.fixture
def root(tmp_path):
    """An ingest root holding one honest note and a link to a private file outside it."""
    root = tmp_path / "root"
    write(root / "note.md", "# Docker\n\nContainers make ML environments reproducible.\n")
    os.symlink(write(tmp_path / "private" / "passwd", SECRET), root / "leak.txt")
    return root


def searched(client, query: str) -> str:
    return json.dumps(client.post("/v1/search", json={"query": query, "top_k": 10}).json())


# --- 1. ingest escapes ------------------------------------------------------------------------


def test_a_symlink_in_an_ingest_root_never_reads_outside_it(tutor, root, tmp_path):
    with client_for(tutor, admin_key="adm", ingest_roots=str(root)) as c:
        done = c.post("/v1/ingest", json={"inputs": ["."]}, headers=ADMIN).json()
        assert [Path(s).name for s in done["added"]] == ["note.md"]
        assert "passwd" not in json.dumps(done) and str(tmp_path / "private") not in json.dumps(done)
        assert [(Path(s["source"]).name, s["reason"]) for s in done["skipped"]] == [
            ("leak.txt", "symbolic link to a file outside the folder: not followed")
        ]
        assert "root:x:0:0" not in searched(c, "root:x:0:0 bin bash")
        named = c.post("/v1/ingest", json={"inputs": ["leak.txt"]}, headers=ADMIN)
        assert named.status_code == 400 and "outside the ingest roots" in named.json()["detail"]


def test_an_empty_ingest_input_does_not_ingest_the_whole_root(tutor, root):
    with client_for(tutor, admin_key="adm", ingest_roots=str(root)) as c:
        for blank in ["", "   "]:
            response = c.post("/v1/ingest", json={"inputs": [blank]}, headers=ADMIN)
            assert response.status_code == 422, blank
        assert not any("Docker" in s["title"] for s in c.get("/v1/sources").json())


def test_a_nul_byte_in_an_ingest_path_is_a_422(tutor, root):
    with client_for(tutor, admin_key="adm", ingest_roots=str(root)) as c:
        response = c.post("/v1/ingest", json={"inputs": ["note\x00.md"]}, headers=ADMIN)
        assert response.status_code == 422 and "control character" in json.dumps(response.json())


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("http://[::1", "not a valid URL"),
        ("loop", "cannot be resolved"),
    ],
)
def test_malformed_ingest_inputs_are_a_400_not_a_500(tutor, root, value, why):
    os.symlink(root / "loop", root / "loop")  # a link to itself
    with client_for(tutor, admin_key="adm", ingest_roots=str(root)) as c:
        response = c.post("/v1/ingest", json={"inputs": [value]}, headers=ADMIN)
    assert response.status_code == 400 and why in response.json()["detail"]
    assert str(root) not in response.text


# --- 2. SSRF ----------------------------------------------------------------------------------


def test_a_public_page_redirecting_to_loopback_never_gets_it_ingested(tutor, public_site, site, fake_dns):
    fake_dns["docs.example"] = [PUBLIC]
    site.pages["/secret"] = Page(body=b"internal admin page: the database password is hunter2\n")
    public_site.pages["/page"] = Page(302, headers={"location": site.url("/secret")})
    with client_for(tutor, admin_key="adm") as c:
        url = public_site.url("/page", "docs.example")
        done = c.post("/v1/ingest", json={"inputs": [url]}, headers=ADMIN)
        assert (
            done.status_code == 400 and "Nothing was ingested" in done.json()["detail"]
        )  # every input failed
        assert "not a public address" in done.json()["failed"][0]["reason"]
        assert "hunter2" not in searched(c, "internal admin database password hunter2")
    assert site.hits == []


def test_dns_rebinding_never_reaches_a_private_address(tutor, site, fake_dns):
    answers = iter([[PUBLIC]])
    fake_dns["rebind.example"] = lambda: next(answers, ["127.0.0.1"])
    site.pages["/secret"] = Page(body=b"internal admin page: the database password is hunter2\n")
    with client_for(tutor, admin_key="adm") as c:
        done = c.post("/v1/ingest", json={"inputs": [site.url("/secret", "rebind.example")]}, headers=ADMIN)
        assert (
            done.status_code == 400 and "Nothing was ingested" in done.json()["detail"]
        )  # every input failed
    assert site.hits == []


# --- 3. memory --------------------------------------------------------------------------------


def test_padded_provider_names_do_not_grow_the_tutor_cache(tutor):
    with client_for(tutor, rate_limit=0) as c:
        for i in range(30):
            provider = " " * (i % 5) + "offline" + "\t" * (i // 5)
            assert c.post("/v1/chat", json={**QUESTION, "provider": provider}).status_code == 200
            assert c.post("/v1/chat", json={**QUESTION, "provider": f"nope{i}"}).status_code == 400
        assert len(c.app.state.service.tutors) <= 2


# --- 4. rate limit ----------------------------------------------------------------------------


def test_random_bearer_tokens_do_not_escape_the_rate_limit_when_no_keys_are_set(tutor):
    with client_for(tutor, rate_limit=3) as c:
        statuses = [
            c.get("/v1/sources", headers={"Authorization": f"Bearer {uuid.uuid4()}"}).status_code
            for _ in range(5)
        ]
    assert statuses == [200, 200, 200, 429, 429]


def test_failed_api_key_attempts_are_limited_per_address(tutor):
    with client_for(tutor, api_keys="right-key", auth_failure_limit=5) as c:
        statuses = [
            c.get("/v1/sources", headers={"Authorization": f"Bearer guess-{i}"}).status_code for i in range(8)
        ]
        assert statuses == [401] * 5 + [429] * 3
        locked = c.get("/v1/sources", headers={"Authorization": "Bearer right-key"})
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1  # nor a right guess


def test_failed_admin_key_attempts_are_limited_per_address(tutor, root):
    with client_for(tutor, admin_key="adm", ingest_roots=str(root), auth_failure_limit=3) as c:
        statuses = [
            c.post("/v1/ingest", json={"inputs": ["."]}, headers={"X-Admin-Key": f"x{i}"}).status_code
            for i in range(5)
        ]
        assert statuses == [403, 403, 403, 429, 429]


def test_valid_keys_are_limited_per_key_not_per_token_sent(tutor):
    with client_for(tutor, api_keys="k-one,k-two", rate_limit=2) as c:
        one = [c.get("/v1/sources", headers={"Authorization": "Bearer k-one"}).status_code for _ in range(3)]
        two = c.get("/v1/sources", headers={"Authorization": "Bearer k-two"}).status_code
    assert one == [200, 200, 429] and two == 200


def test_the_rate_limiter_stays_bounded_and_constant_time_with_many_clients():
    limiter = RateLimiter(60, max_clients=10_000)
    started = time.perf_counter()
    for i in range(2_000):
        limiter.check(f"client-{i}")
    early = time.perf_counter() - started
    for i in range(2_000, 30_000):
        limiter.check(f"client-{i}")
    started = time.perf_counter()
    for i in range(30_000, 32_000):
        limiter.check(f"client-{i}")
    late = time.perf_counter() - started
    assert len(limiter.buckets) <= 10_000
    assert late < 10 * early + 0.05, (early, late)
    for _ in range(60):
        limiter.check("busy")
    assert limiter.check("busy") >= 1  # the bucket in use is the one kept


# --- 5. invalid Unicode -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/v1/chat", '{"messages": [{"role": "user", "content": "pandas \\ud800 SQL"}]}'),
        (
            "/v1/chat",
            '{"messages": [{"role": "user", "content": "hi \\udfff"}, '
            '{"role": "assistant", "content": "x"}, {"role": "user", "content": "SQL?"}]}',
        ),
        ("/v1/chat", '{"messages": [{"role": "user", "content": "SQL"}], "provider": "\\ud800"}'),
        ("/v1/chat", '{"messages": [{"role": "user", "content": "SQL"}], "filters": {"source": "\\ud800"}}'),
        ("/v1/chat", '{"messages": [{"role": "user", "content": "SQL"}], "filters": {"\\ud800": "x"}}'),
        ("/v1/search", '{"query": "\\ud800"}'),
        ("/v1/search", '{"query": "pandas", "filters": {"phase": "\\udc00"}}'),
        ("/v1/ingest", '{"inputs": ["\\ud800.md"]}'),
    ],
)
def test_a_lone_surrogate_is_a_422_not_a_500(tutor, root, route, body, caplog):
    with client_for(tutor, admin_key="adm", ingest_roots=str(root)) as c:
        response = c.post(route, content=body.encode(), headers={"content-type": "application/json", **ADMIN})
    assert response.status_code == 422, response.text
    assert "pandas" not in response.text and "hi " not in response.text  # the input is never echoed
    assert "unicode" in json.dumps(response.json()["detail"]).lower()  # says what is wrong


# --- 6. citation forgery: tests/tutor/test_chain.py::test_a_document_cannot_forge_a_citation ----
# --- 7. filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        {"$or": "x"},
        {"$and": [{"source": "x"}]},
        {"source": {"$ne": "x"}},
        {"doc_id": "/etc/passwd"},
        {"source": True},
        {"source": 1.5},
        {"secret": "x"},
    ],
)
def test_operator_filters_are_a_422_that_reveals_nothing(tutor, settings, filters):
    with client_for(tutor) as c:
        for route, body in [("/v1/search", {"query": "SQL"}), ("/v1/chat", QUESTION)]:
            response = c.post(route, json={**body, "filters": filters})
            assert response.status_code == 422, (route, filters, response.text)
            assert str(settings.data_dir) not in response.text and "chroma" not in response.text.lower()


def test_documented_filters_still_work(tutor):
    with client_for(tutor) as c:
        for filters in [{"source": "docs/time.md"}, {"title": "SQL"}, {"section": "Daily"}]:
            response = c.post("/v1/search", json={"query": "hours", "filters": filters})
            assert response.status_code == 200 and response.json()["results"], filters


def test_store_failures_never_reveal_the_data_path(tutor, settings, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise StoreError(f"Searching failed on {settings.data_dir}/chroma: disk I/O error")

    monkeypatch.setattr(tutor.store, "dense_search", broken)
    with client_for(tutor) as c:
        responses = [
            c.post("/v1/search", json={"query": "SQL"}),
            c.post("/v1/chat", json=QUESTION),
            c.post("/v1/chat", json={**QUESTION, "stream": True}),
        ]
    for response in responses:
        assert str(settings.data_dir) not in response.text and "I/O error" not in response.text
    assert [r.status_code for r in responses] == [503, 503, 200]
    assert "store is unavailable" in responses[0].json()["detail"]
    assert str(settings.data_dir) in caplog.text  # the operator still learns what happened


# --- 9. smaller -------------------------------------------------------------------------------


@pytest.mark.parametrize("keys", [",", " , ,", "  ,"])
def test_api_keys_that_hold_no_key_refuse_to_start_instead_of_turning_auth_off(keys):
    with pytest.raises(ValidationError, match="TUTOR_API_KEYS"):
        Settings(api_keys=keys, _env_file=None)


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/v1/chat", {**QUESTION, "stream": "yes"}),
        ("/v1/chat", {**QUESTION, "stream": 1}),
        ("/v1/chat", {**QUESTION, "top_k": True}),
        ("/v1/chat", {**QUESTION, "top_k": "5"}),
        ("/v1/chat", {**QUESTION, "top_k": 5.0}),
        ("/v1/chat", {**QUESTION, "temperature": 0}),
        ("/v1/chat", {"messages": [{"role": "user", "content": 5}]}),
        ("/v1/chat", {"messages": [{"role": "user", "content": "x", "name": "n"}]}),
        ("/v1/search", {"query": "SQL", "top_k": "3"}),
        ("/v1/search", {"query": 42}),
        ("/v1/ingest", {"inputs": ["note.md"], "prune": "yes"}),
        ("/v1/ingest", {"inputs": "note.md"}),
    ],
)
def test_loosely_typed_values_are_a_422(tutor, root, route, body):
    with client_for(tutor, admin_key="adm", ingest_roots=str(root)) as c:
        response = c.post(route, json=body, headers=ADMIN)
    assert response.status_code == 422, (body, response.text)
    assert "input" not in response.json()["detail"][0]  # the request is never echoed back


def test_a_failed_request_is_logged_without_its_input(tutor, monkeypatch, caplog):
    def crash(query, *args, **kwargs):
        raise RuntimeError(f"tokenizer choked on {query!r}")

    monkeypatch.setattr(tutor, "retrieve", crash)
    caplog.set_level(logging.INFO)
    question = {"messages": [{"role": "user", "content": "my private question about salaries"}]}
    with client_for(tutor) as c:
        response = c.post("/v1/chat", json=question, headers={"x-request-id": "req-42"})
    assert response.status_code == 500 and response.json() == {"detail": "Internal error (request req-42)."}
    assert "RuntimeError" in caplog.text and "req-42" in caplog.text  # the operator can find it
    assert "salaries" not in caplog.text
