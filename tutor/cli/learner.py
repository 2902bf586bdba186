"""`tutor profile`, `tutor progress`, `tutor next`, `tutor plan`: the learner's own path.

A learner is chosen with `--learner NAME` (default: $TUTOR_LEARNER, else `me`); the learner database
is created and migrated on first use (SQLite in the data dir, or $TUTOR_DATABASE_URL).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tutor.cli.common import AsJson, DataDir, err, load_settings, out
from tutor.errors import TutorError

if TYPE_CHECKING:
    from tutor.learner import Learners

LearnerName = Annotated[
    str | None,
    typer.Option("--learner", "-l", help="Whose path: a name (default: $TUTOR_LEARNER, else 'me')."),
]
Hours = Annotated[
    float | None, typer.Option("--hours", help="Study hours per week (0.5 to 112).", show_default=False)
]
Start = Annotated[str | None, typer.Option("--start", help="Start date, YYYY-MM-DD.", show_default=False)]
STATUS_STYLE = {
    "done": "green",
    "known": "green",
    "skipped": "dim",
    "learning": "yellow",
    "pending": "default",
}


def learner_name(learner: str | None, settings) -> str:
    """The learner a command is for: `--learner` as given (an empty one is an error), else
    $TUTOR_LEARNER, else `me` (an empty variable, say `TUTOR_LEARNER=` in .env, means unset)."""
    from tutor.learner import check_name

    if learner is not None:
        return check_name(learner)
    return check_name(settings.learner.strip() or "me")


def open_learners(data_dir: Path | None, learner: str | None) -> tuple[Learners, str]:
    from tutor.learner import Learners

    settings = load_settings(data_dir)
    return Learners.from_settings(settings), learner_name(learner, settings)


AskLearner = Annotated[
    str | None,
    typer.Option(
        "--learner",
        "-l",
        help="Answer questions about this learner's own path (what next, what is left, this week) "
        "from their progress; default: $TUTOR_LEARNER, else 'me'.",
    ),
]


def with_learner(tutor, learner: str | None):
    """The Tutor for a learner (named, else $TUTOR_LEARNER, else `me`): questions about their own
    path come from their progress (the database is opened only then), all others from the documents."""
    from tutor.learner import Learners
    from tutor.learner.guide import LearnerTutor

    settings = tutor.settings
    return LearnerTutor(tutor, Learners.from_settings(settings), learner_name(learner, settings))


def parse_date(text: str | None, option: str = "--start") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        from tutor.learner import InvalidLearnerInput

        raise InvalidLearnerInput(f"{option}: {text!r} is not a date: use YYYY-MM-DD.") from None


def warn_problems(problems: list[str]) -> None:
    for problem in problems:
        err.print(f"[yellow]roadmap:[/] {escape(str(problem))}", highlight=False)


def profile(
    learner: LearnerName = None,
    hours: Hours = None,
    goal: Annotated[str | None, typer.Option("--goal", help="What you are aiming for (free text).")] = None,
    know: Annotated[
        list[str] | None, typer.Option("--know", help="A topic you already know (repeatable): id or title.")
    ] = None,
    forget: Annotated[
        list[str] | None, typer.Option("--forget", help="Take a topic off the known ones (repeatable).")
    ] = None,
    start: Start = None,
    delete: Annotated[
        bool, typer.Option("--delete", help="Forget this learner and all their progress.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="With --delete: do not ask.")] = False,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Show or set the learner's profile: goal, hours per week, start date, topics already known."""
    learners, name = open_learners(data_dir, learner)
    if delete:
        if not yes and not typer.confirm(f"Forget learner {name!r} and all their progress?"):
            raise typer.Exit(1)
        if not learners.repository.delete(name):
            raise TutorError(f"No learner named {name!r}.")
        err.print(f"Forgot learner {name!r}.")
        return
    changes = {}
    if hours is not None:
        changes["hours_per_week"] = hours
    if goal is not None:
        changes["goal"] = goal
    if start is not None:
        changes["start_date"] = parse_date(start)
    if changes or know or forget:
        state = learners.save_profile(
            name, add_known=know or [], remove_known=forget or [], exact=False, **changes
        )
    else:
        state = learners.state(name, missing_ok=True)
    report = learners.progress(name, missing_ok=True)
    if as_json:
        out.print_json(json.dumps({**state.profile.to_dict(), "progress": report.summary}))
        return
    p = state.profile
    if not state.exists:
        out.print(
            f"[bold]{name}[/] has no profile yet. Set one with e.g. `tutor profile --hours 8 --goal ...`."
        )
    else:
        graph = learners.graph
        out.print(f"[bold]{escape(str(p.name))}[/]", highlight=False)
        out.print(f"  goal:           {p.goal or '-'}", highlight=False)
        out.print(f"  hours per week: {p.hours_per_week:g}" if p.hours_per_week else "  hours per week: -")
        out.print(f"  start date:     {p.start_date.isoformat() if p.start_date else '-'}")
        known = ", ".join(graph.title(k) for k in p.known) or "-"
        out.print(f"  already known:  {known}", highlight=False)
    out.print(f"  progress:       {report.summary}", highlight=False)


