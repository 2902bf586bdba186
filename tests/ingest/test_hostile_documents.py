"""Documents built to make ingest slow or big (it holds the one-at-a-time ingest lock): each is
refused with one reason or costs work in proportion to its size, never more."""

from __future__ import annotations

import threading
import time
import zlib
from pathlib import Path

import pytest

from ingest.chunking import Chunker, plain_text_sections
from ingest.loaders import load_document
from ingest.pipeline import ingest
from tests.conftest import make_pdf, write
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


def test_a_plain_text_heading_may_end_with_a_parenthesis():
    # "Phase 2: Supervised Learning (Weeks 7–14)": a saved page's step with its span of weeks
    text = (
        "Phase 1: Foundations (Weeks 1–6)\n\nLearn loops first. Don't rush this phase.\n\n"
        "Phase 2: Models (Weeks 7–14)\n\nFit a linear model (a baseline), then a tree.\n"
    )
    assert [headings for headings, _ in plain_text_sections(text)] == [
        ["Phase 1: Foundations (Weeks 1–6)"],
        ["Phase 2: Models (Weeks 7–14)"],
    ]
    assert len(list(plain_text_sections("Intro line\n\nCall fit() on the data (X) first\n\nMore."))) == 1


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


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1; object 1 is the catalog), with a valid xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(content: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(content, 9)
    return (
        b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"
    )


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def shared_stream_pdf(pages: int) -> bytes:
    """`pages` pages whose /Contents are all one 2 MB (deflated to ~7 KB) stream of text."""
    line = b"BT /F1 12 Tf 72 712 Td (gradient descent words) Tj ET\n"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            FONT,
            stream(line * (2_000_000 // len(line))),
            *[page] * pages,
        ]
    )


def form_drawn_many_times_pdf(draws: int, lines: int = 1) -> bytes:
    """One page whose small content draws the same text form (of `lines` lines) `draws` times."""
    form = stream(
        b"BT /F1 12 Tf 72 712 Td (gradient descent) Tj ET\n" * lines,
        b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> ",
    )
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> /XObject << /X 5 0 R >> >>"
            b" /Contents 6 0 R >>",
            FONT,
            form,
            stream(b"/X Do\n" * draws),
        ]
    )


def load_pdf_document(data: bytes, max_chars: int | None = None) -> Document:
    limit = {} if max_chars is None else {"max_chars": max_chars}
    return load_document(data, "pdf", doc_id="/x/a.pdf", source="a.pdf", name="a.pdf", **limit)


@pytest.mark.parametrize("pages", [1, 4, 400])
def test_a_pdf_whose_pages_share_one_content_stream_is_refused_without_parsing_it_per_page(pages):
    """A 7 KB PDF of pages reusing one stream took 18 s and became 3.4 M characters."""
    data = shared_stream_pdf(pages)
    assert len(data) < 7_000 + 150 * pages
    with pytest.raises(IngestError, match="far more content than its size"):
        finishes_within(5, lambda: load_pdf_document(data))


def test_a_pdf_drawing_one_form_many_times_is_refused_within_its_budget():
    """pypdf stops after 5,000 form drawings; of a 200-operation form that is a million operations
    (about 10 s) from a 1 KB file."""
    data = form_drawn_many_times_pdf(5_000, lines=40)
    assert len(data) < 2_000
    with pytest.raises(IngestError, match="far more content than its size"):
        finishes_within(10, lambda: load_pdf_document(data))


def test_a_pdf_drawing_a_form_a_few_times_still_loads():
    doc = load_pdf_document(form_drawn_many_times_pdf(3))
    assert doc.text.count("gradient descent") == 3


def test_a_pdf_text_longer_than_the_document_limit_is_refused():
    data = make_pdf([f"Page {i} explains gradient descent in plain words." for i in range(20)])
    assert len(load_pdf_document(data, max_chars=10_000).pages) == 20
    with pytest.raises(IngestError, match="longer than the 500-character limit"):
        load_pdf_document(data, max_chars=500)
