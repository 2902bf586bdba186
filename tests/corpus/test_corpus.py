"""The shipped corpus: valid front matter, a sound prerequisite graph, real URLs, own wording."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.config import SHIPPED_CORPUS_DIR
from tutor.roadmap import Resource, TopicMeta, load_roadmap, roadmap_problems

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
TOPICS = load_roadmap(SHIPPED_CORPUS_DIR)


def test_corpus_size_and_every_file_validates():
    assert 25 <= len(TOPICS) <= 40
    files = sorted(p for p in SHIPPED_CORPUS_DIR.rglob("*.md") if p.name != "README.md")
    assert len(files) == len(TOPICS)  # load_roadmap raised on any invalid front matter


def test_ids_unique_prerequisites_exist_no_cycles_no_empty_bodies():
    assert roadmap_problems(TOPICS) == []


def test_every_phase_has_topics_in_a_clear_order():
    phases = sorted({t.meta.phase for t in TOPICS})
    assert [p.split(".")[0] for p in phases] == [str(i) for i in range(len(phases))]
    for phase in phases:
        orders = [t.meta.order for t in TOPICS if t.meta.phase == phase]
        assert len(orders) == len(set(orders)), f"duplicate order in {phase}"


def test_resources_have_well_formed_https_urls():
    resources = [r for t in TOPICS for r in t.meta.resources]
    assert len(resources) >= 40
    assert all(r.url.startswith("https://") for r in resources)
    assert {r.type for r in resources} >= {"course", "book", "video", "docs", "dataset"}


@pytest.mark.parametrize(
    "bad",
    ["http://example.org", "https://", "example.org/page", "https://localhost", "https://exa mple.org"],
)
def test_url_check_rejects_malformed_urls(bad):
    with pytest.raises(ValueError, match="well-formed"):
        Resource(title="x", url=bad, type="docs", free=True)


def test_schema_rejects_unknown_fields_and_bad_ids():
    base = {"id": "ok-id", "title": "t", "phase": "1. x", "order": 1, "sources": ["Edirae"]}
    TopicMeta.model_validate(base)
    with pytest.raises(ValueError):
        TopicMeta.model_validate({**base, "id": "Bad Id"})
    with pytest.raises(ValueError):
        TopicMeta.model_validate({**base, "unexpected": 1})
    with pytest.raises(ValueError):
        TopicMeta.model_validate({**base, "sources": []})


def test_roadmap_problems_catch_duplicates_unknown_prereqs_and_cycles(tmp_path):
    def topic(name, tid, prereqs):
        (tmp_path / name).write_text(
            f"---\nid: {tid}\ntitle: T\nphase: '1. P'\norder: 1\nprerequisites: {prereqs}\n"
            "sources: [Edirae]\n---\n# T\n\nBody text.\n"
        )

    topic("a.md", "a", "[b]")
    topic("b.md", "b", "[a]")
    topic("c.md", "a", "[missing]")
    problems = roadmap_problems(load_roadmap(tmp_path))
    assert any("duplicate id 'a'" in p for p in problems)
    assert any("unknown prerequisite 'missing'" in p for p in problems)
    assert any("prerequisite cycle" in p for p in problems)


def test_time_plans_present_each_publishers_numbers():
    plans = next(t for t in TOPICS if t.meta.id == "time-plans").body
    for fact in ("360 hours", "9–12 months", "15–20 hours a week", "26 weeks", "48 weeks", "12–18 months"):
        assert fact in plans
    for publisher in ("TheCodeForge", "AI Learning Hub", "course.careers", "Edirae"):
        assert publisher in plans


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def seed_sentences() -> set[str]:
    sentences = set()
    for path in SEEDS.glob("*.txt"):
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", path.read_text(encoding="utf-8")):
            words = normalise(sentence)
            if len(words.split()) >= 12:
                sentences.add(words)
    return sentences


@pytest.mark.seeds
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present (fresh clone): check skipped")
def test_no_sentence_of_the_reference_roadmaps_is_copied():
    copied = []
    sentences = seed_sentences()
    assert len(sentences) > 300
    for topic in TOPICS:
        for paragraph in re.split(r"\n\s*\n", topic.body):
            text = normalise(paragraph)
            copied += [(topic.path.name, s) for s in sentences if s in text]
    assert copied == []
