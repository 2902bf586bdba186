"""A folder walk never leaves the folder: links out of it, FIFOs, devices and odd paths are reported,
never read; --prune removes only documents whose own file is gone from the folder."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from tests.conftest import write

SECRET = "root:x:0:0:root:/root:/bin/bash and the rest of a private file\n"


@pytest.fixture
def folders(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "ok.md", "# Notes\n\nGradient descent takes small steps downhill.\n")
    secret = write(tmp_path / "private" / "passwd.txt", SECRET)
    return docs, secret


def stored_text(store) -> str:
    records = store.collection.get(include=["documents"])
    return "\n".join(records["documents"])


def test_a_symlink_in_a_folder_never_reads_a_file_outside_it(store, folders):
    docs, secret = folders
    os.symlink(secret, docs / "leak.txt")
    report = ingest([str(docs)], store)
    assert "root:x:0:0" not in stored_text(store)
    assert [Path(s).name for s in report.added] == ["ok.md"] and report.ok
    assert [(Path(s).name, why) for s, why in report.skipped] == [
        ("leak.txt", "symbolic link to a file outside the folder: not followed")
    ]
    assert str(secret) not in str(report.skipped)  # the report never names where a link points


def test_a_symlinked_folder_inside_the_folder_is_not_walked_into(store, folders, tmp_path):
    docs, secret = folders
    os.symlink(secret.parent, docs / "etc")
    report = ingest([str(docs)], store)
    assert "root:x:0:0" not in stored_text(store)
    assert [(Path(s).name, why) for s, why in report.skipped] == [
        ("etc", "symbolic link to a folder: not followed")
    ]


def test_a_link_between_files_of_the_folder_is_still_followed(store, folders):
    docs, _ = folders
    os.symlink(docs / "ok.md", docs / "alias.md")
    report = ingest([str(docs)], store)
    assert [Path(s).name for s in report.added] == ["ok.md"] and not report.skipped


def test_prune_removes_a_document_whose_file_became_a_link_out(store, folders):
    docs, secret = folders
    write(docs / "notes.md", "# Plan\n\nStudy two hours a day for six months.\n")
    ingest([str(docs)], store)
    (docs / "notes.md").unlink()
    os.symlink(secret, docs / "notes.md")
    report = ingest([str(docs)], store, prune=True)
    assert [Path(p).name for p in report.pruned] == ["notes.md"]
    assert "root:x:0:0" not in stored_text(store) and "six months" not in stored_text(store)


def test_prune_removes_a_document_whose_file_became_a_dangling_link(store, folders, tmp_path):
    docs, _ = folders
    write(docs / "notes.md", "# Plan\n\nStudy two hours a day for six months.\n")
    ingest([str(docs)], store)
    (docs / "notes.md").unlink()
    os.symlink(tmp_path / "gone.md", docs / "notes.md")
    report = ingest([str(docs)], store, prune=True)
    assert [Path(p).name for p in report.pruned] == ["notes.md"]
    assert [why for _, why in report.skipped] == ["broken symbolic link: not followed"]


def test_prune_never_removes_the_document_a_link_out_of_the_folder_points_to(store, folders, tmp_path):
    """A link in one folder to a file elsewhere (ingested from its own folder, or from anywhere)
    made `--prune` of the first folder delete that file's document though the file still exists."""
    docs, _ = folders
    other = tmp_path / "other"
    kept = write(other / "kept.md", "# Kept\n\nThe other folder's notes on SQL joins stay in the store.\n")
    ingest([str(docs), str(other)], store)
    os.symlink(kept, docs / "link.md")
    report = ingest([str(docs)], store, prune=True)
    assert report.pruned == [] and "SQL joins" in stored_text(store)
    assert [(Path(s).name, why) for s, why in report.skipped] == [
        ("link.md", "symbolic link to a file outside the folder: not followed")
    ]
    os.unlink(docs / "link.md")
    os.symlink(kept.parent, docs / "linked-folder")  # nor through a link to its folder
    assert ingest([str(docs)], store, prune=True).pruned == [] and "SQL joins" in stored_text(store)


def test_a_fifo_is_refused_with_a_reason_and_never_blocks(store, folders):
    docs, _ = folders
    os.mkfifo(docs / "pipe.md")
    result = {}
    worker = threading.Thread(target=lambda: result.update(named=ingest([str(docs / "pipe.md")], store)))
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "reading a FIFO blocked the ingest"
    assert [why for _, why in result["named"].failed] == ["not a regular file or folder"]
    walked = ingest([str(docs)], store)
    assert [(Path(s).name, why) for s, why in walked.skipped] == [("pipe.md", "not a regular file")]


def test_a_device_path_is_a_failure_not_a_silent_success(store):
    report = ingest(["/dev/null"], store)
    assert report.failed == [("/dev/null", "not a regular file or folder")] and not report.ok


def test_a_nul_byte_in_a_path_is_a_failure_not_a_crash(store, folders):
    docs, _ = folders
    report = ingest([f"{docs}/ok\x00.md", str(docs)], store)
    assert [why for _, why in report.failed] == ["invalid path"]
    assert [Path(s).name for s in report.added] == ["ok.md"]


def test_an_ingest_confined_to_roots_refuses_paths_outside_them(store, folders):
    docs, secret = folders
    report = ingest([str(secret), str(docs)], store, within=[docs])
    assert [why for _, why in report.failed] == ["outside the allowed folders"]
    assert "root:x:0:0" not in stored_text(store)


def test_a_file_swapped_for_a_link_after_discovery_is_not_read(store, folders, monkeypatch):
    """The file read is the file found: a swap between the walk and the read is refused."""
    import ingest.pipeline as pipeline

    docs, secret = folders
    real_discover = pipeline.discover

    def discover_then_swap(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        (docs / "ok.md").unlink()
        os.symlink(secret, docs / "ok.md")
        return found

    monkeypatch.setattr(pipeline, "discover", discover_then_swap)
    report = ingest([str(docs)], store)
    assert "root:x:0:0" not in stored_text(store)
    assert [why for _, why in report.failed] == ["the file changed while it was being ingested"]


def test_a_loop_of_file_links_is_skipped_not_a_crash(store, folders):
    docs, _ = folders
    os.symlink(docs / "b.md", docs / "a.md")
    os.symlink(docs / "a.md", docs / "b.md")
    report = ingest([str(docs)], store)
    assert [Path(s).name for s in report.added] == ["ok.md"]
    assert [(Path(s).name, why) for s, why in report.skipped] == [
        ("a.md", "symbolic link loop: not followed"),
        ("b.md", "symbolic link loop: not followed"),
    ]
