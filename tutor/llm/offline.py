"""The offline answerer: composes a cited answer from the best sentences of the retrieved passages.

No network and no LLM. Each readable sentence (not a question, a code line, a fragment or a bare
heading) is scored by embedding similarity to the question, by the share of the question's words it
holds (rarer words weigh more), and by whether it carries what the question asks for (a number for
"how many / how long", a name for "which tool", a parameter for "which setting"). The best sentence
comes first; the others follow in reading order, each with the number of the passage it came from.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache

import numpy as np

from tutor.embeddings import Embedder
from tutor.entailment import runs_on, table_header
from tutor.grounding import (
    INLINE_CODE,
    NUMBERED,
    blocks,
    clean,
    content_words,
    is_code,
    neutralise_citations,
    split_sentences,
    stems,
)
from tutor.llm.base import Answerer, Message, rule_based_condense
from tutor.store import IDENTIFIER_NAME, SETTING_NAME, definitions_asked, english_words, names_in
from tutor.store import WORD as STORE_WORD
from tutor.text import (
    DEFAULT_IN_OTHER_WORDS,
    DOCUMENT_NOUN,
    FENCED,
    HOW_IT_WORKS,
    KNOWS_BUT_NOT,
    LIST_ITEM,
    asks_code,
    fences_open,
    table_cells,
    with_default_asked,
)
from tutor.text import DEFAULT_WORD as DEFAULT
from tutor.types import SECTION_SEPARATOR, Passage

MAX_SENTENCES = 5
MAX_WORDS = 140
DUPLICATE = 0.9  # cosine above which two sentences say the same thing
# Measured on the dev splits (tutor eval --split dev): the "asked for" bonus is a tie-breaker; larger
# values pick numbers and names that do not answer.
WEIGHTS = {"similarity": 0.65, "overlap": 0.3, "asked_for": 0.05}
HEADING_PENALTY = 0.1  # a line without sentence punctuation reads badly as an answer
POINTER_PENALTY = 0.1  # "See the glossary entry on imputation." sends the learner elsewhere
# "how do I log to a file?", "how to make a regex case insensitive": short code blocks are answers too
ASKS_HOW_TO = re.compile(r"^\W*how\s+(?:do|can|should|would)\s+(?:i|you|we|one)\b|^\W*how\s+to\b", re.I)
HOW_TO_LINES = 6
CODE_BONUS = 0.15  # a code block, for a question asking for code (only then is one a candidate)
SETTING_BONUS = 0.15  # a sentence naming a parameter or function, for "which setting / how can I set"
WEAKEST = 0.5  # a sentence scoring under this share of the best is left out
FAQ_BONUS = 0.2  # the opening of a passage whose heading asks the learner's question
STEPS_BONUS = 0.5  # a numbered step of what the question asks how it works
# "Memcheck is a memory error detector." for "What is Memcheck?", an option's documenting line
DEFINITION_BONUS = 0.15
FAQ_OPENING = 2  # sentences
SHARE_ASKED = 0.6  # of the question's content words, in a heading asking the same
# Content words a sentence needs of its own to be read under its heading ("Yes, you can." has none).
OWN_WORDS = 3
RANK_PENALTY = 0.02  # per rank of the passage: a slight preference for better-ranked passages

# What a question asks for, and what a sentence must hold to give it.
ASKS_NUMBER = re.compile(
    r"\bhow (many|much|long|often|big|large|fast|old)\b|\bwhat (percentage|share|proportion|fraction)\b"
    r"|\bwhich (week|month|year|day)s?\b|\bwhen\b|%|\bwhat (?:\w+ )?range\b",  # "what numeric range …?"
    re.IGNORECASE,
)
# A question after a figure itself ("when" is left out: "when fitting X" is a condition, not a date).
ASKS_FIGURE = re.compile(
    r"\bhow (many|much|long|often|big|large|fast|old)\b|\bwhat (percentage|share|proportion|fraction)\b"
    r"|\bwhat('s|\s+is|\s+are|\s+was)\s+(the\s+)?([\w-]+\s+){0,3}"  # "what's the passing score …?"
    r"(price|fees?|salary|salaries|passing score|pass(ing)? mark|cut-?off)\b"
    r"|\b(?:earn|earns|paid)\b|\bwhat\s+(?:salary|pay|compensation)\b"  # "what do seniors earn?"
    r"|\bwhat\s+(?:does|do|would|will)\s+[^?]{0,40}\b(?:charge|cost)\b"  # "what does Kaggle charge …?"
    # "what's the pass rate …?", "what dropout rate …?", "what rating did … give …?"
    r"|\bwhat(?:'s|\s+is|\s+are|\s+was)?\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:rates?|ratings?)\b",
    re.IGNORECASE,
)
ASKS_SETTING = re.compile(
    r"\b(which|what)\b[^?]{0,40}\b(parameter|argument|option|setting|flag|attribute|function|method|"
    r"class|estimator|value|keyword)s?\b|\bwhat (do|should|must) i (need to |have to )?(set|pass|use)\b"
    r"|\bis there (a|an|any) ([\w-]+ ){0,2}(setting|parameter|option|flag|way)\b"
    r"|\bhow (can|do|could|would) i (make|force|set|get|add|restrict|limit|stop|turn|tell|keep)\b"
    r"|\bhow to (make|force|set|get|add|restrict|limit|stop|turn|tell|keep)\b"
    # "can OneHotEncoder lump …?", "can SVC …?", "can it …?": not "can beginners …?"
    r"|\bcan (it|they|(?-i:[A-Z]\w*[a-z]\w*[A-Z]\w*|[A-Z]{2,}\w*)) (?!(be|do)\b)\w+"
    r"|\bcan i (make|force|set|get|add|restrict|limit|stop|turn|tell|keep)\b",
    re.IGNORECASE,
)
ASKS_NAME = re.compile(
    r"\b(which|what)\b[^?]{0,40}\b(tool|course|library|libraries|platform|dataset|framework|book|site|"
    r"website|resource|service|competition|series|model|newsletter|conference|algorithm|package)s?\b",
    re.IGNORECASE,
)
# "Why do so many people drop out?" wants the sentence giving a cause ("The usual cause is …").
# "How does X work?" (HOW_IT_WORKS): the steps of a numbered list about X answer it ("1. Input …").
NUMBERED_STEP = re.compile(r"^\s*\d+[.)]\s")
ASKS_REASON = re.compile(r"^\W*why\b|\bwhat (is|are) the (reason|cause)s?\b|\bhow come\b", re.IGNORECASE)
REASON = re.compile(
    r"\b(because|caus(e|es|ed)|reasons?|due to|since|so that|which is why|that is why|explains?|"
    r"leads? to|results? in)\b",
    re.IGNORECASE,
)
POINTER = re.compile(
    r"(see|refer to|check out|read more|for (more|further|an?) (information|details|examples?|discussion))\b",
    re.IGNORECASE,
)
ASKS_WHERE = re.compile(
    r"\b(where|read more|learn more|examples?|reference|docs|documentation)\b", re.IGNORECASE
)
NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred)\b", re.I)
IDENTIFIER = re.compile(r"`[^`]+`|\b[a-z]+_[a-z0-9_]+\b|\b[A-Z][a-z]+[A-Z]\w*|\w+\(\)")
# A question about a setting of something, not about which class or function to use, wants a
# parameter: a lower-case name in code (`cache_size`, `eps`), a snake_case word, or name=value.
# Class names (`SVC`, `KernelRidge`) are in nearly every sentence of an API guide: no signal.
ASKS_CALLABLE = re.compile(  # ... or a value: `'true'`, `"balanced"` are code, not parameter names
    r"\b(which|what)\b[^?]{0,40}\b(function|method|class|estimator|model|transformer|tool|value)s?\b",
    re.IGNORECASE,
)
PARAMETER = re.compile(r"`[a-z_][a-z0-9_]*(=[^`]*)?`|\b[a-z]+_[a-z0-9_]+\b|\b[a-z_]+=")
NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w.+-]*[A-Za-z0-9+]")
CODE_LINE = re.compile(r"^\s*(>>>|\$ |import |from \w+ import|pip |def |class |return |print\()")
CODE_CHARS = set("=(){}[];<>#/\\|")
MATH = re.compile(r"\\\(.*?\\\)")  # "\(O(n \log n)\)", as HTML pages give inline math
# A page's reference to its own bibliography, made inert (［16］): quoted beside tutor's own [n] it
# reads as a citation. Only a lone number before punctuation or the end: "in ［0, 1］" is a range.
# ... ending a clause, or opening the sentence after the one it marks ("… reference). ［1］ When …")
OWN_REFERENCE = re.compile(r"\s*［\d{1,3}］(?=[.,;:)]|\s*$)|^［\d{1,3}］\s+")
DEFINITION_LABEL = re.compile(r"^[a-z_][\w.]* : (?=[A-Z])")  # a definition list's term, run into its text
BARE_NAME = re.compile(r"[\w.]+")
BARE_CALL = re.compile(r"^[\w.]+\(.*\)[.;]?$")  # "SVC(kernel='precomputed')." is code, not an answer


LEADING_QUESTION = re.compile(r"^[^.!?`]{3,150}\?\s+(?=\S)")


def table_rows(text: str) -> dict[str, str]:
    """Markdown table rows rewritten as readable sentences, keyed by the raw row. The header is the
    row above the |---| line; the rows of a table whose header is not in the passage (it began
    inside the table) are left out: without their header they would say the wrong thing."""
    rows: dict[str, str] = {}
    header: list[str] | None = None
    previous: str | None = None
    for line in text.splitlines():
        raw = line.strip()
        if not raw.startswith("|"):
            header, previous = None, None
            continue
        cells = table_cells(raw)
        if all(set(c) <= set("-: ") for c in cells) and "-" in raw:  # not an empty header row
            if previous is not None:
                header = table_header(previous)
                rows.pop(previous, None)
            continue
        previous = raw
        if header is None:
            continue
        parts = [f"{h}: {c}" if h else c for h, c in zip(header[1:], cells[1:], strict=False) if c]
        # A figure as the row label ("3%") means nothing without its column: "Margin of error: 3%".
        figure = bool(re.search(r"\d", cells[0])) and len(cells[0].split()) <= 3
        label = f"{header[0]}: {cells[0]}" if figure and header and header[0] else cells[0]
        rows[raw] = f"{label} — " + "; ".join(parts).rstrip(".") + "."
    return rows


COMMENT_OR_HEADING = re.compile(r"^\s*#+\s+")


def hard_wrapped(lines: list[str]) -> bool:
    """Prose wrapped across lines (Markdown, HTML source): many lines stop mid-sentence and the next
    goes on with it."""
    breaks = [(a, b.strip()) for a, b in itertools.pairwise(lines) if a.strip() and b.strip()]
    return bool(breaks) and sum(runs_on(a, b) for a, b in breaks) >= 0.3 * len(breaks)


# A saved page's card: a short label line ("Capstone & Job Readiness"), then its figure on a line of
# its own ("Weeks 33-48", "4–6 weeks", "$49").
LABELLED_FIGURE = re.compile(r"[^.!?:]{0,20}\d[^.!?:]{0,20}")
SHORT_LABEL = re.compile(r"[^.!?:|]{3,60}")


def lines_as_paragraphs(text: str) -> str:
    """Saved web pages put one item per line, often without punctuation ("Commands", "# Option 2:
    Kaggle Notebooks — …"): each line becomes its own paragraph (a comment's or heading's hashes
    dropped), unless the passage is hard-wrapped prose, which stays as it is."""
    lines = text.splitlines()
    if hard_wrapped(lines):
        return text
    out: list[str] = []
    for raw in lines:
        line = COMMENT_OR_HEADING.sub("", raw).strip()
        # a line that runs on: in lower case (markup aside: "**six hours** and ..."), after a line
        # cut mid-sentence, or indented under a list item after a line that did not end a sentence
        indented = raw[:1].isspace() and not LIST_ITEM.match(raw)
        if out and (runs_on(out[-1], line) or (indented and out[-1][-1] not in ".!?:")):
            out[-1] = f"{out[-1]} {line}"
        elif out and LABELLED_FIGURE.fullmatch(line) and SHORT_LABEL.fullmatch(out[-1]):
            out[-1] = f"{out[-1]}: {line}"  # a card's label and its figure: "Capstone: Weeks 33-48"
        elif line:
            out.append(line)
    return "\n\n".join(out)


def looks_like_code(text: str) -> bool:
    """A code line, a REPL line, or text that is mostly code: symbols, or mostly `inline code`
    (a table row of pandas and SQL snippets). Inline code inside prose is fine."""
    # A bare name in backticks (`GradientBoostingRegressor`) is a word of the sentence, not code.
    inline = "".join(c for c in re.findall(r"`[^`]*`", text) if not BARE_NAME.fullmatch(c.strip("`")))
    prose = MATH.sub("x", re.sub(r"`[^`]*`", "x", text))  # inline math is prose's, as inline code is
    symbols = sum(c in CODE_CHARS for c in prose)
    mostly_inline = len(inline.replace(" ", "")) > 0.5 * len(text.replace(" ", ""))
    return (
        bool(CODE_LINE.match(text) or BARE_CALL.match(text.strip().strip("`")))
        or symbols > max(3, 0.08 * len(prose))
        or mostly_inline
    )


def plain(text: str) -> str:
    """A quoted unit as words: its inline code without the ticks; a fenced block as written."""
    return text if is_code(text) else INLINE_CODE.sub(lambda m: m.group(0)[1:-1], text)


def is_row(raw: str) -> bool:
    """Whether a passage line is a table's (a row is quoted as "label — header: cell; …")."""
    return raw.lstrip().startswith("|")


