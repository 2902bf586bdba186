"""What every command shares: consoles, option types, settings and store, progress bars, and the
shipped corpus ingested into an empty store on first use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar

import typer
from rich.console import Console
from rich.markup import escape

from tutor.errors import TutorError
from tutor.llm import provider_help

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport
    from tutor.config import Settings
    from tutor.store import Store

out = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the store lives (default: $TUTOR_DATA_DIR or ./.tutor)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of formatted text.")]


def _setting_name(loc: tuple) -> str:
    """A setting as the user sets it: "TUTOR_MAX_MESSAGE_CHARS (max_message_chars)"."""
    field = ".".join(map(str, loc))
    return f"TUTOR_{field.upper()} ({field})" if field else "settings"


# `tutor --data-dir D ask …`: set by the app's callback on every run, before the command
data_dir_before_command: Path | None = None


def given_data_dir(data_dir: Path | None) -> Path | None:
    """--data-dir as given after the command, else before it."""
    return data_dir if data_dir is not None else data_dir_before_command


def load_settings(data_dir: Path | None = None) -> Settings:
    from pydantic import ValidationError

    from tutor.config import Settings
    from tutor.errors import ConfigError

    data_dir = given_data_dir(data_dir)
    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{_setting_name(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"Invalid configuration: {problems}") from None


def open_store(settings: Settings) -> Store:
    from tutor.embedders import get_embedder
    from tutor.store import Store

    return Store(settings, get_embedder(settings))


class RichProgress:
    """Draws the pipeline's stages as rich progress bars on stderr."""

    LABELS: ClassVar[dict[str, str]] = {
        "read": "Reading documents",
        "embed": "Embedding chunks",
        "write": "Writing to the store",
        "ask": "Evaluating questions",
        "retrieve": "Retrieving",
        "score": "Scoring answers",
        "quiz": "Generating quizzes",
    }

    def __init__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        )
        self.tasks: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:
        self.tasks[stage] = self.bar.add_task(self.LABELS.get(stage, stage), total=total)

    def advance(self, stage: str, amount: int = 1) -> None:
        self.bar.advance(self.tasks[stage], amount)

    def __enter__(self):
        self.bar.start()
        return self

    def __exit__(self, *exc):
        self.bar.stop()


def run_ingest(store: Store, inputs: list[str], **options) -> IngestReport:
    from ingest.pipeline import ingest

    with RichProgress() as progress:
        return ingest(
            inputs,
            store,
            progress=progress,
            **options,
        )


def print_report(report: IngestReport) -> None:
    from rich.table import Table

    table = Table(title="Ingest summary", show_header=True)
    for column in ("added", "updated", "unchanged", "pruned", "failed", "chunks", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            str(len(x))
            for x in (report.added, report.updated, report.unchanged, report.pruned, report.failed)
        ),
        str(report.chunks),
        f"{report.seconds:.1f}",
    )
    err.print(table)
    for source in report.pruned:
        err.print(f"[yellow]pruned[/] {escape(str(source))}: no longer there", highlight=False)
    for source in report.gone:
        err.print(
            f"[yellow]gone[/] {escape(str(source))}: no longer there, still answered from "
            "(--prune removes it)",
            highlight=False,
        )
    for source, reason in report.skipped:
        err.print(f"[yellow]skipped[/] {escape(str(source))}: {escape(str(reason))}", highlight=False)
    if report.nothing_matched:
        err.print(
            f"[red]nothing ingested[/]: --include / --exclude left out all {report.filtered} "
            "file(s) found (a glob matches a file's name or its path under the folder: '*.md', 'notes/*')",
            highlight=False,
        )
    if report.all_kept:
        err.print(
            f"[yellow]nothing read[/]: --include / --exclude left out all {report.kept} file(s) found; "
            "they were ingested before and are kept as they are",
            highlight=False,
        )
    for source, note in report.notes:
        err.print(f"[yellow]note[/] {escape(str(source))}: {escape(str(note))}", highlight=False)
    if report.unsupported:
        from ingest.loaders import KINDS

        count = sum(report.unsupported.values())
        types = ", ".join(f"{suffix} ({n})" for suffix, n in list(report.unsupported.items())[:8])
        err.print(
            f"[yellow]left out[/] {count} file(s) of types tutor does not read: {escape(types)}. "
            f"It reads {', '.join(sorted(KINDS))} (and each gzip-compressed: .md.gz); convert the "
            "others (or rename plain text to .txt).",
            highlight=False,
        )
    for source, reason in report.failed:
        err.print(f"[red]failed[/] {escape(str(source))}: {escape(str(reason))}", highlight=False)


def ensure_ingested(store: Store, seed: bool = True) -> None:
    """A fresh install answers at once: an empty store gets the shipped corpus first. Not a store
    the learner named (`seed` False): it is empty because their own ingest has not happened or
    failed, and the roadmap would answer in their documents' place, and stay mixed in with them."""
    if store.count() > 0:
        return
    if not seed:
        where = store.settings.data_dir
        raise TutorError(
            f"The store at {where} is empty: ingest your documents into it first "
            f"(tutor ingest PATH --data-dir {where}), or leave out --data-dir to ask about the "
            "shipped roadmap."
        )
    corpus = store.settings.corpus_dir
    if not corpus.is_dir():
        raise TutorError(
            f"The store is empty and the corpus folder {corpus} is missing: run `tutor ingest PATH`."
        )
    err.print(f"The store is empty: ingesting the shipped corpus from {corpus} first.")
    report = run_ingest(store, [str(corpus)])
    print_report(report)


def require_store(data_dir: Path | None) -> None:
    """A --data-dir given to a command that reads the store must hold one. A mistyped one would get
    a new store (of the shipped roadmap, answered from silently), and a folder of something else
    Chroma's files written into it. (A file is no data dir at all: `Settings` says so.)"""
    if data_dir is None:
        return
    from tutor.store import holds_store

    path = data_dir.expanduser()
    first = f"ingest into it first: tutor ingest PATH --data-dir {data_dir}"
    if not path.exists():
        raise TutorError(f"No store at {data_dir}: that folder does not exist. Check the path, or {first}")
    if not holds_store(path):
        raise TutorError(
            f"No store at {data_dir}: the folder holds no tutor store. Check the path, or {first}"
        )


def build_tutor(data_dir: Path | None, provider: str | None, model: str | None):
    from tutor.chain import Tutor

    data_dir = given_data_dir(data_dir)
    settings = load_settings(data_dir)
    require_store(data_dir)
    tutor = Tutor.from_settings(settings, provider=provider, model=model, store=open_store(settings))
    ensure_ingested(tutor.store, seed=data_dir is None)
    return tutor


Provider = Annotated[
    str | None,
    typer.Option("--provider", "-p", help=f"Answerer: {provider_help()}."),
]
Model = Annotated[str | None, typer.Option("--model", "-m", help="Model name for the provider.")]
TopK = Annotated[int | None, typer.Option("--top-k", "-k", min=1, max=50, help="Passages to retrieve.")]
