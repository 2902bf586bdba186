"""Loader fuzzing: whatever bytes arrive, a Document or one IngestError, in bounded time."""

from __future__ import annotations

import os
import re
import time
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.loaders import KINDS
from ingest.pipeline import discover, ingest
from tests.conftest import make_pdf, write
from tests.ingest.test_loaders import load
from tutor.errors import IngestError

VALID_PDF = make_pdf(["Gradient boosting is the default for tabular data.", "Page two about SQL."])
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load_or_reason(data: bytes, kind: str):
    try:
        return load(data, kind)
    except IngestError as exc:
        assert str(exc)  # a reason, never an empty message
        return None


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(VALID_PDF) - 1))
def test_truncated_pdfs(cut):
    load_or_reason(VALID_PDF[:cut], "pdf")


@FUZZ
@given(data=st.binary(max_size=4096), kind=st.sampled_from(sorted(set(KINDS.values()))))
def test_random_bytes_for_every_kind(data, kind):
    load_or_reason(data, kind)


@FUZZ
@given(position=st.integers(min_value=0, max_value=len(VALID_PDF) - 1), byte=st.integers(0, 255))
def test_pdfs_with_a_flipped_byte(position, byte):
    damaged = bytearray(VALID_PDF)
    damaged[position] = byte
    load_or_reason(bytes(damaged), "pdf")


def test_html_with_scripts_and_huge_attributes_is_bounded():
    huge = "x" * 5_000_000
    html = (
        f"<html><head><title>Plots</title><script>{'alert(1);' * 10000}</script></head>"
        f'<body><div data-blob="{huge}"><h1>Plotting</h1><p>Histograms show one feature\'s '
        f"distribution; scatter plots show two.</p></div><script>steal()</script></body></html>"
    ).encode()
    started = time.perf_counter()
    doc = load(html, "html")
    assert time.perf_counter() - started < 30
    assert "Histograms" in doc.text and "steal" not in doc.text and "alert" not in doc.text


def test_pdf_decompression_bomb_is_refused_or_bounded():
    content = b"BT /F1 12 Tf 72 720 Td (" + b"A" * 120_000_000 + b") Tj ET"
    packed = zlib.compress(content, 9)
    assert len(packed) < 1_000_000  # a small file that would expand to 120 MB
    header = b"<< /Length %d /Filter /FlateDecode >>" % len(packed)
    bomb = re.sub(rb"<< /Length \d+ >>", header, VALID_PDF, count=1)
    start = bomb.index(b"stream\n", bomb.index(b"/FlateDecode")) + len(b"stream\n")
    end = bomb.index(b"\nendstream", start)
    bomb = bomb[:start] + packed + bomb[end:]
    started = time.perf_counter()
    load_or_reason(bomb, "pdf")
    assert time.perf_counter() - started < 60


def test_a_50_mb_text_file_is_refused_without_reading_it(store, tmp_path):
    big = tmp_path / "docs" / "big.txt"
    big.parent.mkdir()
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper
    write(tmp_path / "docs" / "ok.md", "# OK\n\nThe other documents are still ingested as usual.\n")
    report = ingest([str(tmp_path / "docs")], store)
    assert len(report.failed) == 1 and report.failed[0][0].endswith("big.txt")
    assert "larger than the 20,000,000-byte limit" in report.failed[0][1]
    assert len(report.added) == 1


def test_symlink_loops_do_not_hang_discovery(tmp_path):
    root = tmp_path / "docs"
    write(root / "a" / "note.md", "# Note\n\nText.\n")
    os.symlink(root, root / "a" / "loop")  # a -> docs -> a -> ...
    os.symlink(root / "a" / "note.md", root / "alias.md")
    targets = discover([str(root)], None, None).targets
    # the directory link is not walked into; the file link and the file are one document
    assert [t.doc_id for t in targets] == [str((root / "a" / "note.md").resolve())]


@pytest.mark.parametrize("name", ["café.md", "space name.md", "ünïcödé.txt"])
def test_odd_file_names(store, tmp_path, name):
    write(tmp_path / "docs" / name, "# Title\n\nSome words here.\n")
    assert ingest([str(tmp_path / "docs")], store).added
