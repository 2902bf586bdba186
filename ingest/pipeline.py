"""The incremental ingestion pipeline: discover → read → (skip if unchanged) → chunk → embed → write.

A document whose bytes (and chunking settings) are unchanged is skipped before parsing or
embedding. A changed one is rewritten new-chunks-first. A document that fails is reported with its
reason and never touches what the store already holds for it.
"""

from __future__ import annotations

import email.message
import errno
import fnmatch
import hashlib
import os
import stat
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ingest.chunking import MIN_WORDS, Chunker
from ingest.fetch import fetch_url
from ingest.loaders import (
    compressed,
    gunzip,
    kind_for_content_type,
    kind_for_path,
    load_document,
    one_line,
    readable_suffix,
    redirect_of,
)
from tutor.errors import IngestError, NothingToIndex
from tutor.store import Store, StoredDocument
from tutor.text import fences_open
from tutor.timing import StageTimer
from tutor.types import Chunk

# Part of every document's hash: bump it when loaders or chunking change what a document becomes,
# so that the next ingest redoes every document instead of keeping chunks made the old way.
PIPELINE_VERSION = 16
SKIPPED_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tutor"}


@dataclass
class Target:
    """One document to ingest: a file or a URL."""

    doc_id: str
    source: str
    path: Path | None = None  # as found (its name gives the fallback title)
    url: str | None = None
    real: Path | None = None  # the file's real path: what is opened, without following links
    identity: tuple[int, int] | None = None  # (device, inode) when found: a swapped file is refused
    walked: bool = False  # found in a folder, not named

    @property
    def name(self) -> str:
        return self.path.name if self.path else self.url.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # no longer on disk, kept without --prune
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): found, not taken
    notes: list[tuple[str, str]] = field(default_factory=list)  # (source, what to check): ingested
    filtered: int = 0  # files of a folder walk --include / --exclude left out, not ingested before
    kept: int = 0  # files of a folder walk --include / --exclude left out, ingested before: kept as they are
    # files of a folder walk of a type no loader reads, by suffix (".rst": 36): counted, not listed
    unsupported: dict[str, int] = field(default_factory=dict)
    chunks: int = 0  # chunks written in this run
    seconds: float = 0.0
    stages_ms: dict[str, float] = field(default_factory=dict)  # read, extract, chunk, embed, write, index

    @property
    def embed_seconds(self) -> float:
        return self.stages_ms.get("embed", 0.0) / 1000

    @property
    def ok(self) -> bool:
        return not self.failed and not self.nothing_matched

    @property
    def nothing_matched(self) -> bool:
        """The globs left out every new file found (a mistyped --include) and nothing was read."""
        return bool(self.filtered) and not (self.added or self.updated or self.unchanged)

    @property
    def all_kept(self) -> bool:
        """The globs left out every file found, all of them ingested before: nothing read, nothing
        lost (`--exclude 'old/*'` over a folder of old files), but likely a mistyped --include."""
        return bool(self.kept) and not (self.filtered or self.added or self.updated or self.unchanged)

    @property
    def all_failed(self) -> bool:
        """Inputs failed and nothing else came of the run: none read, none pruned."""
        return bool(self.failed) and not (self.added or self.updated or self.unchanged or self.pruned)


