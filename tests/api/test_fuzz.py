"""Property-based tests of the HTTP API from its own OpenAPI schema (schemathesis + hypothesis):
whatever a client sends, no 500, and every response matches the schema."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

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


def build_app():
    """The app over a small corpus; built at import time because schemathesis reads the schema then."""
    root = Path(tempfile.mkdtemp(prefix="tutor-fuzz-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    for name, text in DOCS.items():
        write(root / "docs" / name, text)
    store = Store(Settings(data_dir=root / "data", _env_file=None), FakeEmbedder())
    cwd = os.getcwd()
    os.chdir(root)
    try:
        ingest(["docs"], store)
    finally:
        os.chdir(cwd)
    tutor = make_tutor(store.settings, store, OfflineAnswerer(store.embedder), rate_limit=0)
    return create_app(tutor.settings, tutor)


schema = schemathesis.openapi.from_asgi("/openapi.json", build_app())


def not_a_server_error(ctx, response, case):
    assert response.status_code < 500, f"{case.method} {case.path} -> {response.status_code}: {response.text}"


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_500_and_matches_its_schema(case):
    response = case.call()
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
    )
