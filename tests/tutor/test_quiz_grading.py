"""Deterministic grading, item ids, validation and FSRS review cards: the failures learners report
of other tutors (a letter graded against option text, re-lettered options, duplicate options, a
grader that raises) each have a test here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tutor.quiz import grading
from tutor.quiz.grading import Grade, grade, numbers_in
from tutor.quiz.items import ItemSource, Option, QuizItem, item_id, letter_options, normalise
from tutor.quiz.review import due_at, is_due, new_card, quiz_mastery, review
from tutor.quiz.validation import form_problems, gives_away, problems

SOURCE = ItemSource(
    "corpus/23-model-evaluation.md",
    "Model evaluation",
    "Cross-validation",
    "Use stratified folds for classification so every fold keeps the class balance.",
)
PASSAGE = (
    "k-fold cross-validation trains and scores k times. Use **stratified** folds for classification "
    "so every fold keeps the class balance."
)


def choice(
    options=("stratified", "shuffled", "grouped", "random"), answer="stratified", seed="x"
) -> QuizItem:
    stem = "Fill in the blank: “Use _____ folds for classification so every fold keeps the class balance.”"
    iid = item_id("model-evaluation", SOURCE.passage_key, stem)
    return QuizItem(
        iid,
        "model-evaluation",
        "choice",
        stem,
        answer,
        SOURCE.quote,
        SOURCE,
        letter_options(list(options), seed or iid),
    )


def number(answer="2", tolerance=0.0) -> QuizItem:
    source = ItemSource("t.md", "Time", "Daily", "The plan takes 2 hours a day.")
    return QuizItem(
        "n1", "time", "number", "Fill in the number: “The plan takes _____ hours a day.”", answer,
        "The plan takes 2 hours a day.", source, tolerance=tolerance,
    )  # fmt: skip


def text_item(terms=("stratified",)) -> QuizItem:
    return QuizItem(
        "t1", "model-evaluation", "text", "Which folds keep the class balance?", "stratified folds",
        SOURCE.quote, SOURCE, key_terms=list(terms),
    )  # fmt: skip


def label_of(item: QuizItem, text: str) -> str:
    return next(o.label for o in item.options if o.text == text)


@pytest.mark.parametrize(
    "form", ["{l}", "{L}", "{L})", "({l})", "{l}.", "[{L}]", " {L} ", "option {l}", "Answer: {L}"]
)
def test_a_letter_in_any_usual_form_is_graded_by_its_option(form):
    item = choice()
    right = label_of(item, "stratified")
    result = grade(item, form.format(l=right.lower(), L=right))
    assert result.graded and result.correct and result.chosen == right
    wrong = label_of(item, "shuffled")
    result = grade(item, form.format(l=wrong.lower(), L=wrong))
    assert result.graded and not result.correct


def test_the_option_text_is_as_good_as_its_letter():
    # DeepTutor #603: the key stored as option text, the learner answers with a letter (or the reverse)
    item = choice()
    assert grade(item, "stratified").correct
    assert grade(item, "  Stratified. ").correct
    assert grade(item, f"{label_of(item, 'stratified')}) stratified").correct
    assert not grade(item, "shuffled").correct and grade(item, "shuffled").graded


def test_an_options_text_in_the_singular_or_plural_is_that_option():
    # "fingertip" for the option "fingertips" was "neither an option's letter nor its text"
    item = choice(options=("fingertips", "palms", "knuckles", "nails"), answer="fingertips")
    assert grade(item, "fingertip").correct and grade(item, "Fingertip.").correct
    assert grade(item, "palm").graded and not grade(item, "palm").correct
    twins = choice(options=("class", "classes", "grouped", "random"), answer="classes")
    assert grade(twins, "classes").correct and not grade(twins, "class").correct  # exact text first


def test_a_letter_and_a_text_naming_different_options_is_not_graded():
    item = choice()
    answer = f"{label_of(item, 'shuffled')}) stratified"
    result = grade(item, answer)
    assert not result.graded and not result.correct


def test_options_keep_their_letters_for_the_item(monkeypatch):
    # DeepTutor #795: options re-lettered between turns marked right answers wrong. The letters come
    # from the item id, so every quiz serving the item letters it alike, and grading reads the
    # letters of the item as served.
    first, again = choice(seed=""), choice(seed="")
    assert [(o.label, o.text) for o in first.options] == [(o.label, o.text) for o in again.options]
    reordered = choice(options=("random", "grouped", "shuffled", "stratified"), seed="")
    assert [(o.label, o.text) for o in reordered.options] == [(o.label, o.text) for o in first.options]
    assert first.correct_label != "A" or first.options[0].text == "stratified"
    # a learner answering with a letter of another lettering is graded against this item's letters
    relettered = QuizItem.from_dict(first.to_dict())
    relettered.options = [Option(o.label, o.text) for o in reversed(first.options)]
    relettered.options = [Option("ABCD"[i], o.text) for i, o in enumerate(relettered.options)]
    right_here = label_of(relettered, "stratified")
    assert grade(relettered, right_here).correct
    assert grade(relettered, "stratified").correct


def test_a_letter_that_is_no_option_is_not_graded():
    result = grade(choice(), "e")
    assert not result.graded and not result.correct and "not one of the options" in result.reason


@pytest.mark.parametrize("answer", ["", "   ", None, 3, ["b"]])
def test_empty_or_odd_answers_are_ungraded_never_an_error(answer):
    result = grade(choice(), answer)
    assert result == Grade(False, False, choice().expected, "empty answer")


def test_an_answer_that_is_neither_letter_nor_option_is_ungraded():
    result = grade(choice(), "I think it is the one about folds")
    assert not result.graded and not result.correct


def test_a_grader_that_raises_leaves_the_item_ungraded(monkeypatch):
    # DeepTutor #1018: a failed grading call left the learner stuck. Here it is an ungraded answer.
    def broken(item, answer):
        raise RuntimeError("boom")

    monkeypatch.setitem(grading.GRADERS, "choice", broken)
    result = grade(choice(), "b")
    assert not result.graded and not result.correct and "RuntimeError" in result.reason


def test_a_damaged_item_is_ungraded_not_a_crash():
    item = choice()
    item.options = []
    assert not grade(item, "a").graded
    item.kind = "essay"  # type: ignore[assignment]
    assert not grade(item, "a").graded


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("2", True),
        ("two", True),
        ("2.0", True),
        ("2 hours", True),
        ("about 2", True),
        ("3", False),
        ("1,000", False),
    ],
)
def test_numbers_in_digits_or_words(answer, correct):
    result = grade(number(), answer)
    assert result.graded and result.correct is correct


def test_numbers_with_a_tolerance():
    item = number("0.6", tolerance=0.05)
    assert grade(item, "0.62").correct
    assert grade(item, "0.55").correct
    assert not grade(item, "0.7").correct


@pytest.mark.parametrize(
    "answer", ["2 or 3", "between 1 and 2", "lots", "not 2", "never 2 hours", "2-3", "at least 2"]
)
def test_a_number_answer_that_cannot_be_read_is_ungraded(answer):
    assert not grade(number(), answer).graded


def test_free_text_by_its_key_terms():
    item = text_item(("stratified", "fold"))
    assert grade(item, "Stratified folds").correct
    assert grade(item, "use stratified k-fold folds").correct
    result = grade(item, "stratified sampling")
    assert result.graded and not result.correct and "fold" in result.reason
    assert not grade(item, "not stratified folds").graded  # a negation: a person should read it


def test_an_address_is_the_same_without_its_scheme():
    # "192.168.1.1" was marked wrong against the key "http://192.168.1.1"
    item = text_item(("http://192.168.1.1/",))
    assert grade(item, "192.168.1.1").correct and grade(item, "http://192.168.1.1").correct
    assert not grade(item, "192.168.1.2").correct
    assert grade(text_item(("https://www.kaggle.com",)), "kaggle.com").correct


def test_numbers_in_reads_digits_words_and_separators():
    assert numbers_in("1,000 hours, 2.5 days, three weeks") == [1000.0, 2.5, 3.0]
    assert numbers_in("GPT-4 and F1") == []


def test_item_ids_hash_topic_passage_and_stem():
    stem = "Fill in the blank: “Use _____ folds.”"
    a = item_id("model-evaluation", "corpus/23.md#Cross-validation", stem)
    assert a == item_id(
        "model-evaluation", "corpus/23.md#Cross-validation", "  fill in the blank: “use _____ folds.” "
    )
    assert a != item_id("data-leakage", "corpus/23.md#Cross-validation", stem)
    assert a != item_id("model-evaluation", "corpus/23.md#Metrics", stem)
    assert len(a) == 16 and int(a, 16) >= 0


def test_normalise_keeps_what_belongs_to_terms():
    assert normalise("**The** `t-SNE`!") == normalise("t SNE") == "t sne"
    assert normalise("C++") == "c++"
    assert normalise("20%") == "20%"
    assert normalise("0.6.") == "0.6"


def test_duplicate_options_are_invalid():
    # DeepTutor #955: generated questions with duplicate options
    item = choice(options=("stratified", "Stratified.", "grouped", "random"))
    assert any("repeat" in p for p in form_problems(item))


def test_exactly_one_option_must_be_right():
    assert any("0 options match" in p for p in form_problems(choice(answer="k-fold")))


def test_a_stem_or_heading_that_gives_the_answer_away_is_invalid():
    item = choice()
    item.stem = "Stratified folds: fill in the blank: “Use _____ folds.”"
    assert gives_away(item) and "the stem gives the answer away" in form_problems(item)
    item = choice()
    item.source = ItemSource("s.md", "Stratified sampling", "", SOURCE.quote)
    assert gives_away(item)
    item = number()
    item.stem = "Fill in the number: “Two plans take _____ hours a day.”"
    assert gives_away(item)


def test_an_answer_the_passage_does_not_support_is_invalid():
    def judge(statement, passage):
        return statement in passage, "not in the passage"

    item = choice()
    assert problems(item, PASSAGE, judge)  # the quote is markdown-free; this judge wants it verbatim
    item.statement = "Use **stratified** folds for classification so every fold keeps the class balance."
    assert problems(item, PASSAGE, judge) == []
    item.statement = "Use stratified folds for regression."
    assert problems(item, PASSAGE, judge)
    assert "the cited passage is missing" in problems(item, "", judge)


def test_a_statement_that_does_not_state_the_answer_is_invalid():
    item = choice()
    item.statement = "Folds keep the class balance."
    assert "the statement does not state the answer" in form_problems(item)


NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_a_right_answer_schedules_the_card_later_a_wrong_one_sooner():
    right = review(None, "abcdef0123456789", Grade(True, True, "x"), NOW)
    wrong = review(None, "abcdef0123456789", Grade(False, True, "x"), NOW)
    assert due_at(right) > due_at(wrong) > NOW
    assert not is_due(right, NOW) and is_due(right, due_at(right))
    later = review(right, "abcdef0123456789", Grade(True, True, "x"), due_at(right))
    much_later = review(later, "abcdef0123456789", Grade(True, True, "x"), due_at(later))
    assert due_at(much_later) - due_at(later) > due_at(later) - due_at(right) >= timedelta(days=1)


def test_an_ungraded_answer_leaves_the_card_alone():
    card = new_card("abcdef0123456789", NOW)
    assert review(card, "abcdef0123456789", Grade(False, False, "x"), NOW) is card
    assert review(None, "abcdef0123456789", Grade(False, False, "x"), NOW) is None


def test_scheduling_is_deterministic_and_naive_times_are_utc():
    a = review(None, "abcdef0123456789", Grade(True, True, "x"), NOW)
    b = review(None, "abcdef0123456789", Grade(True, True, "x"), NOW.replace(tzinfo=None))
    assert a == b
    for _ in range(5):
        a = review(a, "abcdef0123456789", Grade(True, True, "x"), due_at(a))
        b = review(b, "abcdef0123456789", Grade(True, True, "x"), due_at(b))
    assert a == b


def test_quiz_results_say_done_or_learning():
    assert quiz_mastery(4, 5) == "done"
    assert quiz_mastery(2, 2) == "learning"  # too few answers to say
    assert quiz_mastery(2, 5) == "learning"
    assert quiz_mastery(0, 0) is None
