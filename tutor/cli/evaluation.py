"""`tutor eval`: the eval suites, the refusal trade-off and the judge's calibration, drawn as tables
(the work itself is `evals.run`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

import tutor.cli.common as common
from tutor.cli.common import DataDir, Model, Provider, RichProgress, err, out
from tutor.errors import TutorError


def print_calibration(result, split: str = "all") -> None:
    """Each judge's accuracy, unsupported recall and supported precision, per category, for
    `split` (every split for "all": so that tuning on dev shows no test figure); then the offline
    judge against the [calibration] minimums (exit 1 when one is missed; only pass or fail is
    printed for a split not shown)."""
    from rich.table import Table

    from evals.run import Tally

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for name, by_split in result.tallies.items():
        pairs = by_split.get("all", {}).get("all", Tally()).pairs
        categories = [*sorted({c for tallies in by_split.values() for c in tallies} - {"all"}), "all"]
        shown_splits = ("dev", "test", "all") if split == "all" else (split,)
        for part in [s for s in shown_splits if s in by_split] or ["all"]:  # an untagged set: all
            title = f"Judge {name}, {part} split ({pairs} labelled pairs in {result.path.name})"
            table = Table(title=title)
            for column in ("category", "n", "accuracy", "unsupported recall", "supported precision"):
                table.add_column(column, justify="left" if column == "category" else "right")
            for category in categories:
                t = by_split[part].get(category, Tally())
                table.add_row(
                    category,
                    str(t.pairs),
                    shown(t.accuracy),
                    shown(t.unsupported_recall),
                    shown(t.supported_precision),
                )
            out.print(table)
    if result.replies is None:
        out.print(
            "[dim]LLM judges: none scored from recorded replies (none are recorded here; pass "
            "--judge-replies FILE). Judges with an API key configured are asked live above.[/]"
        )
    if result.floors:
        floors = ", ".join(f"{k} ≥ {v:g}" for k, v in result.floors.items())
        out.print(f"Offline judge gate ({result.gated_split} split): {floors}", highlight=False)
    if result.failed:
        err.print("[red]The offline judge misses its calibration minimums:[/] " + "; ".join(result.missed))
        raise typer.Exit(1)


def print_refusal_tradeoff(points, skipped, configured: float, split: str) -> None:
    from rich.table import Table

    for name, reason in skipped.items():
        err.print(f"[yellow]skipped[/] {escape(str(name))}: {escape(str(reason))}", highlight=False)
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


def run_quiz(settings, provider, model, judge, thresholds, report_json, report_md) -> None:
    """`tutor eval --quiz`: the table, the reports, exit 1 on a missed limit."""
    from rich.table import Table

    from evals import dataset as ds
    from evals.quiz import QUIZ_LABELS, QUIZ_METRICS, markdown_report, run_quiz_eval
    from evals.report import write_json

    with EvalBars() as bars:
        run = run_quiz_eval(
            settings,
            provider=provider,
            model=model,
            judge=judge,
            thresholds=thresholds or ds.DEFAULT_THRESHOLDS,
            progress=bars,
        )
    table = Table(title=f"tutor eval --quiz: generator {run.generator}, judge {run.judge}")
    for column in ("metric", "value", "limit"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, label in QUIZ_LABELS.items():
        if name not in run.summary:
            continue
        limit = run.limits.get(name)
        sign = "≥" if QUIZ_METRICS[name] == "min" else "≤"
        value = run.summary[name]
        shown = f"{value:.3f}" if name.endswith("share") or name.endswith("mean") else f"{value:g}"
        table.add_row(label, shown, "" if limit is None else f"{sign} {limit:g}")
    out.print(table)
    thin = sorted(run.per_topic.items(), key=lambda kv: kv[1])[:5]
    out.print("Fewest items: " + ", ".join(f"{t} {c}" for t, c in thin), highlight=False)
    if report_json:
        write_json(report_json, run.to_dict())
    if report_md:
        report_md.write_text(markdown_report(run), encoding="utf-8")
    if run.missed:
        err.print("[red]Quiz limits missed:[/] " + "; ".join(run.missed), highlight=False)
        raise typer.Exit(1)


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
        Path | None,
        typer.Option(
            help="Labelled pairs for --calibrate (JSONL); default: evals/datasets/judge.jsonl "
            "(evals/datasets/calibration.jsonl holds the first judge's 76 pairs)."
        ),
    ] = None,
    judge_replies: Annotated[
        Path | None,
        typer.Option(
            help="Recorded LLM judge verdicts to score with --calibrate (JSONL: judge, id, verdict)."
        ),
    ] = None,
    quiz: Annotated[
        bool,
        typer.Option(
            "--quiz",
            help="Generate quiz items for every topic of the shipped corpus and measure them "
            "(--provider for an LLM's drafts; --judge for support).",
        ),
    ] = False,
    require_documents: Annotated[
        bool,
        typer.Option(
            "--require-documents", help="Fail, instead of skipping, when a suite's documents are absent (CI)."
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Score retrieval and answer grounding on datasets; exit 1 when a threshold is missed."""
    from evals import dataset as ds
    from evals.report import markdown, report_dict, write_json
    from evals.run import calibrate, refusal_tradeoff, run_eval
    from evals.suites import SUITES

    settings = common.load_settings(data_dir)
    if quiz:
        run_quiz(settings, provider, model, judge, thresholds, report_json, report_md)
        return
    if calibration:
        with EvalBars() as bars:
            points, skipped = refusal_tradeoff(settings, split=split, progress=bars)
        print_refusal_tradeoff(points, skipped, settings.relevance_floor, split)
        print_calibration(
            calibrate(
                settings, judge=judge, path=calibration_set, thresholds=thresholds, replies=judge_replies
            ),
            split,
        )
        return
    for target in (report_json, report_md):
        if target is not None and not target.parent.is_dir():
            raise TutorError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    if answers is not None and not dataset:
        raise TutorError("--answers needs the --dataset its questions come from.")
    names = dataset or list(SUITES)

    def user_store(settings):
        store = common.open_store(settings)
        common.ensure_ingested(store)
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
            if require_documents:
                raise TutorError(f"The {run.name} suite cannot run: {run.skipped}.")
            err.print(
                f"[yellow]skipped[/] {escape(str(run.name))}: {escape(str(run.skipped))}", highlight=False
            )
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
