"""YAML front matter of a Markdown file: the one parser that ingest (metadata) and the roadmap
(topics, prerequisites) both use."""

from __future__ import annotations

import re
from typing import Any

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class FrontMatterError(ValueError):
    """The front matter is there but is not a YAML mapping; the message says what is wrong."""


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter as a dict, the body after it); (None, text) when the text has none."""
    import yaml

    match = FRONT_MATTER.match(text)
    if not match:
        return None, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"malformed YAML front matter: {str(exc).splitlines()[0]}") from None
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter is not a YAML mapping")
    return meta, text[match.end() :]
