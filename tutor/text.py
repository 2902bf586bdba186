"""Text patterns shared by ingestion, the answerers and the judge, so that they read a document's
lines the same way."""

from __future__ import annotations

import re

# A question asking for code: the answer quotes code blocks, whole.
CODE_ASKED = re.compile(r"\b(code|snippet|example|syntax|command)\b", re.IGNORECASE)
# ... but "code" as a verb ("I already code in Python", "learn to code", "code along") or code the
# learner means no block of ("any ML code", "run arbitrary code", "without changing code") asks none
CODE_NOT_ASKED = re.compile(
    r"\b(?:i|we|you|can|to|already)\s+code\b|\bcode\s+along\b"
    r"|\b(?:any|arbitrary|no|without(?:\s+\w+){0,2})\s+(?:\w+\s+)?code\b",
    re.IGNORECASE,
)


def asks_code(question: str) -> bool:
    return any(
        m.group(1).lower() != "code" or not CODE_NOT_ASKED.search(question[: m.end()])
        for m in CODE_ASKED.finditer(question)
    )


# "How does X work?": what is asked how it works (the offline answerer quotes its steps; keyword
# search leaves out "work").
HOW_IT_WORKS = re.compile(
    r"\bhow\s+(?:do|does|did|would|could|can)\s+(?P<subject>.+?)\s+work\b", re.IGNORECASE
)

DEFAULT_WORD = re.compile(r"\bdefaults?\b", re.IGNORECASE)  # a question asking for a default
# ... or asking for one in other words: "what is work_mem set to out of the box?", "which isolation level
# does it use if I don't pick one?", "how many folds without passing cv?"
DEFAULT_IN_OTHER_WORDS = re.compile(
    r"\bout of the box\b"
    r"|\bif (?:i|you|we) (?:don'?t|do not|never) (?:pick|choose|set|specify|pass|give|change|touch|provide)\b"
    r"|\bwithout (?:setting|specifying|passing|giving|providing|choosing)\b"
    r"|\bleave (?:it|that|them) (?:unset|alone|as is|empty|blank)\b",
    re.IGNORECASE,
)


def with_default_asked(question: str) -> str:
    """`question` saying "default" where it asks for one in other words, for the keyword and dense
    search: "Read Committed is the default" ranked eighth for "… if I don't pick one?", first for
    "… by default?"."""
    if DEFAULT_IN_OTHER_WORDS.search(question) and not DEFAULT_WORD.search(question):
        return f"{question} (default)"
    return question


# What a learner calls a document by: "the Edirae plan", "the ai learning hub roadmap".
DOCUMENT_NOUN = r"(?:plan|roadmap|guide|path|article|page|site|faq|curriculum)"
# ... and the words before such a noun that may be its name, the nearest last.
NAME_BEFORE_DOCUMENT = re.compile(
    rf"((?:[\w.-]+\s+){{0,2}}[\w.-]+?)(?:'s)?\s+{DOCUMENT_NOUN}\b", re.IGNORECASE
)


NOT_A_NAME_START = re.compile(r"the|an?|this|that|my|your|their|its|of|in|on|for|to", re.IGNORECASE)


def names_before_document(question: str) -> list[str]:
    """The phrases of two or three words a question may call a document by, the longest first:
    "the ai learning hub roadmap" → "ai learning hub", "learning hub"."""
    phrases = []
    for match in NAME_BEFORE_DOCUMENT.finditer(question):
        words = match.group(1).split()
        phrases += [
            " ".join(words[i:]) for i in range(len(words) - 1) if not NOT_A_NAME_START.fullmatch(words[i])
        ]
    return phrases


# "I know SQL but not Python": what the learner knows, and what they lack, which they ask about.
KNOWS_BUT_NOT = re.compile(r"\bknows?\s+(?P<known>[^,.;:?!]+?)\s+but\s+not\s+(?P<missing>[^,.;:?!]+)", re.I)