CALL = re.compile(r"^(?:\w+\.)*(\w+)\(.*\)$")  # "tree.DecisionTreeRegressor(*[, criterion, ...])"


def label_words(row: str) -> set[str]:
    """The words that name a quoted row's label; a call is named by its name, without module or
    arguments: "`feature_selection.chi2`(X, y)" is chi2, "`load_state_dict(d)`" load_state_dict."""
    return split_stems(CALL.sub(r"\1", plain(row.split(" — ")[0])))


def rows_named(chosen: list[int], candidates: list[tuple[int, int, str, str]], asked: set[str]) -> list[int]:
    """`chosen` without its table rows whose label the question does not name, when it names the
    label of one ("What is the default learning rate of Adam?": Adam's row, not SGD's beside it).
    Of two labels named, the one naming more is meant ("load_state_dict", not "state_dict")."""
    rows = [i for i in chosen if is_row(candidates[i][3])]
    words = {i: label_words(candidates[i][2]) for i in rows}
    named = [i for i in rows if words[i] and words[i] <= asked]
    named = [i for i in named if not any(words[i] < words[j] for j in named)]
    return [i for i in chosen if i not in rows or i in named] if named else chosen


def readable_row(row: str, wants_code: bool) -> bool:
    """A table row, as quoted ("StepLR gamma — 0.1."), a learner can read: a label and a value say
    something in two words; a row of code snippets (pandas beside SQL) is code."""
    return len(content_words(plain(row))) >= 2 and (wants_code or not looks_like_code(row))


LOWER_CASE_NAME_IS = re.compile(r"[a-z][\w.-]*\s+(?:is|are)\s+(?:a|an|the)\s")


def readable(raw: str, text: str, position: int, wants_code: bool) -> bool:
    """A sentence a learner can read as an answer: not a question, not a fragment, not code."""
    if text.endswith("?") or len(content_words(text)) < 3 or text.endswith(":"):
        return False
    first = text.split()[0]
    if position == 0 and first.isalpha() and first.islower() and not LIST_ITEM.match(raw):
        # a fragment, the passage beginning mid-sentence; but not a lower-case name said what it
        # is ("pip is a command line application …") or opening a sentence of its own: a word no
        # general English has ("skops provides a more secure format via the `skops.io` module.")
        return bool(LOWER_CASE_NAME_IS.match(text)) or first not in english_words()
    return wants_code or not (looks_like_code(raw) or looks_like_code(text))


# A sentence going on after a one-line code block: its words before the block end on no stop, and
# those after open in lower case; read as one sentence with the command inline
RUN_THROUGH_BLOCK = re.compile(
    r"([A-Za-z0-9,)])\n\n[ \t]*(`{3,})[^\n]*\n([^\n`]{1,60})\n[ \t]*\2[ \t]*\n\n(?=[a-z])"
)


@lru_cache(maxsize=256)
def passage_sentences(text: str, markdown: bool = False) -> tuple[dict[str, str], tuple[str, ...]]:
    """A passage's table rows (raw line → row as quoted) and its sentences, in order: read once for
    the candidates and their lead-ins (a passage comes back question after question). In Markdown
    a line break inside a paragraph is a space, as a renderer shows it ("… will expose the gap:" /
    "most companies expect …" / "Docker, API endpoints …" is one sentence); plain text (a saved
    page) may hold one item a line."""
    rows = table_rows(text)
    if markdown:  # "When you run a Python module with" / `python fibo.py` / "the code in the module …"
        text = RUN_THROUGH_BLOCK.sub(r"\1 `\3` ", text)
    # a code block is quoted whole (whole_blocks), not line by line
    prose = FENCED.sub("\n\n", text if rows or markdown else lines_as_paragraphs(text))
    return rows, tuple(split_sentences(prose))


# Documents read as Markdown (HTML and reStructuredText are converted to it at ingest)
MARKDOWN_SOURCES = (".md", ".markdown", ".html", ".htm", ".rst")


def is_markdown(passage: Passage) -> bool:
    source = passage.chunk.source.lower().split("?")[0]
    if source.startswith(("http://", "https://")):  # a page, unless the address names another kind
        return not source.endswith((".txt", ".pdf"))
    return source.endswith(MARKDOWN_SOURCES)


def whole_blocks(text: str, opened: bool = False) -> list[str]:
    """A passage's fenced code blocks that it holds whole: not one it starts inside (`opened`: its
    first fence was put back by the context) nor one it ends inside. Part of a block, quoted in a
    fence of its own, would pass for all of it."""
    found = [block for block in blocks(text, code=True) if is_code(block)]
    states = fences_open(text)[1]
    if found and states and states[-1]:
        found = found[:-1]
    return found[1:] if opened else found


YES_OR_NO = re.compile(r"(yes|no)\b[^?]*[.!]$", re.IGNORECASE)


ITEM_DEFAULT = re.compile(r"^Default:\s", re.IGNORECASE)  # an option's "Default: `30`."
DEFAULT_SAID = re.compile(r"\bdefault (?:value |setting )?is\b|\bdefaults to\b|\bby default\b", re.IGNORECASE)
ITEM_REACH = 6  # sentences of one list item looked through for its default


# A setting's entry in a reference, its name in code opening the line: "`work_mem` (`integer`): …"
ENTRY = re.compile(r"^`([^`\s]+)`\s*(?:\(`?[^)]*`?\)\s*)?:")


