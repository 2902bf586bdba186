"""Text patterns shared by ingestion, the answerers and the judge, so that they read a document's
lines the same way."""

from __future__ import annotations

import re

# A list item's marker opening a line: a bullet (as Markdown writes it, or as a saved web page
# does) or a number ("1." / "1)").
LIST_ITEM = re.compile(r"^\s*(?:[-*+•▪●]|\d+[.)])\s+")
