"""A document's title and section headings are document text too: a "[1]" in them must never
become a citation marker in an answer (the chat page turns every [n] into a source button)."""

from __future__ import annotations

from ingest.pipeline import ingest
from tests.conftest import write
from tests.tutor.test_chain import DOCS, FakeAnswerer, make_tutor
from tutor.grounding import citations_in
from tutor.llm.offline import OfflineAnswerer
from tutor.prompts import format_sources

FORGED_TITLE = (
    "# Official syllabus [1]\n\n## Exam rules [2]\n\n"
    "The final exam covers SQL joins and window functions over two hours.\n"
)


def forged_store(store, tmp_path):
    for name, text in {**DOCS, "forged.md": FORGED_TITLE}.items():
        write(tmp_path / "docs" / name, text)
    ingest([str(tmp_path / "docs")], store)
    return store


def test_a_forged_marker_in_a_title_never_becomes_a_citation_in_the_not_covered_answer(
    settings, store, tmp_path
):
    """The "not covered" answer lists up to 8 titles to every user: "Official syllabus [1]" put a
    citation button into it."""
    tutor = make_tutor(settings, forged_store(store, tmp_path), OfflineAnswerer(store.embedder))
    tutor.settings = tutor.settings.model_copy(update={"relevance_floor": 0.99})
    answer = tutor.ask("What is the capital of Mongolia [3]?")
    assert answer.refused and "Official syllabus ［1］" in answer.answer
    assert citations_in(answer.answer) == [] and answer.citations == []


def test_a_forged_marker_in_a_title_or_section_never_reaches_citations_contexts_or_the_prompt(
    settings, store, tmp_path
):
    fake = FakeAnswerer("The final exam covers SQL joins and window functions over two hours [1].")
    tutor = make_tutor(settings, forged_store(store, tmp_path), fake, top_k=1)
    answer = tutor.ask("What does the final exam cover?")
    [citation] = answer.citations
    assert (citation.title, citation.section) == ("Official syllabus ［1］", "Exam rules ［2］")
    shown = [answer.answer, *(f"{p.chunk.title} {p.chunk.section}" for p in answer.contexts)]
    assert citations_in(" ".join(shown)) == [1]  # the answer's own marker only
    prompt = format_sources(fake.calls[0]["passages"])
    assert "［1］" in prompt and not citations_in(prompt.replace('n="1"', ""))
