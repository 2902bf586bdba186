"""What every item must pass before a learner sees it, whoever drafted it (the offline generator or
an LLM): a key that is one of the options and only one, options distinct after normalisation, a
stem and a heading that do not give the answer away, and a statement of the answer that the cited
passage supports according to the grounding judge."""

from __future__ import annotations

from collections.abc import Callable

from tutor.grounding import Embed, check_sentence
from tutor.quiz.grading import numbers_in
from tutor.quiz.items import KINDS, QuizItem, normalise

# (statement, passage text) -> (supported?, reason): the grounding judge by default
SupportJudge = Callable[[str, str], tuple[bool, str]]


def grounding_judge(embed: Embed | None = None) -> SupportJudge:
    """The offline judge of tutor/entailment.py, as answers are checked (through grounding)."""

    def judge(statement: str, passage: str) -> tuple[bool, str]:
        return check_sentence(statement, [passage], embed)

    return judge


def _mentions(text: str, answer: str) -> bool:
    key = normalise(answer)
    return bool(key) and f" {key} " in f" {normalise(text)} "


def gives_away(item: QuizItem) -> bool:
    """Whether what is shown before answering (stem, title, section) holds the answer."""
    shown = f"{item.stem} {item.source.title} {item.source.section}"
    if item.kind == "number":
        target = numbers_in(item.answer)
        return bool(target) and target[0] in numbers_in(item.stem)
    if item.kind == "text":
        return any(_mentions(shown, term) for term in item.key_terms or [item.answer])
    return _mentions(shown, item.answer)


def states_answer(item: QuizItem) -> bool:
    """Whether the statement the judge checks says the answer: else its support proves nothing."""
    if item.kind == "number":
        target = numbers_in(item.answer)
        return len(target) == 1 and target[0] in numbers_in(item.statement)
    if _mentions(item.statement, item.answer):
        return True
    terms = item.key_terms if item.kind == "text" else []
    return bool(terms) and all(_mentions(item.statement, t) for t in terms)


def form_problems(item: QuizItem) -> list[str]:
    """Problems of form alone (no passage needed)."""
    problems = []
    if item.kind not in KINDS:
        return [f"unknown kind {item.kind!r}"]
    if not item.stem.strip():
        problems.append("empty stem")
    if not item.answer.strip():
        problems.append("no answer")
    if not item.statement.strip():
        problems.append("no statement of the answer")
    if item.kind == "choice":
        texts = [normalise(o.text) for o in item.options]
        if len(item.options) < 2:
            problems.append("fewer than two options")
        if any(not t for t in texts):
            problems.append("an empty option")
        if len(set(texts)) != len(texts):
            problems.append("options repeat after normalisation")
        if len({o.label for o in item.options}) != len(item.options):
            problems.append("option labels repeat")
        right = sum(t == normalise(item.answer) for t in texts)
        if right != 1:
            problems.append(f"{right} options match the answer: exactly one must")
    elif item.kind == "number":
        if len(numbers_in(item.answer)) != 1:
            problems.append("the answer is not one number")
        if item.tolerance < 0:
            problems.append("negative tolerance")
    elif item.kind == "text" and not (item.key_terms or item.answer):
        problems.append("no key terms")
    if item.answer.strip() and gives_away(item):
        problems.append("the stem gives the answer away")
    if item.answer.strip() and not states_answer(item):
        problems.append("the statement does not state the answer")
    return problems


def problems(item: QuizItem, passage: str, judge: SupportJudge | None) -> list[str]:
    """Everything wrong with `item` (empty when it may be served). `passage` is the text of the
    passage it cites; `judge` checks the statement of the answer against it (None: not checked)."""
    found = form_problems(item)
    if not passage.strip():
        found.append("the cited passage is missing")
    elif judge is not None and not found:
        supported, reason = judge(item.statement, passage)
        if not supported:
            found.append(f"the cited passage does not support the answer ({reason or 'judge'})")
    return found
