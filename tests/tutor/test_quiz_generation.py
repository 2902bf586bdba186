"""Quiz generation: offline cloze items from a small roadmap and from the shipped corpus, LLM drafts
from canned replies (a fake answerer and the real OpenAI SDK on loopback): invalid drafts asked for
once more, then dropped, never served; `tutor quiz --json` and `tutor eval --quiz`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.quiz import find_duplicates
from ingest.pipeline import ingest
from tests.canned import openai_reply
from tests.conftest import FakeEmbedder, write
from tutor import cli
from tutor.errors import NotFoundError, ProviderError
from tutor.llm.providers import OpenAIAnswerer
from tutor.quiz import QuizMaker, grade, normalise
from tutor.quiz.items import plain
from tutor.quiz.offline import Inventory, code_kind
from tutor.quiz.validation import problems
from tutor.store import Store

ROOT = Path(__file__).resolve().parents[2]


def topic(tid: str, title: str, phase: str, order: int, body: str) -> str:
    return (
        f'---\nid: {tid}\ntitle: {title}\nphase: "{phase}"\norder: {order}\nprerequisites: []\n'
        f"sources: [Test]\n---\n# {title}\n\n{body}\n"
    )


ROADMAP = {
    "sql.md": topic(
        "sql",
        "SQL for training data",
        "1. Foundations",
        1,
        "## Why\n\nMost production pipelines pull their training data from databases such as Postgres "
        "or BigQuery.\n\n## Pandas users\n\nIf you know pandas, do the **SQLZoo** interactive "
        "tutorial; it covers the basics in an afternoon.\n\nLoad the result into pandas with "
        "`pd.read_sql` and carry on from there.",
    ),
    "python.md": topic(
        "python",
        "Python for ML",
        "1. Foundations",
        2,
        "## Libraries\n\nLearn **NumPy** for arrays before anything else, then Matplotlib for "
        "plots.\n\n## Environments\n\nKeep each project in its own virtual environment managed "
        "by Poetry, so installs never clash.",
    ),
    "evaluation.md": topic(
        "model-evaluation",
        "Model evaluation",
        "2. Classical ML",
        1,
        "## Cross-validation\n\nUse **stratified** folds for classification so every fold keeps the "
        "class balance.\n\n## Rules\n\nTheCodeForge's rule: a model needs three checks on record "
        "before anyone discusses deploying it.\n\n## Metrics\n\nFor rare positives the precision "
        "recall curve says more than the ROC curve, so report AUC-PR as well.",
    ),
    "imbalanced.md": topic(
        "imbalanced-data",
        "Imbalanced classes",
        "2. Classical ML",
        2,
        "## Resampling\n\nApply **SMOTE** only to the training folds, never before the split.\n\n"
        "## Weights\n\nWeighting the classes with **class weights** is the first thing to try, "
        "according to Scikit-learn's guide.",
    ),
}


@pytest.fixture
def roadmap_store(store, tmp_path, monkeypatch) -> Store:
    monkeypatch.chdir(tmp_path)
    for name, text in ROADMAP.items():
        write(tmp_path / "docs" / name, text)
    report = ingest(["docs"], store)
    assert not report.failed
    return store


class FakeLLM:
    """An LLM answerer double for quiz drafting: queued `complete()` replies, every prompt kept."""

    name = "fake"

    def __init__(self, *replies: str | Exception):
        self.replies = list(replies)
        self.prompts: list[str] = []

    def complete(self, prompt: str, *, system: str | None = None, max_tokens: int = 200) -> str:
        self.prompts.append(prompt)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def choice_draft(stem: str, right: str, wrong: list[str], statement: str, passage: int = 1) -> dict:
    options = [{"text": right, "correct": True}] + [{"text": w, "correct": False} for w in wrong]
    return {"kind": "choice", "passage": passage, "stem": stem, "options": options, "statement": statement}


GOOD = choice_draft(
    "Which folds keep the class balance in every fold?",
    "stratified folds",
    ["shuffled folds", "grouped folds", "time-series folds"],
    "Use stratified folds for classification so every fold keeps the class balance.",
)
DUPLICATE_OPTIONS = choice_draft(
    "Which curve says more for rare positives?",
    "precision recall curve",
    ["Precision-recall curve!", "ROC curve", "lift curve"],
    "For rare positives the precision recall curve says more than the ROC curve.",
    passage=3,
)
GIVES_AWAY = choice_draft(
    "Is AUC-PR worth reporting for rare positives, as AUC-PR is?",
    "AUC-PR",
    ["accuracy", "R2", "MSE"],
    "For rare positives, report AUC-PR as well.",
    passage=3,
)
UNSUPPORTED = choice_draft(
    "How many checks must a model pass?",
    "five checks",
    ["two checks", "one check", "no check"],
    "A model needs five checks on record before deployment.",
    passage=2,
)
NUMBER = {
    "kind": "number",
    "passage": 2,
    "stem": "How many checks on record does TheCodeForge's rule ask for before deploying?",
    "answer": "3",
    "tolerance": 0,
    "statement": "TheCodeForge's rule: a model needs three checks on record before deploying it.",
}


def reply(*drafts: dict) -> str:
    return "Here you are:\n```json\n" + json.dumps({"items": list(drafts)}) + "\n```"


# --- offline ------------------------------------------------------------------------------------


def test_offline_items_cite_a_passage_that_proves_them(roadmap_store):
    maker = QuizMaker(roadmap_store)
    chunks = {c.id: c for doc in maker.topics().values() for c in doc.chunks}
    seen = 0
    for tid in maker.topics():
        items, rejected = maker.offline_items(tid)
        assert rejected == []
        for item in items:
            seen += 1
            chunk = chunks[item.source.chunk_id]
            assert item.source.quote in " ".join(plain(chunk.text).split())
            assert problems(item, chunk.text, maker.judge) == []
            assert "_____" in item.stem and normalise(item.answer) not in normalise(item.stem)
            if item.kind == "choice":
                assert len(item.options) >= 3 and item.correct_label
                topic_text = normalise(" ".join(c.text for c in maker.topics()[tid].chunks))
                for option in item.options:
                    if normalise(option.text) != normalise(item.answer):
                        assert f" {normalise(option.text)} " not in f" {topic_text} "
            assert grade(item, item.answer).correct
    assert seen >= 8


def test_distractors_are_terms_of_the_same_kind_from_sibling_topics(roadmap_store):
    maker = QuizMaker(roadmap_store)
    items, _ = maker.offline_items("sql")
    sqlzoo = next(i for i in items if i.answer == "SQLZoo")
    assert sqlzoo.kind == "choice"
    others = {o.text for o in sqlzoo.options} - {"SQLZoo"}
    assert others <= {"NumPy", "Matplotlib", "Poetry", "SMOTE", "TheCodeForge", "Scikit-learn", "AUC-PR"}
    assert others & {"NumPy", "Matplotlib", "Poetry"}  # the sibling topic of the same phase first


def test_distractors_come_from_the_same_folder_first(store, tmp_path, monkeypatch):
    """Notes on one subject ingested beside another subject's pages: the notes' own terms are
    offered first (a statistics quiz offered scikit-learn's "C-ordered" and "Quinlan")."""
    monkeypatch.chdir(tmp_path)
    notes = {
        "mean.md": "# The mean\n\nThe **arithmetic mean** is what **Gauss** used for errors.",
        "spread.md": "# Spread\n\n**Fisher** and **Pearson** described variance; **Bessel** corrected it.",
    }
    for name, text in notes.items():
        write(tmp_path / "stats" / name, text)
    write(
        tmp_path / "ml" / "trees.md",
        "# Trees\n\n**Quinlan** wrote ID3; **Breiman** wrote CART; **Hinton** and **LeCun** did not.",
    )
    ingest(["stats", "ml"], store)
    items, _ = QuizMaker(store).offline_items("stats/mean.md")
    gauss = next(i for i in items if i.answer == "Gauss")
    others = {o.text for o in gauss.options} - {"Gauss"}
    assert others == {"Fisher", "Pearson", "Bessel"}


def test_offline_generation_is_deterministic(roadmap_store, settings):
    first = QuizMaker(roadmap_store).make("model-evaluation", 5)
    again = QuizMaker(Store(settings, FakeEmbedder())).make("model-evaluation", 5)
    assert [i.to_dict() for i in first.items] == [i.to_dict() for i in again.items]
    assert first.generator == "offline" and first.items


def test_a_figure_is_asked_as_a_number(roadmap_store):
    items, _ = QuizMaker(roadmap_store).offline_items("model-evaluation")
    figure = next(i for i in items if i.kind == "number")
    assert figure.answer == "3" and "three" not in figure.stem
    assert grade(figure, "three").correct and grade(figure, "3 checks").correct


def test_a_footnote_marker_is_no_figure(store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = (
        "## Hives\n\nRegister every hive with the council before the spring inspection [1][2].\n\n"
        "Inspect each hive every 9 days in the swarming season [3]."
    )
    write(tmp_path / "docs" / "bees.md", topic("bees", "Keeping bees", "1. Basics", 1, body))
    ingest(["docs"], store)
    items, _ = QuizMaker(store).offline_items("bees")
    numbers = [i for i in items if i.kind == "number"]
    assert numbers and {i.answer for i in numbers} == {"9"}  # not 1, 2 or 3 of "[1][2]", "[3]"


def test_a_quiz_leaves_out_items_not_due_and_never_gives_one_answer_in_another(roadmap_store):
    maker = QuizMaker(roadmap_store)
    full = maker.make("model-evaluation", 10)
    assert len({i.id for i in full.items}) == len(full.items)
    for a in full.items:
        for b in full.items:
            if a is not b and b.kind != "number":
                assert f" {normalise(b.answer)} " not in f" {normalise(a.stem)} "
    seen = {full.items[0].id}
    rest = maker.make("model-evaluation", 10, exclude=seen)
    assert full.items[0].id not in {i.id for i in rest.items}
    none = maker.make("model-evaluation", 10, exclude={i.id for i in full.items})
    assert none.items == [] and "not due" in none.warnings[0]


def test_topics_by_id_source_or_title_and_an_unknown_one_named(roadmap_store):
    maker = QuizMaker(roadmap_store)
    assert maker.topic("sql").id == "sql"
    assert maker.topic("Model Evaluation").id == "model-evaluation"
    assert maker.topic("imbalanced.md").id == "imbalanced-data"
    with pytest.raises(NotFoundError, match=r"No topic or document 'zebras'.*sql"):
        maker.topic("zebras")


def test_the_shipped_corpus_yields_valid_distinct_items_for_every_topic(settings, monkeypatch):
    store = Store(settings, FakeEmbedder())
    monkeypatch.chdir(ROOT)
    ingest([str(ROOT / "corpus")], store)
    maker = QuizMaker(store)
    everything = []
    for tid in maker.topics():
        items, rejected = maker.offline_items(tid)
        assert items, f"{tid} yields no item"
        assert not rejected, rejected
        everything += items
    assert len(everything) >= 150
    assert find_duplicates(everything) == []
    # an identifier is asked among identifiers, never beside a file path of the corpus's README
    read_sql = next(i for i in everything if i.answer == "pd.read_sql")
    assert read_sql.kind == "choice"
    assert [code_kind(o.text) for o in read_sql.options] == ["code"] * len(read_sql.options)


def test_a_term_the_topic_uses_inside_a_dotted_name_is_no_distractor():
    sql = normalise("Group rows with `df.groupby('g').agg(...)` first.")
    inventory = Inventory(texts={"sql": " " + sql + " "})
    assert inventory.occurs("groupby", "sql") and inventory.occurs("group rows", "sql")
    assert not inventory.occurs("group", "pandas") and not inventory.occurs("roupby", "sql")


def test_paths_and_identifiers_are_kinds_apart():
    paths = [
        "tests/corpus/test_corpus.py",
        "corpus/",
        "README.md",
        "requirements.txt",
        "evals/thresholds.toml",
    ]
    code = ["pd.read_sql", "groupby", "model.fit()", "ColumnTransformer", "torch.no_grad"]
    assert {code_kind(p) for p in paths} == {"path"}
    assert {code_kind(c) for c in code} == {"code"}


# --- LLM drafts ---------------------------------------------------------------------------------


def test_valid_llm_drafts_are_served_first_without_a_retry(roadmap_store):
    llm = FakeLLM(reply(GOOD, NUMBER))
    quiz = QuizMaker(roadmap_store).make("model-evaluation", 3, answerer=llm)
    assert len(llm.prompts) == 1 and "<source" in llm.prompts[0]
    assert quiz.generator == "fake" and quiz.drafts.valid_first == 2 and quiz.drafts.retried == 0
    stems = [i.stem for i in quiz.items]
    assert GOOD["stem"] in stems and NUMBER["stem"] in stems and len(quiz.items) == 3
    good = next(i for i in quiz.items if i.stem == GOOD["stem"])
    assert good.generator == "llm:fake" and [o.label for o in good.options] == ["A", "B", "C", "D"]
    assert grade(good, "stratified folds").correct
    assert grade(good, good.correct_label.lower()).correct
    assert "stratified" in good.source.quote and good.source.section == "Cross-validation"


def test_invalid_drafts_are_asked_for_once_more_then_dropped(roadmap_store):
    fixed = choice_draft(
        "Which curve says more for rare positives than the ROC curve?",
        "the precision recall curve",
        ["the lift curve", "the calibration curve", "the learning curve"],
        "For rare positives the precision recall curve says more than the ROC curve.",
        passage=3,
    )
    llm = FakeLLM(
        reply(GOOD, DUPLICATE_OPTIONS, GIVES_AWAY, UNSUPPORTED), reply(fixed, UNSUPPORTED, GIVES_AWAY)
    )
    quiz = QuizMaker(roadmap_store).make("model-evaluation", 4, answerer=llm)
    assert len(llm.prompts) == 2  # one retry, for the three rejected drafts together
    retry = llm.prompts[1]
    assert "options repeat" in retry and "gives the answer away" in retry and "does not support" in retry
    report = quiz.drafts
    assert (report.valid_first, report.retried, report.valid_retry) == (1, 3, 1)
    assert len(report.dropped) == 2
    served = {i.stem for i in quiz.items}
    assert GOOD["stem"] in served and fixed["stem"] in served
    assert not served & {DUPLICATE_OPTIONS["stem"], GIVES_AWAY["stem"], UNSUPPORTED["stem"]}
    assert len(quiz.items) >= 3  # offline items fill up


def test_a_reply_that_does_not_parse_is_asked_again_once(roadmap_store):
    llm = FakeLLM("Sure! Question 1: what is a fold?", reply(GOOD))
    quiz = QuizMaker(roadmap_store).make("model-evaluation", 2, answerer=llm)
    assert len(llm.prompts) == 2 and "JSON only" in llm.prompts[1]
    assert GOOD["stem"] in {i.stem for i in quiz.items}
    llm = FakeLLM("no", "still no")
    quiz = QuizMaker(roadmap_store).make("model-evaluation", 2, answerer=llm)
    assert len(llm.prompts) == 2 and quiz.items and all(i.generator == "offline" for i in quiz.items)
    assert quiz.drafts.errors and quiz.drafts.valid == 0


def test_drafts_that_are_not_items_are_rejected_not_crashes(roadmap_store):
    odd = [
        {"kind": "essay", "passage": 1, "stem": "Discuss."},
        {"kind": "choice", "passage": 99, "stem": "?", "options": [], "statement": "x"},
        {"kind": "choice", "passage": 1, "stem": "Two right?", "statement": "stratified folds",
         "options": [{"text": "stratified", "correct": True}, {"text": "k-fold", "correct": True}]},
        {"kind": "number", "passage": 2, "stem": "How many?", "answer": "3", "tolerance": "0",
         "statement": "3"},
        "not an object",
    ]  # fmt: skip
    llm = FakeLLM(json.dumps({"items": odd}), json.dumps({"items": []}))
    quiz = QuizMaker(roadmap_store).make("model-evaluation", 2, answerer=llm)
    assert quiz.drafts.drafted == 4 and quiz.drafts.valid == 0
    assert "2 options marked correct" in llm.prompts[1] and "unknown kind" in llm.prompts[1]
    assert all(i.generator == "offline" for i in quiz.items)


def test_a_provider_failure_falls_back_to_offline_items(roadmap_store):
    llm = FakeLLM(ProviderError("Anthropic is rate limiting requests (429)", retryable=True))
    quiz = QuizMaker(roadmap_store).make("model-evaluation", 3, answerer=llm)
    assert quiz.generator == "offline" and quiz.items
    assert "rate limiting" in quiz.warnings[0]
    # What the operator's log may hold (the provider's address, its reply) is not in the warning,
    # which reaches learners and API clients.
    inner = "http://10.0.0.7:11434/v1 said: upstream model llama-internal crashed"
    llm = FakeLLM(ProviderError(inner, public="The language model provider failed; try again."))
    quiz = QuizMaker(roadmap_store).make("model-evaluation", 3, answerer=llm)
    assert "provider failed; try again" in quiz.warnings[0] and "10.0.0.7" not in " ".join(quiz.warnings)


def test_llm_drafts_through_the_real_openai_sdk(roadmap_store, server):
    server.replies.append(openai_reply(reply(GOOD)))
    answerer = OpenAIAnswerer(
        api_key="sk-test", model=None, timeout=5, max_retries=0, max_tokens=100, base_url=server.url + "/v1"
    )
    quiz = QuizMaker(roadmap_store).make("model-evaluation", 2, answerer=answerer)
    body = server.requests[0]["body"]
    assert body["temperature"] == 0 and body["messages"][0]["role"] == "system"
    assert "JSON" in body["messages"][0]["content"]
    assert quiz.items[0].stem == GOOD["stem"] or GOOD["stem"] in {i.stem for i in quiz.items}


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TUTOR_PROVIDER", "offline")
    monkeypatch.setenv("TUTOR_CORPUS_DIR", str(tmp_path / "docs"))
    fake = FakeEmbedder()
    monkeypatch.setattr(cli.common, "open_store", lambda settings: Store(settings, fake))
    monkeypatch.setattr("tutor.embedders.get_embedder", lambda settings: fake)
    for name, text in ROADMAP.items():
        write(tmp_path / "docs" / name, text)
    return tmp_path


def test_tutor_quiz_json_prints_the_items_without_their_keys(cli_env):
    result = CliRunner().invoke(cli.app, ["quiz", "model-evaluation", "--n", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    assert data["topic"] == "model-evaluation" and len(data["items"]) == 2
    item = data["items"][0]
    assert set(item) == {"id", "topic", "kind", "stem", "options", "citation"}
    assert set(item["citation"]) == {"source", "title", "section", "url"}
    result = CliRunner().invoke(cli.app, ["quiz", "model-evaluation", "--json", "--with-answers"])
    keyed = json.loads(result.stdout[result.stdout.index("{") :])["items"][0]
    assert keyed["answer"] and keyed["citation"]["quote"] and "says" in keyed["explanation"]


def test_tutor_quiz_in_a_terminal_grades_each_answer(cli_env):
    result = CliRunner().invoke(cli.app, ["quiz", "sql", "--n", "2"], input="e\nSQLZoo\nb\n")
    assert result.exit_code == 0, result.output
    assert "E is not one of the options: try again" in result.output
    assert "Right." in result.output and "covers the basics" in result.output  # the quote after answering
    assert " of 2 right" in result.output or " of 1 right" in result.output


def test_tutor_quiz_names_an_unknown_topic(cli_env, monkeypatch):
    result = CliRunner().invoke(cli.app, ["quiz", "zebras", "--json"])
    assert result.exit_code != 0 and "No topic or document 'zebras'" in str(result.exception)


def test_tutor_eval_quiz_gates_on_its_limits(cli_env, monkeypatch):
    monkeypatch.setenv("TUTOR_CORPUS_DIR", str(cli_env / "docs"))
    easy = write(cli_env / "easy.toml", "[quiz]\nvalid_share = 1.0\nduplicates = 0\ngive_aways = 0\n")
    hard = write(cli_env / "hard.toml", "[quiz]\nitems_per_topic_min = 50\n")
    bad = write(cli_env / "bad.toml", "[quiz]\nspeed = 1\n")
    runner = CliRunner()
    args = ["eval", "--quiz", "--provider", "offline", "--report-json", "q.json", "--report-md", "q.md"]
    result = runner.invoke(cli.app, [*args, "--thresholds", str(easy)])
    assert result.exit_code == 0, result.output
    report = json.loads((cli_env / "q.json").read_text())
    assert report["summary"]["topics"] == 4 and report["summary"]["valid_share"] == 1.0
    assert report["items"] and (cli_env / "q.md").read_text().startswith("# Quiz eval")
    result = runner.invoke(cli.app, [*args, "--thresholds", str(hard)])
    assert result.exit_code == 1 and "items_per_topic_min" in result.output
    result = runner.invoke(cli.app, [*args, "--thresholds", str(bad)])
    assert result.exit_code != 0 and "unknown limits speed" in str(result.exception)


def test_the_shipped_thresholds_gate_the_offline_generator():
    from evals.dataset import DEFAULT_THRESHOLDS
    from evals.quiz import load_quiz_thresholds

    limits = load_quiz_thresholds(DEFAULT_THRESHOLDS)
    assert limits["valid_share"] == 1.0 and limits["duplicates"] == 0 and limits["supported_share"] >= 0.95


def test_tutor_eval_quiz_measures_an_llms_drafts(cli_env, monkeypatch):
    import tutor.llm

    drafts = reply(GOOD, DUPLICATE_OPTIONS)
    llm = FakeLLM(*[drafts, reply()] * 4)
    monkeypatch.setattr(tutor.llm, "resolve_provider", lambda settings, name=None: name or "offline")
    monkeypatch.setattr(tutor.llm, "get_answerer", lambda settings, embedder, name=None, model=None: llm)
    result = CliRunner().invoke(cli.app, ["eval", "--quiz", "--provider", "fake", "--report-json", "q.json"])
    assert result.exit_code == 0, result.output
    report = json.loads((cli_env / "q.json").read_text())
    assert report["generator"] == "llm:fake" and len(llm.prompts) == 8  # a draft and a retry per topic
    summary = report["summary"]
    # GOOD holds for model-evaluation's first passage only; elsewhere both drafts are rejected, and the
    # retry (an empty list) replaces none of them
    assert summary["draft_valid_share"] == 1 / 8 and summary["dropped"] == 1 + 2 * 3
    assert summary["valid_share"] == 1.0  # what is served after validation
    assert report["drafts"]["model-evaluation"]["valid_first"] == 1


def test_tutor_quiz_keeps_the_learners_answers_and_tutor_review_brings_them_back(cli_env, monkeypatch):
    from datetime import timedelta

    import tutor.quiz.records as records_module
    from tutor.config import Settings
    from tutor.learner import LearnerRepository

    runner = CliRunner()
    first = runner.invoke(cli.app, ["review", "--learner", "ada"])
    assert first.exit_code == 0 and "Nothing to review for ada yet: take a quiz first" in first.output
    keyed = runner.invoke(cli.app, ["quiz", "sql", "--n", "3", "--json", "--with-answers"])
    items = json.loads(keyed.stdout[keyed.stdout.index("{") :])["items"]
    assert len(items) == 3
    answers = "".join(f"{i['answer']}\n" for i in items)
    result = runner.invoke(cli.app, ["quiz", "sql", "--n", "3", "--learner", "Ada"], input=answers)
    assert result.exit_code == 0, result.output
    assert (
        "3 of 3 right" in result.output and "Recorded for ada: SQL for training data — done" in result.output
    )
    progress = LearnerRepository.from_settings(Settings()).state("ada").progress["sql"]
    assert (progress.status.value, progress.source.value) == ("done", "quiz")
    again = runner.invoke(cli.app, ["quiz", "sql", "--learner", "ada"])
    assert again.exit_code == 1 and "not due for review yet" in again.output  # not served again yet
    nothing = runner.invoke(cli.app, ["review", "--learner", "ada"])
    assert nothing.exit_code == 0 and "Nothing is due for review for ada" in nothing.output
    assert "The next of 3 card(s) is due" in nothing.output

    real = records_module.utc
    monkeypatch.setattr(
        records_module, "utc", lambda moment=None: real(moment) if moment else real() + timedelta(days=1)
    )
    # --json lists what is due, as the API does: no answer in it, nothing asked
    listed = runner.invoke(cli.app, ["review", "--learner", "ada", "--json"])
    assert listed.exit_code == 0, listed.output
    due_items = json.loads(listed.stdout)["items"]
    assert len(due_items) == 3 and all("due" in i and "answer" not in i for i in due_items)
    # -n leaves two of the three due: said so, not a next review already past
    one = runner.invoke(cli.app, ["review", "--learner", "ada", "-n", "1"], input=answers)
    assert one.exit_code == 0, one.output
    assert "1 item(s) due for review" in one.output
    assert "2 more due now: run `tutor review` again" in one.output
    due = runner.invoke(cli.app, ["review", "--learner", "ada"], input=answers)
    assert due.exit_code == 0, due.output
    assert "2 item(s) due for review for ada" in due.output and "Next review due" in due.output


def test_an_answer_left_ungraded_in_the_terminal_shows_nothing_of_the_key(cli_env):
    result = CliRunner().invoke(cli.app, ["quiz", "sql", "--n", "1"], input="e\ne\n")
    assert result.exit_code == 0, result.output
    assert "Not graded (E is not one of the options): it does not count." in result.output
    assert "SQLZoo interactive" not in result.output and "0 of 0 right, 1 not graded" in result.output


def test_a_quiz_below_the_mark_says_it_did_not_undo_a_topic_marked_done(cli_env):
    from tutor.config import Settings
    from tutor.learner import LearnerRepository

    runner = CliRunner()
    assert runner.invoke(cli.app, ["progress", "sql", "--status", "done", "--learner", "bo"]).exit_code == 0
    keyed = runner.invoke(cli.app, ["quiz", "sql", "--n", "3", "--json", "--with-answers"])
    items = json.loads(keyed.stdout[keyed.stdout.index("{") :])["items"]
    wrong = "".join(
        next((o["text"] for o in i["options"] if o["text"] != i["answer"]), "Excel") + "\n" for i in items
    )
    result = runner.invoke(cli.app, ["quiz", "sql", "--n", "3", "--learner", "bo"], input=wrong)
    assert result.exit_code == 0 and "0 of 3 right" in result.output, result.output
    assert "Recorded for" not in result.output
    assert "Not recorded: SQL for training data keeps" in result.output
    progress = LearnerRepository.from_settings(Settings()).state("bo").progress["sql"]
    assert (progress.status.value, progress.source.value) == ("done", "self")
