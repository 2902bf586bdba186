"""Filter values as users write them, resolved to what the store holds (CLI and HTTP alike)."""

import pytest

from tutor.errors import UnknownFilterValue
from tutor.filters import resolve_filters

METAS = [{"source": "docs/sql.md", "phase": "1. Basics"}, {"source": "more/time.md"}]


def test_a_file_name_or_a_phase_number_is_enough_and_other_fields_pass_as_given():
    resolved = resolve_filters({"source": "SQL.md", "phase": "1", "title": "SQL"}, METAS)
    assert resolved == {"source": "docs/sql.md", "phase": "1. Basics", "title": "SQL"}


def test_an_unknown_value_names_the_filter_for_each_door():
    with pytest.raises(UnknownFilterValue) as cli:
        resolve_filters({"source": "nope.md"}, METAS, cli=True)
    assert str(cli.value) == "No ingested document has --source 'nope.md'; `tutor sources` lists them."
    assert cli.value.public == "No ingested document has the source given; GET /v1/sources lists them."
    assert cli.value.key == "source"


def test_an_unknown_phase_where_no_document_has_one_says_so():
    with pytest.raises(UnknownFilterValue, match="no ingested document has a phase"):
        resolve_filters({"phase": "2"}, [{"source": "a.md"}], cli=True)
