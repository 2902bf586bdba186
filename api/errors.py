"""What clients may read of errors: status codes for the error tree, and details without server
paths or echoed input."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from tutor.errors import ConfigError, NotFoundError, ProviderError, StoreError, TutorError
from tutor.learner.state import InvalidLearnerInput, LearnerDatabaseError, UnknownLearner, UnknownTopic

STORE_UNAVAILABLE = "The document store is unavailable; try again shortly."
LEARNERS_UNAVAILABLE = "The learner database is unavailable; try again shortly."
log = logging.getLogger("tutor")


def public_detail(exc: TutorError) -> str:
    """What a client may read of an error: store errors name server paths and hosts, provider errors
    the provider's address and its reply, so clients get a sentence without them and the operator
    the details, in the log."""
    if isinstance(exc, StoreError):
        log.warning("store error: %s", exc)
        return STORE_UNAVAILABLE
    if isinstance(exc, ProviderError):
        log.warning("provider error: %s", exc)
        return exc.public
    if isinstance(exc, LearnerDatabaseError):
        log.warning("learner database error: %s", exc)
        return LEARNERS_UNAVAILABLE
    return str(exc)


def public_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors without the `input` and `ctx` that would echo the request back, with
    locations made printable (a JSON key can be a lone surrogate)."""

    def printable(part: Any) -> Any:
        if isinstance(part, int):
            return part
        return str(part).encode("utf-8", "backslashreplace").decode("utf-8")[:64]

    return [
        {
            "type": e.get("type", "value_error"),
            "loc": [printable(p) for p in e.get("loc", ())],
            "msg": e.get("msg", ""),
        }
        for e in errors
    ]


def error_status(exc: TutorError) -> int:
    if isinstance(exc, UnknownLearner | UnknownTopic):
        return 404
    if isinstance(exc, InvalidLearnerInput):
        return 422
    if isinstance(exc, LearnerDatabaseError):
        return 503
    if isinstance(exc, ConfigError):
        return 400  # e.g. the request named a provider this server has no key for
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ProviderError):
        return 503 if exc.retryable else 502
    if isinstance(exc, StoreError):
        return 503
    return 500
