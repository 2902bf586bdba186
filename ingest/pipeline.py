"""The incremental ingestion pipeline: discover → read → (skip if unchanged) → chunk → embed → write.

A document whose bytes (and chunking settings) are unchanged is skipped before parsing or
embedding. A changed one is rewritten new-chunks-first. A document that fails is reported with its
reason and never touches what the store already holds for it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import Chunker
from ingest.loaders import KINDS, fetch_url, kind_for_content_type, kind_for_path, load_document
from tutor.errors import IngestError
from tutor.store import Store, StoredDocument
from tutor.types import Chunk

# Part of every document's hash: bump it when loaders or chunking change what a document becomes,
# so that the next ingest redoes every document instead of keeping chunks made the old way.
PIPELINE_VERSION = 2
SKIPPED_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tutor"}


@dataclass
class Target:
    """One document to ingest: a file or a URL."""

    doc_id: str
    source: str
    path: Path | None = None
    url: str | None = None

    @property
    def name(self) -> str:
        return self.path.name if self.path else self.url.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    chunks: int = 0  # chunks written in this run
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


class Progress:
    """Pipeline progress callbacks; the CLI draws them as rich progress bars."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, amount: int = 1) -> None: ...


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def _globbed(rel: str, include: list[str] | None, exclude: list[str] | None) -> bool:
    name = rel.rsplit("/", 1)[-1]
    if include and not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in include):
        return False
    return not (exclude and any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in exclude))


def discover(
    inputs: list[str], include: list[str] | None = None, exclude: list[str] | None = None
) -> tuple[list[Target], list[tuple[str, str]], list[Path]]:
    """Expand paths and URLs into targets; returns (targets, failures, roots scanned)."""
    targets: dict[str, Target] = {}
    failures: list[tuple[str, str]] = []
    roots: list[Path] = []
    for raw in inputs:
        if raw.startswith(("http://", "https://")):
            targets.setdefault(raw, Target(raw, raw, url=raw))
            continue
        if "://" in raw:
            failures.append((raw, "unsupported URL scheme (only http:// and https://)"))
            continue
        path = Path(raw).expanduser()
        if not path.exists():
            failures.append((raw, "no such file or directory"))
            continue
        if path.is_file():
            roots.append(path.resolve())
            doc_id = str(path.resolve())
            targets.setdefault(doc_id, Target(doc_id, display_path(path), path=path))
            continue
        roots.append(path.resolve())
        # os.walk without following links: a symlink loop cannot make this run forever.
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
            for filename in sorted(filenames):
                file = Path(dirpath) / filename
                rel = file.relative_to(path).as_posix()
                if file.suffix.lower() not in KINDS or filename.startswith("."):
                    continue
                if not _globbed(rel, include, exclude) or not file.is_file():
                    continue
                doc_id = str(file.resolve())
                targets.setdefault(doc_id, Target(doc_id, display_path(file), path=file))
    return list(targets.values()), failures, roots


def _read(target: Target, max_bytes: int, timeout: float) -> tuple[bytes, str]:
    """The raw bytes and the loader kind; raises IngestError with the reason."""
    if target.url:
        data, content_type = fetch_url(target.url, timeout=timeout, max_bytes=max_bytes)
        return data, kind_for_content_type(content_type, target.url)
    assert target.path is not None
    kind = kind_for_path(target.path)
    try:
        size = target.path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"larger than the {max_bytes:,}-byte limit ({size:,} bytes)")
        return target.path.read_bytes(), kind
    except PermissionError:
        raise IngestError("permission denied") from None
    except IsADirectoryError:
        raise IngestError("is a directory") from None
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from None


def _under(doc_id: str, roots: list[Path]) -> bool:
    if doc_id.startswith(("http://", "https://")):
        return False
    path = Path(doc_id)
    return any(path == root or root in path.parents for root in roots)


def ingest(
    inputs: list[str],
    store: Store,
    *,
    prune: bool = False,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest `inputs` (paths, directories, URLs) into `store` and return what happened."""
    progress = progress or Progress()
    settings = store.settings
    started = time.perf_counter()
    report = IngestReport()
    chunker = Chunker(store.embedder, settings.chunk_size, settings.chunk_overlap)
    # Settings that change the chunks are part of a document's hash: changing them re-ingests.
    salt = f"{store.embedder.model_id}|{chunker.chunk_size}|{chunker.chunk_overlap}|{PIPELINE_VERSION}"
    salt = salt.encode()

    targets, report.failed, roots = discover(inputs, include, exclude)
    stored = store.documents()

    pending: list[tuple[Target, list[Chunk], str, StoredDocument | None]] = []
    progress.start("read", len(targets))
    for target in targets:
        try:
            data, kind = _read(target, settings.max_document_bytes, settings.fetch_timeout)
            doc_hash = hashlib.sha256(salt + data).hexdigest()[:32]
            previous = stored.get(target.doc_id)
            if previous and previous.complete and previous.doc_hash == doc_hash:
                report.unchanged.append(target.source)
            else:
                doc = load_document(data, kind, doc_id=target.doc_id, source=target.source, name=target.name)
                chunks = chunker.chunk(doc)
                if not chunks:
                    raise IngestError("no text left to index after removing boilerplate")
                pending.append((target, chunks, doc_hash, previous))
        except IngestError as exc:
            report.failed.append((target.source, str(exc)))
        progress.advance("read")

    all_chunks = [chunk for _, chunks, _, _ in pending for chunk in chunks]
    progress.start("embed", len(all_chunks))
    embed_start = time.perf_counter()
    vectors = store.embedder.embed(
        [c.index_text() for c in all_chunks], on_batch=lambda n: progress.advance("embed", n)
    )
    report.embed_seconds = time.perf_counter() - embed_start

    progress.start("write", len(pending))
    offset = 0
    for target, chunks, doc_hash, previous in pending:
        store.write_document(chunks, vectors[offset : offset + len(chunks)], doc_hash, previous)
        offset += len(chunks)
        report.chunks += len(chunks)
        (report.updated if previous else report.added).append(target.source)
        progress.advance("write")

    if prune:
        present = {t.doc_id for t in targets}
        gone = [doc for doc_id, doc in stored.items() if doc_id not in present and _under(doc_id, roots)]
        store.delete_documents(gone)
        report.pruned = [doc.source for doc in gone]

    if pending or report.pruned:
        store.rebuild_keyword_index()
    else:
        store.keyword_index  # noqa: B018 - loads it, rebuilding if it is missing or stale
    report.seconds = time.perf_counter() - started
    return report
