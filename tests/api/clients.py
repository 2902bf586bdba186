"""The TestClient every API test module uses: an app over a given Tutor, with settings overridden."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from tutor.chain import Tutor

SECRET_SETTINGS = ("api_keys", "admin_key")


def client_for(tutor: Tutor, *, raise_server_exceptions: bool = True, **settings) -> TestClient:
    """A TestClient for an app over `tutor`, its settings updated with `settings` (`api_keys` and
    `admin_key` given as plain strings). It calls from a loopback peer addressed as `localhost`, as
    a keyless server requires. `raise_server_exceptions=False` shows a 500 as a response, as a
    client would see it, instead of raising the exception in the test."""
    secrets = {k: SecretStr(v) for k, v in settings.items() if k in SECRET_SETTINGS}
    app = create_app(tutor.settings.model_copy(update={**settings, **secrets}), tutor)
    return TestClient(
        app,
        raise_server_exceptions=raise_server_exceptions,
        base_url="http://localhost",
        client=("127.0.0.1", 50000),
    )
