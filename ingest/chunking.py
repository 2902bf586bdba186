"""Chunking by structure: headings first, then size in the embedding model's own tokens.

No chunk's index text (heading line + passage) may exceed the model's max sequence length: the
model would silently drop the rest. Sizes are measured with the model's tokenizer, and a final guard
cuts anything still too long at token boundaries.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from collections.abc import Iterator

from langchain_text_splitters import RecursiveCharacterTextSplitter

from tutor.embeddings import Embedder
from tutor.text import FENCE, fences_open
from tutor.types import SECTION_SEPARATOR, Chunk, Document

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
WORD = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 3  # fewer real words than this is navigation or decoration, not content
FRONT_MATTER_FIELDS = ("id", "phase", "order", "duration")
SPECIAL_TOKENS = 2  # [CLS] and [SEP]
LABEL_CHARS_PER_TOKEN = 16  # a label is cut to this many characters per token before tokenising


def split_sections(markdown: str) -> Iterator[tuple[list[str], str]]:
    """Yield (heading path, body) for each section; `#` inside fenced code is not a heading."""
    path: list[tuple[int, str]] = []
    body: list[str] = []
    fence = ""  # the marker of the open code block, if any
    for line in markdown.splitlines():
        marker = FENCE.match(line)
        if marker and (not fence or marker.group(1) == fence):
            fence = "" if fence else marker.group(1)
        match = None if fence else HEADING.match(line)
        if match:
            yield [title for _, title in path], "\n".join(body)
            level = len(match.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level]
            path.append((level, " ".join(match.group(2).split())))  # "4.\xa0Memcheck" as its title writes it
            body = []
        else:
            body.append(line)
    yield [title for _, title in path], "\n".join(body)


# A line of plain text that reads like a heading (saved web pages keep their headings as such lines):
# short, its first letter a capital, no sentence punctuation at its end (a question is allowed: FAQs),
# not a list item, not code and no address ("Open http://localhost:5000 to view the runs").
HEADING_LINE = re.compile(
    r"^(?![-*•·+>#]|\d+[.)]\s)[^=(){}\[\]<>;|`\"]{2,100}(?: \([^()=;|`\"]{1,40}\))?(?<![.!,;:])$"
)
HEADING_WORDS = 15


def is_heading_line(line: str) -> bool:
    first_letter = next((c for c in line if c.isalpha()), "")
    return (
        0 < len(line.split()) <= HEADING_WORDS
        and first_letter.isupper()
        and bool(HEADING_LINE.match(line))
        and bool(WORD.search(line))
        and "://" not in line
    )


def plain_text_sections(text: str) -> Iterator[tuple[list[str], str]]:
    """Yield (heading path, text) for plain text, cut before each run of heading-like lines.

    The heading lines stay in the section's text (in plain text they are part of what was written:
    "Phase 2: Supervised Learning (Weeks 7–14)"); a run of them becomes the section path. A run
    that opens with a label the page repeats ("Symptom", "Fix" under each pitfall) stays under
    the heading before it: "Too many algorithms › Fix", not "Fix"."""
    lines = text.splitlines()
    # One pass, linear in the lines (a hostile file may hold millions of them): the last non-blank
    # line, and whether the body so far holds a line of text (not only headings).
    last = max((i for i, x in enumerate(lines) if x.strip()), default=-1)
    labels = _repeated_heading_lines(lines)
    headings: list[str] = []
    seen: set[str] = set()
    body: list[str] = []
    body_has_text = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        heading = bool(line) and is_heading_line(line)
        if heading and i < last:
            if body_has_text:
                yield headings, "\n".join(body)
                parent = [h for h in headings if h not in labels][-1:] if line in labels else []
                headings, seen, body, body_has_text = list(parent), set(parent), [], False
            if line not in seen:
                headings.append(line)
                seen.add(line)
        body.append(raw)
        body_has_text = body_has_text or (bool(line) and not heading)
    if body:
        yield headings, "\n".join(body)


def _repeated_heading_lines(lines: list[str]) -> set[str]:
    counts = Counter(line.strip() for line in lines if line.strip())
    return {line for line, n in counts.items() if n > 1 and is_heading_line(line)}


def is_boilerplate(text: str) -> bool:
    return len(WORD.findall(text)) < MIN_WORDS


def chunk_id(doc_id: str, text: str) -> str:
    return hashlib.sha256(f"{doc_id}\n{text}".encode()).hexdigest()[:32]


class Chunker:
    """Splits Documents into Chunks that fit `embedder`'s sequence length."""

    def __init__(self, embedder: Embedder, chunk_size: int = 200, chunk_overlap: int = 32):
        self.embedder = embedder
        self.limit = embedder.max_tokens - SPECIAL_TOKENS  # content tokens the model keeps
        self.chunk_size = min(chunk_size, self.limit)
        self.chunk_overlap = min(chunk_overlap, self.chunk_size // 2)

    def tokens(self, text: str) -> int:
        return len(self.embedder.tokenizer.encode(text, add_special_tokens=False).ids)

    def _splitter(self, budget: int) -> RecursiveCharacterTextSplitter:
        return RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=min(self.chunk_overlap, budget // 2),
            length_function=self.tokens,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
            strip_whitespace=True,
        )

    def _cut_to_tokens(self, text: str, budget: int) -> list[str]:
        """Last resort: cut at token offsets into pieces of at most `budget` tokens."""
        # `encoding.offsets` builds a new list at every access: read it once (linear, not quadratic).
        offsets = self.embedder.tokenizer.encode(text, add_special_tokens=False).offsets
        pieces = []
        for start in range(0, len(offsets), budget):
            end = min(start + budget, len(offsets)) - 1
            pieces.append(text[offsets[start][0] : offsets[end][1]].strip())
        return [p for p in pieces if p]

    def _shorten(self, label: str) -> str:
        """Keep titles, section paths and front matter values to a quarter of the limit, so
        passages keep room. Cut by characters first: a hostile title can be megabytes long."""
        budget = self.limit // 4
        head = label[: budget * LABEL_CHARS_PER_TOKEN]
        if head == label and self.tokens(label) <= budget:
            return label
        pieces = self._cut_to_tokens(head, budget)
        return (pieces[0] if pieces else head.strip()[:budget]) + "…"

    def _sections(self, doc: Document) -> Iterator[tuple[str, str, int | None]]:
        """(section path, text, page) in document order."""
        if doc.kind == "pdf" and doc.pages:
            for number, page in enumerate(doc.pages, start=1):
                yield "", page, number
            return
        if doc.kind == "txt":
            for headings, body in plain_text_sections(doc.text):
                yield SECTION_SEPARATOR.join(h for h in headings[-3:] if h != doc.title), body, None
            return
        for headings, body in split_sections(doc.text):
            if headings and headings[0] == doc.title:
                headings = headings[1:]  # the title is shown anyway
            yield SECTION_SEPARATOR.join(headings), body, None

    def chunk(self, doc: Document) -> list[Chunk]:
        extra = {k: doc.metadata[k] for k in FRONT_MATTER_FIELDS if k in doc.metadata}
        if "id" in extra:
            extra["topic_id"] = extra.pop("id")
        # Copied into every chunk's metadata: a long value would be multiplied by the chunk count.
        extra = {k: self._shorten(v) if isinstance(v, str) else v for k, v in extra.items()}
        if doc.source.startswith(("http://", "https://")):
            extra["url"] = doc.source
        title = self._shorten(doc.title)
        chunks: list[Chunk] = []
        seen: set[str] = set()
        for section, text, page in self._sections(doc):
            if is_boilerplate(text):
                continue
            section = self._shorten(section)
            probe = Chunk("", doc.doc_id, doc.source, title, section, "", 0)
            room = self.limit - self.tokens(probe.index_text())  # what the model reads of a chunk
            budget = max(16, min(self.chunk_size, room))
            offsets, open_after = fences_open(text)
            start = end = 0
            gap: bool | None = None  # None before the section's first chunk; True once text is left out
            here: set[str] = set()  # this section's chunks
            for piece in self._splitter(budget).split_text(text):
                for part in [piece] if self.tokens(piece) <= budget else self._cut_to_tokens(piece, budget):
                    # where the piece starts: after the last one, or inside it when pieces overlap
                    after_last = start + 1 if gap is not None else 0
                    found = text.find(part[:80], after_last if self.chunk_overlap else end)
                    start = found if found >= 0 else end
                    # A piece of few words inside a section is content all the same (a long code
                    # line's tail, a printed array): only one of punctuation alone is left out.
                    if not re.search(r"\w", part):
                        gap = True  # left out between two chunks
                        continue
                    cid = chunk_id(doc.doc_id, part)
                    if cid in seen and cid not in here:
                        gap = True  # a passage another section has: a page's repeated box
                        continue
                    if cid in seen:  # repeated within its section (printed rows): content, kept
                        cid = chunk_id(doc.doc_id, f"{len(chunks)}\n{part}")
                    seen.add(cid)
                    here.add(cid)
                    meta = dict(extra)
                    if gap is not None:  # the context joins neighbours as the document has them
                        if not gap and start < end and text[start:end] == part[: end - start]:
                            meta["overlap"] = end - start  # characters repeated from the one before
                        elif not gap and start >= end and not text[end:start].strip():
                            meta["after"] = text[end:start]  # the white space between them
                        else:
                            meta["gap"] = True
                    # A chunk cut inside a code block says so: its passage reopens the block, so its
                    # first fence reads as the block's end, and the text after it as text.
                    if inside := open_after[i - 1] if (i := bisect.bisect_right(offsets, start)) else "":
                        meta["in_code"] = inside
                    gap, end = False, start + len(part)
                    chunks.append(
                        Chunk(cid, doc.doc_id, doc.source, title, section, part, len(chunks), page, meta)
                    )
        return chunks
