"""Quiz items without a model: cloze questions built from a topic's own sentences.

A key sentence of the topic has one key term blanked: a term the author marked (bold, code), a name
(PyTorch, Google Colab), an abbreviation (ROC-AUC) or a figure. A term is offered as a choice among
distractors of the same kind taken from sibling topics (the same phase first) and absent from this
topic, so exactly one option is right; a figure is answered as a number; a term with too few
distractors of its kind is answered in free text. Everything here is deterministic: the same
corpus gives the same items, with the same option letters. The statement an item's support is
judged by is its sentence as the passage writes it (markdown kept), so the judge reads it as it reads
the passage.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import urlsplit

import numpy as np

from tutor.grounding import SENTENCE_END, STOPWORDS, Embed, blocks
from tutor.quiz.grading import NUMBER_WORDS
from tutor.quiz.items import BLANK, ItemSource, QuizItem, item_id, letter_options, normalise, plain
from tutor.quiz.topics import TopicDoc
from tutor.quiz.validation import form_problems
from tutor.text import LIST_ITEM

MIN_WORDS, MAX_WORDS = 7, 45
OPTIONS = 4  # the key and three distractors
MIN_OPTIONS = 3  # fewer distractors of the kind than two: a free-text item instead
COMMON_SHARE = 0.5  # a term in more than this share of topics is the corpus's furniture, not a key term
SNIPPET = 320
SYNONYM = 0.9  # a would-be distractor this close in meaning to the key is left out

FENCE = re.compile(r"^```.*?^```[^\n]*$", re.DOTALL | re.MULTILINE)
BOLD = re.compile(r"\*\*([^*\n]{2,60}?)\*\*")
CODE = re.compile(r"`([^`\n]+)`")
NAME = re.compile(r"(?<![\w\-.])[A-Z][A-Za-z0-9+#]*(?:[.\-/][A-Za-z0-9+#]+)*")
NAME_JOIN = re.compile(r"\s+(?:&\s+)?")
ACRONYM = re.compile(r"^[A-Z0-9]*[A-Z][A-Z0-9]*(?:[-/][A-Z0-9]+)*s?$")
FIGURE_WORDS = [w for w in NUMBER_WORDS if w not in {"zero", "one", "once", "twice", "half", "dozen"}]
FIGURE_WORDS = [w for w in FIGURE_WORDS if w not in {"hundred", "thousand"}]
NUMBER = r"(?:\d+(?:\.\d+)?|" + "|".join(FIGURE_WORDS) + r")"
MARKER = re.compile(r"[\[［]\d+[\]］]")  # a footnote or citation marker: "[2]"
FIGURE = re.compile(r"(?<![\w.\-–/$£€])(" + NUMBER + r")(?:\s?%)?(?![\w\-–/]|\.\d)", re.IGNORECASE)
RANGE_AFTER = re.compile(r"^\s*(?:–|-|to|or|and|/)\s*" + NUMBER + r"\b", re.IGNORECASE)
RANGE_BEFORE = re.compile(r"\b" + NUMBER + r"\s*(?:–|-|to|or|and|/)\s*$", re.IGNORECASE)
ARTICLE_BEFORE = re.compile(r"\b(?:the|these|those|its|their|all)\s+$", re.IGNORECASE)
PROSE_WORD = re.compile(r"[\w+#&-]+(?:\.[\w+#&-]+)*")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DANGLING = _words(
    "it its they their them this that these those both such he she his her here there also "
    "instead then however so but and or yet which"
)
NOT_NAMES = _words(
    "A An The I If In On At For To Of And Or But So It Its This That These Those They Their There "
    "Here When Where While What Which Who Why How Use Do Don't Pick Start Learn Most Many Some Every "
    "Each Both One Two Three Four Five Six Seven Eight Nine Ten Build Keep Make Read See Try Then "
    "With Without After Before Once Even Only Also Yes No Not Never All Any Note Mon Tue Wed Thu Fri "
    "Sat Sun Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December"
)


@dataclass(frozen=True)
class Term:
    text: str  # as written in the corpus
    kind: str  # name | acronym | concept | code | path
    key: str  # normalised


@dataclass
class Inventory:
    """The terms of every document, how many documents hold each, each document's text in
    normalised form (to test whether a would-be distractor occurs in a topic), and the terms'
    vectors when an embedding function is given (distractors close in meaning come first)."""

    terms: dict[str, list[Term]] = field(default_factory=dict)  # topic id -> its terms
    df: dict[str, int] = field(default_factory=dict)  # term key -> documents holding it
    texts: dict[str, str] = field(default_factory=dict)  # topic id -> " normalised text "
    phases: dict[str, str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # topic id -> its file's folder (a URL's site)
    order: list[str] = field(default_factory=list)
    glossary: dict[str, Term] = field(default_factory=dict)  # lower-case terms marked or defined
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    known: dict[str, Term] = field(default_factory=dict)  # term key -> the term as first settled
    # (term key, topic) -> whether the topic uses it: each answer's distractors ask of the same
    # terms and topic (a long page's quiz spent 13 s of 15 in these searches)
    used: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return max(1, len(self.texts))

    def common(self, key: str) -> bool:
        return self.size >= 4 and self.df.get(key, 0) > COMMON_SHARE * self.size

    def occurs(self, key: str, topic: str) -> bool:
        """Whether the topic uses the term, as a word or as part of a dotted name (`groupby` in
        `df.groupby`)."""
        if (key, topic) not in self.used:
            text = self.texts.get(topic, "")
            found = f" {key} " in text or re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text) is not None
            self.used[key, topic] = found
        return self.used[key, topic]

    def similarity(self, a: str, b: str) -> float:
        if a not in self.vectors or b not in self.vectors:
            return 0.0
        return float(self.vectors[a] @ self.vectors[b])


def shape(term: str) -> str:
    if ACRONYM.match(term.replace(" ", "")) and sum(ch.isupper() for ch in term) >= 2:
        return "acronym"
    if term[:1].isupper() or any(ch.isupper() for ch in term[1:]):
        return "name"
    return "concept"


def _clean_text(text: str) -> str:
    return FENCE.sub("", text)


def sentences(text: str) -> list[str]:
    """The prose sentences of a chunk, markdown kept (bold marks the author's key terms): list
    items and paragraphs, not headings, table rows or code."""
    out = []
    for block in blocks(_clean_text(text)):
        if block.startswith(("|", "#", "```", ">")):
            continue
        for part in SENTENCE_END.split(block):
            part = part.strip()
            if part:
                out.append(part)
    return out


def _names(sentence: str) -> Iterable[str]:
    """Capitalised names in a plain sentence: runs of up to three capitalised words (Google Colab,
    Weights & Biases), CamelCase and dotted names; a sentence's first word only when it is no plain
    word. A longer run (a course title) is skipped whole: a part of it is no answer."""
    matches = list(NAME.finditer(sentence))
    i = 0
    while i < len(matches):
        run = [matches[i]]
        while i + 1 < len(matches) and NAME_JOIN.fullmatch(sentence[run[-1].end() : matches[i + 1].start()]):
            run.append(matches[i + 1])
            i += 1
        i += 1
        words = [m.group(0) for m in run]
        while words and words[0] in NOT_NAMES:
            run, words = run[1:], words[1:]
        if not words or len(words) > 3:
            continue
        start = run[0].start()
        first_word = sentence[:start].strip(" \"'(“*-") == ""
        inner = any(ch.isupper() or ch.isdigit() for ch in words[0][1:])
        if first_word and len(words) == 1 and not inner:
            continue  # "Regularisation keeps ..." : a capitalised plain word, not a name
        text = sentence[start : run[-1].end()]
        if len(text) >= 2:
            yield text


def marked_terms(sentence: str) -> list[Term]:
    """Terms the author marked in one markdown sentence: bold and code spans."""
    found = []
    for match in BOLD.finditer(sentence):
        raw = match.group(1).strip()
        text = plain(raw).strip(" :,;")
        if (
            raw.endswith((".", "?", "!"))
            or not text
            or any(ch.isdigit() for ch in text)
            or FIGURE.search(text)
        ):
            continue  # a bold sentence or a figure ("two to four weeks"): not a term
        if len(text.split()) <= 4:
            found.append(Term(text, shape(text), normalise(text)))
    for match in CODE.finditer(sentence):
        text = match.group(1).strip()
        if 2 <= len(text) <= 40 and text[0].isalnum():  # ".env", "/docs": the judge reads them apart
            found.append(Term(text, code_kind(text), normalise(text)))
    return found


FILE_NAME = re.compile(
    r"\.(?:py|ipynb|md|txt|toml|json|ya?ml|cfg|ini|sh|sql|csv|parquet|pkl|html|env)$", re.IGNORECASE
)


def code_kind(text: str) -> str:
    """A file or folder path (`tests/corpus/test_corpus.py`, `corpus/`, `README.md`) is offered
    only beside other paths, never as a distractor for an identifier like `pd.read_sql`."""
    return "path" if " " not in text and ("/" in text or FILE_NAME.search(text)) else "code"


DEFINED = re.compile(
    r"^(?:a|an|the)?\s*([a-z][a-z\-]+(?: [a-z][a-z\-]+){0,2}) (?:is|are|means|measures|collects|sets) ",
)


def defined_terms(sentence: str) -> list[Term]:
    """A lower-case term a sentence defines: "a derivative is a rate of change"."""
    match = DEFINED.match(plain(sentence))
    if not match or any(w in DANGLING or len(w) < 3 for w in match.group(1).split()):
        return []
    text = match.group(1)
    return [Term(text, "concept", normalise(text))]


def sentence_terms(sentence: str, glossary: dict[str, Term] | None = None) -> list[Term]:
    """Every key-term candidate of one markdown sentence: marked and defined terms, names, and the
    terms of the glossary (what the corpus marks or defines anywhere) that it mentions."""
    terms = marked_terms(sentence) + defined_terms(sentence)
    text = plain(sentence)
    for name in _names(text):
        terms.append(Term(name, shape(name), normalise(name)))
    if glossary:
        padded = f" {normalise(text)} "
        terms += [t for key, t in glossary.items() if any(f" {key}{s} " in padded for s in ("", "s", "es"))]
    unique: dict[str, Term] = {}
    for term in terms:
        if term.key and len(term.key) >= 3 and term.key not in STOPWORDS:
            unique.setdefault(term.key, term)
    return list(unique.values())


def folder_of(source: str) -> str:
    """Where a document came from: its file's folder, or a page's site. Documents ingested from one
    place are one subject's notes; distractors come from there first."""
    if source.startswith(("http://", "https://")):
        return urlsplit(source).netloc.lower()
    return str(PurePath(source).parent)


def build_inventory(docs: dict[str, TopicDoc], embed: Embed | None = None) -> Inventory:
    """Every document's terms. A capitalised term the corpus also writes in lower case ("Training
    set" at the head of a list item) is a concept, not a name; lower-case terms any document marks
    or defines are looked for in every sentence (the glossary)."""
    inventory = Inventory()
    per_sentence: dict[str, list[tuple[str, list[Term]]]] = {}
    for topic, doc in docs.items():
        text = " ".join(plain(_clean_text(c.text)) for c in doc.chunks)
        inventory.texts[topic] = f" {normalise(text)} "
        inventory.phases[topic] = doc.phase
        inventory.folders[topic] = folder_of(doc.source)
        inventory.order.append(topic)
        per_sentence[topic] = [(s, sentence_terms(s)) for c in doc.chunks for s in sentences(c.text)]
    lower_corpus = " ".join(  # the corpus's prose as written, code left out: is a word also lower case?
        plain(CODE.sub(" ", _clean_text(c.text))) for doc in docs.values() for c in doc.chunks
    )
    lower_corpus = " " + " ".join(PROSE_WORD.findall(lower_corpus)) + " "

    def settled(term: Term) -> Term:
        if term.kind == "name" and f" {term.text.lower()} " in lower_corpus:
            return Term(term.text, "concept", term.key)
        return term

    for found in per_sentence.values():
        for _, terms in found:
            for term in map(settled, terms):
                if term.kind == "concept":
                    inventory.glossary.setdefault(term.key, term)
    for topic, found in per_sentence.items():
        seen: dict[str, Term] = {}
        for sentence, _ in found:
            for term in map(settled, sentence_terms(sentence, inventory.glossary)):
                seen.setdefault(term.key, term)
        inventory.terms[topic] = list(seen.values())
        for term in seen.values():
            inventory.known.setdefault(term.key, term)
    keys = sorted({t.key for terms in inventory.terms.values() for t in terms})
    for key in keys:
        inventory.df[key] = sum(f" {key} " in text for text in inventory.texts.values())
    if embed is not None and keys:
        texts = {t.key: t.text for terms in inventory.terms.values() for t in terms}
        vectors = embed([texts[k] for k in keys])
        inventory.vectors = {k: np.asarray(v, dtype=np.float32) for k, v in zip(keys, vectors, strict=True)}
    return inventory


def _stable(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _contains(text: str, key: str) -> bool:
    return f" {key} " in f" {normalise(text)} "


def _overlaps(a: str, b: str) -> bool:
    """Two terms one of which holds the other ("cross-validation", "stratified cross-validation")."""
    a, b = a.replace("-", " "), b.replace("-", " ")
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def _variant(a: str, b: str) -> bool:
    """The same word in another number ("LLM" and "LLMs") or with a mark more or less."""
    strip = lambda k: re.sub(r"[^a-z0-9+#]", "", k.removesuffix("s").removesuffix("e"))  # noqa: E731
    return strip(a) == strip(b)


def distractors(inventory: Inventory, topic: str, answer: Term, seed: str, n: int) -> list[str]:
    """Up to `n` terms of the answer's kind from other topics, none occurring in this topic and
    none a variant of the answer or of each other: from documents of the same folder first (a
    statistics note is not offered scikit-learn's "C-ordered" while its own notes have terms), then
    the closest in meaning (when vectors are known), sibling topics (the same phase) a little
    ahead, then terms of like form."""
    phase = inventory.phases.get(topic, "")
    folder = inventory.folders.get(topic)
    scored: dict[str, tuple[tuple, str]] = {}
    for other in inventory.order:
        if other == topic:
            continue
        sibling = bool(phase) and inventory.phases.get(other) == phase
        for term in inventory.terms.get(other, []):
            if term.kind != answer.kind or term.key in scored or inventory.common(term.key):
                continue
            if _overlaps(term.key, answer.key) or _variant(term.key, answer.key):
                continue
            if inventory.occurs(term.key, topic):
                continue
            similarity = inventory.similarity(term.key, answer.key)
            if similarity > SYNONYM:
                continue  # so close in meaning it may be right too
            likeness = abs(len(term.text.split()) - len(answer.text.split())) + abs(
                len(term.text) - len(answer.text)
            ) / max(6, len(answer.text))
            rank = -(similarity + (0.1 if sibling else 0.0)) + 0.05 * min(likeness, 4)
            elsewhere = inventory.folders.get(other) != folder
            scored[term.key] = ((elsewhere, round(rank, 4), _stable(seed, term.key)), term.text)
    chosen: list[str] = []
    for _, (_, text) in sorted(scored.items(), key=lambda kv: kv[1][0]):
        key = normalise(text)
        if any(_overlaps(key, normalise(c)) or _variant(key, normalise(c)) for c in chosen):
            continue
        chosen.append(text)
        if len(chosen) == n:
            break
    return chosen


@dataclass
class Candidate:
    """One blank in one sentence, scored: the best few of a topic become its items."""

    score: float
    position: tuple[int, int]  # chunk position, sentence index: items are served in document order
    item: QuizItem


def _blank(sentence: str, span: tuple[int, int]) -> str:
    start, end = span
    return f"{sentence[:start]}{BLANK}{sentence[end:]}"


def _find(sentence: str, text: str) -> list[tuple[int, int]]:
    pattern = r"(?<![\w\-])" + re.escape(text) + r"(?:e?s)?(?![\w\-]|\.\w)"
    return [m.span() for m in re.finditer(pattern, sentence, re.IGNORECASE)]


def _usable(sentence: str) -> bool:
    words = sentence.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if words[0].lower().strip("\"'“(*") in DANGLING:
        return False  # "It says ...": who "it" is lives in another sentence
    return sentence.rstrip()[-1:] in '.!)"”' and not sentence.rstrip().endswith("?")


def _source(doc: TopicDoc, chunk, quote: str) -> ItemSource:
    text = " ".join(plain(_clean_text(chunk.text)).split())
    at = max(0, text.find(quote))
    start = max(0, min(at - (SNIPPET - len(quote)) // 2, len(text) - SNIPPET))
    end = start + SNIPPET
    snippet = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    url = chunk.extra.get("url")
    return ItemSource(
        doc.source, doc.title, chunk.section, quote, snippet, url if isinstance(url, str) else None, chunk.id
    )


def _cased(text: str, at_start: bool, kind: str) -> str:
    """Options written alike, so case gives nothing away: a concept in lower case mid-sentence,
    every option capitalised where the blank opens the sentence; names as written."""
    if kind != "concept" or not text:
        return text
    words = [w.lower() if w[:1].isupper() and w[1:].islower() else w for w in text.split(" ")]
    text = " ".join(words)
    return text[0].upper() + text[1:] if at_start else text


def _term_item(
    inventory: Inventory, doc: TopicDoc, chunk, raw: str, quote: str, term: Term
) -> QuizItem | None:
    spans = _find(quote, term.text)
    if len(spans) != 1:
        return None  # blanking one of two mentions would leave the answer in the stem
    stem_sentence = _blank(quote, spans[0])
    if _contains(stem_sentence, term.key):
        return None
    source = _source(doc, chunk, quote)
    answer = quote[spans[0][0] : spans[0][1]]
    stem = f"Fill in the blank: “{stem_sentence}”"
    iid = item_id(doc.id, source.passage_key, stem)
    others = distractors(inventory, doc.id, term, iid, OPTIONS - 1)
    if len(others) + 1 >= MIN_OPTIONS:
        at_start = stem_sentence.startswith(BLANK)
        options = letter_options([_cased(t, at_start, term.kind) for t in [answer, *others]], iid)
        answer = _cased(answer, at_start, term.kind)
        return QuizItem(iid, doc.id, "choice", stem, answer, raw, source, options)
    stem = f"Fill in the blank (a word or short phrase): “{stem_sentence}”"
    iid = item_id(doc.id, source.passage_key, stem)
    return QuizItem(iid, doc.id, "text", stem, answer, raw, source, key_terms=[answer])


def _figure_item(doc: TopicDoc, chunk, raw: str, quote: str, match: re.Match) -> QuizItem | None:
    number = match.group(1)
    value = NUMBER_WORDS.get(number.lower(), number)
    if number.isdigit() and 1900 <= int(number) <= 2100:
        return None  # a year is trivia
    if number.isalpha() and ARTICLE_BEFORE.search(quote[: match.start(1)]):
        return None  # "mix the two": a word, not a figure to recall
    if RANGE_AFTER.match(quote[match.end(1) :]) or RANGE_BEFORE.search(quote[: match.start(1)]):
        return None  # one end of a range ("4–6 hours", "two to four weeks") is no answer alone
    if MARKER.fullmatch(quote[max(0, match.start(1) - 1) : match.end(1) + 1]):
        return None  # a footnote or citation marker ("[2]"), not a figure
    stem_sentence = _blank(quote, match.span(1))
    if len([m for m in FIGURE.finditer(quote) if m.group(1).lower() == number.lower()]) > 1:
        return None
    source = _source(doc, chunk, quote)
    stem = f"Fill in the number: “{stem_sentence}”"
    iid = item_id(doc.id, source.passage_key, stem)
    return QuizItem(iid, doc.id, "number", stem, str(value), raw, source)


def _score(term: Term | None, marked: bool, inventory: Inventory, words: int) -> float:
    """Higher is a better question: a term the author marked, specific to few topics, in a
    sentence of middling length; figures a little below terms."""
    length = -abs(words - 20) / 40
    if term is None:
        return 1.0 + length
    idf = math.log((1 + inventory.size) / (1 + inventory.df.get(term.key, 1)))
    return (2.0 if marked else 0.0) + idf + length


def candidates(inventory: Inventory, doc: TopicDoc) -> list[Candidate]:
    """Every item the topic yields, one per sentence (its best blank), one per answer."""
    heading_words = " ".join({doc.title, *(c.section for c in doc.chunks)})
    found: list[Candidate] = []
    for chunk in doc.chunks:
        heading = f" {normalise(doc.title + ' ' + chunk.section)} "
        for index, raw in enumerate(sentences(chunk.text)):
            quote = plain(raw)
            if not _usable(quote) or (index == 0 and quote[:1].islower() and not LIST_ITEM.match(chunk.text)):
                continue  # unusable, or a fragment: the chunk was cut inside the sentence
            words = len(quote.split())
            marked = {t.key for t in marked_terms(raw)}
            best: Candidate | None = None
            for found_term in sentence_terms(raw, inventory.glossary):
                term = inventory.known.get(found_term.key, found_term)
                if inventory.common(term.key) or f" {term.key} " in heading:
                    continue  # the furniture of the corpus, or given away by the heading shown
                item = _term_item(inventory, doc, chunk, raw, quote, term)
                if item is None or form_problems(item):
                    continue
                score = _score(term, term.key in marked, inventory, words)
                if item.kind == "text":
                    score -= 1.0  # a choice is the kinder question
                if best is None or score > best.score:
                    best = Candidate(score, (chunk.position, index), item)
            for match in FIGURE.finditer(quote):
                item = _figure_item(doc, chunk, raw, quote, match)
                if item is None or _contains(heading_words, item.answer) or form_problems(item):
                    continue
                score = _score(None, False, inventory, words)
                if best is None or score > best.score:
                    best = Candidate(score, (chunk.position, index), item)
            if best is not None:
                found.append(best)
    kept: list[Candidate] = []
    answers: set[str] = set()
    stems: set[str] = set()
    for cand in sorted(found, key=lambda c: (-c.score, c.position)):
        key, stem = normalise(cand.item.answer), normalise(cand.item.stem)
        if key in answers or stem in stems:
            continue  # one question per answer: the same fact is not asked twice
        answers.add(key)
        stems.add(stem)
        kept.append(cand)
    return kept


def offline_items(inventory: Inventory, doc: TopicDoc) -> list[QuizItem]:
    """The topic's items, best first."""
    return [c.item for c in candidates(inventory, doc)]
