"""`tutor quiz` and `tutor review`: questions on a topic, graded as you answer, with the passage
that proves each answer; `--json` prints the items for another program (or a teacher)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

import typer

from tutor.cli.common import AsJson, DataDir, Model, Provider, build_tutor, err, out

Count = Annotated[int, typer.Option("--n", "-n", min=1, max=20, help="How many questions.")]
WithAnswers = Annotated[
    bool,
    typer.Option("--with-answers", help="With --json: include each item's key, statement and quote."),
]


def show_item(number: int, total: int, item) -> None:
    out.print(f"\n[bold]{number}/{total}[/] [dim]{item.source.heading}[/]", highlight=False)
    out.print(item.stem, highlight=False)
    for option in item.options:
        out.print(f"  [bold]{option.label})[/] {option.text}", highlight=False)


def show_grade(item, grade) -> None:
    if not grade.graded:
        out.print(f"[yellow]Not graded[/] ({grade.reason}): it does not count.", highlight=False)
    elif grade.correct:
        out.print("[green]Right.[/]")
    else:
        out.print(f"[red]Not quite.[/] The answer is {grade.expected}.", highlight=False)
    out.print(f"[dim]{item.source.heading}:[/] “{item.source.quote}”", highlight=False)
    if item.explanation:
        out.print(f"[dim]{item.explanation}[/]", highlight=False)


def ask_items(items, record: Callable | None = None) -> tuple[int, int, int]:
    """Ask each item in the terminal and grade it; an answer the grader cannot read is asked again
    once. Returns (right, graded, asked). `record(item, answer, grade)` keeps each answer."""
    from tutor.quiz import grade

    right = graded = 0
    for number, item in enumerate(items, start=1):
        show_item(number, len(items), item)
        hint = "letter or text" if item.options else "a number" if item.kind == "number" else "a word or two"
        result = None
        for _attempt in range(2):
            answer = typer.prompt(f"Your answer ({hint})", default="", show_default=False)
            result = grade(item, answer)
            if result.graded or not answer.strip():
                break
            out.print(f"[yellow]{result.reason}[/]: try again.", highlight=False)
        assert result is not None
        if record is not None:
            record(item, answer, result)
        show_grade(item, result)
        right += result.correct
        graded += result.graded
    return right, graded, len(items)


def quiz(
    topic: Annotated[
        str, typer.Argument(help="A topic id (see `tutor roadmap`), or a document's source or title.")
    ],
    n: Count = 5,
    as_json: AsJson = False,
    with_answers: WithAnswers = False,
    provider: Provider = None,
    model: Model = None,
    data_dir: DataDir = None,
) -> None:
    """Quiz yourself on one topic: questions from its passages, graded as you answer."""
    from tutor.quiz import QuizMaker

    tutor = build_tutor(data_dir, provider, model)
    maker = QuizMaker(tutor.store)
    made = maker.make(topic, n, answerer=tutor.answerer)
    if as_json:
        data = made.public()
        if with_answers:
            data["items"] = [
                {
                    **i.public(),
                    "answer": i.answer,
                    "expected": i.expected,
                    "statement": i.statement,
                    "key_terms": i.key_terms,
                    "tolerance": i.tolerance,
                    "explanation": i.explain(),
                    "citation": i.source.full(),
                    "generator": i.generator,
                }
                for i in made.items
            ]
        out.print_json(json.dumps(data))
        return
    for warning in made.warnings:
        err.print(f"[yellow]note:[/] {warning}", highlight=False)
    if not made.items:
        raise typer.Exit(1)
    out.print(f"[bold]Quiz: {made.title}[/] ({len(made.items)} questions)", highlight=False)
    right, graded, asked = ask_items(made.items)
    ungraded = f", {asked - graded} not graded" if graded < asked else ""
    out.print(f"\n[bold]{right} of {graded} right[/]{ungraded}.", highlight=False)
