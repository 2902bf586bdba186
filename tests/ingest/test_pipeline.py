"""The pipeline: incremental skips, replacement, prune, bad input, interruption, index sync."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import discover, ingest
from tests.conftest import FakeEmbedder, make_pdf, write
from tutor.config import Settings
from tutor.errors import StoreError
from tutor.store import Store

ROOT = Path(__file__).resolve().parents[2]

GOOD = {
    "intro.md": "---\nid: intro\ntitle: Introduction\n---\n"
    "# Introduction\n\n## Who\n\nDevelopers who want ML jobs.\n",
    "time.txt": "Time plans for learners\n\nTwo hours per day for six months is about 360 hours.",
    "deep/dl.md": "# Deep learning\n\n## Frameworks\n\n"
    "Learn PyTorch first, TensorFlow later if a job needs it.",
}


@pytest.fixture
def docs(tmp_path):
    root = tmp_path / "docs"
    for name, text in GOOD.items():
        write(root / name, text)
    return root


def test_ingest_then_reingest_skips_unchanged_without_embedding(store, embedder, docs):
    first = ingest([str(docs)], store)
    assert len(first.added) == 3 and first.ok and first.chunks == store.count()
    embedder.encoded.clear()
    second = ingest([str(docs)], store)
    assert len(second.unchanged) == 3 and not second.added and not second.updated
    assert embedder.encoded == []


def test_changed_document_is_replaced(store, docs):
    ingest([str(docs)], store)
    write(docs / "time.txt", "Time plans for learners\n\nFifteen to twenty hours per week for nine months.")
    report = ingest([str(docs)], store)
    assert [s.endswith("time.txt") for s in report.updated] == [True]
    texts = [c.text for c, _ in store.keyword_search("hours week months", 10)]
    assert any("Fifteen" in t for t in texts) and not any("360" in t for t in texts)


def test_prune_removes_only_documents_gone_from_the_given_paths(store, docs, tmp_path):
    other = write(
        tmp_path / "elsewhere" / "keep.md", "# Keep\n\nThis document lives outside the docs folder."
    )
    ingest([str(docs), str(other)], store)
    (docs / "deep" / "dl.md").unlink()
    kept = ingest([str(docs)], store)  # without --prune nothing is removed
    assert not kept.pruned and len(store.documents()) == 4
    report = ingest([str(docs)], store, prune=True)
    assert [p.endswith("dl.md") for p in report.pruned] == [True]
    assert sorted(d.title for d in store.documents().values()) == [
        "Introduction",
        "Keep",
        "Time plans for learners",
    ]
    assert set(store.keyword_index.ids) == {i for d in store.documents().values() for i in d.chunk_ids}


def test_prune_with_a_filter_keeps_the_files_the_filter_left_out(store, docs):
    """`--include '*.md' --prune` ingests the Markdown again; the .txt is still on disk, only left
    out this time: it is not gone (it was pruned)."""
    ingest([str(docs)], store)
    (docs / "intro.md").unlink()
    report = ingest([str(docs)], store, prune=True, include=["*.md"])
    assert [p.rsplit("/", 1)[-1] for p in report.pruned] == ["intro.md"]
    report = ingest([str(docs)], store, prune=True, exclude=["deep/*", "*.txt"])
    assert report.pruned == [] and report.ok
    assert sorted(d.title for d in store.documents().values()) == ["Deep learning", "Time plans for learners"]


def test_prune_on_a_deleted_folder_removes_what_was_ingested_from_it(store, docs, tmp_path):
    other = write(
        tmp_path / "elsewhere" / "keep.md", "# Keep\n\nThis document lives outside the docs folder."
    )
    ingest([str(docs), str(other)], store)
    shutil.rmtree(docs)
    kept = ingest([str(docs)], store)  # without --prune: a failure, nothing removed
    assert kept.failed == [(str(docs), "no such file or directory")] and len(store.documents()) == 4
    report = ingest([str(docs)], store, prune=True)
    assert len(report.pruned) == 3 and report.failed == [] and report.ok
    assert [d.title for d in store.documents().values()] == ["Keep"]
    assert set(store.keyword_index.ids) == set(next(iter(store.documents().values())).chunk_ids)
    # A path that never held anything is still an error, with or without --prune.
    again = ingest([str(tmp_path / "never")], store, prune=True)
    assert again.failed == [(str(tmp_path / "never"), "no such file or directory")]


def test_include_and_exclude_globs(store, docs):
    report = ingest([str(docs)], store, include=["*.md"], exclude=["deep/*"])
    assert [s.rsplit("/", 1)[-1] for s in report.added] == ["intro.md"]


def test_a_gzip_compressed_document_is_read_within_the_size_limit(settings, tmp_path):
    import gzip

    store = Store(settings.model_copy(update={"max_document_bytes": 10_000}), FakeEmbedder())
    docs = tmp_path / "gz"
    write(
        docs / "caching.md.gz", gzip.compress(b"# Caching\n\nPip keeps its cache in ~/.cache/pip on Linux.")
    )
    write(docs / "bomb.md.gz", gzip.compress(b"a" * 50_000))  # 50 KB from a few dozen bytes
    write(docs / "fake.md.gz", b"not gzip at all")
    write(docs / "cut.md.gz", gzip.compress(b"# Caching\n\n" + b"Pip keeps a cache. " * 200)[:-40])
    write(docs / "hi.md", b"Hi")
    write(docs / "notes.docx.gz", gzip.compress(b"Title\n====="))
    write(docs / "svm.rst.gz", gzip.compress(b"SVM\n===\n\nUse :class:`~sklearn.svm.SVC` for small data."))
    report = ingest([str(docs)], store)
    assert sorted(s.rsplit("/", 1)[-1] for s in report.added) == ["caching.md.gz", "svm.rst.gz"]
    reasons = {s.rsplit("/", 1)[-1]: r for s, r in report.failed}
    assert reasons == {
        "bomb.md.gz": "larger than 10,000 bytes when decompressed",
        "fake.md.gz": "not a valid gzip file",
        "cut.md.gz": "a truncated gzip file (it ends before its compressed data does)",
    }
    assert [(s.rsplit("/", 1)[-1], r) for s, r in report.skipped] == [
        ("hi.md", "nothing to index: no passage of 3 words or more (a title, links or navigation only?)")
    ]
    assert report.unsupported == {".gz": 1}
    assert "~/.cache/pip" in store.keyword_search("pip cache Linux", 1)[0][0].text
    assert "Use `SVC` for small data." in store.keyword_search("SVC small data", 1)[0][0].text


def test_files_of_a_type_no_loader_reads_are_counted_by_suffix(store, tmp_path):
    for name in ("a.md", "b.docx", "c.docx", "d.docx.gz", "Makefile"):
        write(tmp_path / "mixed" / name, "# A\n\nSome text about pip.")
    report = ingest([str(tmp_path / "mixed")], store)
    assert len(report.added) == 1 and report.unsupported == {".docx": 2, ".gz": 1, "(none)": 1}
    write(tmp_path / "odd" / "x.r\nskipped everything", "text")  # a name cannot forge a line
    assert ingest([str(tmp_path / "odd")], store).unsupported == {".r skipped every": 1}


def test_bad_inputs_fail_one_by_one_and_the_rest_ingest(store, docs, tmp_path):
    bad = tmp_path / "bad"
    write(bad / "empty.md", "")
    write(bad / "binary.txt", b"\x00\x01\x02\x03" * 10)
    write(bad / "latin1.txt", b"Caf\xe9 cr\xe8me, a text saved in the wrong encoding.")
    write(bad / "broken.pdf", b"%PDF-1.7 truncated")
    write(bad / "scripts.html", b"<html><script>x()</script></html>")
    write(bad / "ok.pdf", make_pdf(["A real PDF page about feature engineering."]))
    report = ingest([str(docs), str(bad), str(tmp_path / "missing.md"), "ftp://example.org/a"], store)
    reasons = {src.rsplit("/", 1)[-1]: why for src, why in report.failed}
    assert reasons == {
        "binary.txt": "binary file, not text",
        "latin1.txt": "not valid UTF-8 text (bad byte at offset 3)",
        "broken.pdf": reasons["broken.pdf"],
        "missing.md": "no such file or directory",
        "a": "unsupported URL scheme (only http:// and https://)",
    }
    assert reasons["broken.pdf"].startswith("malformed PDF")
    assert len(report.added) == 4 and not report.ok
    # in a folder, a file with nothing to index is passed over with its reason, not failed: a
    # documentation folder has some (pip's docs: a file that only includes another failed every
    # ingest of the folder, unchanged or not); named on its own, it fails
    passed_over = {src.rsplit("/", 1)[-1]: why for src, why in report.skipped}
    assert passed_over == {"empty.md": "empty file", "scripts.html": "no readable text found in the HTML"}
    named = ingest([str(bad / "scripts.html")], store)
    assert named.failed and not named.ok
    only_empty = ingest([str(docs), str(tmp_path / "bad" / "empty.md")], store)
    assert [why for _, why in only_empty.failed] == ["empty file"]


def test_a_document_turning_bad_keeps_what_was_ingested(store, docs):
    ingest([str(docs)], store)
    before = store.count()
    write(docs / "time.txt", b"\xff\xfe broken now")
    report = ingest([str(docs)], store, prune=True)
    assert len(report.failed) == 1 and not report.pruned
    assert store.count() == before


def test_unsupported_single_file_is_reported(store, tmp_path):
    path = write(tmp_path / "notes.docx", b"PK\x03\x04")
    report = ingest([str(path)], store)
    assert report.failed == [(report.failed[0][0], report.failed[0][1])]
    assert "unsupported file type '.docx'" in report.failed[0][1]


def test_interrupted_replacement_is_repaired_on_the_next_run(store, docs, monkeypatch):
    ingest([str(docs)], store)
    write(docs / "intro.md", "# Introduction\n\n## Who\n\nCareer changers and students alike.\n")
    original_delete = store.collection.delete

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(store.collection, "delete", crash)
    with pytest.raises(StoreError):
        ingest([str(docs)], store)
    monkeypatch.setattr(store.collection, "delete", original_delete)
    intro = next(d for d in store.documents().values() if d.title == "Introduction")
    assert not intro.complete and len(intro.chunk_ids) == 2  # old and new: never nothing
    report = ingest([str(docs)], store)
    assert [s.endswith("intro.md") for s in report.updated] == [True]
    intro = next(d for d in store.documents().values() if d.title == "Introduction")
    assert intro.complete and len(intro.chunk_ids) == 1
    assert sorted(store.keyword_index.ids) == sorted(
        c for d in store.documents().values() for c in d.chunk_ids
    )


def test_keyword_index_is_rebuilt_when_missing_or_behind(settings, embedder, store, docs):
    import shutil

    ingest([str(docs)], store)
    shutil.rmtree(store.keyword_dir)
    fresh = Store(settings, embedder)
    assert len(fresh.keyword_search("PyTorch TensorFlow", 3)) == 1
    # another process writes; a reader with an older index notices the version change
    write(docs / "extra.md", "# Extra\n\nKaggle competitions build discipline.")
    ingest([str(docs)], Store(settings, embedder))
    stale = Store(settings, embedder)
    assert stale.keyword_search("Kaggle competitions", 3)[0][0].title == "Extra"


def test_a_keyword_index_saved_in_an_older_format_is_rebuilt(settings, embedder, store, docs):
    # an index tokenised before acronyms' plurals were read as the acronym would never match them
    import json

    ingest([str(docs)], store)
    records = store.keyword_dir / "records.json"
    saved = json.loads(records.read_text())
    saved.pop("format")
    saved["texts"] = ["stale" for _ in saved["texts"]]  # what a reader of the old file would see
    records.write_text(json.dumps(saved))
    fresh = Store(settings, embedder)
    assert "stale" not in {c.text for c, _ in fresh.keyword_search("PyTorch TensorFlow", 3)}
    assert json.loads(records.read_text())["format"] == 2


def test_store_built_with_another_model_is_refused(settings, store, docs):
    ingest([str(docs)], store)
    with pytest.raises(StoreError, match="built with embedding model 'fake-hash-64'"):
        Store(settings, FakeEmbedder("another-model")).count()


def test_dense_search_is_exact_after_re_ingesting_and_in_a_store_saved_before_vectors_were(
    settings, store, docs
):
    # Chroma's HNSW graph, after upserts, missed a query's nearest chunk in 1 process of 12
    import numpy as np

    from tutor.store import KeywordIndex

    ingest([str(docs)], store)
    (docs / "deep/dl.md").write_text(
        (docs / "deep/dl.md").read_text() + "\n\nPyTorch also runs on Apple GPUs.\n"
    )
    ingest([str(docs)], store)  # upserts the changed document's chunks
    query = store.embedder.embed_query("Which framework runs on Apple GPUs?")
    got = store.dense_search(query, 100)
    every = store.collection.get(include=["embeddings", "documents"])
    vectors = np.asarray(every["embeddings"], dtype=np.float32)
    cosine = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    assert [c.id for c, _ in got] == [every["ids"][i] for i in np.argsort(-cosine, kind="stable")]
    assert [round(s, 5) for _, s in got] == sorted((round(float(c), 5) for c in cosine), reverse=True)
    assert store.dense_search(query, 2, {"source": got[-1][0].source})[0][0].source == got[-1][0].source
    # the vectors maximal marginal relevance compares come from the same rows; unknown ids are skipped
    picked = store.embeddings([got[0][0].id, "no-such-chunk"])
    assert list(picked) == [got[0][0].id]
    assert np.allclose(picked[got[0][0].id], vectors[every["ids"].index(got[0][0].id)], atol=1e-5)
    # the index folder is as readable as the folder it is in (mkdtemp made it private)
    keyword_root = store.keyword_dir.parent
    assert store.keyword_dir.stat().st_mode & 0o777 == keyword_root.stat().st_mode & 0o777
    # an index saved before it held vectors is rebuilt, not read without them
    (store.keyword_dir / "vectors.npy").unlink()
    assert KeywordIndex.load(store.keyword_dir) is None
    reopened = Store(settings, store.embedder)
    assert [c.id for c, _ in reopened.dense_search(query, 3)] == [c.id for c, _ in got[:3]]
    assert (store.keyword_dir / "vectors.npy").is_file()


@pytest.mark.parametrize(
    "damage",
    ["empty", "wrong width", "zeros", "nan", "huge header", "records a list"],
)
def test_a_damaged_saved_index_is_rebuilt_and_search_stays_right(settings, store, docs, damage):
    import numpy as np

    ingest([str(docs)], store)
    query = store.embedder.embed_query("Which framework should I learn first?")
    expected = [c.id for c, _ in store.dense_search(query, 3)]
    folder = store.keyword_dir
    rows = len(json.loads((folder / "records.json").read_text())["ids"])
    vectors = folder / "vectors.npy"
    if damage == "empty":
        vectors.write_bytes(b"")  # what a power cut after an unsynced rename leaves
    elif damage == "wrong width":
        np.save(vectors, np.ones((rows, 10), np.float32))
    elif damage in ("zeros", "nan"):
        np.save(vectors, np.full((rows, 64), 0.0 if damage == "zeros" else np.nan, np.float32))
    elif damage == "huge header":
        header = {"descr": "<f4", "fortran_order": False, "shape": (rows, 10**9)}
        with vectors.open("wb") as f:
            np.lib.format.write_array_header_1_0(f, header)
            f.write(b"\0" * 1000)
    else:
        (folder / "records.json").write_text("[]")
    reopened = Store(settings, store.embedder)
    assert [c.id for c, _ in reopened.dense_search(query, 3)] == expected
    assert np.load(vectors).shape == (rows, 64)  # saved again, whole


@pytest.mark.parametrize("first_use", ["search", "count"])
def test_a_long_lived_reader_finds_by_meaning_what_another_process_ingested(
    settings, embedder, docs, monkeypatch, first_use
):
    """A real second process (a CLI ingest beside `tutor serve`): the reader's Chroma client kept
    its vector index in memory, so dense search missed the new chunks until it reopened; also when
    the reader had only listed sources (no search, no keyword index yet) before the ingest."""
    import tutor.store

    ingest([str(docs)], Store(settings, embedder))
    reader = Store(settings, embedder)
    if first_use == "search":
        assert reader.dense_search(embedder.embed_query("PyTorch"), 3)
    else:
        assert reader.count() > 0
    write(docs / "extra.md", "# Extra\n\nKaggle competitions build discipline.")
    writer = (
        "from tests.conftest import FakeEmbedder; from ingest.pipeline import ingest; "
        "from tutor.config import Settings; from tutor.store import Store; "
        f"settings = Settings(data_dir={str(settings.data_dir)!r}, _env_file=None); "
        f"ingest([{str(docs)!r}], Store(settings, FakeEmbedder()))"
    )
    subprocess.run([sys.executable, "-c", writer], cwd=ROOT, check=True, capture_output=True)
    monkeypatch.setattr(tutor.store, "KEYWORD_RECHECK_SECONDS", 0.0)
    hits = reader.dense_search(embedder.embed_query("Kaggle competitions build discipline."), 3)
    assert hits and hits[0][0].title == "Extra"


def test_a_long_lived_reader_sees_writes_by_another_process(settings, embedder, docs, monkeypatch):
    import tutor.store

    ingest([str(docs)], Store(settings, embedder))
    reader = Store(settings, embedder)  # an API worker, say: its keyword index stays loaded
    assert reader.keyword_search("PyTorch TensorFlow", 3)
    write(docs / "extra.md", "# Extra\n\nKaggle competitions build discipline.")
    ingest([str(docs)], Store(settings, embedder))  # the other process publishes a new version
    monkeypatch.setattr(tutor.store, "KEYWORD_RECHECK_SECONDS", 0.0)
    assert reader.keyword_search("Kaggle competitions", 3)[0][0].title == "Extra"
    assert reader.published_version() == reader.version()


def test_control_characters_in_a_document_or_its_name_never_reach_the_store(store, tmp_path):
    hostile = tmp_path / "docs" / "g\x1b[31mred\x1b[0m.md"
    write(
        hostile,
        "# Gerbils \x1b]0;PWNED\x07 \x1b[2J\x1b[8mhidden\n\nGerbils live about 3 years in captivity.\n",
    )
    write(
        tmp_path / "docs" / "fm.md",
        "---\ntitle: Voles \x1b[2J\n---\nVoles dig shallow tunnels under the grass.\n",
    )
    report = ingest([str(tmp_path / "docs")], store)
    assert len(report.added) == 2, report.failed  # front matter with an escape is read, not refused
    doc = next(d for d in store.documents().values() if Path(d.doc_id).name.startswith("g"))
    chunk = store.keyword_search("gerbils captivity", 1)[0][0]
    for shown in (doc.source, doc.title, chunk.title, chunk.text):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in shown), repr(shown)
    # an escape sequence goes whole, not just its ESC ("red[0m" was left, inert but noise)
    assert chunk.title.startswith("Gerbils") and doc.source.endswith("gred.md")
    assert "hidden" in chunk.title and "[" not in chunk.title + doc.source
    assert {d.title.strip() for d in store.documents().values()} >= {"Voles"}


def test_a_name_or_title_with_a_line_break_or_a_bidi_override_is_shown_on_one_line(store, tmp_path):
    # "bad\nskipped everything.md" printed a forged "skipped ..." line; "\u202egnp.exe" shows as "exe.png"
    write(tmp_path / "docs" / "bad\nskipped everything.md", "x")
    write(tmp_path / "docs" / "new\nline.md", "Voles dig shallow tunnels under the grass.\n")
    write(
        tmp_path / "docs" / "fm.md",
        '---\ntitle: "Safe \u202egnp.exe\u202c title"\n---\nGerbils live 3 years.\n',
    )
    report = ingest([str(tmp_path / "docs")], store)
    ((name, _),) = report.skipped  # "x": nothing to index, passed over
    assert name.endswith("/bad skipped everything.md") and "\n" not in name
    shown = {d.source.rsplit("/", 1)[-1]: d.title for d in store.documents().values()}
    assert shown == {"new line.md": "new line", "fm.md": "Safe gnp.exe title"}


def test_a_url_is_named_without_the_user_and_password_it_carries():
    found = discover(
        ["https://alice:s3cret@docs.example.org/guide.html", "https://docs.example.org/guide.html"]
    )
    (target,) = found.targets
    assert target.source == target.doc_id == "https://docs.example.org/guide.html"
    assert target.url == "https://alice:s3cret@docs.example.org/guide.html"  # fetched as given


def test_a_chroma_server_is_named_without_the_password_its_host_carries(tmp_path):
    settings = Settings(
        data_dir=tmp_path, chroma_host="user:CHROMASECRET@127.0.0.1", chroma_port=1, _env_file=None
    )
    assert Store(settings, FakeEmbedder()).location == "Chroma server 127.0.0.1:1"


def test_a_copy_of_an_ingested_folder_is_named_as_one(store, docs, tmp_path):
    # a byte-identical copy of a folder under another name was added again without a word: each
    # passage was then found twice. It is still added (removing the first later must lose nothing)
    assert len(ingest([str(docs)], store).added) == 3
    copy = tmp_path / "copy"
    shutil.copytree(docs, copy)
    write(copy / "new.md", "# New\n\nA page only the copy has, about feature stores.")
    again = ingest([str(copy)], store)
    assert len(again.added) == 4 and again.ok
    twins = {source.split(f"{tmp_path.name}/")[-1]: why for source, why in again.notes}
    assert twins == {
        f"copy/{name}": f"the same text as {docs / name}: each passage will be found twice"
        for name in ("deep/dl.md", "intro.md", "time.txt")
    }
    # two identical files new in one run: the second is named as the first's copy
    write(tmp_path / "pair" / "a.md", "# Pair\n\nThe same words in two files of one folder.")
    write(tmp_path / "pair" / "b.md", "# Pair\n\nThe same words in two files of one folder.")
    pair = ingest([str(tmp_path / "pair")], store)
    assert len(pair.added) == 2 and [why.split(f"{tmp_path.name}/")[-1] for _, why in pair.notes] == [
        "pair/a.md: each passage will be found twice"
    ]
    # a folder moved and pruned in the same run is no copy of what it replaces
    moved = tmp_path / "moved"
    shutil.move(str(tmp_path / "pair"), moved)
    report = ingest([str(tmp_path / "pair"), str(moved)], store, prune=True)
    assert len(report.pruned) == 2 and len(report.added) == 2
    assert [why for _, why in report.notes if "pair/" in why] == []
