"""`tutor roadmap`: the learning path as a tree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tutor.cli.common import err, load_settings, out
from tutor.errors import TutorError


def roadmap(
    corpus: Annotated[
        Path | None, typer.Option(help="Corpus folder (default: the shipped corpus or $TUTOR_CORPUS_DIR).")
    ] = None,
) -> None:
    """Print the learning path as a tree: phases in order, topics with durations and prerequisites;
    a warning for each file left out and each problem, as `tutor next` and `tutor plan` read it."""
    from rich.markup import escape

    from tutor.learner.graph import load_graph
    from tutor.roadmap import roadmap_tree

    folder = corpus or load_settings().corpus_dir
    graph = load_graph(folder)
    for problem in graph.problems:
        err.print(f"[yellow]warning:[/] {escape(problem)}", highlight=False)
    if not graph.topics:
        raise TutorError(f"No valid topic with front matter found in {folder}.")
    topics = list(graph.topics.values())
    out.print(roadmap_tree(topics, title=f"Roadmap: {folder.name}/ ({len(topics)} topics)"))
