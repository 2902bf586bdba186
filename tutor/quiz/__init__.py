"""Quizzes grounded in the roadmap: generation (offline cloze items, LLM drafts + validation),
deterministic grading, and spaced review scheduling with FSRS. Core floor: imports nothing from
api/, evals/, ingest/ or tutor/cli/."""

from tutor.quiz.grading import Grade, grade
from tutor.quiz.items import ItemSource, Option, QuizItem, item_id, normalise
from tutor.quiz.maker import DEFAULT_ITEMS, MAX_ITEMS, Quiz, QuizMaker

__all__ = [
    "DEFAULT_ITEMS",
    "MAX_ITEMS",
    "Grade",
    "ItemSource",
    "Option",
    "Quiz",
    "QuizItem",
    "QuizMaker",
    "grade",
    "item_id",
    "normalise",
]