def entries(candidates: list[tuple[int, int, str, str]]) -> dict[int, int]:
    """Each candidate under a setting's entry (`ENTRY`) → the candidate opening that entry, which
    runs to the next one or to its passage's end."""
    out: dict[int, int] = {}
    passage, start = None, None
    for i, (n, _, text, _) in enumerate(candidates):
        if n != passage:
            passage, start = n, None
        if ENTRY.match(text):
            start = i
        if start is not None:
            out[i] = start
    return out


def entry_names(candidates: list[tuple[int, int, str, str]]) -> dict[int, set[str]]:
    """Each candidate under a setting's entry → the stems of that setting's name."""
    return {
        i: dotted_stems(ENTRY.match(candidates[start][2]).group(1))
        for i, start in entries(candidates).items()
    }


def of_named_entries(
    question: str, candidates: list[tuple[int, int, str, str]]
) -> list[tuple[int, int, str, str]]:
    """`candidates`, without those under the entry of a setting the question does not name when
    some are under the entry of one it names: "what is work_mem set to?" is not answered from
    `hash_mem_multiplier`'s entry ("The default value is 2.0, which makes … `work_mem` …")."""
    named = [split_stems(name) for name in SETTING_NAME.findall(question)]
    entry = entry_names(candidates) if named else {}
    asked = {i for i, said_of in entry.items() if any(n <= said_of for n in named)}
    if not asked:
        return candidates
    return [c for i, c in enumerate(candidates) if i not in entry or i in asked]


def list_item_of(i: int, candidates: list[tuple[int, int, str, str]]) -> range:
    """The candidates of the list item candidate `i` is in (`ITEM_REACH` at most), else none."""
    n = candidates[i][0]
    start = i
    while not LIST_ITEM.match(candidates[start][3]):
        start -= 1
        if start < 0 or candidates[start][0] != n or i - start > ITEM_REACH:
            return range(0)
    end = start + 1
    while end < len(candidates) and candidates[end][0] == n and not LIST_ITEM.match(candidates[end][3]):
        end += 1
    return range(start, min(end, start + ITEM_REACH))


def with_item_defaults(order: list[int], candidates: list[tuple[int, int, str, str]]) -> list[int]:
    """`order`, each sentence quoted from an option's list item between the item's opening, which
    names the option, and its "Default: …", when a question asks for a default. An API reference
    ends each option with it ("- `maxBuffer` <number> Largest amount of data … If exceeded, the
    child process is terminated … Default: `1024 * 1024`."), and the sentence matching the
    question's words is seldom that one."""
    out: list[int] = []
    entry = entries(candidates)
    for i in order:
        span = list_item_of(i, candidates)
        said = next((j for j in span if j > i and ITEM_DEFAULT.match(candidates[j][2])), None)
        if said is None and i in entry:  # "`work_mem` (`integer`): … The default value is four megabytes"
            span = [j for j in range(entry[i], len(candidates)) if entry.get(j) == entry[i]]
            said = next((j for j in span if j != i and DEFAULT_SAID.search(candidates[j][2])), None)
        if said is None or said in order or said in out:
            out.append(i)
            continue
        named = span[0]  # ... and the item's opening, which names the option ("`maxBuffer` <number> …")
        out += [j for j in dict.fromkeys((named, i, said)) if j not in out and (j == i or j not in order)]
    return out


def yes_or_no_first(
    order: list[int], candidates: list[tuple[int, int, str, str]], opener: dict[int, int]
) -> list[int]:
    """`order` with each passage's yes or no (`opener`: passage → its candidate) before the first
    sentence quoted from that passage, once."""
    out: list[int] = []
    for i in order:
        for k in (opener.get(candidates[i][0]), i):
            if k is not None and k not in out:
                out.append(k)
    return out


def same_question(asked: set[str], heading: set[str]) -> bool:
    """Whether a heading's question asks what the learner asks: most of the words of each ("How
    does gradient boosting work?" is not "Gradient boosting or a neural network?")."""
    shared = asked & heading
    return len(shared) >= 2 and len(shared) >= SHARE_ASKED * max(len(asked), len(heading))


def asks(passage: Passage) -> str:
    """The question a passage's heading asks (an FAQ's "Can I get a job without a degree?"), or ""."""
    last = passage.chunk.section.split(SECTION_SEPARATOR)[-1].strip()
    return last if last.endswith("?") else ""


FENCE = re.compile(r"`{3,}|~{3,}")
FENCED_BLOCK = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)\n[ \t]*\1", re.DOTALL | re.MULTILINE)
SHORT_COMMAND = 60  # characters of a one-line block quoted with the sentence leading into it
# a lead-in that only says code follows ("Here is a small example of how to use roc_curve:")
SHOWN_BELOW = re.compile(
    r"^(?:here is|here's|below is|the following|this example|in the (?:following|example below))\b"
    r"|\b(?:example below|example code|snippet)\b",
    re.IGNORECASE,
)
EQUATION_OR_PROMPT = re.compile(r"=|^>>>")  # no command to type: "n_i = n // f", a session's line
# ... but a line calling a module's function is code to write: "x = json.load(f)"
MODULE_CALL = re.compile(r"\b[a-z_]\w*\.[a-z_]\w*\(")


def one_spaced(text: str) -> str:
    return " ".join(text.split())


# A lead-in whose last words need what follows: "… would be:", "… as follows:", "… like this:"
POINTS_AT_BLOCK = re.compile(
    r"\b(?:be|is|are|was|were|as|like|follows?|following|below|this|these|here|thus|so|with|by|to|of|"
    r"using|use|run|write|do|example|e\.g\.)\s*:$",
    re.IGNORECASE,
)


@lru_cache(maxsize=256)
def fenced_blocks(text: str) -> tuple[str, ...]:
    """The bodies of the fenced code blocks of `text`, in order, read once per passage."""
    return tuple(body for _, body in FENCED_BLOCK.findall(text))


def block_after(text: str, flat: str, said: str) -> str | None:
    """What `said`, a sentence ending with a colon, leads into in `text` (`flat`: the same, one-spaced):
    None when no code block follows it, else the block when it is one short command ("deactivate",
    not an equation: "n_i = n // (f ** i)"), else "". Found where the sentence is, not by the end
    of its line: a sentence wrapped over lines may end on a line of one word ("with:")."""
    at = flat.find(said)
    end = at + len(said)
    if at < 0 or not flat[end:].lstrip().startswith(("```", "~~~")):
        return None
    blocks = fenced_blocks(text)
    k = len(FENCE.findall(flat[:end])) // 2  # the blocks before it, each opened and closed
    command = blocks[k].strip().removeprefix("$ ") if k < len(blocks) else ""
    short = "\n" not in command and len(command) <= SHORT_COMMAND
    code = MODULE_CALL.search(command) and not command.startswith(">>>")
    return command if short and (code or not EQUATION_OR_PROMPT.search(command)) else ""


REFERENCES = re.compile(r"^(References?|Bibliography|Citations)\s*:?\s*$", re.IGNORECASE)


def reference_lists(text: str) -> list[str]:
    """The lists under a "References:" line, one-spaced: an article's authors, title and year
    ("Liu, Fei Tony, … “Isolation forest.” Data Mining, 2008.") answer nothing a learner asks."""
    found, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if REFERENCES.match(line.strip()):
            block = []
            for item in lines[i + 1 :]:
                if item.strip() and not LIST_ITEM.match(item) and not item[:1].isspace():
                    break  # the list has ended: a line that is neither an item nor an item's next line
                block.append(item)
            found.append(one_spaced(" ".join(block)))
    return found


def how_to_block(block: str) -> bool:
    """A block that shows how to do something: a few lines of code, not a session at a prompt, a
    program's output or its traceback."""
    fenced = FENCED_BLOCK.match(block)
    lines = (fenced.group(2) if fenced else block).splitlines()
    return (
        len(lines) <= HOW_TO_LINES
        and not any(line.lstrip().startswith((">>>", "$ ", "Traceback")) for line in lines)
        and any(CODE_LINE.match(line) or looks_like_code(line) for line in lines)
    )


