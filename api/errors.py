"""What clients may read of errors: status codes for the error tree, and details without server
paths or echoed input."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError

from tutor.errors import ConfigError, NotFoundError, ProviderError, StoreError, TutorError, UnknownFilterValue
from tutor.filters import resolve_filters
from tutor.learner.state import InvalidLearnerInput, LearnerDatabaseError, UnknownLearner, UnknownTopic

STORE_UNAVAILABLE = "The document store is unavailable; try again shortly."
LEARNERS_UNAVAILABLE = "The learner database is unavailable; try again shortly."
NOT_JSON = (
    "The request body must be JSON, sent with the header `Content-Type: application/json`; "
    "this request's Content-Type is missing or not JSON."
)
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
    if isinstance(exc, UnknownTopic | NotFoundError):  # the command line's message names a command
        return exc.public
    return without_paths(str(exc))


SERVER_PATH = re.compile(r"(?<![\w.:/])(?:/[^\s/:'\"“”]+)+/([^\s/:'\"“”]+)")


def without_paths(message: str) -> str:
    """`message` with each absolute path cut to its last part: a configuration error ("No valid
    topic in /srv/tutor/roadmap") is the operator's to read whole, in the log."""
    cut = SERVER_PATH.sub(r"…/\1", message)
    if cut != message:
        log.warning("error shown to a client without its paths: %s", message)
    return cut


UNION_MEMBER = re.compile(
    r"^(?:function-(?:after|before|wrap|plain)|list|dict|tuple|set|nullable|union|json-or-python|tagged-union|default)\[.*\]$|^(?:str|int|float|bool|none|bytes)$"
)


def public_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors without the `input` and `ctx` that would echo the request back, with
    locations made printable (a JSON key can be a lone surrogate)."""

    def printable(part: Any) -> Any:
        if isinstance(part, int):
            return part
        return str(part).encode("utf-8", "backslashreplace").decode("utf-8")[:64]

    out: dict[tuple, dict[str, Any]] = {}
    for e in errors:
        # pydantic names each member of a union it tried in the location ("content",
        # "function-after[valid_unicode(), str]"): the client sent "content", one field
        loc = tuple(
            printable(p) for p in e.get("loc", ()) if not (isinstance(p, str) and UNION_MEMBER.match(p))
        )
        msg = e.get("msg", "").removeprefix("Value error, ")  # pydantic's prefix on our own messages
        if loc in out:  # one field, several members refused it: "a valid string or a valid list"
            out[loc]["msg"] += " or " + msg.removeprefix("Input should be ")
            continue
        out[loc] = {"type": e.get("type", "value_error"), "loc": list(loc), "msg": msg}
    return list(out.values())


def unread_body(body: Any) -> bool:
    """Whether a request failed validation because its body was never read as JSON: the framework
    reads a body as JSON only when its Content-Type is JSON, never when the header is missing (a web
    page can send a body without one, or as text/plain, to a local server without a CORS preflight),
    and hands the raw bytes on otherwise. That is a 415 naming the header, not a 422 saying the
    body is not an object."""
    return isinstance(body, bytes | bytearray) and bool(body)


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


def resolved_filters(tutor, filters: dict[str, Any] | None) -> dict[str, Any] | None:
    """A request's filters with `source` and `phase` read as the command line reads them (a file
    name, a phase's number); one no ingested document has is a 422 naming the filter, not an empty
    result that reads as "not covered"."""
    if not filters:
        return None
    try:
        return resolve_filters(filters, tutor.store.keyword_index.metas)
    except UnknownFilterValue as exc:
        error = {"type": "value_error", "loc": ("body", "filters", exc.key), "msg": exc.public}
        raise RequestValidationError([error]) from None
