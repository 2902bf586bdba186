"""Filter values as users write them, resolved to what the store holds (CLI and HTTP alike)."""

import pytest

from tutor.errors import UnknownFilterValue
from tutor.filters import resolve_filters

METAS = [{"source": "docs/sql.md", "phase": "1. Basics", "title": "SQL"}, {"source": "more/time.md"}]


def test_a_file_name_or_a_phase_number_is_enough_and_other_fields_are_as_stored():
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


def test_a_source_typed_through_a_link_is_the_file_it_leads_to_on_the_command_line(tmp_path):
    # a new user's trial: the Python tutorial ingested by way of a link to its folder is stored
    # under the real path, and the path typed ("…/python3-doc/html/…") was "no ingested document";
    # two files of the same name make the file name alone ambiguous
    real = tmp_path / "python3.11" / "tutorial"
    real.mkdir(parents=True)
    (tmp_path / "python3-doc").symlink_to(tmp_path / "python3.11")
    metas = [{"source": str(real / "classes.html")}, {"source": str(tmp_path / "other" / "classes.html")}]
    typed = str(tmp_path / "python3-doc" / "tutorial" / "classes.html")
    assert resolve_filters({"source": typed}, metas, cli=True) == {"source": str(real / "classes.html")}
    with pytest.raises(UnknownFilterValue):  # the server resolves no path a client sends
        resolve_filters({"source": typed}, metas)


def test_every_field_is_checked_and_a_title_may_be_written_in_any_case():
    # a developer's trial: a title, section, topic or page no passage has answered 200 "not covered"
    metas = [
        {"source": "docs/sql.md", "title": "5. Data Structures", "section": "5.3. Tuples", "page": 2},
        {"source": "more/time.md", "title": "Time"},
    ]
    assert resolve_filters({"title": "5. data structures"}, metas) == {"title": "5. Data Structures"}
    assert resolve_filters({"source": "sql.md", "page": 2}, metas) == {"source": "docs/sql.md", "page": 2}
    for filters in ({"title": "no such title"}, {"section": "9.9. Nothing"}, {"page": 7}, {"order": 31}):
        with pytest.raises(UnknownFilterValue) as unknown:
            resolve_filters(filters, metas)
        key = next(iter(filters))
        assert unknown.value.key == key and f"the {key} given" in unknown.value.public
        assert str(next(iter(filters.values()))) not in unknown.value.public  # echoes nothing
    # each alone is there, together none
    with pytest.raises(UnknownFilterValue, match="together"):
        resolve_filters({"source": "time.md", "title": "5. Data Structures"}, metas)
