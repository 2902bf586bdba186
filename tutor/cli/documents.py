"""`tutor ingest`, `tutor sources`, `tutor search`: what is in the store, and how it is found."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

import tutor.cli.common as common
from tutor.cli.common import AsJson, DataDir, err, out, print_report, run_ingest
from tutor.errors import TutorError
from tutor.filters import resolve_filters


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
    settings = common.load_settings(data_dir)
    new_store = not settings.data_dir.exists()
    store = common.open_store(settings)
    report = run_ingest(store, inputs, prune=prune, include=include, exclude=exclude)
    print_report(report)
    if new_store and not (report.added or report.updated):  # a mistyped path leaves no empty store
        store.discard()
    if not report.ok:
        raise typer.Exit(1)


def sources(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """List the ingested documents."""
    settings = common.load_settings(data_dir)
    common.require_store(common.given_data_dir(data_dir))
    store = common.open_store(settings)
    docs = sorted(store.documents().values(), key=lambda d: d.source)
    if as_json:
        rows = [{"source": d.source, "title": d.title, "chunks": len(d.chunk_ids)} for d in docs]
        out.print_json(json.dumps(rows))
        return
    if not docs:
        err.print("Nothing is ingested yet: run `tutor ingest PATH`.")
        return
    # each source whole on a line of its own, to copy: `search --source` and `quiz` take it (a table
    # column folded it across lines: "…/html/t" + "utorial/appendix.html")
    for doc in docs:
        n = len(doc.chunk_ids)
        out.print(escape(doc.source), soft_wrap=True, highlight=False)
        out.print(f"    {escape(doc.title)} · {n} chunk{'s' * (n != 1)}", style="dim", highlight=False)
    chunks = sum(len(d.chunk_ids) for d in docs)
    out.print(f"{len(docs)} document{'s' * (len(docs) != 1)}, {chunks} chunk{'s' * (chunks != 1)}")


def search(
    question: Annotated[str, typer.Argument(help="What to look for.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=50, help="How many passages.")] = 5,
    source: Annotated[
        str | None, typer.Option(help="Only this source (as `tutor sources` shows it, or its file name).")
    ] = None,
    phase: Annotated[
        str | None, typer.Option(help="Only documents of this phase (front matter; its number is enough).")
    ] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Show the ranked passages for a question: the debugging view of retrieval.

    The same `Tutor.retrieve` as answers and /v1/search use (MMR included when it is on)."""
    if not question.strip():
        raise TutorError("The question is empty.")
    tutor = common.build_tutor(data_dir, "offline", None)  # retrieval only: no answerer is asked
    given = {key: value for key, value in (("source", source), ("phase", phase)) if value}
    filters = resolve_filters(given, tutor.store.keyword_index.metas, cli=True)
    hits = tutor.retrieve(question, top_k, filters or None)
    if as_json:
        out.print_json(json.dumps([h.to_dict() for h in hits]))
        return
    if not hits:
        err.print("No passages found.")
    for rank, hit in enumerate(hits, start=1):
        similarity = f"{hit.dense_similarity:.2f}" if hit.dense_similarity is not None else "-"
        out.print(
            f"[bold]{rank}.[/] score {hit.score:.4f}  cos {similarity}  [cyan]{escape(hit.chunk.source)}[/]"
            f"  [dim]{escape(hit.chunk.heading)}[/]",
            highlight=False,
        )
        out.print(hit.chunk.text, markup=False, highlight=False)
        out.print()
