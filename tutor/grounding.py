"""Grounding: parse [n] citations, drop invalid ones, and check each sentence against its sources.

The checking itself is the offline judge of tutor/entailment.py (figures, names, negation,
comparisons and what the passage sentence carrying a clause binds them to, then similarity). The
eval suite uses the same functions.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from tutor.entailment import stem
from tutor.text import CODE, CODE_SPAN, FENCED
from tutor.types import Grounding, SentenceCheck

CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# A sentence ends at a stop, not after a title or a Latin abbreviation: "invented by Dr. Ostrander",
# "a library, e.g. Keras", "(eg. 20 to 30 times)"; the next sentence opens with a capital, a
# digit, a quote or a bracket (a page's own reference marker too: "… an object reference). ［1］ When")
SENTENCE_STOP = (  # a stop and the space after it
    r"(?<=[.!?])(?<!\bDr\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bProf\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
    r"(?<!\beg\.)(?<!\bie\.)(?<!\bvs\.)(?<!\bcf\.)\s+"
)
SENTENCE_END = re.compile(SENTENCE_STOP + r"(?=[\"'(\[［*_A-Z0-9])")
# ... or before inline code, in text that keeps its ticks (an answer: "… properties. `SVC` fits …")
SENTENCE_END_OR_CODE = re.compile(SENTENCE_STOP + r"(?=[\"'(\[［*_A-Z0-9`])")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-']*[A-Za-z0-9+#]|[A-Za-z]")
LINE_MARKUP = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|^#+\s*")  # a list bullet or heading marks
INLINE_CODE = re.compile(f"({CODE_SPAN.pattern})")
DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-"})
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "so",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "you",
        "your",
        "yours",
        "we",
        "our",
        "they",
        "their",
        "them",
        "he",
        "she",
        "his",
        "her",
        "i",
        "me",
        "my",
        "do",
        "does",
        "did",
        "not",
        "no",
        "can",
        "could",
        "should",
        "would",
        "will",
        "may",
        "might",
        "must",
        "about",
        "into",
        "over",
        "than",
        "too",
        "very",
        "just",
        "also",
        "more",
        "most",
        "such",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "each",
        "both",
        "few",
        "other",
        "some",
        "only",
        "own",
        "same",
        "here",
        "there",
        "up",
        "down",
        "out",
        "off",
        "again",
        "further",
        "once",
        "get",
        "got",
        "have",
        "has",
        "had",
    ]
)

Embed = Callable[[list[str]], np.ndarray]


def outside_code(text: str, change: Callable[[str], str]) -> str:
    """`text` with `change` applied to everything but its code: fenced blocks and inline spans."""
    out, last = [], 0
    for block in CODE.finditer(text):
        out += [change(text[last : block.start()]), block.group(0)]
        last = block.end()
    return "".join([*out, change(text[last:])])


def is_code(unit: str) -> bool:
    """A fenced code block, as split_sentences(…, code=True) gives it."""
    return FENCED.fullmatch(unit.strip()) is not None


def neutralise_citations(text: str) -> str:
    """Document text with its own [n] markers made inert: they read the same (fullwidth brackets,
    ［3］) but are not citations, so a document cannot put a marker into an answer that points at
    another passage. Applied where passage text enters the answer path. Code, fenced or inline, is
    left as written: no citation is read inside it."""
    return outside_code(text, lambda prose: CITATION.sub(lambda m: f"［{m.group(1)}］", prose))


def citations_in(text: str) -> list[int]:
    prose = CODE.sub("", text)
    return [int(n) for group in CITATION.findall(prose) for n in re.split(r"\s*,\s*", group)]


def strip_citations(text: str) -> str:
    """The text without its [n] markers, and without the space a marker leaves before a stop
    ("gateway [1]." → "gateway."); a leading stop stays apart ("usually at .1" is not "at.1")."""
    return outside_code(
        text, lambda prose: re.sub(r"\s+([.,;:!?])(?=\s|$)", r"\1", CITATION.sub("", prose))
    ).strip()


def clean(text: str, code: bool = False) -> str:
    """Text without Markdown marks: bullets, heading hashes, bold and code ticks; inside `code` only
    the ticks go (`10**6` is code, not bold). With `code`, inline code keeps its ticks, as a quoted
    sentence shows it (`numbats[1]`); a tick left unpaired still goes."""
    parts = INLINE_CODE.split(LINE_MARKUP.sub("", text))
    return "".join(
        (p if code else p[1:-1]) if i % 2 else p.replace("**", "").replace("`", "")
        for i, p in enumerate(parts)
    ).strip()


BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|\||#|```)")


def blocks(text: str, code: bool = False) -> list[str]:
    """Paragraphs, list items and table rows, with hard-wrapped lines joined back together; with
    `code`, each fenced code block as one block, as written (closed where a passage cut it)."""
    out: list[str] = []
    joinable = False
    fenced = [m.span() for m in FENCED.finditer(text)] if code else []
    position = 0
    for line in text.splitlines(keepends=True):
        start, position = position, position + len(line)
        line = line.rstrip("\r\n")
        block = next((b for b in fenced if b[0] <= start < b[1]), None)
        stripped = line.strip()
        if block:
            if start == block[0]:
                # a block in a list item is indented with it: quoted alone, it is not
                body = textwrap.dedent(text[block[0] : block[1]]).strip("\n")
                fence = FENCED.match(stripped).group(1)  # ``` or ~~~, or longer around a block holding one
                closed = len(body.splitlines()) > 1 and body.splitlines()[-1].strip() == fence
                out.append(body if closed else f"{body}\n{fence}")
            joinable = False
        elif not stripped:
            joinable = False
        elif joinable and not BLOCK_START.match(line):
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(stripped)
            joinable = not stripped.startswith(("|", "#", "```"))
    return out


NUMBERED = re.compile(r"^\s*\d+[.)]\s+")


def split_sentences(text: str, code: bool = False) -> list[str]:
    """Sentences of an answer or passage; a trailing lone citation joins the sentence before it.
    With `code`, code is read as code: a fenced block is one unit (see `blocks`) and a sentence may
    open with inline code; without, a block's lines read as text."""
    sentences: list[str] = []
    for line in blocks(text, code):
        if code and is_code(line):
            sentences.append(line)
            continue
        if set(line) <= set("|-: ") or line.startswith(("#", "```")):
            continue
        marker = NUMBERED.match(line)  # "1. Give ..." is one item, not "1." and "Give ..."
        parts = (SENTENCE_END_OR_CODE if code else SENTENCE_END).split(
            line[marker.end() :] if marker else line
        )
        if marker:
            parts[0] = marker.group(0) + parts[0]
        for part in parts:
            part = part.strip()
            if sentences and CITATION.fullmatch(re.sub(r"[\s.]", "", part) or "x"):
                # after a code block, on a line of its own: on the fence line it would read as code
                sentences[-1] = f"{sentences[-1]}{chr(10) if code and is_code(sentences[-1]) else ' '}{part}"
            elif part:
                sentences.append(part)
    return sentences


