"""The patterns that ingestion, the answerers and the judge share: list items, questions asking for code."""

import pytest

from tutor.text import LIST_ITEM, asks_code, with_default_asked


@pytest.mark.parametrize(
    "line", ["- item", "* item", "+ item", "• item", "▪ item", "● item", "1. item", "  2) item"]
)
def test_list_markers_open_an_item(line):
    assert LIST_ITEM.match(line)


@pytest.mark.parametrize(
    "line", ["-1 marks unlabeled samples", "1.5 hours a day", "*args are passed on", "Item - one"]
)
def test_figures_and_prose_are_not_items(line):
    assert not LIST_ITEM.match(line)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("show me a code example for spawn", True),
        ("what command runs the tests?", True),
        # the Node.js set's n021: a code block was quoted for a learner who wanted none
        (
            "Can I switch cluster scheduling without changing code, like through an environment variable?",
            False,
        ),
        ("no code please, just explain what a worker is", False),
        # "code" as a verb, or code no block is asked of (sklearn z114 quoted pickle's code)
        ("I already code in Python at work. How long until a job?", False),
        ("is there a safer format than pickle, so loading doesnt run arbitrary code?", False),
        ("Should I finish all the maths before touching any ML code?", False),
        ("In the month 6 churn prediction API code, what thresholds split the tiers?", True),
    ],
)
def test_a_question_asks_for_code_unless_it_would_rather_not_touch_any(question, asks):
    assert asks_code(question) is asks


def test_a_default_asked_in_other_words_is_searched_for_as_a_default():
    # a new user's trial on PostgreSQL's documentation: "Read Committed is the default" ranked eighth
    # for "which isolation level does postgres use if I don't pick one?", first for "… by default?"
    for question in (
        "which isolation level does postgres use if I don't pick one?",
        "what is work_mem set to out of the box?",
        "if I call cross_validate without passing cv, how many folds does it use?",
    ):
        assert with_default_asked(question) == f"{question} (default)"
    for question in (
        "what's the default work_mem?",
        "how do I pick one isolation level?",
        "what does cv do?",
    ):
        assert with_default_asked(question) == question
