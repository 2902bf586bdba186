"""The judge calibration set's shape, the per-split/category tallies, recorded LLM judge replies and
the [calibration] gate of `tutor eval --calibrate` (fake embedder: no model is loaded)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from evals.dataset import DEFAULT_CALIBRATION, FIRST_CALIBRATION, load_calibration, load_judge_replies
from evals.judges import recorded_judges
from evals.run import Tally, calibrate, missed_calibration, tally
from tests.conftest import FakeEmbedder, write
from tutor import cli
from tutor.errors import ConfigError

UNSUPPORTED = {
    "number_changed",
    "unit_changed",
    "binding_swapped",
    "entity_swapped",
    "negation",
    "comparative_flipped",
    "outside_knowledge",
    "wrong_citation",
    "needs_two_passages",
}
SUPPORTED = {"paraphrase", "verbatim", "multi_passage_supported"}


def test_the_shipped_calibration_set_keeps_its_shape():
    pairs = load_calibration(DEFAULT_CALIBRATION)
    assert DEFAULT_CALIBRATION.name == "judge.jsonl" and len(pairs) >= 250
    assert len({p.corpus for p in pairs}) >= 2
    assert {p.split for p in pairs} == {"dev", "test"}
    per_category = Counter(p.category for p in pairs)
    assert set(per_category) == UNSUPPORTED | SUPPORTED
    assert all(n >= 15 for n in per_category.values()), per_category
    for split in ("dev", "test"):  # every category on both sides of the split
        assert set(Counter(p.category for p in pairs if p.split == split)) == UNSUPPORTED | SUPPORTED
    assert all(not p.supported for p in pairs if p.category in UNSUPPORTED)
    assert all(p.supported for p in pairs if p.category in SUPPORTED)
    dev = {passage for p in pairs if p.split == "dev" for passage in p.passages}
    test = {passage for p in pairs if p.split == "test" for passage in p.passages}
    assert not dev & test, "a passage in both splits"
    assert len(load_calibration(FIRST_CALIBRATION)) == 76  # the first judge's pairs stay selectable


PAIRS = [
    {"id": "a", "sentence": "It takes 4 weeks [1].", "passages": ["It takes 4 weeks."], "supported": True},
    {"id": "b", "sentence": "It takes 9 weeks [1].", "passages": ["It takes 4 weeks."], "supported": False},
    {
        "id": "c",
        "sentence": "The course is free [1].",
        "passages": ["The course is paid."],
        "supported": False,
    },
]


def labelled(tmp_path, split: str | None = "test"):
    lines = [
        json.dumps({**p, "category": "number_changed" if p["id"] == "b" else "paraphrase", "split": split})
        for p in PAIRS
    ]
    return write(tmp_path / "pairs.jsonl", "\n".join(lines) + "\n")


def test_tallies_per_split_and_category_and_the_gate():
    pairs = load_calibration(FIRST_CALIBRATION)[:4]
    by_split = tally(pairs, [True, "missing", False, None])
    assert by_split["all"]["all"].pairs == 3  # the pair without a recorded reply is left out
    t = Tally()
    for verdict, label in [(True, True), (True, False), (False, False), (None, False)]:
        t.add(verdict, label)
    assert (t.accuracy, t.unsupported_recall, t.supported_precision) == (0.75, 2 / 3, 0.5)
    missed = missed_calibration(
        {"all": t, "negation": t}, {"accuracy": 0.8, "category_accuracy": 0.8}, "test"
    )
    assert missed == ["test: accuracy 0.750 < 0.8", "test: negation accuracy 0.750 < 0.8"]


def test_recorded_replies_are_scored_like_a_judge(tmp_path, settings, monkeypatch):
    monkeypatch.setattr("tutor.embedders.get_embedder", lambda settings: FakeEmbedder())
    replies = write(
        tmp_path / "replies.jsonl",
        '{"judge": "llm:test", "id": "a", "verdict": "supported"}\n'
        '{"judge": "llm:test", "id": "b", "verdict": "supported"}\n',
    )
    result = calibrate(settings, path=labelled(tmp_path), replies=replies)
    assert set(result.tallies) == {"offline", "llm:test (recorded)"}
    recorded = result.tallies["llm:test (recorded)"]["test"]
    assert recorded["all"].pairs == 2 and recorded["all"].accuracy == 0.5
    assert result.tallies["offline"]["test"]["all"].accuracy == 1.0 and not result.failed
    judges = recorded_judges(load_judge_replies(replies))
    assert judges[0].judge_ids(["a", "z"]) == [True, "missing"]
    write(replies, '{"judge": "j", "id": "a", "verdict": "supported"}\n' * 2)
    with pytest.raises(ConfigError, match="two replies"):
        load_judge_replies(replies)


def test_calibrate_command_prints_tables_and_exits_1_below_the_gate(tmp_path, monkeypatch):
    monkeypatch.setattr("tutor.embedders.get_embedder", lambda settings: FakeEmbedder())
    thresholds = write(tmp_path / "t.toml", "[calibration]\naccuracy = 0.9\ncategory_accuracy = 0.9\n")
    args = ["eval", "--calibrate", "--data-dir", str(tmp_path / "d"), "--thresholds", str(thresholds)]
    runner = CliRunner(env={"COLUMNS": "200"})  # rich draws the whole table
    result = runner.invoke(cli.app, [*args, "--calibration-set", str(labelled(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "number_changed" in result.output and "none are recorded here" in result.output
    bad = write(
        tmp_path / "bad.jsonl",
        labelled(tmp_path).read_text().replace('"supported": false', '"supported": true'),
    )
    result = runner.invoke(cli.app, [*args, "--calibration-set", str(bad)])
    assert result.exit_code == 1 and "misses its calibration minimums" in result.output
    # --split dev shows dev only (tuning on dev shows no test figure); the gate still reads test
    two = write(
        tmp_path / "two.jsonl",
        labelled(tmp_path).read_text()
        + labelled(tmp_path, split="dev").read_text().replace('"id": "', '"id": "d'),
    )
    result = runner.invoke(cli.app, [*args, "--calibration-set", str(two), "--split", "dev"])
    assert result.exit_code == 0 and "dev split" in result.output, result.output
    assert "test split (" not in result.output and "all split (" not in result.output
    result = runner.invoke(cli.app, [*args, "--calibration-set", str(bad), "--split", "dev"])
    assert result.exit_code == 1 and "misses its calibration minimums" in result.output
    untagged = labelled(tmp_path, split=None)  # no test split: the gate reads all pairs
    result = runner.invoke(cli.app, [*args, "--calibration-set", str(untagged)])
    assert result.exit_code == 0 and "(all split)" in result.output


def test_a_sentence_is_judged_against_the_passages_it_cites(tmp_path, settings, monkeypatch):
    # "… [2]." where only the first passage says it: a wrong citation, as an answer's check reads it
    monkeypatch.setattr("tutor.embedders.get_embedder", lambda settings: FakeEmbedder())
    right = "Kaggle Notebooks give about 30 free GPU hours a week."
    other = "Lightning.ai has a free tier with a GPU and a VS Code interface."
    pair = {"sentence": "Kaggle gives about 30 free GPU hours a week [2].", "passages": [right, other]}
    path = write(
        tmp_path / "cited.jsonl",
        "\n".join(
            json.dumps(
                {
                    **pair,
                    "id": name,
                    "supported": False,
                    "category": "wrong_citation",
                    "split": "test",
                    **extra,
                }
            )
            for name, extra in [
                ("wrong", {}),
                ("uncited", {"sentence": "Kaggle gives about 30 free GPU hours a week."}),
            ]
        )
        + "\n",
    )
    wrong, uncited = load_calibration(path)
    assert wrong.cited == [other] and uncited.cited == [right, other]
    offline = calibrate(settings, path=path).tallies["offline"]["test"]["wrong_citation"]
    assert offline.pairs == 2 and offline.accuracy == 0.5  # the uncited one reads both passages
