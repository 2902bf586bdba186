"""Chunking: sections from headings, sizes in model tokens, and the hard sequence-length limit."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from ingest.chunking import Chunker, chunk_id, plain_text_sections, split_sections
from tutor.grounding import split_sentences
from tutor.retrieval import joined
from tutor.types import Document


def md_doc(text: str, title: str = "Guide") -> Document:
    return Document("/x/guide.md", "guide.md", title, text, "md", {"id": "guide", "phase": "1"})


def test_sections_follow_heading_levels_and_ignore_code_fences():
    text = "# Guide\nintro\n## A\na text\n```\n# not a heading\n```\n### A1\ndeep\n## B\nb text"
    sections = [(path, body.strip()) for path, body in split_sections(text)]
    assert sections[1] == (["Guide"], "intro")
    assert sections[2] == (["Guide", "A"], "a text\n```\n# not a heading\n```")
    assert sections[3] == (["Guide", "A", "A1"], "deep")
    assert sections[4] == (["Guide", "B"], "b text")


def test_a_label_the_plain_text_repeats_stays_under_the_heading_before_it():
    # A saved page's pitfalls, each with a "Symptom" and a "Fix": "Fix" alone said nothing of which
    # pitfall it fixes, and "which algorithms should I master?" did not find it
    text = (
        "Learning too many algorithms\nSymptom\n\nCan list 20 names but tune none.\n\n"
        "Fix\n\nMaster 4 algorithms deeply.\n\n"
        "Skipping evaluation\nSymptom\n\nA 95% notebook model fails in production.\n\n"
        "Fix\n\nCross-validate before you deploy.\n"
    )
    assert [headings for headings, _ in plain_text_sections(text)] == [
        ["Learning too many algorithms", "Symptom"],
        ["Learning too many algorithms", "Fix"],
        ["Skipping evaluation", "Symptom"],
        ["Skipping evaluation", "Fix"],
    ]


def test_a_plain_text_line_with_an_address_is_no_heading():
    # "Open http://localhost:5000 to view runs" had cut the MLflow commands off from the address
    text = (
        "Track experiments with MLflow\npip install mlflow && mlflow ui\n"
        "Open http://localhost:5000 to view runs\nThe runs list each metric.\n"
    )
    assert [headings for headings, _ in plain_text_sections(text)] == [["Track experiments with MLflow"]]


def test_a_heading_spaced_as_its_title_is_not_repeated_under_it(embedder):
    # DocBook writes "4.&nbsp;Memcheck" in the page's <h1>; the title has a plain space: every
    # chunk's heading read "4. Memcheck › 4. Memcheck › 4.1. Overview"
    doc = md_doc(
        "# 4.\xa0Memcheck\n\n## 4.1.\xa0Overview\n\nMemcheck is a memory error detector.\n", "4. Memcheck"
    )
    [chunk] = Chunker(embedder).chunk(doc)
    assert chunk.heading == "4. Memcheck › 4.1. Overview"


def test_chunks_carry_section_path_metadata_and_stable_ids(embedder):
    doc = md_doc(
        "# Guide\n\n## Phase 2\n\n### Model evaluation\n\nUse cross-validation to compare models fairly.\n"
    )
    [chunk] = Chunker(embedder).chunk(doc)
    assert chunk.section == "Phase 2 › Model evaluation"  # the title is not repeated
    assert chunk.heading == "Guide › Phase 2 › Model evaluation"
    assert chunk.extra == {"topic_id": "guide", "phase": "1"}
    assert chunk.id == chunk_id("/x/guide.md", chunk.text)
    assert Chunker(embedder).chunk(doc)[0].id == chunk.id


def test_boilerplate_and_empty_sections_are_dropped(embedder):
    doc = md_doc(
        "# Guide\n\n## Menu\n\nHome | » |\n\n## Empty\n\n"
        "## Real\n\nPandas turns messy tables into clean ones."
    )
    chunks = Chunker(embedder).chunk(doc)
    assert [c.section for c in chunks] == ["Real"]


def test_a_piece_of_a_section_with_few_words_is_kept(embedder):
    numbers = ", ".join(str(i) for i in range(100))
    text = f"# Guide\n\n## Lists\n\nA long list:\n\n```\nvalues = [{numbers}]; total = sum(values)\n```\n"
    chunker = Chunker(embedder, chunk_size=80, chunk_overlap=10)
    chunks = chunker.chunk(md_doc(text))
    assert any("96, 97, 98, 99]" in c.text for c in chunks)  # the line's tail, no words in it
    assert all(chunker.tokens(c.index_text()) <= chunker.limit for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)


def test_repeated_passages_are_stored_once(embedder):
    para = "Share your progress every week in a learning log."
    doc = md_doc(f"# Guide\n\n## A\n\n{para}\n\n## B\n\n{para}")
    chunks = Chunker(embedder).chunk(doc)
    assert len({c.id for c in chunks}) == len(chunks)


LONG_CASES = {
    "prose": " ".join(f"Sentence {i} explains gradient boosting on tabular data." for i in range(400)),
    "no separators": "-".join(["gradient", "boosting", "wins"] * 700),
    "one giant word list": ",".join(f"token{i}" for i in range(3000)),
    "unicode": "数据科学与机器学习路线图 " * 800,
    "code": "```python\n"
    + "\n".join(f"value_{i} = compute({i}) * weights[{i}]" for i in range(500))
    + "\n```",
}


@pytest.mark.parametrize("case", sorted(LONG_CASES))
def test_no_chunk_exceeds_the_models_sequence_length(embedder, case):
    long_heading = "Very long heading " * 100
    doc = md_doc(f"# Guide\n\n## {long_heading}\n\n{LONG_CASES[case]}")
    chunker = Chunker(embedder, chunk_size=200, chunk_overlap=32)
    chunks = chunker.chunk(doc)
    assert len(chunks) > 1
    for chunk in chunks:
        assert embedder.count_tokens(chunk.index_text()) <= embedder.max_tokens


def test_chunk_size_is_respected_with_overlap(embedder):
    text = "\n\n".join(
        f"Paragraph {i} covers precision, recall and the F1 score in detail." for i in range(60)
    )
    chunker = Chunker(embedder, chunk_size=80, chunk_overlap=20)
    chunks = chunker.chunk(md_doc(f"# Guide\n\n## Metrics\n\n{text}"))
    assert all(chunker.tokens(c.text) <= 80 for c in chunks)
    # overlap: consecutive chunks share text
    assert any(c.text.split("\n\n")[-1] in n.text for c, n in itertools.pairwise(chunks))


def test_pdf_chunks_keep_page_numbers(embedder):
    doc = Document(
        "/x/a.pdf",
        "a.pdf",
        "Paper",
        "",
        "pdf",
        pages=["Alpha page about SQL joins.", "Beta page on pandas merges."],
    )
    assert [(c.page, c.text) for c in Chunker(embedder).chunk(doc)] == [
        (1, "Alpha page about SQL joins."),
        (2, "Beta page on pandas merges."),
    ]


def test_a_chunk_cut_inside_a_code_block_reopens_it_in_its_passage(embedder):
    code = "\n".join(f">>> step_{i} = fit(X[{i}], [{i}, {i + 1}])" for i in range(12))
    end = "The model is then ready to predict labels."
    text = f"# Guide\n\n## Fit\n\nFit it like this:\n```\n{code}\n```\n{end}"
    chunks = Chunker(embedder, chunk_size=80, chunk_overlap=0).chunk(md_doc(text))
    assert len(chunks) == 4 and not chunks[0].extra.get("in_code")
    assert all(c.extra.get("in_code") == "```" for c in chunks[1:])  # cut inside the block
    first, last = chunks[0], chunks[-1]
    # alone, the last chunk's closing fence ends a block its passage reopens: the sentence is text
    assert split_sentences(joined([last]), code=True)[-1] == end
    assert split_sentences(last.text, code=True)[-1].startswith("```\nThe model")  # without it: code
    # with text left out between two, the first's open block is closed before the second, unless
    # the second starts inside a block too
    after = replace(last, text="Strings can name columns.", extra={"gap": True})
    assert split_sentences(joined([first, after]), code=True)[-1] == "Strings can name columns."
    inside = replace(last, extra={"gap": True, "in_code": "```"})
    assert split_sentences(joined([first, inside]), code=True)[-1] == end


@pytest.mark.parametrize("overlap", [0, 24])
def test_a_sections_chunks_join_back_into_its_text(embedder, overlap):
    # printed rows, repeated (the default, no overlap: none taken for one) or not (an overlap is
    # found by its text, which repeated rows would make ambiguous)
    rows = "\n".join(f"       [0.        , {1 if not overlap else i}.        ]," for i in range(30))
    body = f"Distances:\n\n```\n>>> distances\narray([\n{rows}\n])\n```\n\nEach point is its own nearest."
    chunks = Chunker(embedder, chunk_size=60, chunk_overlap=overlap).chunk(
        md_doc(f"# Guide\n\n## Near\n\n{body}")
    )
    assert len(chunks) > 3
    assert joined(chunks) == body  # no repeated row taken for an overlap, none doubled
