"""A search filter's value as a user writes it, resolved to the value the store holds: the command
line's `--source` / `--phase` and the HTTP API's `filters` read the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tutor.errors import UnknownFilterValue

RESOLVED = ("source", "phase")  # text fields a user names by a part: a file name, a phase's number


def resolve_filters(
    filters: Mapping[str, Any], metas: Iterable[Mapping[str, Any]], *, cli: bool = False
) -> dict:
    """`filters` with each `source` and `phase` value resolved (`known_value`), another text field
    (a title, a section) in any case when that names one stored value; a value no ingested document
    has, or filters no passage matches together, raise UnknownFilterValue."""
    metas = list(metas)
    out = dict(filters)
    for key, value in filters.items():
        if key in RESOLVED and isinstance(value, str):
            out[key] = known_value(key, value, {str(m[key]) for m in metas if m.get(key)}, cli=cli)
        elif not any(m.get(key) == value for m in metas):
            out[key] = stored_value(key, value, {m[key] for m in metas if key in m}, cli=cli)
    if len(out) > 1 and not any(all(m.get(k) == v for k, v in out.items()) for m in metas):
        names = " and ".join(f"--{k}" if cli else k for k in out)
        message = f"No ingested passage has the {names} given together; each alone is there."
        raise UnknownFilterValue(message, key=next(iter(out)), public=message)
    return out


def stored_value(key: str, value: Any, known: set[Any], *, cli: bool = False) -> Any:
    """The one stored `key` value that `value` writes in another case ("5. data structures" for
    "5. Data Structures"); none stored is an UnknownFilterValue."""
    if isinstance(value, str):
        same = [v for v in known if isinstance(v, str) and v.casefold() == value.strip().casefold()]
        if len(same) == 1:
            return same[0]
    name = f"--{key}" if cli else key
    listing = "`tutor sources` lists the documents" if cli else "GET /v1/sources lists the documents"
    raise UnknownFilterValue(
        f"No ingested passage has {name} {value!r}; {listing}.",
        key=key,
        public=f"No ingested passage has the {key} given; {listing}.",
    )


def known_value(key: str, value: str, known: set[str], *, cli: bool = False) -> str:
    """The stored `key` value the user means: as stored, or the one stored value it ends
    ("13-sql.md" for "/home/me/corpus/13-sql.md") or opens ("3" for "3. Deep learning"), any case."""
    if value in known:
        return value
    if cli and key == "source":
        # a path typed through a link is stored as the file's own: "…/python3-doc/html/x.html"
        # for "…/python3.11/html/x.html"
        real = str(Path(value.strip()).expanduser().resolve())
        if real in known:
            return real
    wanted = value.strip().lower().replace("\\", "/")
    matches = sorted(
        v for v in known if v.lower().replace("\\", "/").endswith("/" + wanted) or v.lower() == wanted
    ) or sorted(v for v in known if key == "phase" and v.lower().startswith(wanted))
    name = f"--{key}" if cli else key
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(repr(m) for m in matches[:5])
        message = f"{{}} matches {len(matches)} documents' {key}s: {shown}. Give one whole."
        # the API's message names what is stored, never the value sent (its errors echo nothing)
        raise UnknownFilterValue(
            message.format(f"{name} {value!r}"), key=key, public=message.format(f"The {key} given")
        )
    if key == "phase":
        listing = "phases: " + ", ".join(sorted(known)[:12]) if known else "no ingested document has a phase"
        listings = (listing, listing)
    else:
        listings = ("`tutor sources` lists them", "GET /v1/sources lists them")
    raise UnknownFilterValue(
        f"No ingested document has {name} {value!r}; {listings[0]}.",
        key=key,
        public=f"No ingested document has the {key} given; {listings[1]}.",
    )
