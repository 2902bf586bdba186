"""API safety: constant-time key checks, per-client rate limits (requests, and failed key checks per
address), and what POST /v1/ingest may read."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import threading
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from ingest.fetch import resolve
from ingest.pipeline import inside
from tutor.config import Settings, split_list
from tutor.errors import IngestError


def key_matches(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, refilled continuously.

    The buckets live in an LRU map of at most `max_clients`: each check is O(1) and memory is
    bounded however many clients appear. The bucket dropped is the least recently used one, which
    has usually been idle long enough to be full again (so dropping it forgets nothing)."""

    def __init__(self, per_minute: int, *, max_clients: int = 10_000):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.max_clients = max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.lock = threading.Lock()

    def _take(self, client: str, cost: int) -> int:
        if self.rate <= 0:
            return 0
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            wait = max(1, math.ceil((1 - tokens) / self.rate)) if tokens < 1 else 0
            self.buckets[client] = (tokens - cost if not wait else tokens, now)  # now the most recent
            if len(self.buckets) > self.max_clients:
                self.buckets.popitem(last=False)
            return wait

    def check(self, client: str) -> int:
        """Take one token: 0 when the request may go ahead, else the seconds to wait."""
        return self._take(client, 1)

    def peek(self, client: str) -> int:
        """Like check, without taking a token: is this client out of tokens?"""
        return self._take(client, 0)


def client_address(request: Request) -> str:
    """Who a request comes from, for limits: the peer's address (as the server was told to trust
    it), IPv6 by its /64, since one host usually holds a whole /64."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def key_id(key: str) -> str:
    """A short, non-reversible name for a configured key (rate-limit buckets never hold keys)."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]


def address_problem(host: str) -> str | None:
    """Why `host` may not be fetched (it cannot be resolved, or not every address it resolves to
    now is public), or None: an early, friendly 400. What protects is the check of every hop as it
    connects (ingest/fetch.py). Blocks while the name resolves: call it off the event loop."""
    try:
        resolve(host, None, public_only=True)
    except IngestError as exc:
        return str(exc)
    return None


def ingest_roots(settings: Settings) -> list[Path]:
    """The folders POST /v1/ingest may read, resolved: the pipeline confines every file to them."""
    return [Path(r).expanduser().resolve() for r in split_list(settings.ingest_roots)]


def check_ingest_inputs(inputs: list[str], settings: Settings) -> list[str]:
    """The inputs as the pipeline should get them, or 400 naming the first one that is not allowed
    by its place in the list (`inputs[2]`: errors echo nothing sent). Resolves URLs' names
    (blocking): run it in a thread."""
    roots = ingest_roots(settings)
    checked = []
    for i, raw in enumerate(inputs):
        value, where = raw.strip(), f"inputs[{i}]"
        if "://" in value:
            try:
                parts = urlsplit(value)
                host = parts.hostname
            except ValueError:  # "http://[::1" and other malformed URLs
                raise HTTPException(400, f"{where} is not a valid URL.") from None
            if parts.scheme not in ("http", "https") or not host:
                raise HTTPException(400, f"{where}: only http(s) URLs can be ingested.")
            if not settings.allow_private_urls and (problem := address_problem(host)):
                raise HTTPException(400, f"{where}: {problem}.")
            checked.append(value)
            continue
        if not roots:
            raise HTTPException(400, "No ingest roots are configured: set TUTOR_INGEST_ROOTS on the server.")
        base = roots[0]
        path = Path(value) if Path(value).is_absolute() else base / value
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            raise HTTPException(400, f"{where} cannot be resolved (a symbolic link loop?).") from None
        if not inside(resolved, roots):
            raise HTTPException(400, f"{where} is outside the ingest roots.")
        checked.append(str(resolved))
    return checked