class Progress:
    """Pipeline progress callbacks; the CLI draws them as rich progress bars."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, amount: int = 1) -> None: ...


def without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def display_path(path: Path, *, follow: bool = True) -> str:
    """The path relative to the working directory when under it; `follow=False` names a link
    itself, never where it points."""
    full = path.resolve() if follow else Path(os.path.abspath(path))
    try:
        shown = str(full.relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(full)
    return one_line(shown)  # a file name's control characters must not reach a terminal


def _globbed(rel: str, include: list[str] | None, exclude: list[str] | None) -> bool:
    name = rel.rsplit("/", 1)[-1]
    if include and not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in include):
        return False
    return not (exclude and any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in exclude))


def inside(path: Path, roots: list[Path]) -> bool:
    """True when the (resolved) `path` is one of `roots` or below one."""
    return any(path == root or root in path.parents for root in roots)


@dataclass
class Discovery:
    """What `discover` found: targets to read, inputs that failed, files seen but not taken, and
    the roots scanned (for --prune)."""

    targets: list[Target] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    # Files still there that --include / --exclude left out this time: not gone, never pruned.
    filtered: set[str] = field(default_factory=set)
    # Inputs that no longer exist, (as given, resolved): --prune removes what was ingested from them.
    missing: list[tuple[str, Path]] = field(default_factory=list)
    unsupported: Counter[str] = field(default_factory=Counter)  # suffix -> files left out for it


def _file_target(found: Path, real: Path) -> Target | str:
    """A target for the regular file at `real` (reached as `found`), or why it is not one."""
    try:
        info = real.stat()
    except (OSError, ValueError):
        return "broken symbolic link: not followed" if found.is_symlink() else "cannot read it"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    return Target(str(real), display_path(found), path=found, real=real, identity=(info.st_dev, info.st_ino))


def discover(
    inputs: list[str],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    *,
    within: list[Path] | None = None,
) -> Discovery:
    """Expand paths and URLs into targets.

    A folder walk takes only files whose real path is inside that folder: a symbolic link that
    leads out of it (or nowhere), a link to a folder, a FIFO or a device is reported as skipped,
    never read. With `within`, every path must also resolve inside one of those folders.
    """
    found = Discovery()
    targets: dict[str, Target] = {}
    for raw in inputs:
        if raw.startswith(("http://", "https://")):
            # the page is named without the user and password its address may carry: a name is
            # shown to every client (sources, citations), and the page is one document either way
            named = without_credentials(raw)
            targets.setdefault(named, Target(named, named, url=raw))
            continue
        if "://" in raw:
            found.failed.append((raw, "unsupported URL scheme (only http:// and https://)"))
            continue
        try:
            path = Path(raw).expanduser()
            exists = path.exists()
            base = path.resolve()
        except (ValueError, OSError, RuntimeError):  # a NUL byte, a link loop, an unknown ~user
            found.failed.append((raw, "invalid path"))
            continue
        if within is not None and not inside(base, within):
            found.failed.append((raw, "outside the allowed folders"))
            continue
        if not exists:
            found.failed.append((raw, "no such file or directory"))
            found.missing.append((raw, base))
            continue
        if not path.is_dir():
            target = _file_target(path, base)
            if isinstance(target, str):
                found.failed.append((raw, "not a regular file or folder"))
            else:
                found.roots.append(base)
                targets.setdefault(target.doc_id, target)
            continue
        found.roots.append(base)
        # os.walk without following links: a symlink loop cannot make this run forever.
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            kept = []
            for d in sorted(dirnames):
                if d in SKIPPED_DIRS or d.startswith("."):
                    continue
                if (Path(dirpath) / d).is_symlink():
                    shown = display_path(Path(dirpath) / d, follow=False)
                    found.skipped.append((shown, "symbolic link to a folder: not followed"))
                    continue
                kept.append(d)
            dirnames[:] = kept
            for filename in sorted(filenames):
                file = Path(dirpath) / filename
                rel = file.relative_to(path).as_posix()
                if filename.startswith("."):
                    continue
                if readable_suffix(file) is None:
                    if _globbed(rel, include, exclude):
                        # shown to the user: one line, and short (a file name may hold anything)
                        found.unsupported[one_line(file.suffix.lower())[:16] or "(none)"] += 1
                    continue
                if not _globbed(rel, include, exclude):
                    if not file.is_symlink():
                        found.filtered.add(str(file.resolve()))
                    continue
                try:
                    real = file.resolve()
                except (OSError, RuntimeError):  # a loop of links
                    found.skipped.append(
                        (display_path(file, follow=False), "symbolic link loop: not followed")
                    )
                    continue
                if not inside(real, [base]):
                    reason = "symbolic link to a file outside the folder: not followed"
                    if not real.exists():
                        reason = "broken symbolic link: not followed"
                    found.skipped.append((display_path(file, follow=False), reason))
                    continue
                target = _file_target(file, real)
                if isinstance(target, str):
                    found.skipped.append((display_path(file, follow=False), target))
                    continue
                targets.setdefault(target.doc_id, replace(target, walked=True))
    found.targets = list(targets.values())
    return found


def _read_file(target: Target, max_bytes: int) -> bytes:
    """The bytes of the file that was found, opened without following a link and without blocking
    (a FIFO put in its place), and refused when it is no longer the same file."""
    assert target.path is not None
    path = target.real or target.path
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError("the file changed while it was being ingested") from None
        raise
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IngestError("not a regular file")
        if target.identity and (info.st_dev, info.st_ino) != target.identity:
            raise IngestError("the file changed while it was being ingested")
        if info.st_size > max_bytes:
            raise IngestError(f"larger than the {max_bytes:,}-byte limit ({info.st_size:,} bytes)")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IngestError(f"larger than the {max_bytes:,}-byte limit")
    return data


def _read(target: Target, max_bytes: int, timeout: float, public_only: bool) -> tuple[bytes, str]:
    """The raw bytes and the loader kind; raises IngestError with the reason."""
    if target.url:
        data, content_type = fetch_url(
            target.url, timeout=timeout, max_bytes=max_bytes, public_only=public_only
        )
        kind = kind_for_content_type(content_type, target.url)
        return (declared_as_utf8(data, content_type) if kind in ("md", "txt", "rst") else data), kind
    assert target.path is not None
    kind = kind_for_path(target.path)
    try:
        data = _read_file(target, max_bytes)
        return (gunzip(data, max_bytes) if compressed(target.path) else data), kind
    except PermissionError:
        raise IngestError("permission denied") from None
    except IsADirectoryError:
        raise IngestError("is a directory") from None
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from None


def declared_as_utf8(data: bytes, content_type: str) -> bytes:
    """A text page in the charset its server declared ("text/plain; charset=iso-8859-1"), as UTF-8."""
    charset = email.message.Message()
    charset["content-type"] = content_type
    name = charset.get_content_charset()
    if not name or name.replace("-", "").replace("_", "").lower() in ("utf8", "usascii", "ascii"):
        return data
    try:
        return data.decode(name).encode("utf-8")
    except LookupError:
        raise IngestError(f"unknown charset {name[:40]!r} declared by the server") from None
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"not valid {name} text, as its server declared (bad byte at offset {exc.start})"
        ) from None


def _under(doc_id: str, roots: list[Path]) -> bool:
    if doc_id.startswith(("http://", "https://")):
        return False
    return inside(Path(doc_id), roots)


def ingest(
    inputs: list[str],
    store: Store,
    *,
    prune: bool = False,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    progress: Progress | None = None,
    within: list[Path] | None = None,
    public_urls_only: bool = False,
) -> IngestReport:
    """Ingest `inputs` (paths, directories, URLs) into `store` and return what happened.

    `within` confines every path to those folders, and `public_urls_only` every URL, redirects
    included, to public addresses (the API's rules)."""
    progress = progress or Progress()
    settings = store.settings
    timer = StageTimer()
    report = IngestReport()
    chunker = Chunker(store.embedder, settings.chunk_size, settings.chunk_overlap)
    # Settings that change the chunks are part of a document's hash: changing them re-ingests.
    salt = f"{store.embedder.model_id}|{chunker.chunk_size}|{chunker.chunk_overlap}|{PIPELINE_VERSION}"
    salt = salt.encode()

    found = discover(inputs, include, exclude, within=within)
    targets, report.failed, report.skipped = found.targets, found.failed, found.skipped
    report.unsupported = dict(found.unsupported.most_common())
    stored = store.documents()
    report.filtered = len(found.filtered - set(stored))  # left out, and not ingested before either
    report.kept = len(found.filtered) - report.filtered

    # Gone: a document whose own path is under a scanned root and was not found there now (a
    # file that became a link out of it included), or under an input that no longer exists (a
    # deleted folder). Never where a link points: that file is not gone, and any file could be
    # named by a link someone put in the folder. Never a file --include / --exclude left out.
    present = {t.doc_id for t in targets} | found.filtered
    roots = found.roots + [base for _, base in found.missing]
    gone = [doc for doc_id, doc in stored.items() if doc_id not in present and _under(doc_id, roots)]
    # A new document with the very text of one the store keeps (a copied folder) is noted.
    leaving = {doc.doc_id for doc in gone} if prune else set()
    kept = {d.doc_hash: d.source for d in stored.values() if d.complete and d.doc_id not in leaving}

    pending: list[tuple[Target, list[Chunk], str, StoredDocument | None]] = []
    progress.start("read", len(targets))
    for target in targets:
        try:
            with timer("read"):
                data, kind = _read(
                    target, settings.max_document_bytes, settings.fetch_timeout, public_urls_only
                )
            doc_hash = hashlib.sha256(salt + data).hexdigest()[:32]
            previous = stored.get(target.doc_id)
            if previous and previous.complete and previous.doc_hash == doc_hash:
                report.unchanged.append(target.source)
            else:
                with timer("extract"):
                    doc = load_document(
                        data,
                        kind,
                        doc_id=target.doc_id,
                        source=target.source,
                        name=target.name,
                        max_chars=settings.max_document_bytes,
                    )
                with timer("chunk"):
                    chunks = chunker.chunk(doc)
                if kind == "html" and (elsewhere := redirect_of(data)):
                    report.notes.append(
                        (target.source, f"the page only redirects to {elsewhere}: ingest that page instead")
                    )
                if unclosed := next(reversed(fences_open(doc.text)[1]), ""):
                    report.notes.append(
                        (
                            target.source,
                            f"a code block opened with {unclosed} is never closed: the rest reads as code",
                        )
                    )
                if not chunks:  # every block under MIN_WORDS words: "Hi", a page of links
                    raise NothingToIndex(
                        f"nothing to index: no passage of {MIN_WORDS} words or more (a title, links or "
                        "navigation only?)"
                    )
                if previous is None and doc_hash in kept:  # added all the same: nothing is lost if
                    # the other one is removed later
                    twin = f"the same text as {kept[doc_hash]}: each passage will be found twice"
                    report.notes.append((target.source, twin))
                pending.append((target, chunks, doc_hash, previous))
                kept.setdefault(doc_hash, target.source)
        except NothingToIndex as exc:
            # in a folder, a file with nothing to index (a page of links, an include) is passed
            # over: a documentation folder has some, and they should not fail every ingest of it
            (report.skipped if target.walked else report.failed).append((target.source, str(exc)))
        except IngestError as exc:
            report.failed.append((target.source, str(exc)))
        progress.advance("read")

    all_chunks = [chunk for _, chunks, _, _ in pending for chunk in chunks]
    progress.start("embed", len(all_chunks))
    with timer("embed"):
        vectors = store.embedder.embed(
            [c.index_text() for c in all_chunks], on_batch=lambda n: progress.advance("embed", n)
        )

    progress.start("write", len(pending))
    offset = 0
    for target, chunks, doc_hash, previous in pending:
        with timer("write"):
            store.write_document(chunks, vectors[offset : offset + len(chunks)], doc_hash, previous)
        offset += len(chunks)
        report.chunks += len(chunks)
        (report.updated if previous else report.added).append(target.source)
        progress.advance("write")

    if not prune:
        report.gone = [doc.source for doc in gone]  # still searched and cited: --prune removes them
    else:
        store.delete_documents(gone)
        report.pruned = [doc.source for doc in gone]
        # A deleted folder whose documents were pruned is what --prune was asked to do, not a failure.
        emptied = {raw for raw, base in found.missing if any(_under(d.doc_id, [base]) for d in gone)}
        report.failed = [(source, why) for source, why in report.failed if source not in emptied]

    with timer("index"):
        if pending or report.pruned:
            store.rebuild_keyword_index()
        else:
            store.keyword_index  # noqa: B018 - loads it, rebuilding if it is missing or stale
    report.stages_ms = timer.done()
    report.seconds = report.stages_ms["total"] / 1000
    return report
