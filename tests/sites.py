"""Loopback web sites and a fake DNS for the URL-fetching tests (SSRF, redirects, deadlines).

127.0.0.2 plays a public address (`fake_dns` makes it count as global); 127.0.0.1 stays what it
is, a loopback address that must never be reached when private addresses are not allowed.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PUBLIC = "127.0.0.2"


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "text/plain"})
    trickle: float = 0.0  # seconds between lines of the body (sent without a Content-Length)


class Site(ThreadingHTTPServer):
    """A web site on one loopback address: `pages` by path, and `hits`, the paths requested."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.pages: dict[str, Page] = {}
        self.hits: list[str] = []
        self.headers: list[dict[str, str]] = []  # the request headers, lower-cased names
        super().__init__((host, port), SiteHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.server_address[0]}:{self.port}{path}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class SiteHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        self.server.headers.append({k.lower(): v for k, v in self.headers.items()})
        page = self.server.pages.get(self.path, Page(404, b"not found"))
        try:
            self.send_response(page.status)
            for key, value in page.headers.items():
                self.send_header(key, value)
            if not page.trickle:
                self.send_header("content-length", str(len(page.body)))
            self.end_headers()
            if not page.trickle:
                self.wfile.write(page.body)
                return
            for line in page.body.splitlines(keepends=True):
                self.wfile.write(line)
                self.wfile.flush()
                time.sleep(page.trickle)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def log_message(self, *args):
        pass


Answer = list[str] | Callable[[], list[str]]


def install_fake_dns(monkeypatch) -> dict[str, Answer]:
    """Names resolve to the addresses (or the callable's answer) in the returned dict; other names
    and literal addresses resolve as usual. 127.0.0.2 counts as a public address."""
    answers: dict[str, Answer] = {}
    real_getaddrinfo = socket.getaddrinfo
    real_is_global = ipaddress.IPv4Address.is_global

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name in answers:
            answer = answers[name]
            addresses = answer() if callable(answer) else answer
            return [
                (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, int(port or 0)))
                for a in addresses
            ]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(
        ipaddress.IPv4Address,
        "is_global",
        property(lambda self: str(self) == PUBLIC or real_is_global.fget(self)),
    )
    return answers
