"""API safety: constant-time key checks, a per-client rate limit, and what POST /v1/ingest may read."""

from __future__ import annotations

import hmac
import math
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import HTTPException

from ingest.fetch import resolve
from tutor.config import Settings, split_list
from tutor.errors import IngestError


def key_matches(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, refilled continuously."""

    def __init__(self, per_minute: int):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def check(self, client: str) -> int:
        """0 when the request may go ahead, else the seconds to wait."""
        if self.rate <= 0:
            return 0
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1:
                self.buckets[client] = (tokens, now)
                return max(1, math.ceil((1 - tokens) / self.rate))
            self.buckets[client] = (tokens - 1, now)
            if len(self.buckets) > 10_000:  # forget idle clients
                self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 120}
            return 0


def public_address(host: str) -> bool:
    """True when every address `host` resolves to now is public: an early, friendly 400. What
    protects is the check of every hop as it connects (ingest/fetch.py)."""
    try:
        resolve(host, None, public_only=True)
    except IngestError:
        return False
    return True


def ingest_roots(settings: Settings) -> list[Path]:
    """The folders POST /v1/ingest may read, resolved: the pipeline confines every file to them."""
    return [Path(r).expanduser().resolve() for r in split_list(settings.ingest_roots)]


def check_ingest_inputs(inputs: list[str], settings: Settings) -> list[str]:
    """The inputs as the pipeline should get them, or 400 naming the first one that is not allowed."""
    roots = ingest_roots(settings)
    checked = []
    for raw in inputs:
        value = raw.strip()
        if "://" in value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise HTTPException(400, f"Only http(s) URLs can be ingested: {value!r}.")
            if not settings.allow_private_urls and not public_address(parts.hostname):
                raise HTTPException(
                    400, f"{parts.hostname} is not a public address (set TUTOR_ALLOW_PRIVATE_URLS to allow)."
                )
            checked.append(value)
            continue
        if not roots:
            raise HTTPException(400, "No ingest roots are configured: set TUTOR_INGEST_ROOTS on the server.")
        base = roots[0]
        path = Path(value) if Path(value).is_absolute() else base / value
        resolved = path.resolve()
        if not any(resolved == root or root in resolved.parents for root in roots):
            raise HTTPException(400, f"{value!r} is outside the ingest roots.")
        checked.append(str(resolved))
    return checked
