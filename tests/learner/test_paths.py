"""What next, the plan and the progress report as pure functions: order, reasons, packing into
weeks, corpus edits (orphans, new topics), and someone's broken corpus reported, never raised."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from tests.conftest import write
from tests.learner.roadmaps import TOPICS, generated_topics, topic_file, write_roadmap
from tutor.config import SHIPPED_CORPUS_DIR
from tutor.learner import graph as graph_module
from tutor.learner.durations import DEFAULT_HOURS, WEEK_HOURS, estimate_hours
from tutor.learner.graph import load_graph, roadmap_graph
from tutor.learner.paths import next_topics, orphans, plan_order, progress_report, study_plan
from tutor.learner.state import LearnerState, Profile, Source, Status, TopicProgress

MONDAY = date(2026, 5, 4)


def state(known=(), hours=None, **statuses) -> LearnerState:
    progress = {
        topic: TopicProgress(topic, Status(s), Source.SELF, datetime(2026, 5, 1, tzinfo=UTC), topic.title())
        for topic, s in statuses.items()
    }
    return LearnerState(Profile("ada", known=tuple(known), hours_per_week=hours), progress)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("4–6 hours for the basics if you already know pandas", 5),
        ("about 2 weeks of practice problems", 2 * WEEK_HOURS),
        ("6–8 weeks (AI Learning Hub); weeks 7–14 (course.careers)", 7 * WEEK_HOURS),
        ("weeks 15–20 together with a specialisation (course.careers)", 6 * WEEK_HOURS),
        ("3 days", 6),
        ("6 to 18 months, depending on the plan", DEFAULT_HOURS),  # a whole plan, not one topic
        ("2–6 weeks of Python first, if you are new to programming", DEFAULT_HOURS),  # time for another topic
        ("ongoing", DEFAULT_HOURS),
        ("about 10 minutes of reading", 10 / 60),
        ("90 min", 1.5),
        ("about 10 minutes of reading; 2–6 weeks of Python first", 10 / 60),
        (None, DEFAULT_HOURS),
        # a pace kept for a time counts whole (it was its first figure: 1.5 h, 0.5 h), six study days a week
        ("1-2 hours a day for a week", 9),
        ("30 minutes a day for 3 weeks", 9),
        ("5 hours a week for 2 months", 5 * 2 * 52 / 12),
        ("2 hours a day", 2),  # no time it is kept for: the figure as written
        ("10 hours a week for 6 months", DEFAULT_HOURS),  # a whole plan
    ],
)
def test_hours_from_the_front_matter_duration(text, hours):
    estimate = estimate_hours(text)
    assert estimate.hours == pytest.approx(hours)
    assert estimate.reason  # every estimate says where it comes from


def test_next_is_ready_topics_in_phase_and_order_with_reasons(roadmap_dir):
    graph = load_graph(roadmap_dir)
    assert [t.id for t in next_topics(graph, state())] == ["plans", "basics"]
    items = next_topics(graph, state(plans="done", basics="done", sql="learning"))
    assert [t.id for t in items] == ["sql", "data"]  # in progress first, then by phase and order
    assert items[0].reason == "in progress; prerequisite Python basics done; about 5 h; phase 1 (Basics)"
    assert items[1].reason == "prerequisite Python basics done; about 12 h; phase 1 (Basics)"


def test_known_and_skipped_unlock_like_done(roadmap_dir):
    graph = load_graph(roadmap_dir)
    items = next_topics(graph, state(known=["basics", "data"], sql="skipped"))
    models = next(t for t in items if t.id == "models")
    assert "prerequisites Data with pandas known; SQL for training data skipped" in models.reason
    assert {"basics", "data", "sql"}.isdisjoint(t.id for t in items)


def test_plan_packs_remaining_topics_into_weeks_in_prerequisite_order(roadmap_dir):
    graph = load_graph(roadmap_dir)
    plan = study_plan(graph, state(plans="done"), hours_per_week=10, today=MONDAY)
    order = [n.id for n in plan_order(graph, state(plans="done"))]
    assert order == ["basics", "data", "sql", "models", "deploy"]
    assert plan.remaining_hours == pytest.approx(3 + 12 + 5 + DEFAULT_HOURS + 24)
    assert [w.hours for w in plan.weeks] == [10, 10, 10, 10, 10, 2]
    first = plan.weeks[0]
    assert [(i.id, i.hours, i.part) for i in first.topics] == [("basics", 3, "whole"), ("data", 7, "starts")]
    assert (plan.weeks[1].topics[0].id, plan.weeks[1].topics[0].part) == ("data", "ends")
    assert plan.start == MONDAY and plan.finish == date(2026, 6, 14)  # the Sunday of week 6
    assert plan.hours_from == "given"
    assert "52 h" in plan.summary and "6 weeks" in plan.summary


def test_plan_pace_comes_from_the_profile_else_a_stated_default(roadmap_dir):
    graph = load_graph(roadmap_dir)
    assert study_plan(graph, state(hours=6), today=MONDAY).hours_from == "profile"
    default = study_plan(graph, state(), today=MONDAY)
    assert (default.hours_from, default.hours_per_week) == ("default", 10)


def test_plan_sets_the_publishers_timelines_beside_it_with_their_file(roadmap_dir):
    plan = study_plan(load_graph(roadmap_dir), state(), today=MONDAY)
    assert [(t.label, t.path, t.section) for t in plan.timelines] == [
        ("TheCodeForge", "00-plans.md", "The plans compared"),
        ("Edirae", "00-plans.md", "The plans compared"),
    ]
    assert (
        plan.timelines[0].summary
        == "weekly effort: 2 hours a day, 6 days a week; total: about 6 months, 360 hours"
    )


def test_a_table_of_lengths_that_are_no_spans_of_time_is_no_timeline(tmp_path):
    # "Maximum length at that speed" over "100 m": a cable table, shown as "the publishers' timelines"
    table = (
        "## Categories\n\n| Category | Maximum length at that speed | Total hours to learn |\n"
        "|---|---|---|\n| Cat5e | 100 m | |\n| Cat6 | 55 m | 1 hour |"
    )
    write(tmp_path / "cables.md", topic_file("cables", "Cables", "1. Home", 1, "2 hours", [], table))
    timelines = study_plan(load_graph(tmp_path), state(), today=MONDAY).timelines
    assert [(t.label, t.summary) for t in timelines] == [
        ("Cat6", "maximum length at that speed: 55 m; total hours to learn: 1 hour")
    ]


def test_a_duration_with_no_figure_is_a_problem_not_a_quiet_default(tmp_path):
    write(tmp_path / "solo.md", topic_file("solo", "Solo", "1. Play", 1, "a weekend", [], "Play a solo."))
    graph = load_graph(tmp_path)
    assert graph.problems == ["solo.md: duration “a weekend” gives no figure: the default (8 h)"]
    assert graph.topics["solo"].hours == DEFAULT_HOURS
    assert not roadmap_graph(SHIPPED_CORPUS_DIR).problems


def test_shipped_roadmap_timelines_are_the_publishers_rows():
    plan = study_plan(roadmap_graph(SHIPPED_CORPUS_DIR), state(), today=MONDAY)
    labels = [t.label for t in plan.timelines]
    assert labels[0] == "TheCodeForge" and "course.careers (Zero to Hireable)" in labels
    assert "9–12 months" in plan.timelines[2].summary and plan.timelines[0].path == "01-time-plans.md"


def test_nothing_left(roadmap_dir):
    graph = load_graph(roadmap_dir)
    everything = state(**dict.fromkeys(graph.topics, "done"))
    assert next_topics(graph, everything) == []
    plan = study_plan(graph, everything, today=MONDAY)
    assert plan.weeks == [] and plan.finish is None and "nothing left" in plan.summary


def test_cycle_and_missing_prerequisite_are_reported_and_topics_stay_reachable(tmp_path):
    topics = dict(TOPICS)
    topics["11-data.md"] = ("data", "Data with pandas", "1. Basics", 2, None, ["basics", "models"], "Data.")
    topics["12-sql.md"] = ("sql", "SQL", "1. Basics", 3, None, ["basics", "no-such-topic"], "SQL.")
    graph = load_graph(write_roadmap(tmp_path / "r", topics))
    problems = "\n".join(graph.problems)
    assert "unknown prerequisite 'no-such-topic'" in problems
    assert "prerequisite cycle: " in problems and "data" in problems and "models" in problems
    plan = study_plan(graph, state(), today=MONDAY)
    assert plan.remaining_topics == len(topics)  # every topic is planned, none lost to the cycle
    assert plan.problems == graph.problems
    assert "sql" in [t.id for t in next_topics(graph, state(basics="done"))]


def test_broken_front_matter_and_duplicate_ids_are_left_out_with_a_reason(tmp_path):
    folder = write_roadmap(tmp_path / "r")
    write(folder / "30-broken.md", "---\nid: [unclosed\n---\n# Broken\n")
    write(folder / "31-copy.md", topic_file("sql", "Another SQL", "1. Basics", 9, None, [], "Again."))
    write(folder / "32-plain.md", "# Notes without front matter\n\nJust a document.")
    graph = load_graph(folder)
    assert len(graph.topics) == len(TOPICS)
    problems = "\n".join(graph.problems)
    assert "30-broken.md" in problems and "duplicate id 'sql'" in problems and "plain" not in problems


def test_a_long_cycle_in_a_large_roadmap_is_no_hang(tmp_path):
    topics = generated_topics(2000)
    first = topics["t00000.md"]
    topics["t00000.md"] = (*first[:5], ["t01999"], first[6])  # closes a cycle through the whole chain
    started = time.perf_counter()
    graph = load_graph(write_roadmap(tmp_path / "big", topics))
    plan = study_plan(graph, state(), hours_per_week=10, today=MONDAY)
    assert plan.remaining_topics == 2000 and any("prerequisite cycle" in p for p in graph.problems)
    assert time.perf_counter() - started < 60


def test_corpus_edit_keeps_progress_on_removed_and_renamed_topics_and_adds_new_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_module, "RECHECK_SECONDS", 0)
    folder = write_roadmap(tmp_path / "r")
    learner = state(basics="done", sql="done")
    learner.progress["sql"] = TopicProgress(
        "sql", Status.DONE, Source.QUIZ, datetime(2026, 5, 2, tzinfo=UTC), "SQL for training data"
    )
    assert orphans(roadmap_graph(folder), learner) == []
    # the editor renames sql to sql-basics (same title), removes deploy, adds a new topic
    (folder / "12-sql.md").unlink()
    write(
        folder / "12-sql-basics.md",
        topic_file("sql-basics", "SQL for training data", "1. Basics", 3, None, ["basics"], "SQL."),
    )
    (folder / "21-deploy.md").unlink()
    write(
        folder / "22-monitoring.md",
        topic_file("monitoring", "Monitoring", "2. Models", 3, None, ["models"], "Watch it."),
    )
    graph = roadmap_graph(folder)
    report = progress_report(graph, learner)
    assert [(o.topic, o.status, o.source, o.maybe_now) for o in report.orphans] == [
        ("sql", "done", "quiz", "sql-basics")
    ]
    lines = {line.id: line.status for line in report.topics}
    assert lines["sql-basics"] == "pending" and lines["monitoring"] == "pending" and lines["basics"] == "done"
    assert "1 record(s) on topics no longer in the roadmap (kept)" in report.summary
    # a removed topic the learner never touched just disappears; nothing else changes
    assert "deploy" not in lines and len(report.orphans) == 1


def test_known_topic_that_left_the_roadmap_is_an_orphan_too(roadmap_dir):
    graph = load_graph(roadmap_dir)
    learner = LearnerState(Profile("ada", known=("basics", "gone"), known_titles={"gone": "Old topic"}), {})
    assert [(o.topic, o.status, o.title) for o in orphans(graph, learner)] == [("gone", "known", "Old topic")]


def test_a_plan_start_out_of_range_is_a_clear_error(roadmap_dir):
    from tutor.learner.state import InvalidLearnerInput

    with pytest.raises(InvalidLearnerInput, match="between 1970 and 2200"):
        study_plan(load_graph(roadmap_dir), state(), start=date(9999, 12, 1), today=MONDAY)


def test_a_store_holding_none_of_the_roadmaps_topics_is_named_as_a_problem(
    learners, learner_settings, tmp_path
):
    # Someone ingests their own roadmap and leaves TUTOR_CORPUS_DIR unset: next and the plan followed
    # the other roadmap without a word.
    from ingest.pipeline import ingest
    from tests.conftest import FakeEmbedder
    from tutor.store import Store

    assert learners.next("me").problems == []  # no store yet: nothing to compare
    store = Store(learner_settings, FakeEmbedder())
    write(
        tmp_path / "own" / "guitar.md", "# Guitar\n\nPractise the C, G and D chords for 15 minutes a day.\n"
    )
    ingest([str(tmp_path / "own")], store)
    note = [p for p in learners.next("me").problems if "none of the" in p]
    assert note and "TUTOR_CORPUS_DIR" in note[0] and f"“{learner_settings.corpus_dir.name}”" in note[0]
    assert str(tmp_path) not in note[0]  # the note goes to HTTP clients too: no server paths
    assert note == [p for p in learners.plan("me", hours_per_week=5).problems if "none of the" in p]
    ingest([str(learner_settings.corpus_dir)], store)  # the roadmap's own topics are in the store now
    assert not [p for p in learners.next("me").problems if "none of the" in p]


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("sqll", "sql"),  # a typo of an id
        ("deploying models", "deploy"),  # was "models, deploy": the one closest only
        ("pandas", "data"),  # a word of one title: "Data with pandas"
        ("pyton", "basics"),  # a typo of a word of one title: "Python basics"
        ("xyz", None),
        ("learning", None),
    ],
)
def test_an_unknown_topic_names_the_one_closest_topic_or_none(roadmap_dir, text, suggestion):
    from tutor.learner.service import resolve_topic
    from tutor.learner.state import UnknownTopic

    with pytest.raises(UnknownTopic) as caught:
        resolve_topic(roadmap_graph(roadmap_dir), text)
    assert caught.value.topic == text and caught.value.suggestion == suggestion
    if suggestion:
        assert str(caught.value).endswith(f"Did you mean {suggestion}?") and "," not in str(caught.value)
    else:
        assert "`tutor roadmap`" in str(caught.value)  # the command line's hint
    assert "tutor roadmap" not in caught.value.public  # the other doors': no command to run


def test_the_shipped_roadmap_suggests_no_unrelated_topic():
    from tutor.learner.service import resolve_topic
    from tutor.learner.state import UnknownTopic

    graph = roadmap_graph(SHIPPED_CORPUS_DIR)
    expected = {
        "boosting": "gradient-boosting",  # was "gradient-boosting, plotting"
        "leakage": "data-leakage",  # was "data-leakage, linear-algebra"
        "pandas": "numpy-pandas",  # was "numpy-pandas, time-plans"
        "motivation": "staying-motivated",  # was "model-evaluation, plotting, staying-motivated"
        "statistic": "probability-statistics",
        "maths": None,  # not career-paths for its "paths"
    }
    for text, suggestion in expected.items():
        with pytest.raises(UnknownTopic) as caught:
            resolve_topic(graph, text)
        assert caught.value.suggestion == suggestion, text
