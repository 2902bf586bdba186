"""Which questions tutor answers from the learner's record, and which from the documents."""

from __future__ import annotations

import pytest

from tutor.learner.guide import Intent, asked_pace, path_intent


@pytest.mark.parametrize(
    "question, intent",
    [
        ("What should I do next?", Intent.NEXT),
        ("What should I learn first?", Intent.NEXT),  # answered with course orders and Karpathy before
        ("What book should I read first?", None),  # a resource: the documents answer it
        ("When will I finish?", Intent.REMAINING),
        ("When will I be done with the roadmap at 5 hours a week?", Intent.REMAINING),
        ("When will I finish the whole roadmap?", Intent.REMAINING),
        ("How much is left for me?", Intent.REMAINING),
        ("What's my plan?", Intent.PLAN),
        ("Show me my study plan for this week", Intent.THIS_WEEK),
        ("What's my plan for learning the roadmap?", Intent.PLAN),
        ("How am I doing?", Intent.PROGRESS),
        ("When will I finish if I study 20 hours a week?", Intent.REMAINING),
        ("How long will it take me at 2 hours a day?", Intent.REMAINING),
        ("How long will it take me to finish the roadmap?", Intent.REMAINING),
        ("How long does the roadmap take?", Intent.REMAINING),
        ("how long does this whole plan take", Intent.REMAINING),
        (
            "How long will this take at 5 hours a week?",
            Intent.REMAINING,
        ),  # was refused as a document question
        ("how long will it take at 2 hours a day?", Intent.REMAINING),
        ("How long will it take to boil an egg?", None),
        # a question that states its own facts, or asks about one resource or topic, is about the roadmap
        ("What should I do next? I already finished SQL and numpy.", None),
        ("I've already covered Python, what should I do next?", None),
        ("I'm done with pandas; what next?", None),
        ("When will I finish the SQLZoo tutorial?", None),
        ("What's my plan for learning transformers?", None),
        ("What is gradient boosting?", None),
        ("how long will it take me to learn pytorch", None),
        ("If I know SQL, when will I finish?", None),
    ],
)
def test_path_intent(question, intent):
    assert path_intent(question) == intent


@pytest.mark.parametrize(
    "question, hours",
    [
        ("When will I finish if I study 20 hours a week?", 20),
        ("When will I be done with the roadmap at 5 hours a week?", 5),
        ("How long will it take me at 2 hours a day?", 12),  # six study days, as the roadmap counts
        ("When will I finish?", None),
    ],
)
def test_a_pace_the_question_sets(question, hours):
    assert asked_pace(question) == hours


def test_a_topics_opening_sentence_is_no_lead_in():
    from tutor.learner.topics import first_sentence

    # "… (not the platforms' figures): [4]." was quoted as the courses topic's opening
    text = (
        "## Rated courses\n\ncourse.careers publishes ratings from its own learners who completed each "
        "course (not the platforms' figures):\n\n| Course | Rating |\n|---|---|\n| A | 9.7 |\n\n"
        "Pick one course and finish it before starting another one."
    )
    assert first_sentence(text) == "Pick one course and finish it before starting another one."


def test_a_declined_path_question_says_why_the_roadmap_cannot_answer_it():
    from dataclasses import replace as copy

    from tutor.config import SHIPPED_CORPUS_DIR
    from tutor.learner.graph import roadmap_graph
    from tutor.learner.guide import with_roadmap_problems
    from tutor.types import NOT_COVERED, Answer, Grounding

    graph = copy(roadmap_graph(SHIPPED_CORPUS_DIR), problems=["none of its topics is in the store."])
    refusal = f"{NOT_COVERED} (nothing relevant was found)."

    def answered(*tokens: str, refused: bool = True):
        yield from tokens
        yield Answer("".join(tokens), [], [], Grounding(), refused, "none", {}, "q")

    # the offline refusal, one token, held and told with the note
    parts = list(with_roadmap_problems(answered(refusal), graph))
    assert parts[0] == f"{refusal} Your path: none of its topics is in the store."
    assert parts[-1].answer == parts[0]
    # a refusal already streamed (a model's own words) keeps them, the note after
    parts = list(with_roadmap_problems(answered("I cannot", " say."), graph))
    assert parts[:3] == ["I cannot", " say.", " Your path: none of its topics is in the store."]
    assert parts[-1].answer == "I cannot say. Your path: none of its topics is in the store."
    # an answer is passed on as it came
    parts = list(with_roadmap_problems(answered("Read the library reference.", refused=False), graph))
    assert parts[0] == "Read the library reference." and not parts[-1].refused
