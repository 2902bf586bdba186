"""YAML front matter of a Markdown file: the one parser that ingest (metadata) and the roadmap
(topics, prerequisites) both use."""

from __future__ import annotations

import re
from typing import Any

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class FrontMatterError(ValueError):
    """The front matter is there but is not a YAML mapping; the message says what is wrong."""


def _loader():
    import yaml

    class FrontMatterLoader(yaml.SafeLoader):
        """YAML without aliases: `*name` repeats a whole structure, so a few hundred bytes of nested
        aliases ("billion laughs") expand to gigabytes. Front matter has no use for them."""

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                raise FrontMatterError("front matter uses YAML aliases (*name), which are not accepted")
            return super().compose_node(parent, index)

    return FrontMatterLoader


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter as a dict, the body after it); (None, text) when the text has none."""
    import yaml

    match = FRONT_MATTER.match(text)
    if not match:
        return None, text
    try:
        meta = yaml.load(match.group(1), Loader=_loader()) or {}  # a SafeLoader: no Python objects
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"malformed YAML front matter: {str(exc).splitlines()[0]}") from None
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter is not a YAML mapping")
    return meta, text[match.end() :]