def candidate_sentences(
    passages: Sequence[Passage], wants_code: bool = False, short_blocks: bool = False
) -> list[tuple[int, int, str, str]]:
    """The sentences of the passages a learner can read as an answer; with `wants_code`, also their
    code blocks, and with `short_blocks` those that show how to do something (`how_to_block`)."""
    out = []
    for p in passages:
        rows, sentences = passage_sentences(p.text, is_markdown(p))
        cited = reference_lists(p.text)
        flat = one_spaced(p.text)
        for position, sentence in enumerate(sentences):
            if cited and any(one_spaced(sentence).strip() in block for block in cited):
                continue
            row = rows.get(sentence.strip())
            # inline code keeps its ticks (`numbats[1]` is code, its brackets as written); a marker
            # the passage's own pairing of ticks hid, which this sentence alone no longer pairs, is
            # made inert, as the passage's others were
            text = clean(row, code=True) if row else neutralise_citations(clean(sentence, code=True))
            text = one_spaced(text).rstrip(",;").strip()
            text = DEFINITION_LABEL.sub("", text)  # "memory : As leaf_size increases, …"
            # a question run into its answer (an FAQ's "**Gradient boosting or a neural network?** See
            # …"): the answer is quoted, not the question, which no citation can back
            text = LEADING_QUESTION.sub("", text) if row is None else text
            text = OWN_REFERENCE.sub("", text)  # "by Crammer and Singer ［16］," cites the page's own list
            command = block_after(p.text, flat, one_spaced(sentence)) if text.endswith(":") else None
            if command and p.chunk.extra.get("in_code"):
                command = ""  # the passage opens inside a block: its blocks are not counted from the start
            if command:
                # ... and a one-line block is the rest of it: "To deactivate a virtual environment,
                # type `deactivate`." ("type." alone said nothing)
                text = f"{text[:-1].rstrip()} `{command}`."
            elif command is not None and not POINTS_AT_BLOCK.search(text) and not SHOWN_BELOW.search(text):
                # a sentence leading into code says what to do ("To use them, you need to explicitly
                # import `enable_halving_search_cv`:"): quoted without the block, it ends as said;
                # not one that needs the block to end it ("A possible query would be:")
                text = text[:-1].rstrip() + "."
            # A table row is judged as it is quoted, not by the pipes of its raw line (a short row's
            # pipes and brackets read as code symbols: rows 1, 3 and 4 of a table were never quoted);
            # a raw table line that is no row (a header; a row whose header the passage lacks) is not
            # quoted: pipes are no sentence.
            if row is not None:
                keep = readable_row(row, wants_code)
            elif position == 0 and asks(p) and YES_OR_NO.match(text):
                keep = True  # "Yes, you can." under "Can I get a job without a degree?"
            else:
                keep = bool(text) and not is_row(sentence)
                # an option's "Default: `1024 * 1024`." says something, however much code it holds
                keep = keep and (
                    readable(sentence, plain(text), position, wants_code) or bool(ITEM_DEFAULT.match(text))
                )
            if keep:
                if LIST_ITEM.match(sentence) and text[0].islower():
                    text = text[0].upper() + text[1:]  # a list item quoted on its own reads as a sentence
                out.append((p.n, position, text, sentence))
        if wants_code or short_blocks:  # after the passage's sentences: the one leading into a block first
            whole = whole_blocks(p.text, opened=bool(p.chunk.extra.get("in_code")))
            out += [
                (p.n, len(sentences) + k, block, block)
                for k, block in enumerate(whole)
                if wants_code or how_to_block(block)
            ]
    return out


def list_lead_ins(passages: Sequence[Passage]) -> dict[tuple[int, int], str]:
    """(passage, sentence position) of each list item under a lead-in ("It suits:", "Consider
    fine-tuning when:") → that lead-in: an item read alone does not say what it is a case of."""
    leads: dict[tuple[int, int], str] = {}
    for p in passages:
        lead = ""
        for position, sentence in enumerate(passage_sentences(p.text, is_markdown(p))[1]):
            if LIST_ITEM.match(sentence):
                if lead:
                    leads[(p.n, position)] = lead
            else:
                lead = clean(sentence) if sentence.rstrip().endswith(":") else ""
    return leads


# "Plan about 6 hours for this topic": about its own page's topic. Quoted for a question about
# another topic (its heading shares no word with the question), it gives that topic a wrong figure.
THIS_TOPIC = re.compile(
    r"\b(this|these) (topic|course|chapter|module|lesson|unit|section)s?\b", re.IGNORECASE
)

# A sentence opening with a pronoun leans on the one before it for what it is about ("It is a
# computationally cheaper alternative…" after the sentence naming LassoLarsIC).
LEANS_BACK = re.compile(r"^(It|This|These|They|That|Those|Such|Its|Their)\b(?!\s+(is|are)\s+(why|how)\b)")
# ... and one opening like this carries the sentence before it on: what to do in the case it describes
CARRIES_ON = re.compile(
    r"^(In (these|this|that|such) (cases?|situations?)|For (these|such) cases|Instead|Otherwise)\b"
)


ASKS_METHOD = re.compile(r"\b(decide|choose|determine|select|pick|estimate|tell)\b", re.IGNORECASE)


REFERENT_STEPS = 2  # sentences back a pronoun's referent is looked for
LIST_ITEMS = 8  # items of one list quoted whole at most


def with_lead_ins(
    order: list[int], candidates: list[tuple[int, int, str, str]], leads: dict[tuple[int, int], str]
) -> list[tuple[int, int, str]]:
    """The quoted units of `order`, a list item opening with its lead-in where the unit before is
    not of its list: "Consider fine-tuning when: prompting … still gives inconsistent output", not
    "Prompting … still gives inconsistent output", which says the opposite alone."""
    out = []
    for k, i in enumerate(order):
        n, position, text, raw = candidates[i]
        lead = leads.get((n, position))
        if lead and not (k and leads.get(candidates[order[k - 1]][:2]) == lead) and not is_code(text):
            # the item's first character as quoted: "`leaf_size` is …" keeps its tick
            first = clean(LIST_ITEM.sub("", raw, count=1), code=True)[:1]
            text = f"{lead} {first.lower() if first.islower() else text[0]}{text[1:]}"
        out.append((n, position, text))
    return out


NEGATED = re.compile(r"\b(not|never|no)\b|n't\b", re.IGNORECASE)


def lists_asked_for(
    order: list[int],
    candidates: list[tuple[int, int, str, str]],
    leads: dict[tuple[int, int], str],
    question: str,
) -> list[int]:
    """`order` with a bulleted list quoted whole (`LIST_ITEMS` at most) where an item of it was
    picked and its lead-in says what the question asks ("This roadmap is not designed for:" for
    "Who is the roadmap NOT designed for?"): the list is the answer, not one item of it. The lead-in
    must deny what the question denies, and the question hold most of its words."""
    asked = stems(question)
    out: list[int] = []
    for i in order:
        lead = leads.get(candidates[i][:2])
        said = stems(lead or "")
        if (
            not lead
            or len(said & asked) < max(2, SHARE_ASKED * len(said))
            or bool(NEGATED.search(lead)) != bool(NEGATED.search(question))
        ):
            out.append(i)
            continue
        n = candidates[i][0]
        items = [j for j, c in enumerate(candidates) if c[0] == n and leads.get(c[:2]) == lead]
        out.extend(j for j in (items if len(items) <= LIST_ITEMS else [i]) if j not in out)
    return out


def whole_lists(order: list[int], candidates: list[tuple[int, int, str, str]]) -> list[int]:
    """`order` with a numbered list quoted whole, in its order, where two or more of its items were
    picked: the four steps of DORA, not "Request" and "Acknowledge"; steps 1 to 5, not 3 and 4. (A
    bulleted list's items stand alone: the rest of one would be padding.)"""
    runs: dict[int, list[int]] = {}  # candidate -> the items of its list, in order
    for i, (n, position, _, raw) in enumerate(candidates):
        if not NUMBERED.match(raw):
            continue
        before = i - 1
        run = (
            runs.get(before)
            if before >= 0 and candidates[before][0] == n and candidates[before][1] == position - 1
            else None
        )
        run = run if run is not None else []
        run.append(i)
        runs[i] = run
    out: list[int] = []
    for i in order:
        run = runs.get(i)
        picked = [j for j in order if run is not None and j in run]
        if run is None or len(picked) < 2 or len(run) > LIST_ITEMS:
            out.append(i)
        elif i == picked[0]:
            out.extend(j for j in run if j not in out)
    return out


def asked_for(question: str):
    """A test of whether a sentence holds what the question asks for, or None when it asks for
    nothing in particular ("how do I decide how many …" asks for a method, not a number)."""
    if ASKS_REASON.search(question):
        return lambda raw: bool(REASON.search(raw))
    if ASKS_NUMBER.search(question) and not ASKS_METHOD.search(question):
        return lambda raw: bool(NUMBER.search(raw))
    if ASKS_SETTING.search(question):
        wanted = IDENTIFIER if ASKS_CALLABLE.search(question) else PARAMETER
        return lambda raw: bool(wanted.search(raw))
    if ASKS_NAME.search(question):
        return lambda raw: bool(NAME.search(raw.strip()))
    return None


