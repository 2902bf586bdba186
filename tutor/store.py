"""The Chroma collection (dense vectors) and the bm25s keyword index kept beside it.

Chroma is the source of truth. The keyword index is a derived copy, saved under the data dir with
the version of the collection it was built from (a hash of the sorted chunk ids, which are content
hashes): whenever the collection's version differs, the index is rebuilt from the collection, so
the two cannot drift apart, whichever process wrote last.

Dense search reads the chunk vectors saved with that copy, exactly (a matrix product), rather than
Chroma's approximate HNSW graph: after a re-ingest had upserted chunks, that graph missed the nearest
chunk of a query (cosine 0.75, first by far) in 1 process of 12, so answers changed from run to run.
"""

from __future__ import annotations

import atexit
import difflib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tutor.config import Settings
from tutor.embeddings import Embedder
from tutor.errors import ConfigError, StoreError
from tutor.text import (
    DEFAULT_WORD,
    HOW_IT_WORKS,
    KNOWS_BUT_NOT,
    names_before_document,
    singular_acronyms,
    squash,
)
from tutor.types import Chunk

log = logging.getLogger("tutor")
WRITE_BATCH = 1000
KEYWORD_RECHECK_SECONDS = 2.0  # how often a long-lived process looks for changes by others
STOPWORDS = "en"
# A word as a learner writes a name: letters and digits, joined by inner dots or hyphens
# ("Shapiro-Wilk", "Lightning.ai", "3Blue1Brown"); apostrophes end it ("AWS's").
WORD = re.compile(r"[^\W_]+(?:[.-][^\W_]+)*")
# "90th", "10k", "2x", "2D", "70B": a number with its unit, not a name
COUNTED = re.compile(r"\d+[a-z]{1,2}", re.IGNORECASE)
SENTENCE_END = re.compile(r"(^|[.?!:;\"'(\[¿¡]\s*)$")  # "¿Cuál …?" opens a sentence too


# Words every English question has one of, and few other languages write.
ENGLISH_FUNCTION_WORDS = frozenset(
    re.findall(
        r"\w+",
        "the is are does did how what which why when who where i my me you your to of for and can could "
        "should would with it this that be there from about if not get use",
    )
)
LETTERS = re.compile(r"[^\W\d_]+")
FOREIGN_MIN_WORDS = 4
FOREIGN_SHARE = 0.4  # of a question's words, neither English nor the documents'
IDENTIFIER_NAME = re.compile(r"(?<![\w.])[A-Za-z]\w*_\w+")  # "set_output", "monotonic_cst"
DOTTED_NAME = re.compile(r"(?<![\w.])[a-z_]\w*(?:\.[a-z_]\w+)+(?![\w.]*\w)")  # "asyncio.gather", not "e.g."
# ... but a file the learner has ("report.pdf", "app.py") is no name the documents should write
FILE_TYPES = frozenset(
    (  # noqa: SIM905 (a list of extensions, one a line, reads worse)
        "py pyc ipynb pdf txt csv tsv json yaml yml toml md rst html htm xml js ts log cfg ini conf sh "
        "bat exe dll so zip gz tar whl pkl joblib db sql png jpg jpeg gif svg parquet"
    ).split()
)


IN_PASSING = 3  # chunks of a document naming its publisher at most: a name in passing, not its topic
MIN_DOCUMENTS_NAMED = 3  # a store of fewer documents is not told apart by a name
# a question's word, lower-cased ("edirae", "levels.fyi")
WORD_OR_SITE = re.compile(r"[a-z][\w.-]*[a-z0-9]{3}")


NAME_PART_CHARS = 6  # a name of this many letters or more is known as part of a longer word
PREFIX_CHARS = 5  # "backprop" is written when "backpropagation" is
TYPO_CUTOFF = 0.85  # difflib ratio at which a word is a slip of the keys for one the documents write
TYPO_MIN = 4  # letters of a word worth looking up as a slip of the keys
# A pronoun as what is asked how it works ("how does it work?"): the question leans on the one before.
PRONOUN_SUBJECT = re.compile(r"(?:it|this|that|they|these|those)(?:\s|$)", re.IGNORECASE)
# A short question asking what something is, how it works, or whether the documents cover it; its
# subject is a few words, not the learner's own ("what are my options") nor a second sentence.
SUBJECT = r"(?:an?\s+|the\s+)?(?!(?:my|your|our|their|this|that|these|those|it)\b)([^\W_][^?.!;:,]{0,60}?)"
ASKS_WHAT_IT_IS = re.compile(
    rf"^\W*(?:(?:what|who)(?:'s| is| are)\s+{SUBJECT}"
    r"|(?:does|do|is|will)\s+(?:the|this|your|these|its)\s+(?:\w+\s+){0,2}"
    rf"(?:cover|mention|include|teach|discuss|talk about|say anything about|go into)\s+{SUBJECT}"
    rf"|(?:is|are)\s+{SUBJECT}\s+(?:covered|mentioned|included|taught)"
    rf"|how (?:do|does)\s+(?!(?:I|you|we|they)\b){SUBJECT}\s+work)\s*\??\s*$",
    re.IGNORECASE,
)
SUBJECT_WORDS = 5
# ... or when to learn it: "at what point in these roadmaps should I learn reinforcement learning?"
# (not a definition asked for: only ever looked for in the documents)
ASKS_WHEN_TO_LEARN = re.compile(
    r"^\W*(?:when|at what (?:point|stage)|at which (?:point|stage))\b[^?]{0,40}?"
    r"\b(?:should|do|would|can|must)\s+(?:I|we|you)\s+"
    rf"(?:learn|study|pick up|get into|start learning|start on)\s+{SUBJECT}\s*\??\s*$",
    re.IGNORECASE,
)
# Words that say what kind of thing a subject is, not which: "quantum machine learning" is as
# unknown as "quantum"; "hyperparameter optimisation" is known by its first word.
KIND_WORDS = frozenset(
    (  # noqa: SIM905 (a list of words, one a line, reads worse)
        "learning machine model models system systems method methods technique techniques algorithm "
        "algorithms approach approaches network networks data analysis process tool tools "
        "operator operators statement statements function functions keyword keywords module modules "
        "library libraries package packages"
    ).split()
)