def normalise(text: str) -> str:
    return " ".join(text.translate(DASHES).lower().split())


def content_words(text: str) -> set[str]:
    return {w.lower().strip(".'") for w in WORD.findall(text)} - STOPWORDS


def stems(text: str) -> set[str]:
    """Content words reduced to their stems, so "studying" matches "study"."""
    return {stem(w) for w in content_words(text)}


def check_sentence(sentence: str, cited: Sequence[str], embed: Embed | None = None) -> tuple[bool, str]:
    """(supported?, reason) for one sentence against the texts of the passages it cites
    (the judge of tutor/entailment.py)."""
    from tutor.entailment import judge

    claim = clean(strip_citations(sentence))
    if not cited:
        return False, "no citation"
    if quoted(claim, cited):
        return True, ""
    verdict = judge(claim, cited, split_sentences, embed)
    return verdict.supported, verdict.reason


QUOTED_WORDS = 4  # a quote this long or longer is checked as a quote
QUOTE_STARTS = (". ", "! ", "? ", ": ", "; ")  # what a sentence of a passage starts after


def quoted(claim: str, cited: Sequence[str]) -> bool:
    """Whether a cited passage holds the claim word for word, from the start of one of its sentences
    to the end of one (the offline answerer's quotes): what a passage says itself is supported. A
    quote starting mid-sentence ("boosting is slower" of "It is not true that boosting is slower")
    is judged as any claim is."""
    said = normalise(claim).rstrip(".!?:;")
    if len(said.split()) < QUOTED_WORDS:
        return False
    for passage in cited:
        text = _as_quoted(passage)
        start = text.find(said)
        while start != -1:
            end = start + len(said)
            if (start == 0 or text[start - 2 : start] in QUOTE_STARTS) and (
                end == len(text) or text[end] in ".!?:;)"
            ):
                return True
            start = text.find(said, start + 1)
    return False


