"""Property-based tests of the HTTP API from its own OpenAPI schema (schemathesis + hypothesis):
whatever a client sends, no 500, every response matches the schema, and nothing leaks.

Two servers: the open one (no keys, ingestion off), and a guarded one with API keys, an admin key
and an ingest root that holds an honest note, a symbolic link to a private file outside it and a
FIFO; the guarded one is fuzzed with the keys, so every route's handler is reached, ingest
included, and fuzzed ingests must never read the private file."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from pathlib import Path
from unittest import mock

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from api.app import create_app
from ingest.pipeline import ingest
from tests.conftest import FakeEmbedder, write
from tests.tutor.test_chain import DOCS, make_tutor
from tutor.config import Settings
from tutor.llm.offline import OfflineAnswerer
from tutor.store import Store

ROOT = Path(tempfile.mkdtemp(prefix="tutor-fuzz-"))
atexit.register(shutil.rmtree, ROOT, ignore_errors=True)
SECRET = "root:x:0:0:fuzzed-private-file"
KEYS = {"Authorization": "Bearer fuzz-key", "X-Admin-Key": "fuzz-admin"}
NEVER_SHOWN = [SECRET, "fuzz-key", "fuzz-admin", str(ROOT / "private"), str(ROOT / "guarded" / "data")]


def build_app(name: str, **overrides):
    """The app over a small corpus; built at import time because schemathesis reads the schema then."""
    for doc, text in DOCS.items():
        write(ROOT / name / "docs" / doc, text)
    store = Store(Settings(data_dir=ROOT / name / "data", _env_file=None), FakeEmbedder())
    cwd = os.getcwd()
    os.chdir(ROOT / name)
    try:
        ingest(["docs"], store)
    finally:
        os.chdir(cwd)
    tutor = make_tutor(store.settings, store, OfflineAnswerer(store.embedder), rate_limit=0, **overrides)
    return create_app(tutor.settings, tutor)


def guarded_app():
    from pydantic import SecretStr

    root = ROOT / "root"
    write(root / "note.md", "# Docker\n\nContainers make ML environments reproducible.\n")
    os.symlink(write(ROOT / "private" / "passwd", SECRET + "\n"), root / "leak.txt")
    os.mkfifo(root / "pipe.md")
    return build_app(
        "guarded",
        api_keys=SecretStr("fuzz-key"),
        admin_key=SecretStr("fuzz-admin"),
        ingest_roots=str(root),
        auth_failure_limit=0,
        fetch_timeout=1.0,
    )


# schemathesis addresses the app as "testserver": allowed like a loopback name on the keyless app
schema = schemathesis.openapi.from_asgi("/openapi.json", build_app("open", allowed_hosts="testserver"))
guarded = schemathesis.openapi.from_asgi("/openapi.json", guarded_app())


def not_a_server_error(ctx, response, case):
    assert response.status_code < 500, f"{case.method} {case.path} -> {response.status_code}: {response.text}"


def nothing_leaks(ctx, response, case):
    """No private file content, key or data path in any response, whatever was asked."""
    for secret in NEVER_SHOWN:
        assert secret not in response.text, f"{case.method} {case.path} leaked {secret!r}"


real_getaddrinfo = socket.getaddrinfo


def no_network(host, port, family=0, type=0, proto=0, flags=0):
    """Fuzzed URLs name random hosts: resolve only literal addresses, never ask a DNS server."""
    return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)


CHECKS = [not_a_server_error, nothing_leaks, response_schema_conformance, status_code_conformance]


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_500_and_matches_its_schema(case):
    with mock.patch("socket.getaddrinfo", no_network):
        response = case.call()
    case.validate_response(response, checks=CHECKS)


@guarded.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_with_keys_and_ingest_roots_never_answers_500_nor_leaks(case):
    with mock.patch("socket.getaddrinfo", no_network):
        response = case.call(headers={**(case.headers or {}), **KEYS})
    case.validate_response(response, checks=CHECKS)
