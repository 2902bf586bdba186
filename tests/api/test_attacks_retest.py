"""The attacks of the re-test after issue 19 against the HTTP API, one test per attack, each named
for what it stops. docs/reliability.md maps them onto the threat model. (`tutor serve` itself, on
the network: tests/api/test_serve.py.)"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

import pytest
from pydantic import ValidationError

from tests.api.test_attacks import QUESTION, client_for, tutor  # noqa: F401 - `tutor` is a fixture
from tests.canned import Canned
from tests.sites import PUBLIC
from tutor.config import Settings, split_list

# --- N7: providers ----------------------------------------------------------------------------


def test_a_client_cannot_make_the_server_use_a_provider_the_operator_did_not_configure(tutor):  # noqa: F811
    """Any client could pick "openai-compatible" and make the server call its default base URL (a
    port on the server's own host), or learn which key a provider lacks."""
    with client_for(tutor, rate_limit=0) as c:
        for provider in ["openai-compatible", "anthropic", " OpenAI "]:
            response = c.post("/v1/chat", json={**QUESTION, "provider": provider})
            detail = response.json()["detail"]
            assert response.status_code == 400 and "does not offer" in detail, (provider, detail)
            assert "API_KEY" not in detail and "localhost" not in detail and "11434" not in detail
        assert c.post("/v1/chat", json={**QUESTION, "provider": "offline"}).status_code == 200


def test_provider_errors_never_show_the_base_urls_credentials_or_the_providers_reply(
    tutor,  # noqa: F811
    server,
    caplog,
):
    """A 502 quoted TUTOR_OPENAI_BASE_URL, user:password included, and the upstream reply."""
    base_url = f"http://tutor:pa55word@127.0.0.1:{server.server_address[1]}/v1?api-key=k3y"
    server.replies += [
        Canned(400, {"error": {"message": "upstream internals: table users has 3 rows"}}),
        Canned(500, {"error": {"message": "upstream stack trace at /srv/llm"}}),
        Canned(500, {"error": {"message": "upstream stack trace at /srv/llm"}}),
    ]
    caplog.set_level(logging.WARNING)
    with client_for(tutor, rate_limit=0, openai_base_url=base_url, llm_max_retries=0) as c:
        rejected = c.post("/v1/chat", json={**QUESTION, "provider": "openai-compatible"})
        failed = c.post("/v1/chat", json={**QUESTION, "provider": "openai-compatible", "stream": True})
    assert (rejected.status_code, rejected.json()["detail"]) == (
        502,
        "The OpenAI-compatible server rejected the request (400).",
    )
    assert "server error (500)" in failed.text
    for text in (rejected.text, failed.text):
        for secret in ("pa55word", "tutor:", "k3y", "127.0.0.1", "upstream"):
            assert secret not in text, secret
    assert "table users has 3 rows" in caplog.text and "127.0.0.1" in caplog.text  # for the operator
    assert "pa55word" not in caplog.text and "k3y" not in caplog.text


@pytest.mark.parametrize(
    "base_url", ["http://u:p@host:1/v1", "https://host/v1?key=x", "http://[::1]:8/v1#frag", "http://h/v1"]
)
def test_a_base_url_is_shown_without_credentials(base_url):
    from tutor.llm.providers import without_credentials

    shown = without_credentials(base_url)
    assert "u:p" not in shown and "key" not in shown and "frag" not in shown
    assert shown.endswith("/v1") and shown.startswith("http")


# --- N8: settings -----------------------------------------------------------------------------


@pytest.mark.parametrize("keys", ["   ", "\t", " \t \n", " , \t"])
def test_api_keys_of_only_blanks_refuse_to_start_instead_of_turning_auth_off(keys):
    """`","` was refused, but `"   "` quietly meant "no keys": every /v1 route open."""
    with pytest.raises(ValidationError, match="TUTOR_API_KEYS is set but holds no key"):
        Settings(api_keys=keys, _env_file=None)


def test_api_keys_of_only_blanks_in_the_environment_are_refused_too(monkeypatch):
    monkeypatch.setenv("TUTOR_API_KEYS", " \t ")
    with pytest.raises(ValidationError, match="TUTOR_API_KEYS is set but holds no key"):
        Settings(_env_file=None)
    monkeypatch.setenv("TUTOR_API_KEYS", "")
    assert not split_list(Settings(_env_file=None).api_keys)  # empty: API keys off, as documented


# --- N9: name lookups -------------------------------------------------------------------------


def test_a_slow_name_lookup_for_an_ingest_url_never_blocks_the_server(tutor, fake_dns):  # noqa: F811
    """The pre-check resolved names on the event loop: /healthz waited 9.5 s for a slow DNS."""

    def slow():
        time.sleep(3)
        return [PUBLIC]

    fake_dns["slow.example"] = slow
    with client_for(tutor, admin_key="adm") as c:
        worker = threading.Thread(
            target=lambda: c.post(
                "/v1/ingest", json={"inputs": ["http://slow.example/a.md"]}, headers={"X-Admin-Key": "adm"}
            )
        )
        worker.start()
        time.sleep(0.5)
        started = time.monotonic()
        assert c.get("/healthz").status_code == 200
        waited = time.monotonic() - started
        worker.join()
    assert waited < 1.5, f"/healthz waited {waited:.1f} s for a name lookup"


def test_an_ingest_url_whose_name_cannot_be_resolved_says_so(tutor, fake_dns):  # noqa: F811
    """It said "not a public address" for a name that has no address at all."""

    def unknown():
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    fake_dns["nowhere.example"] = unknown
    with client_for(tutor, admin_key="adm") as c:
        response = c.post(
            "/v1/ingest", json={"inputs": ["http://nowhere.example/a.md"]}, headers={"X-Admin-Key": "adm"}
        )
    assert response.status_code == 400
    assert response.json()["detail"] == "inputs[0]: nowhere.example could not be resolved."


# --- N10: filters -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30])
def test_a_filter_integer_beyond_64_bits_is_a_422_not_a_store_error(tutor, value):  # noqa: F811
    """2**63 .. 2**64-1 passed validation and Chroma refused it: a 503 "store unavailable"."""
    with client_for(tutor, rate_limit=0) as c:
        for route, body in [("/v1/search", {"query": "SQL"}), ("/v1/chat", QUESTION)]:
            response = c.post(route, json={**body, "filters": {"page": value}})
            assert response.status_code == 422, (route, value, response.text)
            assert str(value) not in response.text


@pytest.mark.parametrize("value", [2**63 - 1, -(2**63), 0])
def test_a_filter_integer_within_64_bits_still_works(tutor, value):  # noqa: F811
    # no passage has it: a 422 saying so (it was an empty 200 that reads as "not covered")
    with client_for(tutor, rate_limit=0) as c:
        response = c.post("/v1/search", json={"query": "SQL", "filters": {"order": value}})
    assert response.status_code == 422 and "No ingested passage has the order given" in response.text


def test_a_title_a_passage_has_finds_it_in_any_case(tutor):  # noqa: F811
    stored = next(m["title"] for m in tutor.store.keyword_index.metas if m.get("title"))
    with client_for(tutor, rate_limit=0) as c:
        response = c.post("/v1/search", json={"query": "SQL", "filters": {"title": stored.upper()}})
    assert response.status_code == 200 and response.json()["results"]
    assert {r["title"] for r in response.json()["results"]} == {stored}


# --- information -------------------------------------------------------------------------------


def test_readyz_does_not_reveal_the_process_id(tutor):  # noqa: F811
    with client_for(tutor, api_keys="k") as c:
        ready = c.get("/readyz")
        other = client_for(tutor).get("/readyz")
    assert ready.status_code == 200 and str(os.getpid()) not in ready.text
    assert ready.json()["worker"] != other.json()["worker"]  # workers still tell apart


def test_the_chat_page_cannot_be_framed_and_runs_only_its_own_script(tutor):  # noqa: F811
    with client_for(tutor) as c:
        page = c.get("/")
        script = c.get("/static/app.js")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert script.headers["x-content-type-options"] == "nosniff"
    with client_for(tutor) as c:  # nor the API docs, whose "Execute" another site could frame
        assert c.get("/docs").headers["x-frame-options"] == "DENY"
