"""Quizzes as served, their items, every answer, and FSRS review cards (tutor/quiz).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quizzes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("generator", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name="fk_quizzes_learner_id_learners", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quizzes"),
    )
    op.create_index("ix_quizzes_learner_created", "quizzes", ["learner_id", "created_at"])
    op.create_table(
        "quiz_items",
        sa.Column("quiz_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quizzes.id"], name="fk_quiz_items_quiz_id_quizzes", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("quiz_id", "item_id", name="pk_quiz_items"),
    )
    op.create_table(
        "quiz_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.String(length=32), nullable=True),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("graded", sa.Boolean(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("chosen", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name="fk_quiz_answers_learner_id_learners", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quizzes.id"], name="fk_quiz_answers_quiz_id_quizzes", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quiz_answers"),
    )
    op.create_index(
        "uq_quiz_answers_graded",
        "quiz_answers",
        ["quiz_id", "item_id"],
        unique=True,
        sqlite_where=sa.text("graded AND quiz_id IS NOT NULL"),
        postgresql_where=sa.text("graded AND quiz_id IS NOT NULL"),
    )
    op.create_index("ix_quiz_answers_learner_at", "quiz_answers", ["learner_id", "answered_at"])
    op.create_table(
        "review_cards",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("topic_id", sa.String(length=200), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name="fk_review_cards_learner_id_learners", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("learner_id", "item_id", name="pk_review_cards"),
    )
    op.create_index("ix_review_cards_learner_due", "review_cards", ["learner_id", "due"])


def downgrade() -> None:
    op.drop_index("ix_review_cards_learner_due", table_name="review_cards")
    op.drop_table("review_cards")
    op.drop_index("ix_quiz_answers_learner_at", table_name="quiz_answers")
    op.drop_index("uq_quiz_answers_graded", table_name="quiz_answers")
    op.drop_table("quiz_answers")
    op.drop_table("quiz_items")
    op.drop_index("ix_quizzes_learner_created", table_name="quizzes")
    op.drop_table("quizzes")
