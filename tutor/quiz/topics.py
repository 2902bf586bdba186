"""The documents a quiz can be about, read from the keyword index (every chunk's text and metadata
is in memory there): a roadmap topic by its id, or any ingested document by source or title."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.errors import NotFoundError
from tutor.types import Chunk


@dataclass
class TopicDoc:
    """One document's chunks in document order, with what the roadmap says of it."""

    id: str  # the roadmap topic id, else the document's source
    title: str
    source: str
    phase: str = ""
    order: int = 0
    chunks: list[Chunk] = field(default_factory=list)


def topic_documents(index) -> dict[str, TopicDoc]:
    """Every document of a KeywordIndex, keyed by topic id (or source), in roadmap order."""
    by_doc: dict[str, TopicDoc] = {}
    for chunk_id, text, meta in zip(index.ids, index.texts, index.metas, strict=True):
        chunk = Chunk.from_record(chunk_id, text, meta)
        doc = by_doc.get(chunk.doc_id)
        if doc is None:
            topic_id = str(meta.get("topic_id") or chunk.source)
            doc = by_doc[chunk.doc_id] = TopicDoc(
                topic_id,
                chunk.title,
                chunk.source,
                str(meta.get("phase") or ""),
                int(meta.get("order") or 0) if str(meta.get("order") or "0").isdigit() else 0,
            )
        doc.chunks.append(chunk)
    docs: dict[str, TopicDoc] = {}
    for doc in sorted(by_doc.values(), key=lambda d: (d.phase == "", d.phase, d.order, d.id)):
        doc.chunks.sort(key=lambda c: c.position)
        docs.setdefault(doc.id, doc)  # two files claiming one id: the first in roadmap order wins
    return docs


def find_topic(docs: dict[str, TopicDoc], name: str) -> TopicDoc:
    """The document `name` means: a topic id, a source (or the end of its path), or a title."""
    wanted = name.strip()
    if wanted in docs:
        return docs[wanted]
    folded = wanted.casefold()
    for doc in docs.values():
        if doc.id.casefold() == folded or doc.title.casefold() == folded:
            return doc
    tail = wanted.replace("\\", "/").strip("/")
    for doc in docs.values():
        source = doc.source.replace("\\", "/")
        if tail and (source == tail or source.endswith("/" + tail)):
            return doc
    known = ", ".join(list(docs)[:12]) or "none: ingest some documents first"
    more = f" and {len(docs) - 12} more" if len(docs) > 12 else ""
    asked = name if len(name) <= 64 else name[:63] + "…"
    raise NotFoundError(
        f"No topic or document {name!r}. Topics: {known}{more} (see `tutor roadmap`).",
        public=f"No topic or document {asked!r}. Topics: {known}{more}.",
    )
