"""Deterministic grading: the same answer to the same item always gets the same grade.

A choice is answered by label in any usual form (`b`, `B`, `B)`, `(b)`, `b.`, `option b`) or by the
option's text; a number within the item's tolerance, in digits or words; free text by its key
terms. What cannot be decided (an empty answer, a letter that is no option, two numbers, a negated
key term, an error inside grading) is `ungraded`: never credited, never an exception.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from tutor.quiz.items import QuizItem, normalise

log = logging.getLogger("tutor")

_LABEL = re.compile(
    r"^\s*(?:(?:option|answer|choice)\s*[:\-]?\s*)?[\(\[]?\s*([a-h])\s*[\)\]\.:]?\s*$", re.IGNORECASE
)
_LABEL_THEN_TEXT = re.compile(r"^\s*[\(\[]?([a-h])\s*[\)\]\.:]\s+(.+)$", re.IGNORECASE | re.DOTALL)
NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "once": 1,
    "twice": 2,
    "half": 0.5,
    "dozen": 12,
}
_BOUND = re.compile(
    r"\d\s*[-–—]\s*\d|\b(?:at least|at most|more than|less than|fewer than|up to|no more than)\b", re.I
)
_NUMBER = re.compile(
    r"(?<![\w.\-])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w.]*\d)|\b(?:"
    + "|".join(NUMBER_WORDS)
    + r")\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(?:not|no|never|without|isn't|aren't|don't|doesn't|cannot|can't)\b", re.I)


@dataclass
class Grade:
    """The outcome of one answer. `graded` False means undecided: `correct` is then False too."""

    correct: bool
    graded: bool
    expected: str
    reason: str = ""
    chosen: str | None = None  # the option label the answer was read as

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def numbers_in(text: str) -> list[float]:
    """Every figure in `text`, in digits ("1,000", "2.5", "20%") or words ("three", "twice")."""
    out = []
    for match in _NUMBER.finditer(text):
        token = match.group(0).lower()
        out.append(float(NUMBER_WORDS[token]) if token in NUMBER_WORDS else float(token.replace(",", "")))
    return out


def _choice(item: QuizItem, answer: str) -> Grade:
    expected = item.expected
    correct = item.correct_label
    if correct is None:
        return Grade(False, False, expected, "the item has no correct option")
    labels = {o.label.upper(): o for o in item.options}
    by_text = {normalise(o.text): o for o in item.options}
    picked = None
    match = _LABEL.match(answer)
    both = _LABEL_THEN_TEXT.match(answer)
    if match:
        picked = labels.get(match.group(1).upper())
        if picked is None:
            return Grade(False, False, expected, f"{match.group(1).upper()} is not one of the options")
    elif both and both.group(1).upper() in labels:  # "B) stratified": the letter and its text
        by_label, rest = labels[both.group(1).upper()], normalise(both.group(2))
        if rest in (normalise(by_label.text), ""):
            picked = by_label
        elif rest in by_text:
            return Grade(False, False, expected, "the letter and the text name different options")
        elif normalise(answer) in by_text:  # "A stratified": an article, not a letter
            picked = by_text[normalise(answer)]
    elif normalise(answer) in by_text:
        picked = by_text[normalise(answer)]
    else:  # an option's text in the singular or plural ("fingertip" for "fingertips"), if only one
        folded = [o for o in item.options if _folded(o.text) == _folded(answer)]
        picked = folded[0] if len(folded) == 1 else None
    if picked is None:
        return Grade(False, False, expected, "the answer is neither an option's letter nor its text")
    return Grade(picked.label == correct, True, expected, "", picked.label)


def _number(item: QuizItem, answer: str) -> Grade:
    expected = item.expected
    targets = numbers_in(item.answer)
    given = numbers_in(answer)
    if len(targets) != 1:
        return Grade(False, False, expected, "the item's key is not one number")
    if not given:
        return Grade(False, False, expected, "the answer holds no number")
    if len(set(given)) > 1:
        return Grade(False, False, expected, "the answer holds more than one number")
    if _NEGATION.search(answer):  # "not 3" names the number it rules out
        return Grade(False, False, expected, "the answer negates something: a person should read it")
    if _BOUND.search(answer):  # "2-3", "at least 2": more than one number, or not one at all
        return Grade(False, False, expected, "the answer gives a range or a bound, not one number")
    target, value = targets[0], given[0]
    tolerance = max(item.tolerance, 1e-9 * max(1.0, abs(target)))
    return Grade(math.isclose(value, target, abs_tol=tolerance), True, expected)


def _stem_word(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


URL_PREFIX = re.compile(r"^\s*(?:https?://)?(?:www\.)?", re.IGNORECASE)


def _folded(text: str) -> list[str]:
    return [_stem_word(w) for w in normalise(text).split()]


def _has_term(answer_words: list[str], term: str) -> bool:
    # an address is the same without its scheme: "192.168.1.1" answers "http://192.168.1.1/"
    words = [_stem_word(w) for w in normalise(URL_PREFIX.sub("", term).rstrip("/")).split()]
    n = len(words)
    return n > 0 and any(answer_words[i : i + n] == words for i in range(len(answer_words) - n + 1))


def _text(item: QuizItem, answer: str) -> Grade:
    expected = item.expected
    terms = item.key_terms or [item.answer]
    words = [_stem_word(w) for w in normalise(answer).split()]
    if not words:
        return Grade(False, False, expected, "empty answer")
    found = [t for t in terms if _has_term(words, t)]
    if found and _NEGATION.search(answer):
        return Grade(False, False, expected, "the answer negates something: a person should read it")
    if len(found) == len(terms):
        return Grade(True, True, expected)
    missing = ", ".join(t for t in terms if t not in found)
    return Grade(False, True, expected, f"missing: {missing}")


GRADERS = {"choice": _choice, "number": _number, "text": _text}


def grade(item: QuizItem, answer: object) -> Grade:
    """Grade one answer. Never raises: whatever goes wrong is an ungraded answer, with the reason."""
    try:
        expected = item.expected
    except Exception:  # a damaged item still gets a grade: ungraded
        expected = ""
    if not isinstance(answer, str) or not answer.strip():
        return Grade(False, False, expected, "empty answer")
    try:
        grader = GRADERS.get(item.kind)
        if grader is None:
            return Grade(False, False, expected, f"unknown item kind {item.kind!r}")
        return grader(item, answer.strip())
    except Exception as exc:  # a grader bug must not cost the learner the item, nor crash the quiz
        log.exception("grading item %s failed", getattr(item, "id", "?"))
        return Grade(False, False, expected, f"grading failed ({type(exc).__name__}): not counted")