@lru_cache(maxsize=256)
def _as_quoted(passage: str) -> str:
    """A passage as a quote of it reads, read once: an answer's sentences cite the same passages."""
    return normalise(" ".join(clean(line) for line in passage.splitlines()))


def ground(answer: str, passages: dict[int, str], embed: Embed | None = None) -> tuple[str, Grounding]:
    """Remove citations to passages that were not given, then check every sentence.

    Returns the cleaned answer text and its grounding report.
    """
    invalid = sorted({n for n in citations_in(answer) if n not in passages})
    if invalid:

        def keep_valid(match: re.Match) -> str:
            valid = [n for n in citations_in(match.group(0)) if n in passages]
            return "[" + ", ".join(map(str, valid)) + "]" if valid else ""

        answer = outside_code(
            answer, lambda prose: re.sub(r"\s+([.,;:!?])(?=\s|$)", r"\1", CITATION.sub(keep_valid, prose))
        )
    checks = []
    for text, cited in claims(answer):
        if is_code(text):
            supported, reason = quoted_code(text, [passages[n] for n in cited])
        else:
            supported, reason = check_sentence(text, [passages[n] for n in cited], embed)
            if supported and len(cited) > 1:
                supported, reason = every_citation_needed(text, cited, passages, embed)
        checks.append(SentenceCheck(text, cited, supported, reason))
    return answer, Grounding(checks, invalid)


def every_citation_needed(
    text: str, cited: list[int], passages: dict[int, str], embed: Embed | None
) -> tuple[bool, str]:
    """(False, why) when one of several citations is irrelevant (ALCE's citation precision): it
    does not support the sentence alone, and the others support it without it. A sentence is only
    as grounded as its weakest marker: a marker pointing at a passage that does not say it fails."""
    for n in cited:
        if check_sentence(text, [passages[n]], embed)[0]:
            continue
        others = [passages[m] for m in cited if m != n]
        if check_sentence(text, others, embed)[0]:
            return False, f"[{n}] does not support it"
    return True, ""


def quoted_code(block: str, cited: Sequence[str]) -> tuple[bool, str]:
    """(supported?, reason) for a code block of an answer: each of its lines is in a cited passage.
    Code is quoted, not paraphrased: a line no passage has is the answer's own."""
    if not cited:
        return False, "no citation"
    lines = [line.strip() for line in block.strip().splitlines()[1:-1] if line.strip()]
    written = {line.strip() for passage in cited for line in passage.splitlines()}
    missing = [line for line in lines if line not in written]
    return (False, f"code not in the cited passage: {missing[0]}") if missing else (True, "")


def claims(answer: str) -> list[tuple[str, list[int]]]:
    """The sentences of an answer that assert something, as (clean text, sorted citation numbers);
    a code block as written."""
    out = []
    for sentence in split_sentences(answer, code=True):
        block, _, marker = sentence.rpartition("\n")
        if block and is_code(block) and CITATION.fullmatch(marker.strip()):  # on a line after it
            out.append((block, sorted(set(citations_in(marker)))))
            continue
        if is_code(sentence):
            out.append((sentence, []))
            continue
        text = clean(strip_citations(sentence))
        if len(content_words(text)) >= 2:  # "Sources:", "In short:" and the like assert nothing
            out.append((text, sorted(set(citations_in(sentence)))))
    return out
