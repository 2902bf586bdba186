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
    files = sorted(SHIPPED_CORPUS_DIR.rglob("*.md"))
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


# --- Own wording: no run of 12 words shared with the reference roadmaps (see the last test's docstring)

RUN_WORDS = 12
WORD = re.compile(r"[^\W_]+")  # a run of letters and digits: \w without the underscore


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def runs(text: str, size: int = RUN_WORDS) -> set[str]:
    """Every window of `size` consecutive words of `text`, across sentence, line and markup boundaries."""
    w = words(text)
    return {" ".join(w[i : i + size]) for i in range(len(w) - size + 1)}


def shared_runs(corpus: dict[str, str], seeds: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """{corpus file: {run: [seed files it occurs in]}} for every run a corpus file shares with a seed.

    Computed from both sides, which must agree: the corpus's runs looked up in the seeds, and the
    seeds' runs looked up in each corpus file.
    """
    seed_runs = {name: runs(text) for name, text in seeds.items()}
    found: dict[str, dict[str, list[str]]] = {}
    for name, text in corpus.items():
        own = runs(text)
        corpus_side = {r for r in own if any(r in s for s in seed_runs.values())}
        seed_side = {r for s in seed_runs.values() for r in s if r in own}
        assert corpus_side == seed_side, f"{name}: the two directions disagree"
        if corpus_side:
            found[name] = {r: [s for s, sr in seed_runs.items() if r in sr] for r in sorted(corpus_side)}
    return found


def describe(found: dict[str, dict[str, list[str]]]) -> str:
    lines = [f"{sum(map(len, found.values()))} run(s) of {RUN_WORDS} words copied from the seed pages:"]
    for name, copied in found.items():
        lines.append(f"{name}: {len(copied)} run(s)")
        lines += [f'    "{run}"  (in {", ".join(seeds)})' for run, seeds in copied.items()]
    return "\n".join(lines)


def test_runs_cross_sentence_line_and_markup_boundaries_and_are_found_from_both_sides():
    seed = "Menu | Home\nStart with the basics. Then build a small project every single week, and ship it."
    corpus = {
        "copied.md": "---\nid: x\n---\n# T\n\n*Start* with the **basics**:\n- then build a small\n  project "
        "every `single` week.",
        # shares only 11 consecutive words ("start ... every single"): below the threshold
        "eleven.md": "Start with the basics. Then build a small project every single month, and ship it.",
        "own.md": "Learn the basics first, and finish one small project each week.",
    }
    found = shared_runs(corpus, {"seed.txt": seed})
    assert list(found) == ["copied.md"]
    assert found["copied.md"] == {
        "start with the basics then build a small project every single week": ["seed.txt"]
    }
    assert "copied.md: 1 run(s)" in describe(found)
    assert words("Scikit-learn's R² score") == ["scikit", "learn", "s", "r²", "score"]


@pytest.mark.seeds
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present (fresh clone): check skipped")
def test_no_run_of_twelve_words_is_shared_with_the_reference_roadmaps():
    """No 12 consecutive words of any shipped corpus file occur in the seed pages (../shared/seeds).

    Words: each file is lower-cased and cut into words made of letters and digits only (Unicode-aware,
    so "scikit-learn" is two words and "R²" one). The whole file is one word stream, so a run can start
    in one sentence, line, list item or table cell and end in the next; paragraphs are not separate.

    Front matter and Markdown are kept, not stripped: everything in a corpus file ships and is
    ingested, so a copied title, duration or resource note counts as much as a copied paragraph. The
    markup drops out by itself, since `#`, `*`, `|`, backticks, brackets and YAML's `:` and `-` are not
    letters or digits; what survives of it is a URL's few words ("https docs python org"). The seed
    pages, menus and code included, get exactly the same treatment. The corpus's authoring guide
    (docs/corpus.md) is checked too.

    Both directions: for runs of one fixed length, "a corpus run found in a seed page" and "a seed run
    found in the corpus" are the same set. shared_runs computes it from each side and asserts the two
    agree, then this test asserts it is empty, naming every offending file, run and seed page.
    Skipped on a fresh clone, which has no ../shared; CI has it and runs this check.
    """
    seeds = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    assert len(seeds) >= 5 and sum(len(runs(t)) for t in seeds.values()) > 5000, "seed pages missing"
    guide = SHIPPED_CORPUS_DIR.parent / "docs" / "corpus.md"  # it ships too
    files = [*sorted(SHIPPED_CORPUS_DIR.rglob("*.md")), guide]
    assert guide.is_file()
    corpus = {
        p.relative_to(SHIPPED_CORPUS_DIR.parent).as_posix(): p.read_text(encoding="utf-8") for p in files
    }
    found = shared_runs(corpus, seeds)
    assert not found, describe(found)


def test_the_pages_meant_for_reading_take_minutes_in_a_plan_not_the_default_study_hours():
    """The shipped start-here and getting-hired reading pages were given the 8-hour default each,
    so a plan spent weeks on them; their front matter says how long reading them takes."""
    from tutor.learner.durations import estimate_hours

    reading = {
        "who-is-this-for", "time-plans", "how-to-study", "career-paths",
        "staying-motivated", "common-mistakes", "courses", "faq",
    }  # fmt: skip
    by_id = {t.meta.id: t for t in TOPICS}
    assert reading <= set(by_id)
    for topic_id in reading:
        estimate = estimate_hours(by_id[topic_id].meta.duration)
        assert estimate.from_front_matter and estimate.hours < 1, topic_id