# A figure that counts or measures, or a span of time without one ("in a weekend"): not a label's
# number ("Option 3", "Phase 2", "Month 6") nor a heading's number run into its first word ("4MLOps").
QUANTITY = re.compile(  # ... a label's number is none, nor a reference's year ("Liu et al., 2008")
    r"(?<![\w.])(?<!al\., )(?<!al\. )(?<!option )(?<!phase )(?<!step )(?<!part )(?<!stage )(?<!chapter )"
    r"(?<!section )(?<!level )(?<!version )(?<!lesson )(?<!module )(?<!unit )(?<!month )(?<!week )"
    r"(?<!day )(?<!#)(\d[\d,.]*(?:k|m|gb|mb|tb|h|hrs?|x|s|ms)?(?![\w])|\d[\d,.]*(?=%)"
    r"|(two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred)\b)"
    r"|\b(an?|one|a few|a couple of|several) (minute|hour|day|evening|weekend|week|month|year)s?\b",
    re.IGNORECASE,
)
ASKS_YEAR = re.compile(r"\b(what|which) year\b|\bwhen (was|were|did)\b", re.IGNORECASE)
YEAR = re.compile(r"(?<![\w.])(1[89]|20)\d\d(?!\w|\.\d)")  # "released in 2007." ends a sentence
# "Which Python version should I install?", "what's the minimum skops version I need?"
ASKS_VERSION = re.compile(r"\b(which|what)('s|\s+is|\s+are)?\s+(the\s+)?([\w.-]+\s+){0,3}versions?\b", re.I)
VERSION = re.compile(r"(?<![\w.])\d+\.\d+(?:\.\d+)?\+?(?!\w|\.\d)|\bversion\s+\d", re.IGNORECASE)
ASKS_DEFAULT = re.compile(  # "What is XGBoost's default …?", "What value does X use by default?"
    r"\b(what|which)('s|\s+is|\s+are)?\s+(the\s+)?([\w.-]+'s\s+)?defaults?\b"
    r"|\b(what|which)\b[^?]*\bby default\b"
    rf"|{DEFAULT_IN_OTHER_WORDS.pattern}",  # "what is work_mem set to out of the box?"
    re.IGNORECASE,
)
ASKS_WHEN = re.compile(
    r"\bwhen\b|\bat what (point|stage|week|month)\b|\b(what|which) (weeks?|months?)\b"
    r"|\bhow (long|many (weeks|months|days))\b",
    re.IGNORECASE,
)
SPAN = re.compile(r"\b(weeks?|months?|days?)\s+\d|\d\s*(weeks?|months?|days?|hours?)\b", re.IGNORECASE)
ASKED_PARTS = re.compile(r"[?;]|,?\s+and\s+(?=what|when|how|which|why|is|are|does|do|should|can)\b")
# stems of how a default is asked for, and of the kinds of setting ("the sep argument": sep, not any
# section on "Default Argument Values")
DEFAULT_ASKING = {"default", "what", "use", "valu", "set", "argument", "paramet", "option"}
YEAR_ASKING = {"what", "which", "year", "when", "first"}  # ... and a year
ASKS_COST = re.compile(  # "how long should I spend" asks for time, "how much would I spend" for money
    r"\b(cost|costs|price|fee|fees|charge|charges)\b|\bhow much\b[^?]*\b(pay|spend)\b", re.IGNORECASE
)
# ... and what one earns, which is never "free"
ASKS_PAY = re.compile(r"\b(salary|salaries|earn|earns|paid|compensation)\b|\bwhat pay\b", re.IGNORECASE)
PAY = re.compile(r"[$€£¥]\s?\d|\d\s?(k|usd|eur|gbp|dollars?|euros?|pounds)\b", re.IGNORECASE)
FREE = re.compile(r"\bfree\b", re.IGNORECASE)
MONEY = re.compile(f"{PAY.pattern}|{FREE.pattern}", re.IGNORECASE)  # a price may be "free"
# "how many hours …?" wants hours, or a span said in days ("in a weekend"): a week's label ("Weeks
# 33-48") or a count of months does not say them
ASKS_HOURS = re.compile(r"\bhow many (?:[\w-]+ )?(?:hours|hrs)\b", re.IGNORECASE)
HOURS = re.compile(
    r"(?<![\w.])(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|a few)"
    r"(?:\s*(?:[-–]|to)\s*\d[\d,.]*)?\+?\s*(?:[\w-]+\s+){0,2}(?:hours?|hrs?|h)\b"
    r"|\b(?:an?|one|a few|a couple of|several) (?:[\w-]+ )?(?:minute|hour|day|evening|weekend)s?\b",
    re.IGNORECASE,
)
FIGURES = (QUANTITY, MONEY, PAY, HOURS)  # what "how many / how much / what's the salary" ask for
# Who a figure is of, in words that exclude each other: a senior's salary is not an entry-level one,
# nor is big tech's pay a mid-size company's
EXCLUSIVE = [
    tuple(re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for words in pair)
    for pair in (
        (r"senior|staff|principal|\d+\+? years", r"entry[- ]level|junior|new grads?"),
        (
            r"big tech|large (?:tech )?compan(?:y|ies)|faang|google|meta|amazon",
            r"mid-?size|small compan(?:y|ies)|startups?",
        ),
    )
]


def for_someone_else(question: str, sentence: str) -> bool:
    """Whether `sentence` gives its figure of someone the question excludes ("entry-level ML
    engineers at mid-size companies earn $140K" for "what do senior ML engineers earn?")."""
    return any(
        asked.search(question) and said.search(sentence) and not asked.search(sentence)
        for one, other in EXCLUSIVE
        for asked, said in ((one, other), (other, one))
    )


# A site named in lower case ("fast.ai", "course.careers"): its last part a top-level domain, so that
# code ("list.sort", "d.get", "np.array") is not taken for one
SITE_NAME = re.compile(
    r"(?<![\w.])[a-z][a-z0-9-]*\.(?:com|org|net|edu|gov|io|ai|dev|app|co|me|so|sh|gg|tv|info|xyz|tech|"
    r"careers|academy|courses?|school|cloud|uk|de|fr|in|us|ca)\b(?!\.\w)"
)


# "how many free GPU hours a week does Colab give": what is counted ("GPU hours") comes before the
# verb, whose it is ("Colab") after.
MEASURED = re.compile(
    r"\bhow (many|much)\b.*?(?=\b(do|does|did|is|are|was|were|can|could|will|would|should|has|have)\b)",
    re.IGNORECASE,
)


# A title of two capitalised words joined by "to" or "of" ("Zero to Hero", "Bank of America")
TITLE = re.compile(r"\b[A-Z][\w.-]* (?:to|of) [A-Z][\w.-]*\b")


@lru_cache(maxsize=64)
def written_as_names(texts: tuple[str, ...]) -> frozenset[str]:
    """The words (lower-cased) that `texts` write only as names (`names_in`), never in lower case:
    a learner's "colab" or "karpathy" is the "Colab" or "Karpathy" of the passages. Read once for an
    answer's passages, however many of its checks ask."""
    lines = (  # a table's cell opens like a sentence ("| Version | Changes |")
        LIST_ITEM.sub("", COMMENT_OR_HEADING.sub("", cell))
        for text in texts
        for line in text.splitlines()
        for cell in line.split("|")
    )
    named = {
        name.lower() for line in lines for sentence in split_sentences(line) for name in names_in(sentence)
    }
    whole = " ".join(texts)
    titles = {m.group().lower() for m in TITLE.finditer(whole)}  # "Zero to Hero" is one thing
    return frozenset(
        word for word in named if not re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w-]|\.\w)", whole)
    ) | frozenset(titles)


def named_things(question: str, known: set[str] = frozenset()) -> list[set[str]]:
    """The things `question` names, each as the stems of its words: names written next to each other
    are one thing ("MLOps Zoomcamp", "AWS SageMaker"), others each their own ("Lightning.ai", "GPU").
    Words in `known` are names however the learner writes them ("google colab"), and so are titles
    the passages write ("zero to hero" is one thing, not "zero" and "hero"). What a "how many"
    question counts ("how many GPU hours does Colab give") is not a thing named when a thing follows."""
    things: list[set[str]] = []
    end = None
    found = [(question.find(name), name) for name in names_in(question)]
    found += [(m.start(), m.group()) for m in SITE_NAME.finditer(question)]  # "fast.ai", "course.careers"
    found += [(m.start(), m.group()) for m in STORE_WORD.finditer(question) if m.group() in known]
    counted = MEASURED.search(question)
    if counted and any(start >= counted.end() for start, _ in found):
        found = [(start, name) for start, name in found if not counted.start() <= start < counted.end()]
    begin = 0
    for _, name in sorted(set(found)):
        start = question.find(name, end or 0)
        joined = end is not None and start >= end
        if joined and (
            not question[end:start].strip() or question[begin : start + len(name)].lower() in known
        ):
            things[-1] |= stems(name)
        else:
            things.append(stems(name))
            begin = start
        end = start + len(name)
    return [t for t in things if t]


FAMILY = re.compile(r"\b([A-Z][A-Za-z0-9]*?[A-Z0-9])(?:Classifier|Regressor)\b")  # "SGDClassifier": SGD
COMPARES = re.compile(r"\b(or|vs\.?|versus|compared (to|with)|than)\b", re.IGNORECASE)
FULL_STOP = re.compile(r"(?<=[a-z]{2}[.!?])\s+")  # also before a lower-case name ("course.careers")


def figure_asked(question: str) -> re.Pattern | None:
    """What a sentence must hold to answer `question`: a year, a version, a default, money or a
    quantity."""
    if ASKS_YEAR.search(question):
        return YEAR
    if ASKS_VERSION.search(question):
        return VERSION
    if ASKS_DEFAULT.search(question):
        return DEFAULT
    if ASKS_FIGURE.search(question) and not ASKS_METHOD.search(question):
        if ASKS_PAY.search(question) or (ASKS_COST.search(question) and FREE.search(question)):
            return PAY  # what one earns, or what is charged beyond a free quota: not "free"
        if ASKS_COST.search(question):
            return MONEY
        return HOURS if ASKS_HOURS.search(question) else QUANTITY
    return None


# A follow-up that asks nothing of its own, only names another thing: "and Colab?", "what about SVC?"
ELLIPSIS = re.compile(r"^\W*(and|or|what about|how about|same for)\b[^?]{0,40}\??\W*$", re.IGNORECASE)


def questions_in(text: str) -> str:
    """The sentences of `text` that ask, where some do ("X has a factor parameter that controls how
    fast candidates get eliminated. what value usually works?" asks for a value, not how fast)."""
    if "?" not in text:
        return text
    return "".join(part for part in re.split(r"(?<=[.?!])\s+", text) if part.rstrip().endswith("?")) or text


