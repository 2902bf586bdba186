"""`tutor serve` as an attacker meets it on the network: huge or slow requests are cut off, and
X-Forwarded-For is not trusted unless the operator names a proxy.

Runs the real `tutor serve` (uvicorn, offline answerer, the real embedding model) on a free loopback
port with a 2 s request read timeout and a rate limit of 3 a minute.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import served_tutor, write
from tests.tutor.test_chain import DOCS

READ_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    for name, text in DOCS.items():
        write(root / "docs" / name, text)
    env = {
        "TUTOR_REQUEST_READ_TIMEOUT": str(READ_TIMEOUT),
        "TUTOR_RATE_LIMIT": "3",
        "FORWARDED_ALLOW_IPS": None,
    }
    with served_tutor(root, root / "docs", env) as served:
        yield served.proc, served.port


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def status_of(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else 0


def read_response(s: socket.socket) -> bytes:
    """One whole HTTP response (headers and a Content-Length body), however TCP splits it."""
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = s.recv(65536)
        if not chunk:
            return reply
        reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def get(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    with connect(port) as s:
        lines = [f"GET {path} HTTP/1.1", "Host: localhost", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return status_of(s.recv(65536))


def closed_after(s: socket.socket, trickle: bytes, limit: float) -> float | None:
    """Send `trickle` every 0.25 s; the seconds until the server closed the connection, or None
    if it still holds it after `limit` seconds."""
    started = time.monotonic()
    s.settimeout(0.25)
    while time.monotonic() - started < limit:
        try:
            s.sendall(trickle)
            if s.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except OSError:  # reset by the server
            return time.monotonic() - started
    return None


def test_a_huge_request_header_is_refused_not_buffered(served):
    """uvicorn's default parser (httptools) kept every byte of a header: 300 MB cost 550 MB."""
    proc, port = served
    before = rss_mb(proc.pid)
    with connect(port) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ")
        sent, block = 0, b"a" * 65536
        try:
            while sent < 64 << 20:
                s.sendall(block)
                sent += len(block)
            s.sendall(b"\r\n\r\n")
        except OSError:
            pass  # the server hung up: what should happen
        s.settimeout(10)
        try:
            reply = s.recv(65536)
        except OSError:
            reply = b""
    assert status_of(reply) in (0, 400, 431), reply[:80]
    assert sent < 32 << 20, "the server read a 64 MB header to its end"
    assert rss_mb(proc.pid) - before < 32
    assert get(port, "/healthz") == 200


def test_a_head_over_the_limit_is_refused_when_it_arrives_whole(served):
    """h11 bounds a head that arrives in pieces, not one sent in a single write: 100 KB got a 200."""
    _, port = served
    for size in (20_000, 100_000):
        with connect(port) as s:
            s.sendall(
                b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-A: "
                + b"a" * size
                + b"\r\n\r\n"
            )
            s.settimeout(10)
            reply = s.recv(65536)
        assert status_of(reply) in (400, 431), reply[:80]
    assert get(port, "/healthz") == 200


def test_a_slowloris_client_is_disconnected_at_the_read_timeout(served):
    """A header line every few seconds held a connection open for as long as the client liked."""
    _, port = served
    holders = [connect(port) for _ in range(20)]
    for s in holders:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
    results: list[float | None] = [None] * len(holders)

    def hold(i: int) -> None:
        results[i] = closed_after(holders[i], b"X-a: b\r\n", READ_TIMEOUT + 8)

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(len(holders))]
    for t in threads:
        t.start()
    assert get(port, "/healthz") == 200  # others are served meanwhile
    for t in threads:
        t.join()
    for s in holders:
        s.close()
    assert all(r is not None and r < READ_TIMEOUT + 2 for r in results), results


def test_a_slow_request_body_is_cut_off_at_the_read_timeout(served):
    _, port = served
    with connect(port) as s:
        s.sendall(
            b"POST /v1/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n"
        )
        seconds = closed_after(s, b" ", READ_TIMEOUT + 8)
    assert seconds is not None and seconds < READ_TIMEOUT + 2


def test_a_kept_alive_connection_still_serves_its_next_request_after_the_read_timeout(served):
    """The deadline is for sending a request, not for keeping an idle connection (keep-alive)."""
    _, port = served
    with connect(port) as s:
        for _ in range(2):
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert status_of(read_response(s)) == 200
            time.sleep(READ_TIMEOUT + 1)


def test_x_forwarded_for_cannot_choose_the_rate_limit_address(served):
    """uvicorn trusted X-Forwarded-For from 127.0.0.1: a local process picked a fresh address
    (and a fresh rate-limit bucket) per request."""
    _, port = served
    statuses = [get(port, "/v1/sources", {"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