def subject_asked(question: str) -> str | None:
    """What a short question asks about when it asks what something is, how it works or whether the
    documents cover it: "reinforcement learning" in "What is reinforcement learning?"."""
    match = ASKS_WHAT_IT_IS.match(question)
    subject = next((group for group in match.groups() if group), "").strip() if match else ""
    return subject if subject and len(subject.split()) <= SUBJECT_WORDS else None


@dataclass(frozen=True)
class Definition:
    """A passage a question asks for by what it says of something: `pattern` finds it; `word`,
    lower-cased, is in any text the pattern finds (texts without it are not read)."""

    pattern: re.Pattern
    word: str


# A command-line option ("--leak-check"): a name, as a learner writes it
OPTION_NAME = re.compile(r"(?<![\w-])--[A-Za-z][\w-]*\w")


def definitions_asked(question: str) -> list[Definition]:
    """What `question` asks something to be defined by: asked what something is, a sentence saying
    it ("Valgrind is an instrumentation framework …" for "What is Valgrind?", "Decision Trees
    (DTs) are a …"); naming an option, the line documenting it, which opens with it and goes on
    after a colon (a definition list's "`--num-callers=<number> [default: 12]`: Specifies …")."""
    found = []
    if subject := subject_asked(question):
        subject = re.sub(r"^(?:an?|the)\s+", "", subject, flags=re.IGNORECASE)
        pattern = re.compile(  # opening a sentence or a list item: not "the latest pip is the only …"
            rf"(?:^|(?<=[.!?]\s))(?:[-*+]\s+|\d+[.)]\s+)?(?:the\s+)?{re.escape(subject)}(?:e?s)?"
            r"(?:\s*\([^)]*\))?\s+(?:is|are)\s+(?:a|an|the|one)\b",
            re.IGNORECASE | re.MULTILINE,
        )
        found.append(Definition(pattern, max(subject.lower().split(), key=len)))
    for option in dict.fromkeys(OPTION_NAME.findall(question)):
        pattern = re.compile(rf"(?m)^(?:[-*+]\s+)?`?{re.escape(option)}(?![\w-])[^\n]*?:\s")
        found.append(Definition(pattern, option.lower()))
    if DEFAULT_WORD.search(question):
        # asked a setting's default, the list item documenting it: opening with its name, its
        # "Default: …" within the item ("- `highWaterMark` <number> Buffer level … Default: `16384`")
        for setting in dict.fromkeys(SETTING_NAME.findall(question)):
            pattern = re.compile(
                rf"(?m)^[ \t]*[-*+][ \t]+`{re.escape(setting)}`[^\n]*(?:\n(?![ \t]*[-*+][ \t])[^\n]*){{0,6}}?"
                r"\bDefault\b"
            )
            found.append(Definition(pattern, setting.lower()))
    return found


# A setting named as code: camelCase ("highWaterMark") or snake_case ("max_iter")
SETTING_NAME = re.compile(r"(?<![\w.])(?:[a-z]+[A-Z]\w*|[a-z]\w*_\w+)(?![\w(])")