def holds_what_is_asked(
    question: str,
    passages: Sequence[Passage],
    candidates: list[tuple[int, int, str, str]],
    latest: str | None = None,
) -> bool:
    """For a question asking a figure of something it names ("How many GPU hours does Lightning.ai
    give?"), whether some sentence holds such a figure and the first thing named, all its words (in
    the sentence or its passage's heading). A figure for something else (the roadmap's 360 hours),
    a label's number ("Option 3: Lightning.ai", "Phase 3: MLOps") and, for a price, any figure that
    is not money, do not answer it. A question for a year wants a year, and one for a default
    ("What's the default batch size of MLPClassifier?") a sentence that says what is done by default,
    with any of the things named. For a follow-up, `question` is condensed with the questions
    before it and `latest` is the follow-up alone: what is asked for comes from `latest` ("does that
    default one support L1?" after "What's the default solver?" asks for no default)."""
    asks = latest or question
    figure = figure_asked(questions_in(asks))
    elliptical = bool(latest and figure is None and ELLIPSIS.match(latest))
    if figure is None and not elliptical:
        return True
    known = written_as_names(tuple(p.text for p in passages))
    things = named_things(question, known)
    if elliptical and (named := named_things(latest, known)):
        # "and Colab?" after "How many GPU hours does Kaggle give?" asks the same of Colab
        asks, figure, things = question, figure_asked(question), named
    if figure is None:
        return True
    # "the Edirae plan", "TheCodeForge roadmap" name whose document, not what a figure is of: such a
    # source is a thing only when nothing else is named, and is then in every passage of a
    # document that writes it
    sources = named_sources(question)  # the condensed question: a follow-up names none of its own

    def no_sources(named: list[set[str]]) -> list[set[str]]:
        return [t for t in named if not any(t <= source for source in sources)]

    things = no_sources(things) or things
    # ... and a thing named before the clause that asks for the figure sets the scene: "In the
    # story about six months of Random Tutorials, how many ML jobs did they apply to?" asks of jobs
    if figure in FIGURES and (asked := ASKS_FIGURE.search(asks)):
        opening = max(asks.rfind(mark, 0, asked.start()) for mark in ",;:")
        in_clause = no_sources(named_things(asks[opening + 1 :], known))
        things = in_clause if opening > 0 and in_clause else things
        # ... and so does a sentence before the question ("… a dev who did 6 months of random
        # courses. how many jobs did they apply to?"): the question asks of what it names, if anything
        told = max(asks.rfind(mark, 0, asked.start()) for mark in (". ", "? ", "! "))
        if told > opening:
            things = no_sources(named_things(asks[told + 1 :], known))
        # "how long" asks, whatever a heading writes ("How Long Does This Roadmap Take?")
        things = [t for t in things if not t <= stems(asked.group())]
    if not things and figure in FIGURES:  # "How long does it take?": any figure may answer it (any
        return figure is not HOURS or any(HOURS.search(raw) for *_, raw in candidates)  # hours, for hours)
    # a figure is of the first thing named ("Lightning.ai", not "GPU", in "Does Lightning.ai cap GPU
    # hours?"), unless the question compares things; a year or a default may be of any ("What IEEE
    # standard is Wi-Fi 5? What year …?")
    first = figure in (*FIGURES, VERSION) and not COMPARES.search(asks)  # "A or B?" asks of both
    wanted = (things[:1] if first else things) or [set()]
    if figure is DEFAULT:  # a default is of a setting, whatever it is written beside ("BallTree leaf_size")
        wanted = wanted + [stems(name) for name in IDENTIFIER_NAME.findall(asks)]
    headings = {p.n: heading_stems(p.chunk.heading) for p in passages}
    answered = questions_answered(passages)
    # a default is of the setting asked about: "XGBoost's default learning rate" is not answered by
    # "gradient boosting is the default choice" under a heading naming XGBoost; read in the part
    # of the question that asks for the default ("…, and what is it set to by default?")
    asking = next((part for part in ASKED_PARTS.split(asks) if DEFAULT.search(part)), asks)
    setting = split_stems(asking) - set().union(*things) - DEFAULT_ASKING if figure is DEFAULT else set()
    if figure is YEAR:  # ... and a year of what the question says happened: "founded", "released"
        asking = next((part for part in ASKED_PARTS.split(asks) if ASKS_YEAR.search(part)), asks)
        setting = split_stems(asking) - set().union(*things) - YEAR_ASKING
    # ... and a setting the question names as written in code ("leaf_size", "highWaterMark") must be the
    # sentence's: "The default value of max_features=1.0 …" says no default of n_estimators
    named_settings = (
        [split_stems(name) for name in {*IDENTIFIER_NAME.findall(asking), *SETTING_NAME.findall(asking)}]
        if figure is DEFAULT
        else []
    )

    # ... or be what the sentence's section is about: "k-means (default): This applies …" under
    # "Choice of the Initialization Method" says the default init method
    section = {p.n: split_stems(p.chunk.heading.split(SECTION_SEPARATOR)[-1]) for p in passages}

    # ... and a sentence under a setting's own entry ("`work_mem` (`integer`): … The default value
    # is four megabytes") says that setting's default, not one it names in passing ("The default
    # value is 2.0, which makes hash-based operations use twice the usual `work_mem`")
    entry = entry_names(candidates) if named_settings else {}

    def of_setting(sentence: str, n: int, i: int) -> bool:
        if named_settings:
            said_of = entry[i] if i in entry else dotted_stems(sentence)
            return any(named <= said_of for named in named_settings)
        said = split_stems(sentence)
        # a year is of what happened, or of what a table's "Year" column is on the row of
        return not setting or bool(setting & (said | section[n])) or (figure is YEAR and "year" in said)

    # what each passage is about besides its sentences' words: its heading, a source the question
    # names that its document writes, and for a default the whole passage (a default is said of a
    # setting, its estimator named around it: "For SVC, SVR … Setting C: C is 1 by default")
    owned = sources_written(passages, sources)
    context = {
        p.n: headings[p.n]
        | initialisms(p.chunk.heading)
        | owned[p.n]
        | (dotted_stems(p.text) if figure is DEFAULT else set())
        for p in passages
    }
    # a classifier or regressor is also named by its family: "SGDClassifier" by "SGD" (its guide's
    # "Tips on Practical Use" give "a reasonable first guess for the number of iterations")
    family = {frozenset(stems(m[0])): [stems(m[1])] for m in FAMILY.finditer(asks)}
    # an option's "Default: `30`." is said of what its list item says ("`historySize` <number> …")
    item_says = {
        i: " ".join(candidates[j][2] for j in list_item_of(i, candidates))
        for i, c in enumerate(candidates)
        if figure is DEFAULT and ITEM_DEFAULT.match(c[2])
    }
    return any(  # in one sentence: a list item may run two ("… free to audit. course.careers adds …")
        figure_of(sentence, thing, figure)
        for i, (n, position, text, raw) in enumerate(candidates)
        for about in [context[n] | answered.get((n, position), set())]  # and an FAQ's question
        for sentence in FULL_STOP.split(text if is_row(raw) else raw)  # a row, with its header
        for thing in wanted
        if any(
            t <= about | dotted_stems(sentence) | initialisms(sentence)
            for t in (thing, *family.get(frozenset(thing), ()))
        )
        and of_setting(f"{sentence} {item_says.get(i, '')}", n, i)
    )


def name_spans(sentence: str) -> list[tuple[int, int, set[str]]]:
    """Where `sentence` writes names, as (start, end, stems); names next to each other are one
    ("Kaggle Notebooks"). A short acronym (GPU, API) names a kind of thing, not whose it is."""
    found = {name for name in names_in(sentence) if not (len(name) <= 3 and name.isupper())}
    found |= {m.group() for m in SITE_NAME.finditer(sentence)}
    spans = sorted(
        (m.start(), m.end())
        for name in found
        for m in re.finditer(rf"(?<![\w.]){re.escape(name)}(?![\w])", sentence)
    )
    merged: list[tuple[int, int, set[str]]] = []
    for start, end in spans:
        if merged and not sentence[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end, merged[-1][2] | stems(sentence[start:end]))
        elif not merged or start >= merged[-1][1]:
            merged.append((start, end, stems(sentence[start:end])))
    return merged


SEGMENT_END = re.compile(r"[,;:()]|\b(?:while|whereas|but)\b")


NAME_LIKE = r"(?=[\w.-]*(?-i:[A-Z])|[\w-]+\.\w)[\w.-]+"  # "TheCodeForge", "course.careers"
SOURCE = re.compile(  # a name said to be a document's: "the Edirae plan", "TheCodeForge's roadmap"
    # (a name of capitalised words too: "the AI Learning Hub roadmap"; a course is named by one word
    # only, "the MLOps Zoomcamp course" being what is asked about)
    # (and a site's name: "the course.careers zero-to-hireable article")
    rf"((?:(?-i:[A-Z])[\w.-]*\s+|[\w-]+\.\w[\w.-]*\s+){{0,3}}[\w.-]+?)(?:'s)?\s+{DOCUMENT_NOUN}\b"
    r"|([\w.-]+?)(?:'s)?\s+course\b(?!\.\w)"  # not "the course.careers"
    # ... or to say something: "does TheCodeForge say …", "according to Edirae"
    r"|\b(?:does|do|did)\s+([\w.-]+)\s+(?:say|recommend|suggest|advise|claim|think|mention)\b"
    r"|\baccording\s+to\s+(?:the\s+)?([\w.-]+)"
    # ... a name (a capital or a dot in it) saying something, or opening the question with a title
    # and a colon: "TheCodeForge says …", "course.careers 'zero to hireable': …"
    rf"|\b({NAME_LIKE})\s+(?:says|recommends|suggests|advises|claims|reckons|mentions)\b"
    rf"|^\W*({NAME_LIKE})\s+['\"‘“][^'\"’”]{{3,60}}['\"’”]\s*:",
    re.IGNORECASE,
)


