"""Documents built to make ingest slow or big (it holds the one-at-a-time ingest lock): each is
refused with one reason or costs work in proportion to its size, never more."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from ingest.chunking import Chunker, plain_text_sections
from ingest.loaders import load_document
from ingest.pipeline import ingest
from tests.conftest import write
from tutor.errors import IngestError
from tutor.types import Document


def finishes_within(seconds: float, work):
    """`work()`'s result, failing (without waiting for it) when it runs past `seconds`."""
    result: dict = {}

    def run():
        try:
            result["value"] = work()
        except BaseException as exc:  # handed to the test
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds:g} s"
    if "error" in result:
        raise result["error"]
    return result["value"], time.monotonic() - started


def markdown(text: str) -> Document:
    return load_document(text.encode(), "md", doc_id="/x/notes.md", source="notes.md", name="notes.md")


BODY = "\n\nGradient descent takes small steps downhill to reach a minimum.\n"


@pytest.mark.parametrize("line", ["[" * 1_000_000, "gradient " * 120_000])
def test_a_megabyte_heading_line_does_not_make_chunking_quadratic(embedder, line):
    """A 100 KB heading took 29 s (the token offsets were rebuilt per window), 1 MB about an hour."""
    doc = markdown(f"# Notes {line}{BODY}")
    chunks, _ = finishes_within(10, lambda: Chunker(embedder).chunk(doc))
    assert chunks and all(len(c.title) < 2000 for c in chunks)
    assert all(embedder.count_tokens(c.index_text()) <= embedder.max_tokens - 2 for c in chunks)


def test_a_megabyte_section_heading_is_bounded_like_a_title(embedder):
    doc = markdown(f"# Notes\n\n## Part {'[' * 1_000_000}{BODY}")
    chunks, _ = finishes_within(10, lambda: Chunker(embedder).chunk(doc))
    assert chunks and all(len(c.section) < 2000 for c in chunks)


@pytest.mark.parametrize(
    "text",
    [
        "Some words here today\n" + "\n" * 300_000 + "More words here at the end.\n",
        "Heading Line Here\n" * 100_000 + "And then a sentence of text.\n",
    ],
    ids=["blank lines", "heading-like lines"],
)
def test_a_plain_text_file_of_many_lines_is_sectioned_in_linear_time(text):
    """Each line looked at every later line (and every heading line at the whole run before it):
    40,000 blank lines took 23 s."""
    sections, _ = finishes_within(10, lambda: list(plain_text_sections(text)))
    assert "".join(body for _, body in sections).count("\n") >= text.count("\n") - len(sections) - 1


def test_plain_text_sections_are_unchanged_by_the_linear_pass():
    text = (
        "Roadmap\n\nPhase 1: Foundations\nPython Basics\n\nLearn loops and functions first.\n\n"
        "Phase 2: Models\n\nFit a linear model, then a tree.\nClosing Words"
    )
    assert list(plain_text_sections(text)) == [
        (
            ["Roadmap", "Phase 1: Foundations", "Python Basics"],
            "Roadmap\n\nPhase 1: Foundations\nPython Basics\n\nLearn loops and functions first.\n",
        ),
        (["Phase 2: Models"], "Phase 2: Models\n\nFit a linear model, then a tree.\nClosing Words"),
    ]


def billion_laughs(depth: int) -> str:
    lines = ["---", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, depth + 1)]
    return "\n".join([*lines, f"title: *a{depth}", "---", "# Doc", BODY])


def test_yaml_aliases_in_front_matter_are_refused_not_expanded(store, tmp_path):
    """~400 bytes of nested aliases became a 722,220-character title at depth 5 (x10 per level)."""
    text = billion_laughs(6)
    assert len(text) < 1000
    with pytest.raises(IngestError, match="aliases"):
        finishes_within(5, lambda: markdown(text))
    write(tmp_path / "docs" / "laughs.md", text)
    write(tmp_path / "docs" / "ok.md", f"# Notes{BODY}")
    report = ingest([str(tmp_path / "docs")], store)
    assert [Path(s).name for s in report.added] == ["ok.md"]
    assert [(Path(s).name, why) for s, why in report.failed] == [
        ("laughs.md", "front matter uses YAML aliases (*name), which are not accepted")
    ]


def test_front_matter_without_aliases_still_loads():
    doc = markdown('---\ntitle: "Intro: SQL"\nid: sql\nphase: 2\nanchored: &x [1, 2]\n---\n# SQL' + BODY)
    assert (doc.title, doc.metadata["id"], doc.metadata["anchored"]) == ("Intro: SQL", "sql", [1, 2])


def test_a_huge_front_matter_value_is_not_copied_into_every_chunk(embedder):
    """Front matter fields go into every chunk's metadata: 1 MB there times 50 chunks is 50 MB."""
    body = "\n\n".join(f"Paragraph {i} explains gradient boosting on tabular data." * 8 for i in range(50))
    doc = markdown(f"---\nphase: {'x' * 1_000_000}\nid: {'y ' * 100_000}\n---\n# Notes\n\n{body}\n")
    chunks, _ = finishes_within(20, lambda: Chunker(embedder).chunk(doc))
    assert len(chunks) > 10
    assert all(len(c.extra["phase"]) < 2000 and len(c.extra["topic_id"]) < 2000 for c in chunks)
