"""The `tutor` command line: one thin module per command group over the library; TutorError → one
line + exit code. This package is the only part of `tutor/` that imports `ingest/` or `evals/`.

Heavy modules (torch, chromadb, the ingest pipeline) are imported inside commands, so `tutor --help`
starts instantly. Adding a command: write it in the module of its group (or a new one) and add it to
COMMANDS below.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from typer.core import TyperCommand, TyperOption

from tutor.cli import answers, common, documents, evaluation, learner, quiz, roadmap, server
from tutor.cli.common import err
from tutor.errors import TutorError


def _flag_type(display_type_rich):
    """typer 0.29 lists a type for every option in --help, flags included ("--json <bool>", which
    reads as if it took a value): a flag shows none."""

    def display(self, ctx):
        return None if getattr(self, "is_flag", False) else display_type_rich(self, ctx)

    return display


TyperOption.display_type_rich = _flag_type(TyperOption.display_type_rich)

app = typer.Typer(
    name="tutor",
    help="Answers questions about a learning roadmap, grounded in its documents, with citations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

COMMANDS = {
    "ingest": documents.ingest,
    "sources": documents.sources,
    "search": documents.search,
    "ask": answers.ask,
    "chat": answers.chat,
    "eval": evaluation.eval_,
    "serve": server.serve,
    "mcp": server.mcp,
    "roadmap": roadmap.roadmap,
    "profile": learner.profile,
    "progress": learner.progress,
    "next": learner.next_,
    "plan": learner.plan,
    "quiz": quiz.quiz,
    "review": quiz.review,
}


class QuestionFirst(TyperCommand):
    """A command whose question may start with dashes ("--leak-check values?"), so an option it does
    not know is read as the question: click's "unexpected extra argument" then says what went wrong."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:  # typer's own copy of click's UsageError: the same class by name
            question = str(ctx.params.get("question") or "")
            if "unexpected extra argument" not in getattr(exc, "message", "") or not question:
                raise
            rest = exc.message.rpartition("(")[2].rstrip(")")  # "… extra argument(s) (is sql)"
            option = next((w for w in [question, *rest.split()] if w.startswith("-")), None)
            if option is not None:  # "--colour 'what is git'", "'what is a tuple' --jsn"
                why = f"No such option: {option} (see tutor {ctx.info_name} --help)"
            else:
                why = f'Put the question in quotes: tutor {ctx.info_name} "{question} {rest}"'
            raise type(exc)(why, ctx) from None


QUESTION_FIRST = {"ask", "search"}
for name, command in COMMANDS.items():
    if name in QUESTION_FIRST:
        app.command(name, cls=QuestionFirst, context_settings={"ignore_unknown_options": True})(command)
    else:
        app.command(name)(command)


@app.callback()
def everywhere(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Where the store lives, for any command (default: $TUTOR_DATA_DIR or ./.tutor).",
        ),
    ] = None,
) -> None:
    """`tutor --data-dir D ask …` works as `tutor ask … --data-dir D` does."""
    common.data_dir_before_command = data_dir


def main() -> None:
    try:
        app()
    except TutorError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
