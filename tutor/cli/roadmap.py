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
    """Print the learning path as a tree: phases in order, topics with durations and prerequisites."""
    from tutor.roadmap import load_roadmap, roadmap_problems, roadmap_tree

    folder = corpus or load_settings().corpus_dir
    topics = load_roadmap(folder)
    if not topics:
        raise TutorError(f"No topics with front matter found in {folder}.")
    out.print(roadmap_tree(topics, title=f"Roadmap: {folder.name}/ ({len(topics)} topics)"))
    for problem in roadmap_problems(topics):
        err.print(f"[yellow]warning:[/] {problem}", highlight=False)
