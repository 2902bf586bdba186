"""`tutor quiz` and `tutor review`: questions on a topic, graded as you answer, with the passage
that proves each answer; answers, review cards and what a quiz shows of the topic are kept for the
learner (`--learner NAME`, default $TUTOR_LEARNER, else `me`). `--json` prints the items for
another program (or a teacher) and keeps nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape

from tutor.cli.common import AsJson, DataDir, Model, Provider, build_tutor, err, load_settings, out
from tutor.cli.learner import LearnerName, learner_name

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
    """The grade, then the passage that proves the answer; an ungraded answer stays open (it may be
    answered again, in the web page or the API), so it shows nothing of the key."""
    if not grade.graded:
        out.print(f"[yellow]Not graded[/] ({escape(str(grade.reason))}): it does not count.", highlight=False)
        return
    if grade.correct:
        out.print("[green]Right.[/]")
    else:
        out.print(f"[red]Not quite.[/] The answer is {escape(str(grade.expected))}.", highlight=False)
    out.print(
        f"[dim]{escape(str(item.source.heading))}:[/] “{escape(str(item.source.quote))}”", highlight=False
    )
    if item.explanation:
        out.print(f"[dim]{escape(str(item.explanation))}[/]", highlight=False)


def when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%a %d %b %H:%M")


def ask_items(items, answer: Callable) -> tuple[int, int, list]:
    """Ask each item in the terminal; `answer(item, text)` grades (and keeps) it and returns an
    AnswerResult-like object with `.grade`. An answer that cannot be graded is asked again once.
    Returns (right, graded, results)."""
    right = graded = 0
    results = []
    for number, item in enumerate(items, start=1):
        show_item(number, len(items), item)
        hint = "letter or text" if item.options else "a number" if item.kind == "number" else "a word or two"
        result = None
        for _attempt in range(2):
            text = typer.prompt(f"Your answer ({hint})", default="", show_default=False)
            result = answer(item, text)
            if result.grade.graded or not text.strip() or getattr(result, "already_answered", False):
                break
            out.print(f"[yellow]{escape(str(result.grade.reason))}[/]: try again.", highlight=False)
        assert result is not None
        show_grade(item, result.grade)
        results.append(result)
        right += result.grade.correct
        graded += result.grade.graded
    return right, graded, results


def quiz(
    topic: Annotated[
        str, typer.Argument(help="A topic id (see `tutor roadmap`), or a document's source or title.")
    ],
    n: Count = 5,
    as_json: AsJson = False,
    with_answers: WithAnswers = False,
    learner: LearnerName = None,
    provider: Provider = None,
    model: Model = None,
    data_dir: DataDir = None,
) -> None:
    """Quiz yourself on one topic: questions from its passages, graded as you answer; the result
    marks the topic (source quiz) and every answered item comes back for review when it is due."""
    from tutor.quiz import QuizMaker
    from tutor.quiz.records import QuizRecords

    tutor = build_tutor(data_dir, provider, model)
    maker = QuizMaker(tutor.store)
    if as_json:
        made = maker.make(topic, n, answerer=tutor.answerer)
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
    name = learner_name(learner, tutor.settings)
    records = QuizRecords.from_settings(tutor.settings)
    made = maker.make(topic, n, answerer=tutor.answerer, exclude=records.hidden(name))
    for warning in made.warnings:
        err.print(f"[yellow]note:[/] {escape(str(warning))}", highlight=False)
    if not made.items:
        raise typer.Exit(1)
    quiz_id = records.create(name, made)
    out.print(
        f"[bold]Quiz for {escape(str(name))}: {escape(str(made.title))}[/] ({len(made.items)} questions)",
        highlight=False,
    )
    right, graded, results = ask_items(
        made.items, lambda item, text: records.answer(name, quiz_id, item.id, text)
    )
    asked = len(made.items)
    ungraded = f", {asked - graded} not graded" if graded < asked else ""
    out.print(f"\n[bold]{right} of {graded} right[/]{ungraded}.", highlight=False)
    last = results[-1].quiz if results else {}
    if last.get("done") and last.get("status"):
        out.print(
            f"Recorded for {name}: {made.title} — {last['status']} (tested by this quiz)."
            if last.get("recorded")
            else f"Not recorded: {made.title} keeps the status {name} gave it; a quiz below the mark "
            "never undoes done, skipped or known.",
            highlight=False,
        )
    reviews = [r.next_review for r in results if r.next_review]
    if reviews:
        out.print(f"[dim]These questions come back for review from {when(min(reviews))} (`tutor review`).[/]")


def review(
    learner: LearnerName = None,
    n: Annotated[int, typer.Option("--n", "-n", min=1, max=50, help="At most this many items.")] = 20,
    data_dir: DataDir = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="List the items due as JSON (as the API's reviews/due), asking none."),
    ] = False,
) -> None:
    """Review the quiz items that are due, spaced by FSRS: right answers come back later, wrong ones
    sooner."""
    from tutor.learner import UnknownLearner
    from tutor.quiz.records import DUE_LIMIT, QuizRecords

    settings = load_settings(data_dir)
    name = learner_name(learner, settings)
    records = QuizRecords.from_settings(settings)
    try:
        due = records.due(name, limit=n)
    except UnknownLearner:
        if as_json:
            out.print_json(json.dumps({"learner": name, "items": []}))
            return
        out.print(f"Nothing to review for {name} yet: take a quiz first (`tutor quiz TOPIC`).")
        return
    if as_json:  # no answers in it: the items as a learner is shown them
        items = [{**item.public(), "due": at.isoformat()} for item, at in due]
        out.print_json(json.dumps({"learner": name, "items": items}))
        return
    if not due:
        count, upcoming = records.upcoming(name)
        later = (
            f" The next of {count} card(s) is due {when(upcoming)}."
            if count
            else " Take a quiz first: `tutor quiz TOPIC`."
        )
        out.print(f"Nothing is due for review for {name}.{later}", highlight=False)
        return
    out.print(f"[bold]{len(due)} item(s) due for review for {escape(str(name))}[/]", highlight=False)
    right, graded, results = ask_items(
        [item for item, _ in due], lambda item, text: records.review(name, item.id, text)
    )
    out.print(f"\n[bold]{right} of {graded} right.[/]", highlight=False)
    # Cards left out by -n are still due: "next reviews from tomorrow" would hide them.
    still_due = len(records.due(name, limit=DUE_LIMIT))
    if still_due:
        more = f"{still_due}+" if still_due == DUE_LIMIT else str(still_due)
        out.print(f"[dim]{more} more due now: run `tutor review` again.[/]")
    elif any(r.next_review for r in results):
        out.print(f"[dim]Next review due {when(records.upcoming(name)[1])}.[/]")
