"""`tutor profile`, `progress`, `next`, `plan` and `ask --learner` as a user meets them."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FakeEmbedder, write
from tests.learner.roadmaps import write_roadmap
from tutor import cli
from tutor.config import Settings
from tutor.learner import InvalidLearnerInput, Learners, UnknownTopic
from tutor.store import Store

runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setattr(cli.common, "open_store", lambda settings: Store(settings, FakeEmbedder()))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TUTOR_CORPUS_DIR", str(write_roadmap(tmp_path / "roadmap")))
    monkeypatch.delenv("TUTOR_LEARNER", raising=False)


def invoke(*args: str):
    return runner.invoke(cli.app, list(args))


def test_profile_progress_next_plan(tmp_path):
    result = invoke("profile", "--hours", "10", "--goal", "ML engineer", "--know", "How long it takes")
    assert result.exit_code == 0, result.output
    assert "hours per week: 10" in result.output and "already known:  How long it takes" in result.output
    assert invoke("progress", "basics", "--status", "done").exit_code == 0
    assert invoke("progress", "SQL", "-s", "learning").exit_code == 0  # a title or unique prefix works too
    nxt = json.loads(invoke("next", "--json").output)
    assert [t["id"] for t in nxt["topics"]] == ["sql", "data"]
    text = invoke("next").output
    assert "SQL for training data" in text and "prerequisite Python basics done" in text
    plan = json.loads(invoke("plan", "--hours", "5", "--start", "2026-06-01", "--json").output)
    assert plan["start"] == "2026-06-01" and plan["hours_per_week"] == 5 and plan["remaining_topics"] == 4
    result = invoke("plan", "--ics", str(tmp_path / "plan.ics"))
    assert result.exit_code == 0 and "Beside the publishers' own timelines" in result.output
    ics = (tmp_path / "plan.ics").read_text()
    assert ics.startswith("BEGIN:VCALENDAR") and ics.count("BEGIN:VEVENT") >= 4
    report = json.loads(invoke("progress", "--json").output)
    assert report["counts"] == {"pending": 3, "learning": 1, "done": 1, "skipped": 0, "known": 1}
    other = json.loads(invoke("next", "--learner", "bob", "--json").output)  # a new learner: everything ahead
    assert other["learner"] == "bob" and other["remaining"] == 6


def test_learner_from_the_environment(monkeypatch):
    monkeypatch.setenv("TUTOR_LEARNER", "carol")
    invoke("progress", "basics", "--status", "done")
    assert json.loads(invoke("profile", "--json").output)["name"] == "carol"


def test_mistakes_are_one_clear_error():
    result = invoke("progress", "sqll", "--status", "done")
    assert isinstance(result.exception, UnknownTopic) and "Did you mean sql?" in str(result.exception)
    result = invoke("progress", "D", "--status", "done")  # the start of two titles: not "unknown"
    assert str(result.exception) == "'D' is the start of 2 topics (data, deploy): name one."
    result = invoke("progress", "basics", "--status", "finished")
    assert isinstance(result.exception, InvalidLearnerInput) and "pending, learning, done" in str(
        result.exception
    )
    result = invoke("profile", "--learner", "Not a name!")
    assert isinstance(result.exception, InvalidLearnerInput) and "1 to 64 characters" in str(result.exception)
    result = invoke("plan", "--start", "tomorrow")
    assert "not a date" in str(result.exception)
    assert invoke("plan", "--hours", "0").exit_code != 0


def test_ask_with_a_learner_answers_from_the_record_and_roadmap_questions_from_the_documents():
    invoke("progress", "basics", "--status", "done")
    assert invoke("ingest", "roadmap").exit_code == 0
    path = json.loads(invoke("ask", "what should I do next?", "--learner", "me", "--json").output)
    assert path["provider"] == "learner" and "Next for me: How long it takes" in path["answer"]
    assert path["grounding"]["score"] == 1.0
    roadmap = json.loads(
        invoke("ask", "Why learn SQL for training data?", "--learner", "me", "--json").output
    )
    assert roadmap["provider"] == "offline"
    plain = json.loads(invoke("ask", "what should I do next?", "--json").output)
    assert plain["provider"] == "learner"  # no learner named: the default one, `me`, as every command
    assert plain["answer"] == path["answer"]


def test_in_a_chat_and_after_that_goes_on_along_the_learners_plan():
    # "and after that?" after "What should I do next?" was answered from unrelated passages
    invoke("progress", "basics", "--status", "done")
    assert invoke("ingest", "roadmap").exit_code == 0
    lines = ["What should I do next?", "and after that?", "and after that?", "/quit"]
    result = runner.invoke(cli.app, ["chat"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    first, second, third = said.split("you> ")[1:4]
    assert "Next for me: How long it takes" in first and "Then for me" not in first
    assert second.startswith("Then for me: ") and "How long it takes" not in second
    named = [part.split(" (")[0] for part in (second + third).split("Then for me: ")[1:]]
    assert named and len(named) == len(set(named))  # each topic named once along the chain
    assert not any(title in first for title in named)


def test_a_pace_set_in_the_question_is_the_plans_pace():
    """ "When will I finish if I study 20 hours a week?" was answered at the profile's pace (or
    sent to the documents as a statement of fact)."""
    assert invoke("profile", "--hours", "5").exit_code == 0
    assert invoke("ingest", "roadmap").exit_code == 0
    asked = json.loads(invoke("ask", "When will I finish if I study 20 hours a week?", "--json").output)
    assert asked["provider"] == "learner" and "at 20 hours a week" in asked["answer"]
    daily = json.loads(invoke("ask", "How long will it take me at 2 hours a day?", "--json").output)
    assert "at 12 hours a week" in daily["answer"]
    assert daily["answer"].startswith("Your plan: ")  # the default learner is the person asking, not "me's"
    mine = json.loads(invoke("ask", "When will I finish?", "--json").output)
    assert "at 5 hours a week" in mine["answer"]
    topic = json.loads(invoke("ask", "how long will it take me to learn SQL?", "--json").output)
    assert (
        topic["answer"] == "SQL for training data: 4–6 hours for the basics [1]."
    )  # one topic, not the plan


def test_a_path_question_is_the_documents_to_answer_when_none_of_the_roadmap_is_ingested(tmp_path):
    # a new user's trial on the Python tutorial: "What should I do next?" was answered with the
    # shipped roadmap's topics (and a note that none of them was ingested), not the tutorial's
    # own "What Now?" page
    write(
        tmp_path / "notes" / "next.md", "# What now\n\nAfter the tutorial, read the library reference next."
    )
    assert invoke("ingest", "notes").exit_code == 0
    answer = json.loads(invoke("ask", "What should I do next?", "--json").output)
    assert answer["provider"] != "learner" and "TUTOR_CORPUS_DIR" not in answer["answer"]
    assert "library reference" in answer["answer"]
    # declined by the documents, the answer says why the roadmap cannot answer it (a developer's
    # trial saw only "The documents don't cover this", where `tutor next` says why)
    declined = json.loads(invoke("ask", "What should I study this week?", "--json").output)
    assert declined["refused"] and "Your path: none of the" in declined["answer"]
    assert "TUTOR_CORPUS_DIR" in declined["answer"] and declined["answer"].startswith("The documents don't")
    assert invoke("ingest", "roadmap").exit_code == 0  # the roadmap's topics in the store: its plan
    planned = json.loads(invoke("ask", "What should I do next?", "--json").output)
    assert planned["provider"] == "learner" and "TUTOR_CORPUS_DIR" not in planned["answer"]
    # No hours in the profile: the plan's pace is said in its own, cited sentence.
    left = json.loads(invoke("ask", "How long have I got left?", "--json").output)
    assert "so the plan assumes" in left["answer"] and left["grounding"]["score"] == 1.0


def test_how_long_one_topic_takes_is_its_front_matter_duration_cited_to_its_file():
    """ "How long does SQL take?" found the time-plans page (its title matches "how long") and
    answered with whole-roadmap figures, or declined."""
    assert invoke("ingest", "roadmap").exit_code == 0
    answer = json.loads(invoke("ask", "How long does SQL take?", "--json").output)
    assert answer["answer"] == "SQL for training data: 4–6 hours for the basics [1]."
    assert answer["grounding"]["score"] == 1.0
    (cited,) = answer["citations"]
    assert cited["source"].endswith("12-sql.md") and cited["section"] == "front matter"
    # No topic named, several named alike, or a topic without a duration: the documents answer.
    assert json.loads(invoke("ask", "How long does it take?", "--json").output)["provider"] != "learner"
    # The whole roadmap: the learner's plan beside the publishers' timelines.
    whole = json.loads(invoke("ask", "How long does the whole roadmap take?", "--json").output)
    assert (
        whole["provider"] == "learner"
        and "TheCodeForge" in whole["answer"]
        and "360 hours" in whole["answer"]
    )


def test_the_topic_a_how_long_question_names():
    from tutor.learner.graph import load_graph
    from tutor.learner.topics import topic_asked

    graph = load_graph(write_roadmap(Path(tempfile.mkdtemp()) / "roadmap"))
    assert topic_asked("How long does SQL take?", graph) == "sql"
    assert topic_asked("how many hours for pandas data work", graph) == "data"
    assert topic_asked("How long does the roadmap take?", graph) is None
    assert topic_asked("What is SQL?", graph) is None  # not a question of time


def test_a_renamed_topic_is_kept_and_can_be_moved(tmp_path, monkeypatch):
    from tests.conftest import write
    from tests.learner.roadmaps import topic_file
    from tutor.learner import graph

    monkeypatch.setattr(graph, "RECHECK_SECONDS", 0)
    invoke("progress", "sql", "--status", "done")
    (tmp_path / "roadmap" / "12-sql.md").unlink()
    write(
        tmp_path / "roadmap" / "12-sql2.md",
        topic_file("sql-basics", "SQL for training data", "1. Basics", 3, None, ["basics"], "SQL."),
    )
    shown = invoke("progress").output
    assert "kept:" in shown and "tutor progress sql --move-to sql-basics" in shown
    assert invoke("progress", "sql", "--move-to", "sql-basics").exit_code == 0
    report = json.loads(invoke("progress", "--json").output)
    assert (
        report["orphans"] == [] and {t["id"]: t["status"] for t in report["topics"]}["sql-basics"] == "done"
    )
    # Moves that would lose a record are refused, and leave every record as it was: again (the
    # old id now names sql-basics by prefix: onto itself), from a topic still in the roadmap (onto
    # one with a record of its own, or not).
    invoke("progress", "basics", "--status", "learning")
    for args, says in [
        (("sql", "--move-to", "sql-basics"), "same topic"),
        (("basics", "--move-to", "sql-basics"), "still a topic of the roadmap"),
        (("basics", "--move-to", "data"), "still a topic of the roadmap"),
    ]:
        result = invoke("progress", *args)  # main() prints the error and exits 1
        assert isinstance(result.exception, InvalidLearnerInput) and says in str(result.exception)
    statuses = {t["id"]: t["status"] for t in json.loads(invoke("progress", "--json").output)["topics"]}
    assert statuses["sql-basics"] == "done" and statuses["basics"] == "learning"
    history = Learners.from_settings(Settings(_env_file=None)).repository.history("me")
    moves = [(e["topic"], e["status"]) for e in reversed(history)]  # oldest first
    assert moves == [("sql", "done"), ("sql-basics", "done"), ("basics", "learning")]


def test_an_empty_learner_option_is_an_error_and_an_empty_variable_means_me(monkeypatch):
    invoke("profile", "--hours", "6")
    result = invoke("profile", "--learner", "", "--hours", "5")
    assert isinstance(result.exception, InvalidLearnerInput)
    monkeypatch.setenv("TUTOR_LEARNER", "")
    shown = invoke("profile")
    assert shown.exit_code == 0 and "hours per week: 6" in shown.output  # me, unchanged


def test_saying_learning_of_a_known_topic_takes_it_off_the_known_list():
    invoke("profile", "--know", "basics")
    assert invoke("progress", "basics", "--status", "learning").exit_code == 0
    learners = Learners.from_settings(Settings(_env_file=None))
    state = learners.state("me")
    assert "basics" not in state.profile.known and state.progress["basics"].status.value == "learning"
    invoke("profile", "--know", "basics")  # and done keeps it known
    assert invoke("progress", "basics", "--status", "done").exit_code == 0
    assert "basics" in learners.state("me").profile.known


def test_roadmap_next_and_plan_read_a_folder_with_broken_files_alike(tmp_path, monkeypatch):
    roadmap = tmp_path / "roadmap"
    (roadmap / "broken.md").write_text(
        "---\nid: Bad_Id\ntitle: t\nphase: p\norder: 1\nsources: [x]\n---\nbody\n"
    )
    (roadmap / "twin.md").write_text((roadmap / "10-basics.md").read_text())
    shown = invoke("roadmap", "--corpus", str(roadmap))
    assert shown.exit_code == 0, shown.output  # the tree, and a warning per problem
    assert "broken.md: invalid front matter: id: String should match pattern '^[a-z0-9]+(-[a-z0-9]+)*$'" in (
        " ".join(shown.output.split())
    )
    assert (
        "errors.pydantic.dev" not in shown.output and shown.output.count("(basics)") == 1
    )  # as next reads it
    # the file left out is the one named as left out (it named the other)
    assert "duplicate id 'basics' in 10-basics.md and twin.md: twin.md is left out" in " ".join(
        shown.output.split()
    )
    only_broken = tmp_path / "only-broken"
    only_broken.mkdir()
    (only_broken / "broken.md").write_text((roadmap / "broken.md").read_text())
    monkeypatch.setenv("TUTOR_CORPUS_DIR", str(only_broken))
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (only_broken, empty):
        monkeypatch.setenv("TUTOR_CORPUS_DIR", str(folder))
        for command in ("next", "plan"):  # not "the roadmap is complete"
            result = invoke(command)
            assert result.exit_code != 0 and "No valid topic" in str(result.exception), result.output
            assert "front matter gives id, title, phase, order and sources" in str(result.exception)
        # A question about one's own path is answered from the documents, not an error.
        asked = invoke("ask", "What should I do next?", "--json")
        assert asked.exit_code == 0, asked.output
        assert json.loads(asked.stdout)["provider"] != "learner"