# A lower-case word where a question names a tool: after "use", "install", "set up" …, or a pair
# of them around "or" / "vs" ("streamlit or gradio").
TOOL_SLOT = re.compile(
    r"\b(?:use|using|install|installing|set up|setting up|configure|configuring|learn|learning|with)\s+"
    r"(?:an?\s+|the\s+)?([a-z][a-z0-9]{3,})\b"
    r"|\bis\s+([a-z][a-z0-9]{3,})\s+worth\b"  # "is kubeflow worth learning?"
)
TOOL_PAIR = re.compile(r"\b([a-z][a-z0-9]{3,})\s+(?:or|vs|versus)\s+([a-z][a-z0-9]{3,})\b")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The whole words of the bundled embedding model's vocabulary (about 20,000 words of general
    English): a lower-case tool name outside it, and outside the documents, is likely unknown."""
    from tutor.embeddings import bundled_model_dir

    try:
        lines = (bundled_model_dir() / "vocab.txt").read_text(encoding="utf-8").split()
    except (OSError, ConfigError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.islower())


def tools_in(question: str) -> list[str]:
    """Lower-case words of `question` where it names a tool ("how do I set up optuna", "find leaks
    with tracemalloc", "streamlit or gradio") that general English does not have: names a learner
    did not capitalise."""
    english = english_words()
    if not english:
        return []
    slots = (a or b for a, b in TOOL_SLOT.findall(question))
    found = [w for w in slots if w not in english]
    for pair in TOOL_PAIR.findall(question):  # both unknown: "every day or cram" is no pair of tools
        if not set(pair) & english:
            found += pair
    return found


# An error or warning the learner ran into ("getting ImportError when ..."): what happened, not what
# is asked about, so documents that never name it may still answer.
RAISED = re.compile(r"[A-Z]\w*(?:Error|Exception|Warning)")


def names_in(question: str) -> list[str]:
    """The words of `question` written as names: acronyms and mixed case (SHAP, MLflow), words with
    digits (3Blue1Brown, not "90th" or "2D"), capitalised words of four letters or more inside a sentence
    (Colab), identifiers in snake case (set_output), command-line options (--leak-check)."""
    names = [(m.start(), m.group()) for m in IDENTIFIER_NAME.finditer(question)]
    names += [(m.start(), m.group()) for m in OPTION_NAME.finditer(question)]
    for match in WORD.finditer(question):
        word = match.group()
        if COUNTED.fullmatch(word):
            continue
        capitals = sum(c.isupper() for c in word)
        has_letter = any(c.isalpha() for c in word)
        inside = not SENTENCE_END.search(question[: match.start()])
        if (
            capitals >= 2
            or (capitals == 1 and not word[0].isupper())
            or (has_letter and any(c.isdigit() for c in word))
            or (capitals == 1 and inside and len(word) >= 4)
        ):
            names.append((match.start(), word))
    return [name for _, name in sorted(names)]


@dataclass
class StoredDocument:
    """What the store holds of one document: enough to decide whether to re-ingest it."""

    doc_id: str
    source: str
    title: str
    doc_hash: str
    n_chunks: int  # the count the last complete write produced
    chunk_ids: list[str] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        """True when the last write finished: every chunk of one version, and all of them."""
        return len(self.hashes) == 1 and len(self.chunk_ids) == self.n_chunks


def writable(folder: Path) -> bool:
    """Whether this process may write in `folder` and to the Chroma database in it."""
    return all(os.access(p, os.W_OK) for p in (folder, folder / "chroma.sqlite3") if p.exists())


PRIVATE_COPY_PREFIX = "tutor-read-only-"
IN_USE = ".in-use"  # a lock file held by the process reading the copy, for as long as it runs


def private_copy(folder: Path) -> tuple[Path, Callable[[], None]]:
    """A copy of `folder` this process may write, and the function that removes it.

    It is removed at exit, or when the store is closed (a server's shutdown: uvicorn ends its
    processes by re-raising SIGTERM, so exit handlers never run there). Copies whose process is
    gone anyway (killed) are removed by the next process that makes one: their lock is free."""
    from filelock import FileLock

    tmp = Path(tempfile.mkdtemp(prefix=PRIVATE_COPY_PREFIX))
    lock = FileLock(tmp / IN_USE, thread_local=False)  # opened in one thread, closed in another
    lock.acquire()
    remove_stale_copies(tmp.parent)

    def remove() -> None:
        shutil.rmtree(tmp, ignore_errors=True)
        lock.release()

    atexit.register(remove)
    copy = tmp / folder.name
    shutil.copytree(folder, copy, copy_function=shutil.copyfile)
    for path in [copy, *copy.rglob("*")]:
        path.chmod(0o700 if path.is_dir() else 0o600)
    return copy, remove


def remove_stale_copies(parent: Path) -> list[Path]:
    """Remove this user's private copies under `parent` that no running process holds (best
    effort: a copy without a lock file, or one in use, is left alone); returns those removed."""
    from filelock import FileLock, Timeout

    removed = []
    for folder in parent.glob(PRIVATE_COPY_PREFIX + "*"):
        try:
            if folder.stat().st_uid != os.getuid() or not (folder / IN_USE).is_file():
                continue
            lock = FileLock(folder / IN_USE, timeout=0, thread_local=False)
            lock.acquire()
        except (OSError, Timeout):
            continue  # in use by a live process, or not ours to look at
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            lock.release()
    return removed


# How the saved keyword index tokenises; an index saved another way is rebuilt on load.
# 2: acronyms' plurals as their singular ("GPUs" as "GPU").
KEYWORD_FORMAT = 2


def _version(ids: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode())
    return digest.hexdigest()[:16]


def _set_aside(client) -> None:
    """Forget the shared Chroma system `client` was opened on: the next client of its path starts
    a fresh one."""
    if client is None:
        return
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = getattr(SharedSystemClient, "_identifier_to_system", {})
    systems.pop(getattr(client, "_identifier", None), None)


def _unit_rows(vectors: Any, n: int) -> np.ndarray:
    """Vectors as an (n, d) float32 matrix of unit rows. A shape that does not match the records, or
    a row that is not a direction (zero, NaN), is damage (ValueError)."""
    if not n:
        return np.zeros((0, 0), dtype=np.float32)
    shape = getattr(vectors, "shape", None) or np.shape(vectors)
    if len(shape) != 2 or shape[0] != n or not shape[1]:
        raise ValueError(f"{n} chunks but vectors of shape {shape}")
    matrix = np.array(vectors, dtype=np.float32)  # a copy: a memory-mapped file is read here
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or not np.all(norms > 0):
        raise ValueError("vectors that are zero or not numbers")
    return matrix / norms


def _matches(meta: dict[str, Any], filters: dict[str, Any] | None) -> bool:
    return not filters or all(meta.get(k) == v for k, v in filters.items())


class KeywordIndex:
    """BM25 over the chunks' index text, with the records needed to return hits without Chroma."""

    def __init__(
        self,
        ids: list[str],
        texts: list[str],
        metas: list[dict[str, Any]],
        retriever,
        vectors: np.ndarray | None = None,
    ):
        self.ids, self.texts, self.metas, self.retriever = ids, texts, metas, retriever
        self.vectors = _unit_rows(vectors, len(ids))
        self._spellings: dict[str, str | None] = {}  # a word → the written word it stands for (`_as_written`)
        self._holding: dict[str, str | None] = {}  # a name → the longer written word holding it

    @staticmethod
    def _stemmer():
        import Stemmer

        return Stemmer.Stemmer("english")

    @classmethod
    def _tokenize(cls, texts: list[str], **options):
        """bm25s's tokens of `texts`, the same way for the index and for queries (`KEYWORD_FORMAT`)."""
        import bm25s

        return bm25s.tokenize(
            [singular_acronyms(text) for text in texts],
            stopwords=STOPWORDS,
            stemmer=cls._stemmer(),
            show_progress=False,
            **options,
        )

    @classmethod
    def build(
        cls, ids: list[str], texts: list[str], metas: list[dict[str, Any]], vectors: Any = None
    ) -> KeywordIndex:
        import bm25s

        retriever = None
        if ids:
            index_texts = [
                Chunk.from_record(i, t, m).index_text() for i, t, m in zip(ids, texts, metas, strict=True)
            ]
            tokens = cls._tokenize(index_texts)
            retriever = bm25s.BM25()
            retriever.index(tokens, show_progress=False)
        return cls(ids, texts, metas, retriever, vectors)

    def save(self, directory: Path, version: str) -> None:
        """Write to a temporary folder, then swap it in, so readers never see half an index."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".keyword-", dir=directory.parent))
        # mkdtemp makes it private (0700); it gets its folder's mode, so that whoever may read the
        # data dir (a server's account) may read the index too
        tmp.chmod(directory.parent.stat().st_mode & 0o777)
        if self.retriever is not None:
            self.retriever.save(str(tmp / "bm25"), show_progress=False)
        records = {
            "version": version,
            "format": KEYWORD_FORMAT,
            "ids": self.ids,
            "texts": self.texts,
            "metas": self.metas,
        }
        (tmp / "records.json").write_text(json.dumps(records), encoding="utf-8")
        np.save(tmp / "vectors.npy", self.vectors)
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> tuple[KeywordIndex, str] | None:
        import bm25s

        try:
            records = json.loads((directory / "records.json").read_text(encoding="utf-8"))
            if records.get("format") != KEYWORD_FORMAT:  # tokenised another way: rebuilt
                return None
            retriever = None
            if records["ids"]:
                retriever = bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
            # memory-mapped: a damaged header claiming a huge shape is caught before anything is read
            vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
            index = cls(records["ids"], records["texts"], records["metas"], retriever, vectors)
        except Exception:  # a derived copy: missing, damaged or saved before the vectors were
            return None  # the caller rebuilds it from the collection
        return index, records["version"]

    def nearest(
        self, query_embedding: np.ndarray, n: int, filters: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        """The `n` chunks of highest cosine similarity to the query, exactly."""
        rows = np.arange(len(self.ids))
        if filters:
            rows = np.array([i for i, m in enumerate(self.metas) if _matches(m, filters)], dtype=np.int64)
        return self._ranked(rows, query_embedding, n)

    def _ranked(self, rows: np.ndarray, query_embedding: np.ndarray, n: int) -> list[tuple[Chunk, float]]:
        """The `n` of `rows` of highest cosine similarity to the query, with it."""
        if n <= 0 or not len(rows):
            return []
        query = np.asarray(query_embedding, dtype=np.float32)
        similarity = self.vectors[rows] @ (query / (np.linalg.norm(query) or 1.0))
        top = np.argsort(-similarity, kind="stable")[:n]
        return [
            (
                Chunk.from_record(self.ids[rows[i]], self.texts[rows[i]], self.metas[rows[i]]),
                float(similarity[i]),
            )
            for i in top
        ]

    def defining(
        self, definition: Definition, query_embedding: np.ndarray, filters: dict[str, Any] | None = None
    ) -> tuple[Chunk, float] | None:
        """Of the chunks saying what something is, the one of highest cosine similarity to the
        query: a scan of every chunk's text, for what ranking leaves deep. Only texts holding the
        subject's word are read by the pattern (a millisecond, not 30)."""
        rows = [
            i
            for i, text in enumerate(self._lower_texts)
            if definition.word in text
            and definition.pattern.search(self.texts[i])
            and (not filters or _matches(self.metas[i], filters))
        ]
        return next(iter(self._ranked(np.array(rows, dtype=np.int64), query_embedding, 1)), None)

    def documents_named(self, question: str) -> set[str]:
        """The documents `question` calls by a name that one of them alone writes, in `IN_PASSING`
        chunks at most and never in lower case: a publisher named in a page's footer ("Start
        Learning on Edirae"), which a learner calls the page by ("the edirae roadmap"). Words of
        general English are not such names."""
        if self._document_count < MIN_DOCUMENTS_NAMED:
            return set()
        found: set[str] = set()
        # ... or by a name of general English words it alone writes capitalised: "the ai learning
        # hub roadmap" ("AI Learning Hub" is in one chunk of one page)
        phrases = [phrase.lower() for phrase in names_before_document(question)]
        for word in [*phrases, *set(WORD_OR_SITE.findall(question.lower())) - english_words()]:
            chunks = self._chunks_naming(word)
            if chunks is not None and len(chunks) == 1 and sum(chunks.values()) <= IN_PASSING:
                found |= set(chunks)
        return found

    def _chunks_naming(self, word: str) -> dict[str, int] | None:
        """Per document, the chunks writing `word` as a name; None when one writes it in lower case."""
        written = re.compile(rf"(?<![\w.-]){re.escape(word)}(?![\w-]|\.\w)", re.IGNORECASE)
        chunks: dict[str, int] = {}
        for lower, text, meta in zip(self._lower_texts, self.texts, self.metas, strict=True):
            if word in lower and (spellings := written.findall(text)):
                if any(spelling.islower() for spelling in spellings):
                    return None  # a word, not a name
                chunks[meta.get("doc_id", "")] = chunks.get(meta.get("doc_id", ""), 0) + 1
        return chunks

    @cached_property
    def _document_count(self) -> int:
        return len({meta.get("doc_id") for meta in self.metas})

    @cached_property
    def _lower_texts(self) -> list[str]:
        return [text.lower() for text in self.texts]

    @cached_property
    def row_of(self) -> dict[str, int]:
        """Each chunk id's row in the records and the vectors: built once, not at every query."""
        return {chunk_id: i for i, chunk_id in enumerate(self.ids)}

    @cached_property
    def _by_position(self) -> dict[tuple[str, int], int]:
        return {(m.get("doc_id", ""), int(m.get("position", 0))): i for i, m in enumerate(self.metas)}

    def around(self, chunk: Chunk, before: int, after: int) -> list[Chunk]:
        """`chunk` and its neighbours in the same section, in document order."""
        out = []
        for position in range(chunk.position - before, chunk.position + after + 1):
            i = self._by_position.get((chunk.doc_id, position))
            if i is None:
                continue
            neighbour = Chunk.from_record(self.ids[i], self.texts[i], self.metas[i])
            if neighbour.section == chunk.section:
                out.append(neighbour)
        return out or [chunk]

    def whole_code(self, chunks: list[Chunk], most: int) -> list[Chunk]:
        """`chunks` (consecutive, of one section) widened by at most `most` chunks to the code
        blocks they cut: back to where a block they start inside opens, on to where one they end
        inside closes."""
        out = list(chunks)
        while most and out[0].extra.get("in_code") and len(before := self.around(out[0], 1, 0)) == 2:
            out.insert(0, before[0])
            most -= 1
        while most and len(after := self.around(out[-1], 0, 1)) == 2 and after[1].extra.get("in_code"):
            out.append(after[1])
            most -= 1
        return out

    def _tokens(self, text: str) -> list[str]:
        return self._tokenize([text], return_ids=False)[0]

    def unknown_names(self, question: str) -> list[str]:
        """The names in `question` (see `names_in`) that no chunk contains, in order, once each: a
        question about one of them cannot be answered from these documents. An error's name
        (`RAISED`) is not one."""
        if self.retriever is None:
            return []
        vocabulary = self.retriever.vocab_dict
        unknown = [
            n
            for n in names_in(question)
            if not RAISED.fullmatch(n)
            and any(t not in vocabulary for t in self._tokens(n))
            and self._word_holding(n) is None
            and squash(n) not in self._squashed  # "utf8" where the pages write "utf-8"
        ]
        unknown += [w for w in tools_in(question) if not self._written(w)]
        # a dotted name in code, lower case, that no chunk writes whole: "asyncio.gather", where the
        # pages write "asyncio" and "gather" apart
        unknown += [
            d
            for d in DOTTED_NAME.findall(question)
            if d.rsplit(".", 1)[1].lower() not in FILE_TYPES and d.lower() not in self._all_text
        ]
        return list(dict.fromkeys(unknown))

    def _word_holding(self, name: str) -> str | None:
        """The longer word the chunks write that starts or ends with `name`, as they write it: a
        learner's "CodeForge" for the pages' "TheCodeForge". Names of fewer than `NAME_PART_CHARS`
        letters are not looked for inside words ("SHAP" is no part of "shape")."""
        lower = name.lower()
        if len(lower) < NAME_PART_CHARS:
            return None
        if lower not in self._holding:  # a scan of every written word: looked up once per name
            held = (w for w in self._words if w != lower and (w.startswith(lower) or w.endswith(lower)))
            word = min(held, key=len, default=None)
            if word is not None:
                written = re.compile(rf"(?<![\w.-]){re.escape(word)}(?![\w-]|\.\w)", re.IGNORECASE)
                word = next((m.group() for text in self.texts if (m := written.search(text))), word)
            self._holding[lower] = word
        return self._holding[lower]

    def in_documents_spelling(self, question: str) -> str:
        """`question` with each name the chunks write only inside a longer word written as they
        write it: "How long is the CodeForge plan?" asks of "TheCodeForge"."""
        if self.retriever is None:
            return question
        for name in dict.fromkeys(names_in(question)):
            unwritten = any(t not in self.retriever.vocab_dict for t in self._tokens(name))
            if unwritten and (word := self._word_holding(name)) is not None:
                question = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", word, question)
        return question

    def in_another_language(self, question: str) -> bool:
        """Whether `question` reads as written in a language the documents are not: four words or
        more, none of English's commonest ("the", "how", "what" …), and two in five of them or more
        neither written in the chunks nor English ("Wie löse ich Konflikten beim Mergen?" asked of
        English pages). A terse English query ("gridsearchcv refit multimetric dict") uses the
        documents' own words."""
        words = [w.lower() for w in LETTERS.findall(question)]
        if len(words) < FOREIGN_MIN_WORDS or set(words) & ENGLISH_FUNCTION_WORDS:
            return False
        english = english_words()
        strange = [w for w in words if w not in english and w not in self._words]
        return len(strange) >= FOREIGN_SHARE * len(words)

    def unknown_subject(self, question: str) -> str | None:
        """The subject of a short question asking what something is, how it works, whether the
        documents cover it or when to learn it ("What is reinforcement learning?", "Is quantum
        machine learning covered?", "At what point should I learn reinforcement learning?"), when
        none of its words is one the chunks write, other than words for a kind of thing (learning,
        model, system …). A word counts as written when it is there mistyped
        ("gradiant") or in full ("backprop" for backpropagation); one known word is enough
        ("hyperparameter optimisation", "sql zoo", "convolutional nets" are answered)."""
        learnt = ASKS_WHEN_TO_LEARN.match(question)
        subject = subject_asked(question) or (learnt and learnt.group(1).strip())
        if self.retriever is None or not subject or len(subject.split()) > SUBJECT_WORDS:
            return None
        words = [w for w in WORD.findall(subject) if w.lower() not in KIND_WORDS]
        if not words or any(self._written(w) for w in words):
            return None
        return subject

    def _written(self, word: str) -> bool:
        """Whether the chunks write `word`: its stem is in the keyword vocabulary, or it is a slip
        of the keys for a word they write, or the start of a longer one."""
        if all(t in self.retriever.vocab_dict for t in self._tokens(word)):
            return True
        return self._as_written(word) is not None

    def _as_written(self, word: str) -> str | None:
        """The word the chunks write that `word` mistypes ("orchestarte") or starts ("backprop"),
        looked up once per word (a scan of every written word: milliseconds)."""
        lower = word.lower()
        if lower not in self._spellings:
            close = difflib.get_close_matches(lower, self._words, n=1, cutoff=TYPO_CUTOFF)
            prefixed = (w for w in self._words if w.startswith(lower)) if len(lower) >= PREFIX_CHARS else ()
            self._spellings[lower] = close[0] if close else min(prefixed, key=len, default=None)
        return self._spellings[lower]

    def _keywords(self, query: str) -> list[str]:
        """The keyword tokens of `query`, and for a word the chunks do not write, those of the word
        they write that it mistypes or starts: "how does backprop work?" finds backpropagation. In
        "How does X work?" the keywords are X's: "work" would bring every passage about work."""
        for working in HOW_IT_WORKS.finditer(query):
            at_end = re.fullmatch(r"\s*[?.!]?\s*", query[working.end() :])
            if at_end and not PRONOUN_SUBJECT.match(working["subject"]):
                query = query[: working.end("subject")] + query[working.end() :]
                break
        if knows := KNOWS_BUT_NOT.search(query):  # what the learner knows is not what they ask about
            query = query[: knows.start("known")] + query[knows.end("known") :]
        tokens = self._tokens(query)
        vocabulary = self.retriever.vocab_dict
        for word in WORD.findall(query):
            unwritten = len(word) >= TYPO_MIN and any(t not in vocabulary for t in self._tokens(word))
            if unwritten and (written := self._as_written(word)) is not None:
                tokens += self._tokens(written)
        return tokens

    @cached_property
    def _all_text(self) -> str:
        """Every chunk's text, title and section, lower-cased, in one string: a dotted name is looked
        for as written (`os.loadavg()` may be a section's name alone)."""
        headings = (f"{m.get('title', '')}\n{m.get('section', '')}" for m in self.metas)
        return "\n".join([*self.texts, *headings]).lower()

    @cached_property
    def _squashed(self) -> set[str]:
        """Every written word with its hyphens, dots and underscores gone ("utf-8" as "utf8")."""
        return {squash(w) for w in self._words}

    @cached_property
    def _words(self) -> set[str]:
        """Every word the chunks write, lower-cased, as written (the BM25 vocabulary holds stems)."""
        return {w.lower() for text in self.texts for w in WORD.findall(text)}

    def search(self, query: str, n: int, filters: dict[str, Any] | None = None) -> list[tuple[Chunk, float]]:
        if self.retriever is None:
            return []
        tokens = self._keywords(query)
        if not tokens:
            return []
        scores = self.retriever.get_scores(tokens)
        ranked = np.argsort(-scores, kind="stable")
        hits: list[tuple[Chunk, float]] = []
        for i in ranked:
            if scores[i] <= 0 or len(hits) >= n:
                break
            if _matches(self.metas[i], filters):
                hits.append((Chunk.from_record(self.ids[i], self.texts[i], self.metas[i]), float(scores[i])))
        return hits


