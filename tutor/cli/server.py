"""`tutor serve`: the HTTP API and the chat page under uvicorn; `tutor mcp`: the MCP server over stdio."""

from __future__ import annotations

from typing import Annotated

import typer

import tutor.cli.common as common
from tutor.cli.common import DataDir, Model, Provider, err


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    data_dir: DataDir = None,
) -> None:
    """Serve the HTTP API (/v1/chat, /v1/chat/completions, /mcp, ...) and the chat page at http://HOST:PORT/."""
    import os

    import uvicorn

    from api.server import uvicorn_options
    from tutor.config import split_list
    from tutor.learner.db import Database

    settings = common.load_settings(data_dir)
    common.require_store(data_dir := common.given_data_dir(data_dir))  # before anything is written
    if data_dir is not None:
        os.environ["TUTOR_DATA_DIR"] = str(data_dir)  # the workers read settings from the environment
    Database.from_settings(settings)  # a malformed TUTOR_DATABASE_URL stops here, not per request
    store = common.open_store(settings)
    common.ensure_ingested(store, seed=data_dir is None)  # once, before the workers start
    store.close()  # the workers open their own
    err.print(f"tutor serving on http://{host}:{port}/ (API docs at /docs)")
    keyless = not split_list(settings.api_keys) and not split_list(settings.allowed_hosts)
    if keyless and host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            "[yellow]note:[/] without TUTOR_API_KEYS (or TUTOR_ALLOWED_HOSTS) only this machine is "
            "answered; other machines get 403."
        )
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        access_log=False,  # our own access log has the request id and no query strings
        log_config=ACCESS_LOG_CONFIG,
        **uvicorn_options(settings),  # h11, bounded headers, a read deadline, trusted proxies only
    )


def mcp(data_dir: DataDir = None, provider: Provider = None, model: Model = None) -> None:
    """Serve tutor to an MCP client (a coding assistant, a chat app) over stdio.

    Tools ask, search, roadmap, next_topics and study_plan, and every ingested document as a
    resource. The client starts this command itself: see the README for its configuration."""
    from api.mcp_server import build_mcp_server

    tutor = common.build_tutor(data_dir, provider, model)  # stdout is the protocol: progress goes to stderr
    build_mcp_server(lambda: tutor).run("stdio")


ACCESS_LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO"},
        "tutor": {"handlers": ["stderr"], "level": "INFO"},
    },
}