def progress(
    topic: Annotated[str | None, typer.Argument(help="A topic id or title, to set its status.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", "-s", help="pending, learning, done or skipped.")
    ] = None,
    move_to: Annotated[
        str | None,
        typer.Option("--move-to", help="Carry TOPIC's record (no longer in the roadmap) over to this topic."),
    ] = None,
    learner: LearnerName = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Show progress on every topic, or set one: `tutor progress sql --status done`."""
    learners, name = open_learners(data_dir, learner)
    if topic is not None:
        if move_to is not None:
            old, new = learners.move_record(name, topic, move_to)
            err.print(f"Moved {name}'s record from {old} to {new}.")
        elif status is None:
            raise TutorError(
                "Say what to record: `tutor progress TOPIC --status done` (or learning, skipped, pending)."
            )
        else:
            entry = learners.set_status(name, topic, status, exact=False)
            err.print(
                f"{name}: {learners.graph.title(entry.topic_id)} is now {entry.status.value}.",
                highlight=False,
            )
    elif status is not None or move_to is not None:
        raise TutorError("Name the topic: `tutor progress TOPIC --status STATUS`.")
    report = learners.progress(name)
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
        return
    if topic is not None:
        out.print(report.summary, highlight=False)
        return
    from rich.table import Table

    from tutor.learner.durations import format_hours

    table = Table(title=f"Progress of {escape(name)}", show_lines=False)
    for column in ("phase", "topic", "status", "since", "hours"):
        table.add_column(column, justify="right" if column == "hours" else "left")
    for line in report.topics:
        style = STATUS_STYLE.get(line.status, "default")
        since = (line.changed_at or "")[:10]
        table.add_row(
            escape(line.phase),
            f"{escape(line.title)} [dim]({escape(line.id)})[/]",
            f"[{style}]{line.status}[/]",
            since,
            format_hours(line.hours).removesuffix(" h"),
        )
    out.print(table)
    out.print(report.summary, highlight=False)
    for orphan in report.orphans:
        move = f"`tutor progress {orphan.topic} --move-to {orphan.maybe_now}`"
        hint = escape(f"; it looks like {orphan.maybe_now}: {move}") if orphan.maybe_now else ""
        out.print(
            f"[yellow]kept:[/] {escape(orphan.title or orphan.topic)} ({escape(orphan.topic)}) is no "
            f"longer in the roadmap; your record says {orphan.status}{hint}.",
            highlight=False,
        )
    warn_problems(report.problems)


def next_(
    learner: LearnerName = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many.")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """What to study now: topics in progress, then those whose prerequisites are done, skipped or known."""
    learners, name = open_learners(data_dir, learner)
    report = learners.next(name, limit=limit)
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
        return
    out.print(f"[bold]Next for {escape(str(name))}[/]: {escape(str(report.summary))}", highlight=False)
    for item in report.topics:
        flag = "[yellow]▶[/] " if item.status == "learning" else "• "
        out.print(
            f"{flag}[bold]{escape(item.title)}[/] [dim]({escape(item.id)}, {escape(item.path)})[/]",
            highlight=False,
        )
        out.print(f"    {escape(item.reason)}", highlight=False)
    warn_problems(report.problems)


def plan(
    learner: LearnerName = None,
    hours: Hours = None,
    start: Start = None,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Also write the weeks as calendar events (.ics).")
    ] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """The remaining topics in prerequisite order, packed into weeks at your hours per week."""
    from tutor.learner.durations import format_hours

    learners, name = open_learners(data_dir, learner)
    study = learners.plan(name, hours_per_week=hours, start=parse_date(start))
    if ics is not None:
        from tutor.learner.calendar import plan_calendar

        try:
            ics.write_bytes(plan_calendar(study))
        except OSError as exc:
            raise TutorError(f"Cannot write {ics}: {exc.strerror or exc}") from None
        err.print(f"Wrote {len(study.weeks)} weekly events to {ics}.")
    if as_json:
        out.print_json(json.dumps(study.to_dict()))
        return
    from rich.table import Table

    out.print(f"[bold]Study plan of {escape(str(name))}[/]: {escape(str(study.summary))}", highlight=False)
    if study.hours_from == "default":
        out.print(
            f"[dim]No hours per week in the profile: assuming {study.hours_per_week:g} "
            "(`tutor profile --hours N` or `tutor plan --hours N`).[/]"
        )
    if study.weeks:
        table = Table(show_header=True)
        for column in ("week", "from", "hours", "topics"):
            table.add_column(column, justify="right" if column in ("week", "hours") else "left")
        for week in study.weeks:
            topics = "; ".join(
                f"{i.title} ({format_hours(i.hours)}"
                + ("" if i.part == "whole" else f" of {format_hours(i.topic_hours)}")
                + ")"
                for i in week.topics
            )
            table.add_row(str(week.number), week.start.isoformat(), f"{week.hours:g}", escape(topics))
        out.print(table)
    if study.timelines:
        out.print("\n[bold]Beside the publishers' own timelines[/]")
        for t in study.timelines:
            out.print(
                f"  {escape(t.label)}: {escape(t.summary)}  [dim]({escape(t.path)} › {escape(t.section)})[/]",
                highlight=False,
            )
    warn_problems(study.problems)