# What a store is in its data dir: Chroma's files, and the keyword indexes beside them
CHROMA_DIR, KEYWORD_DIR = "chroma", "keyword"


def keyword_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / KEYWORD_DIR / settings.collection


def holds_store(folder: Path) -> bool:
    """Whether `folder` holds a store (`tutor ingest` has written into it)."""
    return any((folder / part).is_dir() for part in (CHROMA_DIR, KEYWORD_DIR))


def stored_topic_ids(settings: Settings) -> frozenset[str] | None:
    """The roadmap topic ids of the chunks in the data dir's saved keyword index, read without
    opening Chroma (it may lag a write by another process); None when there is no saved index or
    it holds no chunk. Read again only when the file changes."""
    path = keyword_dir(settings) / "records.json"
    try:
        stat = path.stat()
    except OSError:
        return None
    return _topic_ids(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _topic_ids(path: Path, mtime_ns: int, size: int) -> frozenset[str] | None:
    try:
        metas = json.loads(path.read_text(encoding="utf-8"))["metas"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not metas:
        return None
    return frozenset(
        m["topic_id"] for m in metas if isinstance(m, dict) and isinstance(m.get("topic_id"), str)
    )


class Store:
    """Chroma collection + keyword index for one data dir (or one Chroma server)."""

    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self.keyword_dir = keyword_dir(settings)
        self._keyword: KeywordIndex | None = None
        self._keyword_version = ""
        self._opened_at: str | None = None  # the published version when Chroma was opened here
        self._checked = -KEYWORD_RECHECK_SECONDS  # monotonic time of the last version check
        self.read_only = False  # set when the data dir cannot be written: reads only
        self._remove_copy: Callable[[], None] | None = None  # of a read-only store's private copy

    # --- Chroma -------------------------------------------------------------------------------

    @cached_property
    def client(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self.settings.chroma_host:
                return chromadb.HttpClient(
                    host=self.settings.chroma_host,
                    port=self.settings.chroma_port,
                    settings=chroma_settings,
                )
            # absolute: Chroma shares one system per path string, and "store/chroma" names another
            # folder once the process has changed directory (a test, an embedding app)
            path = Path(self.settings.data_dir).resolve() / CHROMA_DIR
            if path.is_dir() and not writable(path):
                # Chroma cannot open a database it may not write (SQLite wants its journal), so a
                # read-only store (a read-only mount, a baked image) is read from a private copy,
                # taken once per process; writes are refused (see _writing).
                self.read_only = True
                log.warning("%s is read-only: reading a private copy of it; ingest is refused", path)
                path, self._remove_copy = private_copy(path)
            else:
                path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except PermissionError as exc:
            raise StoreError(f"Cannot write to the data dir {self.settings.data_dir}: {exc}") from exc
        except Exception as exc:
            raise StoreError(f"Cannot open the vector store ({self.location}): {exc}") from exc

    def close(self) -> None:
        """Give back what this process holds for the store: a read-only store's private copy (a
        store used after this opens its data dir again). Nothing to do for others."""
        if self._remove_copy is None:
            return
        self._remove_copy()
        self._remove_copy = None
        self._forget_client()

    def _forget_client(self):
        """Drop this store's Chroma client and what was opened through it (the next use opens them
        again); the client dropped, if any."""
        for name in ("collection", "_versions"):
            self.__dict__.pop(name, None)
        return self.__dict__.pop("client", None)

    @property
    def location(self) -> str:
        if self.settings.chroma_host:
            host = self.settings.chroma_host.rsplit("@", 1)[-1]  # never a user:password@ it carries
            return f"Chroma server {host}:{self.settings.chroma_port}"
        return str(Path(self.settings.data_dir) / CHROMA_DIR)

    @cached_property
    def collection(self):
        """The collection, created on first use; refuses one built with another embedding model.

        embedding_function=None matters: without it Chroma falls back to its default model,
        which it would try to download.
        """
        try:
            collection = self.client.get_or_create_collection(
                self.settings.collection,
                embedding_function=None,
                metadata={"embedding_model": self.embedder.model_id},
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:
            raise StoreError(
                f"Cannot open collection {self.settings.collection!r} in {self.location}: {exc}"
            ) from exc
        if self._opened_at is None and not self.settings.chroma_host:
            # what this client's in-memory vector index holds: a later version is another process's
            self._opened_at = self.published_version() or ""
        built_with = (collection.metadata or {}).get("embedding_model")
        if built_with != self.embedder.model_id:
            raise StoreError(
                f"The store in {self.location} was built with embedding model {built_with!r}, "
                f"but the configured model is {self.embedder.model_id!r}. Use the same "
                "TUTOR_EMBEDDING_MODEL (and TUTOR_ONNX_QUANTIZE), or point TUTOR_DATA_DIR (or "
                "TUTOR_COLLECTION) elsewhere and ingest again."
            )
        return collection

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"{what} failed on {self.location}: {exc}") from exc

    def _writing(self) -> None:
        """Refuse to write to a read-only store (opening the client is what finds that out)."""
        self.client  # noqa: B018
        if self.read_only:
            raise StoreError(
                f"The store in {self.location} is read-only for this process: ingest where it can "
                "write (or give it write access) and run again."
            )

    def count(self) -> int:
        return self._call("Counting chunks", self.collection.count)

    def ping(self) -> None:
        """Raise StoreError unless the store answers."""
        self.count()

    def documents(self) -> dict[str, StoredDocument]:
        """Every stored document, keyed by doc_id, from the chunks' metadata."""
        result = self._call("Reading the store", self.collection.get, include=["metadatas"])
        docs: dict[str, StoredDocument] = {}
        for chunk_id, meta in zip(result["ids"], result["metadatas"], strict=True):
            doc = docs.get(meta["doc_id"])
            if doc is None:
                doc = docs[meta["doc_id"]] = StoredDocument(
                    doc_id=meta["doc_id"],
                    source=meta.get("source", ""),
                    title=meta.get("title", ""),
                    doc_hash=meta.get("doc_hash", ""),
                    n_chunks=int(meta.get("n_chunks", 0)),
                )
            doc.chunk_ids.append(chunk_id)
            doc.hashes.add(meta.get("doc_hash", ""))
        return docs

    def write_document(
        self,
        chunks: Sequence[Chunk],
        embeddings: np.ndarray,
        doc_hash: str,
        previous: StoredDocument | None = None,
    ) -> None:
        """Write a document's new chunks, then remove the old ones it no longer has.

        New before old: a run interrupted in between leaves the document with both versions,
        which the next run sees as incomplete (mixed hashes) and repairs; never with nothing.
        """
        self._writing()
        ids = [c.id for c in chunks]
        metas = [{**c.to_metadata(), "doc_hash": doc_hash, "n_chunks": len(chunks)} for c in chunks]
        for start in range(0, len(ids), WRITE_BATCH):
            end = start + WRITE_BATCH
            self._call(
                f"Writing {chunks[0].source}",
                self.collection.upsert,
                ids=ids[start:end],
                embeddings=embeddings[start:end],
                documents=[c.text for c in chunks[start:end]],
                metadatas=metas[start:end],
            )
        if previous:
            stale = sorted(set(previous.chunk_ids) - set(ids))
            if stale:
                self._call(f"Removing old chunks of {chunks[0].source}", self.collection.delete, ids=stale)

    def delete_documents(self, docs: Iterable[StoredDocument]) -> int:
        ids = [chunk_id for doc in docs for chunk_id in doc.chunk_ids]
        if ids:
            self._writing()
        for start in range(0, len(ids), WRITE_BATCH):
            self._call("Removing documents", self.collection.delete, ids=ids[start : start + WRITE_BATCH])
        return len(ids)

    def dense_search(
        self, query_embedding: np.ndarray, n: int, filters: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (1 = identical direction), exactly (see the module)."""
        index = self.keyword_index
        width = np.shape(query_embedding)[-1]
        if index.ids and index.vectors.shape[1] != width:
            index = self.rebuild_keyword_index()  # the saved copy was damaged: read the collection
            if index.vectors.shape[1] != width:
                raise StoreError(
                    f"The store in {self.location} holds vectors of {index.vectors.shape[1]} dimensions "
                    f"but the embedding model gives {width}: ingest again into a fresh data dir."
                )
        return index.nearest(query_embedding, n, filters)

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        index = self.keyword_index
        return {i: index.vectors[index.row_of[i]] for i in ids if i in index.row_of}

    # --- keyword index ------------------------------------------------------------------------

    def version(self) -> str:
        ids = self._call("Reading the store", self.collection.get, include=[])["ids"]
        return _version(ids)

    @cached_property
    def _versions(self):
        """A one-record side collection where writers publish the collection's version, so every
        process (CLI, API workers, other machines on a Chroma server) sees a change cheaply."""
        return self._call(
            "Opening the version record",
            self.client.get_or_create_collection,
            f"{self.settings.collection}-version",
            embedding_function=None,
        )

    def published_version(self) -> str | None:
        result = self._call("Reading the version", self._versions.get, ids=["keyword"], include=["documents"])
        return result["documents"][0] if result["ids"] else None

    def rebuild_keyword_index(self) -> KeywordIndex:
        """Rebuild the keyword index from the collection, save it with the collection's version and
        publish that version."""
        result = self._call(
            "Reading the store", self.collection.get, include=["documents", "metadatas", "embeddings"]
        )
        index = KeywordIndex.build(
            result["ids"], result["documents"], result["metadatas"], result["embeddings"]
        )
        version = _version(result["ids"])
        if self.read_only:  # kept in memory: nothing of a read-only store is written
            self._keyword, self._keyword_version = index, version
            return index
        try:
            index.save(self.keyword_dir, version)
        except OSError as exc:
            raise StoreError(f"Cannot save the keyword index in {self.keyword_dir}: {exc}") from exc
        self._call(
            "Publishing the version",
            self._versions.upsert,
            ids=["keyword"],
            documents=[version],
            embeddings=[[0.0]],
        )
        self._keyword, self._keyword_version = index, version
        self._opened_at = version  # this process's own writes are in its vector index
        return index

    @property
    def keyword_index(self) -> KeywordIndex:
        """Loaded on first use; rebuilt when it is missing, damaged or behind the collection.

        A long-lived process (an API worker) re-reads the published version every few seconds and
        rebuilds when another process has changed the collection."""
        now = time.monotonic()
        if self._keyword is not None and now - self._checked < KEYWORD_RECHECK_SECONDS:
            return self._keyword
        self._checked = now
        current = self.published_version() or self.version()
        if self._keyword is not None and current == self._keyword_version:
            return self._keyword
        if self._opened_at is not None and current != self._opened_at:
            self._reopen()  # another process changed the collection since this one opened it
        loaded = KeywordIndex.load(self.keyword_dir)
        if loaded is not None and loaded[1] == current:
            self._keyword, self._keyword_version = loaded
            return self._keyword
        return self.rebuild_keyword_index()

    def _reopen(self) -> None:
        """Open Chroma afresh after another process (a CLI ingest, another API worker) changed the
        collection: a local client keeps its vector index in memory and never sees their writes, so
        dense search would miss their chunks. A Chroma server sees every write: nothing to do."""
        if self.settings.chroma_host or self.read_only:
            return
        self._opened_at = None  # recorded again when the collection is opened afresh
        # The shared system of this path is set aside, not stopped: stopping it may write its stale
        # index back over the one the other process just wrote, and requests still in flight keep
        # it. This store's next client starts a fresh system that reads the files as they are now.
        _set_aside(self._forget_client())

    def discard(self) -> None:
        """Remove a store that this run made and wrote nothing to (an ingest of a mistyped path):
        its data dir, and the Chroma system opened on it, so that a store made there later starts
        afresh."""
        if not self.settings.chroma_host:
            _set_aside(self._forget_client())
            shutil.rmtree(self.settings.data_dir, ignore_errors=True)

    def keyword_search(
        self, query: str, n: int, filters: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        return self.keyword_index.search(query, n, filters)