def named_sources(question: str) -> list[set[str]]:
    """The stems of each name the question gives a document ("the Edirae plan"); words that say
    what kind of document it is name none ("the user guide" is the documentation, whoever wrote it;
    "the practical path" is the page "A Practical Learning Path")."""
    names = (next(name for name in m.groups() if name) for m in SOURCE.finditer(question))
    return [stems(name) for name in names if not set(name.lower().split()) <= KIND_OF_DOCUMENT]


KIND_OF_DOCUMENT = frozenset(
    re.findall(r"\w+", "user official reference online full main whole api this that these those")
)


def sources_written(passages: Sequence[Passage], sources: list[set[str]]) -> dict[int, set[str]]:
    """For each passage, the stems of the named sources its document writes in any passage given."""
    if not sources:  # most questions name none: no passage need be read for them
        return {p.n: set() for p in passages}
    written: dict[str, set[str]] = {}
    for p in passages:
        written.setdefault(p.chunk.doc_id, set()).update(stems(p.chunk.heading) | dotted_stems(p.text))
    return {p.n: set().union(*(s for s in sources if s <= written[p.chunk.doc_id])) for p in passages}


def of_named_source(question: str, passages: Sequence[Passage]) -> set[int]:
    """The passages to answer from: for a question naming a document ("How many hours a week does
    the Edirae roadmap expect?"), those of the documents writing its name, when some do and others
    do not; else every one. Another roadmap's "2 hours per day" does not answer it."""
    owned = sources_written(passages, named_sources(question))
    named = {n for n, written in owned.items() if written}
    return named if named else set(owned)


def known_to_learner(question: str) -> set[str]:
    """The stems of what "I know X but not Y" says the learner knows (X), else none."""
    asked = KNOWS_BUT_NOT.search(question)
    return split_stems(asked["known"]) if asked else set()


def for_the_other_case(known: set[str], sentence: str, heading: str) -> bool:
    """Whether `sentence`, or the heading it is under, advises a learner lacking what the
    question's learner knows (`known_to_learner`): "If you already know pandas but not SQL, add SQL
    now" is no answer to "I know SQL but not Python"."""
    return bool(known) and any(
        said and split_stems(said["missing"]) & known
        for said in map(KNOWS_BUT_NOT.search, (sentence, heading))
    )


def questions_answered(passages: Sequence[Passage]) -> dict[tuple[int, int], set[str]]:
    """For each sentence that follows a question in its passage, or has one run into it (an FAQ's
    "How many Kaggle competitions should I enter? Enter 2–3 …"), the question's stems, by (passage
    number, position): what the sentence answers, as a heading says what its section is about."""
    out = {}
    for p in passages:
        _, sentences = passage_sentences(p.text, is_markdown(p))
        for position, sentence in enumerate(sentences):
            lead = LEADING_QUESTION.match(sentence)
            if lead:
                out[(p.n, position)] = dotted_stems(lead.group())
            elif position and sentences[position - 1].rstrip().endswith("?"):
                out[(p.n, position)] = dotted_stems(sentences[position - 1])
    return out


def figure_of(sentence: str, thing: set[str], figure: re.Pattern) -> bool:
    """Whether `sentence` holds a figure of `thing`. A figure is of a name its stretch of the
    sentence (between commas, colons, brackets, "while") writes before it, or of the stretch
    before when its own names none: in "Google Colab (switch on the GPU runtime), Kaggle Notebooks
    (about 30 free GPU hours a week)" the 30 is Kaggle's, not Colab's; in "A software engineer with
    Python … can move through Phases 1 and 2 in roughly eight weeks" it is the phases' too. A
    figure no name owns may be anyone's."""
    spans = name_spans(sentence)
    if not thing or not any(thing & names for _, _, names in spans):
        return bool(figure.search(sentence))  # the thing is named in the heading, or not as a name
    cuts = [0, *(m.end() for m in SEGMENT_END.finditer(sentence))]
    for match in figure.finditer(sentence):
        owners: list[set[str]] = []
        for begin, end in reversed(list(zip(cuts, [*cuts[1:], len(sentence)], strict=True))):
            if begin > match.start():
                continue
            owners = [names for start, _, names in spans if begin <= start < min(end, match.start())]
            owners = owners or [names for start, _, names in spans if begin <= start < end][:1]
            if owners:
                break
        if not owners or any(owner & thing for owner in owners):
            return True
    return False


def same_words(a: str, b: str) -> bool:
    """Two copies of one sentence: a saved page repeats its cards, once with the step's number run
    into the label ("5Capstone & Job Readiness: Weeks 33-48"), once without."""

    def words(text: str) -> str:
        return re.sub(r"\W+", " ", re.sub(r"^\d+(?=[A-Za-z])", "", text.strip())).lower().strip()

    return words(a) == words(b)


PART_SHARE = 0.5  # of a part's words (by weight) a sentence must hold to answer that part


def with_every_part(
    question: str, chosen: list[int], sentence_stems: list[set[str]], weight: dict[str, float]
) -> list[int]:
    """`chosen` and, for each part of a question asking two things ("what does it take for an
    algorithm to get in? is there some rule about citations?"), the sentence holding most of that
    part's words when none chosen does: the rule of thumb on citations is quoted too."""
    parts = [split_stems(part) & set(weight) for part in ASKED_PARTS.split(question) if part]
    parts = [part for part in parts if len(part) >= 2]
    if len(parts) < 2:
        return chosen
    out = list(chosen)
    for part in parts:
        total = sum(weight[w] for w in part)
        held = [sum(weight[w] for w in part & words) for words in sentence_stems]
        best = max(range(len(held)), key=held.__getitem__)
        if held[best] >= PART_SHARE * total and not any(held[i] >= held[best] for i in out):
            out.append(best)
    return out


def split_stems(text: str) -> set[str]:
    """The stems of `text`, a hyphenated word also as its parts: "production-grade" is "production grade"."""
    return stems(text) | stems(text.replace("-", " "))


def dotted_stems(text: str) -> set[str]:
    """The stems of `text`, a dotted name also as its parts ("functools.lru_cache" names lru_cache)
    and a hyphenated one also joined ("K-means" names KMeans)."""
    parts = re.sub(r"(?<=\w)\.(?=[A-Za-z_])", " ", text)
    return stems(text) | stems(parts) | stems(re.sub(r"(?<=\w)-(?=\w)", "", parts))


