"""Which questions tutor answers from the learner's record, and which from the documents."""

from __future__ import annotations

import pytest

from tutor.learner.guide import Intent, path_intent


@pytest.mark.parametrize(
    "question, intent",
    [
        ("What should I do next?", Intent.NEXT),
        ("When will I finish?", Intent.REMAINING),
        ("When will I be done with the roadmap at 5 hours a week?", Intent.REMAINING),
        ("When will I finish the whole roadmap?", Intent.REMAINING),
        ("How much is left for me?", Intent.REMAINING),
        ("What's my plan?", Intent.PLAN),
        ("Show me my study plan for this week", Intent.THIS_WEEK),
        ("What's my plan for learning the roadmap?", Intent.PLAN),
        ("How am I doing?", Intent.PROGRESS),
        # a question that states its own facts, or asks about one resource or topic, is about the roadmap
        ("What should I do next? I already finished SQL and numpy.", None),
        ("I've already covered Python, what should I do next?", None),
        ("I'm done with pandas; what next?", None),
        ("When will I finish the SQLZoo tutorial?", None),
        ("What's my plan for learning transformers?", None),
        ("What is gradient boosting?", None),
    ],
)
def test_path_intent(question, intent):
    assert path_intent(question) == intent
