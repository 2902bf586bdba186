"""Loaders: turn the bytes of a file or a URL into a Document, or fail with one clear reason.

Markdown keeps its headings and front matter; HTML is reduced to its main content as Markdown
(trafilatura), so the chunker sees the same structure; PDF keeps one text per page. URLs are
fetched by ingest/fetch.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import yaml

from tutor.errors import IngestError
from tutor.types import Document

KINDS = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/plain": "txt",
}
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
FIRST_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def kind_for_path(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(KINDS))
        raise IngestError(f"unsupported file type {path.suffix or '(none)'!r} (supported: {supported})")
    return kind


def kind_for_content_type(content_type: str, url: str) -> str:
    mime = content_type.split(";")[0].strip().lower()
    if (
        mime in ("text/plain", "application/octet-stream", "")
        and Path(url.split("?")[0]).suffix.lower() in KINDS
    ):
        return KINDS[Path(url.split("?")[0]).suffix.lower()]  # servers often label .md as text/plain
    kind = CONTENT_TYPES.get(mime)
    if kind is None:
        raise IngestError(f"unsupported content type {mime or '(none)'!r}")
    return kind


def decode_text(data: bytes) -> str:
    """Strict UTF-8 (a BOM is allowed); binary and undecodable files are refused, not guessed."""
    if b"\x00" in data[:8192]:
        raise IngestError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"not valid UTF-8 text (bad byte at offset {exc.start})") from None


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"malformed YAML front matter: {str(exc).splitlines()[0]}") from None
    if not isinstance(meta, dict):
        raise IngestError("front matter is not a YAML mapping")
    return meta, text[match.end() :]


def load_markdown(text: str, fallback_title: str) -> tuple[str, str, dict[str, Any]]:
    meta, body = _split_front_matter(text)
    heading = FIRST_HEADING.search(body)
    title = str(meta.get("title") or (heading.group(1) if heading else fallback_title))
    return title, body, meta


def load_plain_text(text: str, fallback_title: str) -> tuple[str, str]:
    # The first line that reads like a title: saved web pages start with "Skip to content" etc.
    lines = (line.strip() for line in text.splitlines())
    title = next((line for line in lines if len(line.split()) >= 4 and len(line) <= 120), fallback_title)
    return title, text


def load_html(data: bytes, fallback_title: str) -> tuple[str, str]:
    import trafilatura

    if b"\x00" in data[:8192]:
        raise IngestError("binary file, not HTML")
    try:
        extracted = trafilatura.bare_extraction(
            data, output_format="python", with_metadata=True, include_tables=True, favor_recall=True
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors on broken markup
        raise IngestError(f"malformed HTML: {exc}") from None
    if extracted is None:
        raise IngestError("no readable text found in the HTML")
    markdown = trafilatura.extract(
        data, output_format="markdown", include_tables=True, favor_recall=True, with_metadata=False
    )
    text = markdown or getattr(extracted, "text", "") or ""
    if not text.strip():
        raise IngestError("no readable text found in the HTML")
    title = getattr(extracted, "title", None) or fallback_title
    return str(title), text


def load_pdf(data: bytes) -> tuple[str | None, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError("encrypted PDF")
        pages = [(page.extract_text() or "") for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise IngestError(f"malformed PDF: {exc}") from None
    if not any(page.strip() for page in pages):
        raise IngestError("the PDF has no extractable text (scanned images?)")
    return title, pages


def load_document(data: bytes, kind: str, *, doc_id: str, source: str, name: str) -> Document:
    """Parse `data` as `kind`; raise IngestError naming what is wrong."""
    if not data.strip():
        raise IngestError("empty file")
    fallback = Path(name).stem.replace("_", " ").replace("-", " ") or name
    if kind == "md":
        title, text, meta = load_markdown(decode_text(data), fallback)
        return Document(doc_id, source, title, text, kind, meta)
    if kind == "txt":
        title, text = load_plain_text(decode_text(data), fallback)
        return Document(doc_id, source, title, text, kind)
    if kind == "html":
        title, text = load_html(data, fallback)
        return Document(doc_id, source, title, text, kind)
    if kind == "pdf":
        title, pages = load_pdf(data)
        return Document(doc_id, source, title or fallback, "\n\n".join(pages), kind, pages=pages)
    raise IngestError(f"unknown document kind {kind!r}")
