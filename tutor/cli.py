"""The `tutor` command line: thin Typer commands over the library; TutorError → one line + exit code.

Heavy modules (torch, chromadb, the ingest pipeline) are imported inside commands, so `tutor --help`
starts instantly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar

import typer
from rich.console import Console

from tutor.errors import TutorError

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport
    from tutor.config import Settings
    from tutor.store import Store

app = typer.Typer(
    name="tutor",
    help="Answers questions about a learning roadmap, grounded in its documents, with citations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the store lives (default: $TUTOR_DATA_DIR or ./.tutor)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of formatted text.")]


def load_settings(data_dir: Path | None = None) -> Settings:
    from pydantic import ValidationError

    from tutor.config import Settings
    from tutor.errors import ConfigError

    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"Invalid configuration: {problems}") from None


def open_store(settings: Settings) -> Store:
    from tutor.embeddings import get_embedder
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
    for source, reason in report.skipped:
        err.print(f"[yellow]skipped[/] {source}: {reason}", highlight=False)
    for source, reason in report.failed:
        err.print(f"[red]failed[/] {source}: {reason}", highlight=False)


def ensure_ingested(store: Store) -> None:
    """A fresh install answers at once: an empty store gets the shipped corpus first."""
    if store.count() > 0:
        return
    corpus = store.settings.corpus_dir
    if not corpus.is_dir():
        raise TutorError(
            f"The store is empty and the corpus folder {corpus} is missing: run `tutor ingest PATH`."
        )
    err.print(f"The store is empty: ingesting the shipped corpus from {corpus} first.")
    report = run_ingest(store, [str(corpus)])
    print_report(report)


@app.command()
def ingest(
    inputs: Annotated[
        list[str], typer.Argument(help="Files, directories or http(s) URLs.", metavar="PATH|URL...")
    ],
    prune: Annotated[
        bool, typer.Option(help="Remove stored documents that are gone from the given paths.")
    ] = False,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="Glob of files to take from directories (repeatable)."),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Glob of files to skip (repeatable).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Ingest documents into the store; unchanged documents are skipped."""
    store = open_store(load_settings(data_dir))
    report = run_ingest(store, inputs, prune=prune, include=include, exclude=exclude)
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def sources(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """List the ingested documents."""
    store = open_store(load_settings(data_dir))
    docs = sorted(store.documents().values(), key=lambda d: d.source)
    if as_json:
        rows = [{"source": d.source, "title": d.title, "chunks": len(d.chunk_ids)} for d in docs]
        out.print_json(json.dumps(rows))
        return
    if not docs:
        err.print("Nothing is ingested yet: run `tutor ingest PATH`.")
        return
    from rich.table import Table

    table = Table(show_header=True)
    table.add_column("source")
    table.add_column("title")
    table.add_column("chunks", justify="right")
    for doc in docs:
        table.add_row(doc.source, doc.title, str(len(doc.chunk_ids)))
    out.print(table)
    out.print(f"{len(docs)} documents, {sum(len(d.chunk_ids) for d in docs)} chunks")


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="What to look for.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=50, help="How many passages.")] = 5,
    source: Annotated[
        str | None, typer.Option(help="Only this source (as `tutor sources` shows it).")
    ] = None,
    phase: Annotated[str | None, typer.Option(help="Only documents of this phase (front matter).")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Show the ranked passages for a question: the debugging view of retrieval."""
    from tutor.retrieval import hybrid_search

    if not question.strip():
        raise TutorError("The question is empty.")
    store = open_store(load_settings(data_dir))
    ensure_ingested(store)
    filters = {k: v for k, v in (("source", source), ("phase", phase)) if v}
    hits = hybrid_search(store, question, top_k, filters=filters or None)
    if as_json:
        out.print_json(json.dumps([h.to_dict() for h in hits]))
        return
    if not hits:
        err.print("No passages found.")
    for rank, hit in enumerate(hits, start=1):
        similarity = f"{hit.dense_similarity:.2f}" if hit.dense_similarity is not None else "-"
        out.print(
            f"[bold]{rank}.[/] score {hit.score:.4f}  cos {similarity}  [cyan]{hit.chunk.source}[/]"
            f"  [dim]{hit.chunk.heading}[/]",
            highlight=False,
        )
        out.print(hit.chunk.text, markup=False, highlight=False)
        out.print()


def build_tutor(data_dir: Path | None, provider: str | None, model: str | None):
    from tutor.chain import Tutor

    settings = load_settings(data_dir)
    tutor = Tutor.from_settings(settings, provider=provider, model=model, store=open_store(settings))
    ensure_ingested(tutor.store)
    return tutor


def print_answer_stream(tutor, question: str, history, top_k: int | None):
    """Render the answer as Markdown while it streams, then the sources it cites."""
    from rich.live import Live
    from rich.markdown import Markdown

    from tutor.types import Answer

    buffer = ""
    answer = None
    with Live(Markdown(""), console=out, refresh_per_second=12, vertical_overflow="visible") as live:
        for event in tutor.stream(question, history, top_k=top_k):
            if isinstance(event, Answer):
                answer = event
                live.update(Markdown(answer.answer))
            else:
                buffer += event
                live.update(Markdown(buffer))
    assert answer is not None
    if answer.citations:
        out.print("\n[bold]Sources[/]")
        for c in answer.citations:
            heading = f"{c.title} › {c.section}" if c.section else c.title
            out.print(f"  [{c.n}] {heading} — [cyan]{c.url or c.source}[/]", highlight=False, markup=True)
    if answer.grounding.unsupported:
        err.print(
            f"[yellow]note:[/] {len(answer.grounding.unsupported)} sentence(s) could not be matched to "
            "their cited sources; check them against the Sources.",
            highlight=False,
        )
    return answer


Provider = Annotated[
    str | None,
    typer.Option("--provider", "-p", help="auto, anthropic, openai, openai-compatible or offline."),
]
Model = Annotated[str | None, typer.Option("--model", "-m", help="Model name for the provider.")]
TopK = Annotated[int | None, typer.Option("--top-k", "-k", min=1, max=50, help="Passages to retrieve.")]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question about the roadmap.")],
    provider: Provider = None,
    model: Model = None,
    top_k: TopK = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Answer a question from the roadmap documents, citing every claim."""
    if not question.strip():
        raise TutorError('The question is empty: ask something, e.g. tutor ask "How long does it take?"')
    tutor = build_tutor(data_dir, provider, model)
    if as_json:
        out.print_json(json.dumps(tutor.ask(question, top_k=top_k).to_dict()))
        return
    print_answer_stream(tutor, question, [], top_k)


@app.command()
def chat(
    provider: Provider = None,
    model: Model = None,
    top_k: TopK = None,
    data_dir: DataDir = None,
) -> None:
    """An interactive session with history. Commands: /sources, /clear, /quit."""
    tutor = build_tutor(data_dir, provider, model)
    history: list[dict[str, str]] = []
    last = None
    out.print("[bold]tutor chat[/] — ask about the roadmap. /sources, /clear, /quit (or Ctrl-D).")
    while True:
        try:
            line = out.input("[bold green]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            return
        if line == "/clear":
            history, last = [], None
            out.print("[dim]History cleared.[/]")
            continue
        if line == "/sources":
            if last is None or not last.contexts:
                out.print("[dim]No sources yet.[/]")
            for p in last.contexts if last else []:
                out.print(f"  [{p.n}] {p.chunk.heading} — [cyan]{p.chunk.source}[/]", highlight=False)
            continue
        if line.startswith("/"):
            out.print("[dim]Commands: /sources, /clear, /quit[/]")
            continue
        try:
            last = print_answer_stream(tutor, line, history, top_k)
        except KeyboardInterrupt:
            out.print("[dim](answer interrupted)[/]")
            continue
        except TutorError as exc:  # a provider hiccup should not end the session
            err.print(f"[red]error:[/] {exc}", highlight=False)
            continue
        history += [{"role": "user", "content": line}, {"role": "assistant", "content": last.answer}]


def print_calibration(result) -> None:
    """Each judge's accuracy, unsupported recall and supported precision, per split and category."""
    from rich.table import Table

    from evals.run import Tally

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for name, by_split in result.tallies.items():
        splits = [s for s in ("dev", "test", "all") if s in by_split]
        table = Table(title=f"Judge {name} on {result.pairs} labelled pairs ({result.path.name})")
        table.add_column("category")
        for part in splits:
            table.add_column(f"{part}: n", justify="right")
            table.add_column("accuracy", justify="right")
            table.add_column("unsupported recall", justify="right")
            table.add_column("supported precision", justify="right")
        categories = [*sorted({c for tallies in by_split.values() for c in tallies} - {"all"}), "all"]
        for category in categories:
            row = [category]
            for part in splits:
                t = by_split[part].get(category, Tally())
                row += [str(t.pairs), shown(t.accuracy), shown(t.unsupported_recall)]
                row.append(shown(t.supported_precision))
            table.add_row(*row)
        out.print(table)
    if result.failed:
        err.print(f"[red]The offline judge's accuracy is below {result.judge_floor:g}.[/]")
        raise typer.Exit(1)


def print_refusal_tradeoff(points, skipped, configured: float, split: str) -> None:
    from rich.table import Table

    for name, reason in skipped.items():
        err.print(f"[yellow]skipped[/] {name}: {reason}", highlight=False)
    if not points:
        return
    suites = list(points[0].answerable_refused)
    table = Table(title=f"Refusals by relevance floor ({split} split): answerable / unanswerable refused")
    table.add_column("floor")
    for name in suites:
        table.add_column(name, justify="right")
    for point in points:
        mark = " ← configured" if abs(point.floor - configured) < 1e-9 else ""
        cells = [f"{point.answerable_refused[n]:.2f} / {point.unanswerable_refused[n]:.2f}" for n in suites]
        table.add_row(f"{point.floor:.3f}{mark}", *cells)
    out.print(table)


class EvalBars(RichProgress):
    """Progress bars for eval runs: a suite's ingest stages, then the questions."""

    def start(self, stage: str, total: int) -> None:
        if stage in self.tasks:
            self.bar.reset(self.tasks[stage], total=total)
        else:
            super().start(stage, total)


def print_eval_run(run) -> None:
    from rich.table import Table

    from evals.report import LABELS
    from evals.runner import meets

    splits = list(run.summaries)
    questions = int(run.summaries.get("all", next(iter(run.summaries.values())))["questions"])
    table = Table(title=f"tutor eval {run.name}: {questions} questions, judge {run.meta['judge']}")
    table.add_column("metric")
    for part in splits:
        table.add_column(f"{part} ({int(run.summaries[part]['questions'])})", justify="right")
    table.add_column("threshold")
    for name, label_text in LABELS.items():
        if not any(name in summary for summary in run.summaries.values()):
            continue
        floor = run.floors.get(name)
        cells = []
        for part in splits:
            value = run.summaries[part].get(name)
            bad = value is not None and floor is not None and not meets(value, floor)
            cells.append("-" if value is None else f"[red]{value:.3f}[/]" if bad else f"{value:.3f}")
        table.add_row(label_text, *cells, "" if floor is None else f"≥ {floor:g}")
    out.print(table)


@app.command("eval")
def eval_(
    dataset: Annotated[
        list[str] | None,
        typer.Option(
            help="A shipped suite (roadmap, seeds, sklearn) or a JSONL file asked against your store; "
            "repeatable. Default: every shipped suite whose documents are here."
        ),
    ] = None,
    split: Annotated[str, typer.Option(help="Questions tagged dev, test, or all of them.")] = "all",
    answers: Annotated[
        Path | None,
        typer.Option(help="Score answers produced elsewhere (JSONL run file) instead of asking."),
    ] = None,
    report_json: Annotated[Path | None, typer.Option(help="Write the full JSON report here.")] = None,
    report_md: Annotated[Path | None, typer.Option(help="Write the Markdown report here.")] = None,
    provider: Provider = None,
    model: Model = None,
    judge: Annotated[
        str, typer.Option(help="Support judge: offline, or a provider name for an LLM judge.")
    ] = "offline",
    thresholds: Annotated[
        Path | None, typer.Option(help="Thresholds TOML; default: evals/thresholds.toml.")
    ] = None,
    calibration: Annotated[
        bool, typer.Option("--calibrate", help="Print each judge's accuracy on the calibration set.")
    ] = False,
    calibration_set: Annotated[
        Path | None, typer.Option(help="Labelled pairs for --calibrate (JSONL).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Score retrieval and answer grounding on datasets; exit 1 when a threshold is missed."""
    from evals import dataset as ds
    from evals.report import markdown, report_dict, write_json
    from evals.run import calibrate, refusal_tradeoff, run_eval
    from evals.suites import SUITES

    settings = load_settings(data_dir)
    if calibration:
        with EvalBars() as bars:
            points, skipped = refusal_tradeoff(settings, split=split, progress=bars)
        print_refusal_tradeoff(points, skipped, settings.relevance_floor, split)
        print_calibration(calibrate(settings, judge=judge, path=calibration_set, thresholds=thresholds))
        return
    for target in (report_json, report_md):
        if target is not None and not target.parent.is_dir():
            raise TutorError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    if answers is not None and not dataset:
        raise TutorError("--answers needs the --dataset its questions come from.")
    names = dataset or list(SUITES)

    def user_store(settings):
        store = open_store(settings)
        ensure_ingested(store)
        return store

    runs = []
    for name in names:
        with EvalBars() as bars:
            run = run_eval(
                settings,
                name,
                split=split,
                provider=provider,
                model=model,
                judge=judge,
                thresholds=thresholds or ds.DEFAULT_THRESHOLDS,
                answers=answers,
                progress=bars,
                open_store=user_store,
            )
        if run.skipped:
            err.print(f"[yellow]skipped[/] {run.name}: {run.skipped}", highlight=False)
            continue
        print_eval_run(run)
        runs.append(run)
    if not runs:
        raise TutorError("No dataset could be evaluated (see the reasons above).")
    reports = {r.name: report_dict(r.summaries, r.results, r.meta) for r in runs}
    if report_json:
        write_json(report_json, next(iter(reports.values())) if len(runs) == 1 else {"datasets": reports})
    if report_md:
        report_md.write_text(
            "\n".join(markdown(r.name, r.summaries, r.results, r.floors, r.missed) for r in runs),
            encoding="utf-8",
        )
    missed = [miss for r in runs for miss in r.missed]
    if missed:
        err.print("[red]Thresholds missed:[/] " + "; ".join(missed), highlight=False)
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    data_dir: DataDir = None,
) -> None:
    """Serve the HTTP API (/v1/chat, /v1/search, ...) and the chat page at http://HOST:PORT/."""
    import os

    import uvicorn

    settings = load_settings(data_dir)
    if data_dir is not None:
        os.environ["TUTOR_DATA_DIR"] = str(data_dir)  # the workers read settings from the environment
    store = open_store(settings)
    ensure_ingested(store)  # once, before the workers start
    store.close()  # the workers open their own
    err.print(f"tutor serving on http://{host}:{port}/ (API docs at /docs)")
    from api.server import uvicorn_options

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        access_log=False,  # our own access log has the request id and no query strings
        log_config=ACCESS_LOG_CONFIG,
        **uvicorn_options(settings),  # h11, bounded headers, a read deadline, trusted proxies only
    )


ACCESS_LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO"},
        "tutor": {"handlers": ["stderr"], "level": "INFO"},
    },
}


@app.command()
def roadmap(
    corpus: Annotated[
        Path | None, typer.Option(help="Corpus folder (default: the shipped corpus or $TUTOR_CORPUS_DIR).")
    ] = None,
) -> None:
    """Print the learning path as a tree: phases in order, topics with durations and prerequisites."""
    from tutor.roadmap import load_roadmap, roadmap_problems, roadmap_tree

    folder = corpus or load_settings().corpus_dir
    topics = load_roadmap(folder)
    if not topics:
        raise TutorError(f"No topics with front matter found in {folder}.")
    out.print(roadmap_tree(topics, title=f"Roadmap: {folder.name}/ ({len(topics)} topics)"))
    for problem in roadmap_problems(topics):
        err.print(f"[yellow]warning:[/] {problem}", highlight=False)


def main() -> None:
    try:
        app()
    except TutorError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