# A list item's marker opening a line: a bullet (as Markdown writes it, or as a saved web page
# does) or a number ("1." / "1)").
# "GPUs", "LLMs", "APIs": the stemmer keeps an acronym's plural (no vowel before the s, or a u), so
# a question about "GPUs" missed pages that write "GPU"
ACRONYM_PLURAL = re.compile(r"\b([A-Z][A-Z0-9]+)s\b")


def squash(text: str) -> str:
    """Letters and digits only, lower-cased: "t-SNE", "tsne" and "T SNE" read the same."""
    return re.sub(r"[\W_]+", "", text.lower())


def singular_acronyms(text: str) -> str:
    return ACRONYM_PLURAL.sub(r"\1", text)


# "f-strings", "t-SNE", "k-fold": a word after a one-letter prefix, which keyword search reads without
# the letter ("strings"); a term a passage must hold, as a name is
LETTER_PREFIXED = re.compile(r"(?<![\w-])[A-Za-z]-[A-Za-z]\w*")


LIST_ITEM = re.compile(r"^\s*(?:[-*+•▪●]|\d+[.)])\s+")

# A fence line of a Markdown code block: its marker (``` or ~~~, longer around a block that holds
# one) and a language, alone on the line; a block closes at its own marker.
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[\w+.#-]*[ \t]*$", re.M)


def fences_open(text: str) -> tuple[list[int], list[str]]:
    """Where each of `text`'s fence lines ends, and the marker of the code block open after it ("" once
    it closes): whether a point of the text is inside code."""
    ends, open_after, fence = [], [], ""
    for line in FENCE.finditer(text):
        if not fence or line.group(1) == fence:
            fence = "" if fence else line.group(1)
        ends.append(line.end())
        open_after.append(fence)
    return ends, open_after


# A fenced code block: from its opening fence to the closing one, or to the end of a passage cut
# inside it. Brackets there are code ("X = [[0, 0], [1, 1]]"): never a citation, and kept as written.
FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*(?:\n.*?^[ \t]*\1[ \t]*$|.*\Z)", re.M | re.S)

# An inline code span on one line (`numbats[1]`, `X[:, 0]`): code too, its brackets kept as written.
# Ticks pair left to right, as a Markdown renderer pairs them, so an empty span (``) is one.
CODE_SPAN = re.compile(r"`[^`\n]*`")

# Code of either kind: where no citation is read and nothing is rewritten.
CODE = re.compile(f"{FENCED.pattern}|{CODE_SPAN.pattern}", re.M | re.S)


def table_cells(line: str) -> list[str]:
    """A Markdown table line's cells, split at its pipes: not at an escaped one (`\\|`), nor at one
    inside inline code (`a|b`, as an HTML page's cell converts), which are the cell's own."""
    text = line.strip().removeprefix("|")
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells = [""]
    for token in re.findall(rf"{CODE_SPAN.pattern}|\\\||[^`|\\]+|.", text):
        if token == "|":
            cells.append("")
        else:
            cells[-1] += token.replace("\\|", "|")
    return [cell.strip() for cell in cells]


SNIPPET = 240  # characters of a passage shown beside an answer


def snippet(text: str, size: int = SNIPPET) -> str:
    """The start of a passage, to show beside an answer: cut at a word with "…" after it, and a code
    block it cuts closed, so the snippet reads as Markdown of its own."""
    if len(text) <= size:
        return text
    cut = text[:size]
    if re.search(r"\s", cut[size // 2 :]):
        cut = cut.rsplit(None, 1)[0]
    cut += "…"
    fence = fences_open(cut)[1]
    return f"{cut}\n{fence[-1]}" if fence and fence[-1] else cut


# Terminal colour codes and other control characters pasted into a question ("\x1b[31mSQL\x1b[0m"):
# no part of what is asked. Tabs and line breaks stay.
TERMINAL_CODES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_terminal_codes(text: str) -> str:
    return TERMINAL_CODES.sub("", text)


def blank(text: str) -> bool:
    """Whether `text` asks nothing: only spaces, line breaks and control characters ("\\x00\\x01")."""
    return not without_terminal_codes(text).strip()