def initialisms(text: str) -> set[str]:
    """The initials of each run of two or three words: "machine learning engineers" is also ML (and
    MLE), which a question may call it; a CamelCase name's parts are words ("OneVsOneClassifier" is OvO)."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", text)
    return {
        "".join(w[0] for w in words[i : i + size]).lower()
        for size in (2, 3)
        for i in range(len(words) - size + 1)
    }


def heading_stems(heading: str) -> set[str]:
    """A heading's stems, capitalised words in a row also joined: the heading "Gaussian Mixture"
    is about GaussianMixture."""
    return dotted_stems(heading) | stems(re.sub(r"\b([A-Z][a-z]+) (?=[A-Z][a-z])", r"\1", heading))


class OfflineAnswerer(Answerer):
    name = "offline"
    reads_passages = False

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    @classmethod
    def from_settings(cls, settings, *, embedder: Embedder, model: str | None = None) -> OfflineAnswerer:
        return cls(embedder)

    def select(
        self, question: str, passages: Sequence[Passage], latest: str | None = None
    ) -> list[tuple[int, int, str]]:
        """The sentences to quote for `question` (a follow-up condensed with what it follows; the
        follow-up alone as `latest`), each as (passage number, position, text)."""
        # "if I don't pick one" asks for a default: the sentence saying "default" is the one
        question, latest = with_default_asked(question), latest and with_default_asked(latest)
        asked = split_stems(question)
        heading = {p.n: p.chunk.heading for p in passages}
        about = {n: stems(text) for n, text in heading.items()}
        known = known_to_learner(question)
        wants_code = asks_code(question)
        how_to = not wants_code and bool(ASKS_HOW_TO.search(latest or question))
        of_source = of_named_source(question, passages)
        candidates = [
            c
            for c in candidate_sentences(passages, wants_code=wants_code, short_blocks=how_to)
            if (not THIS_TOPIC.search(c[2]) or about[c[0]] & asked)
            and not for_the_other_case(known, c[3], heading[c[0]])
            and c[0] in of_source
            and not for_someone_else(latest or question, c[2])
        ]
        candidates = of_named_entries(latest or question, candidates)
        if not candidates or not holds_what_is_asked(question, passages, candidates, latest):
            return []
        query = self.embedder.embed_query(question)
        # a list item is judged with its lead-in ("It suits: software developers …" for "Who is it for?")
        leads = list_lead_ins(passages)
        # read as words: inline code without its ticks; a code block under its passage's heading,
        # which says what it is code for (code itself reads alike: "clf = svm.SVC().fit(X, y)" and
        # "clf = tree.DecisionTreeClassifier().fit(X, y)")
        said = [f"{heading[c[0]]}: {c[2]}" if is_code(c[2]) else plain(c[2]) for c in candidates]
        judged = [
            f"{leads[(c[0], c[1])]} {s}" if (c[0], c[1]) in leads else s
            for c, s in zip(candidates, said, strict=True)
        ]
        vectors = self.embedder.embed_cached(judged)
        sentence_stems = [split_stems(t) for t in judged]
        # Rarer words among the candidates say more about which sentence answers.
        frequency = Counter(w for words in sentence_stems for w in words)
        weight = {w: math.log(1 + len(candidates) / (1 + frequency[w])) for w in asked}
        total = sum(weight.values()) or 1.0
        holds = asked_for(question)
        setting = bool(ASKS_SETTING.search(question)) and not ASKS_NUMBER.search(question)
        rank_of = {p.n: i for i, p in enumerate(passages)}
        scores = []
        faq = {p.n for p in passages if (heading := asks(p)) and same_question(asked, split_stems(heading))}
        working = HOW_IT_WORKS.search(question)
        subject = split_stems(working["subject"]) if working else set()
        steps_of = {p.n for p in passages if subject and subject & split_stems(p.chunk.heading)}
        owned = sources_written(passages, named_sources(question))  # "the Edirae plan": its pages
        code_names = names_in(question) if wants_code else []
        definitions = definitions_asked(question)
        for (n, position, quoted, raw), text, vector, words in zip(
            candidates, said, vectors, sentence_stems, strict=True
        ):
            # a sentence saying something of its own is read under its heading: "Cross validation of
            # time series data" says what its sentences are about without their repeating it
            read = words | about[n] | owned[n] if len(words) >= OWN_WORDS else words
            overlap = sum(weight[w] for w in asked & read) / total
            score = WEIGHTS["similarity"] * float(vector @ query) + WEIGHTS["overlap"] * overlap
            if holds is not None and holds(raw):
                score += SETTING_BONUS if setting else WEIGHTS["asked_for"]
            if is_code(quoted):
                # asked for code, a block is what answers, though it reads unlike prose; asked how to
                # do something, a short block competes as the sentences do
                if not how_to:
                    score += CODE_BONUS
                if not how_to and any(name in quoted for name in code_names):
                    score += CODE_BONUS  # and one using what the question names ("… to use KNNImputer")
            elif text[-1] not in ".!?":
                score -= HEADING_PENALTY
            if POINTER.match(text) and not ASKS_WHERE.search(question):
                score -= POINTER_PENALTY
            if position < FAQ_OPENING and n in faq:
                score += FAQ_BONUS  # the passage a heading says answers this question opens with it
            if n in steps_of and NUMBERED_STEP.match(raw):
                score += STEPS_BONUS
            if any(definition.pattern.match(text) for definition in definitions):
                score += DEFINITION_BONUS
            scores.append(score - RANK_PENALTY * rank_of[n])
        heading_line = [
            text[-1] not in ".!?" and split_stems(text) <= about[n]
            for (n, *_), text in zip(candidates, said, strict=True)
        ]
        chosen: list[int] = []
        words = 0
        for i in np.argsort(scores)[::-1]:
            if len(chosen) >= MAX_SENTENCES or words >= MAX_WORDS:
                break
            # the rest much weaker than the best sentence is left out; a heading's line ("X: Weeks
            # 17-24"), which repeats the question's words, is no measure of what answers it
            said_best = next((scores[j] for j in chosen if not heading_line[j]), None)
            if said_best is not None and scores[i] < WEAKEST * said_best:
                break
            if any(
                float(vectors[i] @ vectors[j]) > DUPLICATE or same_words(candidates[i][2], candidates[j][2])
                for j in chosen
            ):
                continue
            if how_to and is_code(candidates[i][2]) and any(is_code(candidates[j][2]) for j in chosen):
                continue  # one block shows how; more are other examples
            chosen.append(int(i))
            words += len(candidates[i][2].split())
        chosen = with_every_part(question, chosen, sentence_stems, weight)
        chosen = rows_named(chosen, candidates, asked)
        best, rest = (
            chosen[0],
            sorted(chosen[1:], key=lambda i: (rank_of[candidates[i][0]], candidates[i][1])),
        )
        # the best sentence lacks the figure, setting or cause asked for and the next one in its
        # paragraph has it ("It is important to assign an identifier to unlabeled points …" + "The
        # identifier … is the integer value -1."; "… dropout above 90%." + "The usual cause is …"):
        # the two are quoted together. A capitalised word, which "which …" questions ask for, is in
        # too many sentences to tell.
        after = best + 1
        if (
            (setting or ASKS_NUMBER.search(question) or ASKS_REASON.search(question))
            and holds is not None
            and not holds(candidates[best][3])
            and after < len(candidates)
            and after not in chosen
            and candidates[after][0] == candidates[best][0]
            and candidates[after][1] == candidates[best][1] + 1
            and holds(candidates[after][3])
        ):
            rest.insert(0, after)
        # asked when or how long, and the passage's heading line gives the weeks ("Phase 3:
        # Unsupervised Learning (Weeks 15–20)") where the best sentence gives none: it comes first
        if ASKS_WHEN.search(question) and not SPAN.search(candidates[best][3]):
            title = about[candidates[best][0]]
            line = next(
                (
                    j
                    for j, (n, position, text, _) in enumerate(candidates)
                    if n == candidates[best][0]
                    and position == 0
                    and text[-1] not in ".!?"
                    and SPAN.search(text)
                    and split_stems(text) <= title
                ),
                None,
            )
            if line is not None and line != best:
                best, rest = line, [best, *(i for i in rest if i != line)]
        if latest is None:  # a follow-up's thing may be named only in the question before it
            rest = self._without_figures_of_another(question, passages, candidates, best, rest, about)
        order = [
            j
            for i in [best, *rest]
            for j in [*self._referent(candidates, chosen, i), i, *self._follower(candidates, chosen, i)]
        ]
        order = list(dict.fromkeys(order))
        # an FAQ answer's "Yes, you can." comes with the sentence of it that was picked
        opener = {
            c[0]: j for j, c in enumerate(candidates) if c[1] == 0 and c[0] in faq and YES_OR_NO.match(c[2])
        }
        order = yes_or_no_first(order, candidates, opener)
        if DEFAULT.search(latest or question):  # "(default)" added where it is asked in other words
            order = with_item_defaults(order, candidates)
        order = lists_asked_for(whole_lists(order, candidates), candidates, leads, question)
        return with_lead_ins(order, candidates, leads)

    @staticmethod
    def _without_figures_of_another(
        question: str,
        passages: Sequence[Passage],
        candidates: list[tuple[int, int, str, str]],
        best: int,
        rest: list[int],
        about: dict[int, set[str]],
    ) -> list[int]:
        """For a question asking a figure of something it names, `rest` without the sentences of
        other passages than the best one's whose figures are not said of that thing ("How many GPU
        hours does Kaggle give?" answered, then "The roadmap … totals approximately 360 hours"):
        read beside the answer, such a figure passes for one. The thing is read once, not per
        sentence."""
        if not ASKS_FIGURE.search(question) or ASKS_METHOD.search(question) or COMPARES.search(question):
            return rest
        things = named_things(question, written_as_names(tuple(p.text for p in passages)))
        if not things:
            return rest

        def of_another(i: int) -> bool:
            n, _, _, raw = candidates[i]
            return (
                n != candidates[best][0]
                and bool(QUANTITY.search(raw))
                and not things[0] <= about[n] | stems(raw)
            )

        return [i for i in rest if not of_another(i)]

    @staticmethod
    def _referent(candidates: list[tuple[int, int, str, str]], chosen: list[int], i: int) -> list[int]:
        """The sentences just before candidate `i` in its passage, when `i` opens with a pronoun that
        leans on them and none is quoted already: a sentence is not quoted without what it refers
        to. A sentence leaning back in turn brings the one before it ("The “saga” solver … This is
        therefore … It is also the only solver …"), up to `REFERENT_STEPS` back. One carrying the
        sentence before on ("In this case, the solution is to use the non-greedy quantifiers")
        leans on it too."""
        n, position, text, _ = candidates[i]
        if not (LEANS_BACK.match(text) or CARRIES_ON.match(text)):
            return []
        for step in range(1, REFERENT_STEPS + 1):
            j = i - step
            if j < 0 or j in chosen or candidates[j][:2] != (n, position - step):
                return []
            if not LEANS_BACK.match(candidates[j][2]):
                return list(range(j, i))
        return []  # what they refer to is further up: not worth the words

    @staticmethod
    def _follower(candidates: list[tuple[int, int, str, str]], chosen: list[int], i: int) -> list[int]:
        """The sentence just after candidate `i` in its passage when it carries `i` on ("If your data
        contains many outliers, scaling … will not work well." + "In these cases, you can use
        `RobustScaler` instead."): what to do about it is in the second."""
        j = i + 1
        follows = j < len(candidates) and candidates[j][:2] == (candidates[i][0], candidates[i][1] + 1)
        return [j] if follows and j not in chosen and CARRIES_ON.match(candidates[j][2]) else []

    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Message]) -> Iterator[str]:
        # a follow-up's sentences are chosen for it with its subject: "What year did it come out?"
        # after "What IEEE standard is Wi-Fi 5?" wants Wi-Fi 5's row, not the table's first
        asked = rule_based_condense(question, history, reply=False) if history else question
        selected = self.select(asked, passages, question if history else None)
        for index, (n, _, text) in enumerate(selected):
            before = selected[index - 1] if index else None
            prefix = "" if not before else "\n\n" if before[0] != n or is_code(before[2]) else " "
            if is_code(text):  # a block of its own, as written, its citation on the line after it
                yield f"{prefix and chr(10) * 2}{text}\n[{n}]"
                continue
            # Markup gone, a quoted unit may hold two sentences ("**Lead-in.** Detail"): each gets
            # its citation, split as the grounding report splits them.
            for part, sentence in enumerate(split_sentences(text, code=True) or [text]):
                sentence = sentence if sentence[-1] in ".!?" else sentence + "."
                body, end = sentence[:-1], sentence[-1]
                yield f"{prefix if part == 0 else ' '}{body} [{n}]{end}"
