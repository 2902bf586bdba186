"""Eval metrics on hand-computed cases."""

from __future__ import annotations

import math

import pytest

from evals import metrics as m


def test_key_hit_normalises_case_dashes_and_spaces():
    assert m.key_hit("About 9-12   MONTHS at that pace", ["9–12 months"])
    assert m.key_hit("x", ["nope", "x"])  # keys are alternatives
    assert not m.key_hit("360 hours", ["36 weeks"])
    assert not m.key_hit("anything", ["  "])  # a blank key matches nothing
    assert m.key_hit("pass `RandomState` instances", ["RandomState instance"])  # ticks are markup


def test_hit_and_mrr():
    assert m.hit_at_k([0, 0, 1], 2) == 0.0
    assert m.hit_at_k([0, 0, 1], 3) == 1.0
    assert m.mrr_at_k([0, 0, 1, 1]) == pytest.approx(1 / 3)
    assert m.mrr_at_k([0] * 10 + [1], 10) == 0.0  # rank 11 is outside @10
    assert m.mrr_at_k([]) == 0.0


def test_recall_at_k():
    assert m.recall_at_k(["a", "b", "c"], ["a", "c", "d"], 2) == pytest.approx(1 / 3)
    assert m.recall_at_k(["a", "b", "c"], ["a", "c", "d"], 3) == pytest.approx(2 / 3)
    assert m.recall_at_k(["a"], [], 5) == 1.0


def test_ndcg_by_hand():
    # relevant at ranks 2 and 3, two relevant in all: DCG = 1/log2(3) + 1/log2(4); IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert m.ndcg_at_k([0, 1, 1, 0], 10, n_relevant=2) == pytest.approx(expected)
    assert m.ndcg_at_k([1, 1, 0], 10) == 1.0
    assert m.ndcg_at_k([0, 0, 0], 10) == 0.0
    # three relevant exist but only one was retrieved, first: 1 / (1 + 1/log2(3) + 1/log2(4))
    assert m.ndcg_at_k([1, 0], 10, n_relevant=3) == pytest.approx(1 / (1 + 1 / math.log2(3) + 0.5))


def test_citation_validity():
    assert m.citation_validity([1, 2, 7], [1, 2, 3]) == pytest.approx(2 / 3)
    assert m.citation_validity([], [1]) == 1.0


def table(supported: set[tuple[int, tuple[int, ...]]]):
    return lambda i, ns: (i, tuple(ns)) in supported


def test_citation_recall_and_precision_alce():
    # sentence 0 cites [1, 2]: both together support it, [1] alone does too, [2] alone does not,
    #   and without 1 ([2]) it is unsupported -> 1 precise; 2 is not needed -> not precise.
    # sentence 1 cites [3]: supported -> precise.
    # sentence 2 cites nothing -> recall 0 for it.
    # sentence 3 cites [2]: not supported -> recall 0, citation imprecise.
    sentences = [[1, 2], [3], [], [2]]
    support = table({(0, (1, 2)), (0, (1,)), (1, (3,))})
    assert m.citation_recall(sentences, support) == pytest.approx(2 / 4)
    assert m.citation_precision(sentences, support) == pytest.approx(2 / 4)


def test_precision_counts_a_citation_needed_jointly():
    # neither passage alone supports, together they do: both are needed
    sentences = [[1, 2]]
    assert m.citation_precision(sentences, table({(0, (1, 2))})) == 1.0


def test_faithfulness_counts_cant_tell_as_unsupported():
    assert m.faithfulness([True, False, None, True]) == 0.5
    assert m.faithfulness([]) == 1.0


def test_refusal_correct():
    assert m.refusal_correct(answerable=False, refused=True) == 1.0
    assert m.refusal_correct(answerable=True, refused=False) == 1.0
    assert m.refusal_correct(answerable=True, refused=True) == 0.0
    assert m.refusal_correct(answerable=False, refused=False) == 0.0
