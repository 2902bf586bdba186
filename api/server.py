"""How `tutor serve` runs uvicorn: h11 with a bounded request head, a deadline for reading each
request (slowloris), and X-Forwarded-For trusted only from the proxies the operator names.

uvicorn's default protocol (httptools) buffers request headers without limit (a 300 MB header
cost 550 MB) and neither protocol limits how long a client may take to send a request.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from tutor.config import Settings, get_settings, split_list

log = logging.getLogger("tutor")


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with `TUTOR_REQUEST_READ_TIMEOUT` seconds to send each request
    (head and body) from the moment the connection opens or the previous response ends (then
    after the keep-alive time). A client still sending when it runs out is disconnected."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.read_timeout = get_settings().request_read_timeout  # workers read the environment
        self.read_deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self.read_deadline = self.loop.call_later(seconds, self._read_timed_out)

    def _disarm(self) -> None:
        if self.read_deadline is not None:
            self.read_deadline.cancel()
            self.read_deadline = None

    def _read_timed_out(self) -> None:
        self.read_deadline = None
        if not self.transport.is_closing():
            log.debug("closing a connection that did not send its request within %g s", self.read_timeout)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.read_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm()  # the request has arrived whole (or the connection is ending)

    def on_response_complete(self) -> None:
        # Armed first: the call below starts the next cycle and handles a pipelined request.
        self._arm(self.timeout_keep_alive + self.read_timeout)
        super().on_response_complete()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn.run arguments that harden `tutor serve` (see the module docstring)."""
    proxies = split_list(settings.forwarded_allow_ips)
    return {
        "http": DeadlineH11Protocol,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "ws": "none",  # no WebSocket routes: an upgrade request is an ordinary request
        "timeout_keep_alive": 30,  # above typical proxy idle timeouts: no close racing a reused connection
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
        "server_header": False,
    }
