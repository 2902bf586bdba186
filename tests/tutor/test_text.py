"""The list-item pattern that ingestion, the answerers and the judge share."""

import pytest

from tutor.text import LIST_ITEM


@pytest.mark.parametrize(
    "line", ["- item", "* item", "+ item", "• item", "▪ item", "● item", "1. item", "  2) item"]
)
def test_list_markers_open_an_item(line):
    assert LIST_ITEM.match(line)


@pytest.mark.parametrize(
    "line", ["-1 marks unlabeled samples", "1.5 hours a day", "*args are passed on", "Item - one"]
)
def test_figures_and_prose_are_not_items(line):
    assert not LIST_ITEM.match(line)
