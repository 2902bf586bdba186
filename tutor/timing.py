"""Milliseconds per named stage of a piece of work (answering a question, ingesting documents)."""

from __future__ import annotations

import time
from contextlib import contextmanager


class StageTimer:
    """Milliseconds per named stage, and the total since the timer was made."""

    def __init__(self):
        self.started = time.perf_counter()
        self.ms: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str):
        mark = time.perf_counter()
        try:
            yield
        finally:
            self.ms[stage] = self.ms.get(stage, 0.0) + (time.perf_counter() - mark) * 1000

    def done(self) -> dict[str, float]:
        return {**self.ms, "total": (time.perf_counter() - self.started) * 1000}
