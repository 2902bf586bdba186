"""The CLI as a user meets it: exit codes, messages, JSON output (with the fake embedder)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import FakeEmbedder, write
from tutor import cli
from tutor.errors import ConfigError, TutorError
from tutor.store import Store

runner = CliRunner()


@pytest.fixture(autouse=True)
def fake_store(monkeypatch, tmp_path):
    monkeypatch.setattr(cli.common, "open_store", lambda settings: Store(settings, FakeEmbedder()))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))


def invoke(*args: str):
    return runner.invoke(cli.app, list(args))


def test_help_lists_the_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("ingest", "sources", "search"):
        assert command in result.output


def test_help_shows_no_value_for_a_flag_and_one_for_an_option():
    result = invoke("quiz", "--help")
    assert result.exit_code == 0
    assert "<bool>" not in result.output  # "--json <bool>" reads as if it took a value
    assert "--json" in result.output
    assert "<int range>" in result.output  # an option that takes a value still shows its type


def test_titles_and_names_with_square_brackets_are_shown_as_written(tmp_path):
    write(
        tmp_path / "docs" / "br[bold].md",
        "# Plain [red]title[/red]\n\nWombats dig burrows [a-z0-9] with claws.",
    )
    assert invoke("ingest", "docs").exit_code == 0
    listed = invoke("sources").output
    assert "br[bold].md" in listed and "Plain [red]title[/red]" in listed
    found = invoke("search", "wombats burrows").output
    assert "br[bold].md" in found and "Plain [red]title[/red]" in found and "[a-z0-9]" in found


def test_ingest_search_and_sources(tmp_path):
    write(tmp_path / "docs" / "sql.md", "# SQL\n\n## Why\n\nMost training data lives in SQL databases.")
    write(tmp_path / "docs" / "dl.md", "# Deep learning\n\nLearn PyTorch first.")
    result = invoke("ingest", "docs")
    assert result.exit_code == 0, result.output
    assert "Ingest summary" in result.output
    hits = json.loads(invoke("search", "SQL databases", "--json", "-k", "1").output)
    assert hits[0]["chunk"]["source"] == "docs/sql.md"
    assert hits[0]["chunk"]["heading"] == "SQL › Why"
    mistyped = invoke("search", "SQL", "--source", "docs/sq.md")  # not "No passages found."
    assert isinstance(mistyped.exception, TutorError)
    assert "No ingested document has --source 'docs/sq.md'; `tutor sources` lists them." in str(
        mistyped.exception
    )
    sources = json.loads(invoke("sources", "--json").output)
    assert [s["source"] for s in sources] == ["docs/dl.md", "docs/sql.md"]
    # a file name is enough when one source ends with it
    by_name = json.loads(invoke("search", "learn", "--source", "DL.md", "--json").output)
    assert by_name and {h["chunk"]["source"] for h in by_name} == {"docs/dl.md"}
    write(tmp_path / "more" / "sql.md", "# SQL again\n\nJoins combine tables.")
    assert invoke("ingest", "more").exit_code == 0
    ambiguous = invoke("search", "SQL", "--source", "sql.md")
    assert "matches 2 documents' sources: 'docs/sql.md', 'more/sql.md'" in str(ambiguous.exception)


def test_search_by_phase_takes_its_number_and_lists_the_phases_when_none_matches(tmp_path):
    write(tmp_path / "docs" / "sql.md", '---\nphase: "1. Foundations"\n---\n# SQL\n\nJoins combine tables.')
    write(
        tmp_path / "docs" / "dl.md",
        '---\nphase: "3. Deep learning"\n---\n# DL\n\nLearn PyTorch before TensorFlow.',
    )
    assert invoke("ingest", "docs").exit_code == 0
    hits = json.loads(invoke("search", "learn", "--phase", "3", "--json").output)
    assert hits and {h["chunk"]["source"] for h in hits} == {"docs/dl.md"}
    missing = invoke("search", "learn", "--phase", "9")
    assert "No ingested document has --phase '9'; phases: 1. Foundations, 3. Deep learning." in str(
        missing.exception
    )


def test_a_data_dir_that_does_not_exist_is_an_error_not_a_new_store(tmp_path):
    # a mistyped --data-dir built a store of the shipped roadmap there and answered from it
    for args in (("ask", "What is pip?"), ("search", "pip")):
        result = invoke(*args, "--data-dir", "stroe")
        assert isinstance(result.exception, TutorError), result.output
        assert "No store at stroe: that folder does not exist" in str(result.exception)
    assert not (tmp_path / "stroe").exists()


def test_a_chat_session_answers_keeps_going_after_a_bad_line_and_shows_sources(tmp_path):
    # `tutor chat` crashed on its first question (the learner's Tutor had no settings)
    write(tmp_path / "docs" / "sql.md", "# SQL\n\n## Why\n\nSQL queries pull training data from databases.")
    assert invoke("ingest", "docs").exit_code == 0
    lines = ["Why learn SQL for databases?", "why " * 1500, "/sources", "/clear", "/nope", "/quit"]
    result = runner.invoke(cli.app, ["chat"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "SQL queries pull training data from databases [1]." in said
    assert "5,999 characters; the limit is 4,000" in said  # refused, and the session goes on
    assert "[1] SQL › Why — docs/sql.md" in said and "History cleared." in said
    assert "Unknown command /nope. Commands: /sources, /clear, /quit" in said


def test_a_question_over_the_apis_length_limit_is_refused_at_once():
    result = invoke("ask", "why " * 1500)  # the TutorError is one line, exit code 1, in tutor's main
    assert isinstance(result.exception, TutorError)
    assert "6,000 characters; the limit is 4,000 (TUTOR_MAX_MESSAGE_CHARS)" in str(result.exception)


def test_a_folder_walk_says_how_many_files_it_left_out_for_their_type(tmp_path):
    # Debian's pip docs: 36 .rst files (now read, as .md.gz is) were passed over without a word
    write(tmp_path / "docs" / "intro.md", "# Intro\n\nPip installs packages from the index.")
    for name in ("a.docx", "b.docx", "c.docx.gz", ".hidden.docx"):
        write(tmp_path / "docs" / name, "Title\n=====\n\nText.")
    result = invoke("ingest", "docs")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "left out 3 file(s) of types tutor does not read: .docx (2), .gz (1)" in said
    assert "It reads .htm, .html, .markdown, .md, .pdf, .rest, .rst, .text, .txt (and each gzip" in said
    # what --include leaves out was asked for: not counted
    assert "left out" not in invoke("ingest", "docs", "--include", "*.md").output


def test_prune_names_each_document_it_removes_and_a_deleted_folder_is_pruned(tmp_path):
    write(tmp_path / "docs" / "sql.md", "# SQL\n\n## Why\n\nMost training data lives in SQL databases.")
    write(tmp_path / "docs" / "dl.md", "# Deep learning\n\nLearn PyTorch first.")
    assert invoke("ingest", "docs").exit_code == 0
    (tmp_path / "docs" / "dl.md").unlink()
    result = invoke("ingest", "docs")  # without --prune it is kept, and said so
    assert result.exit_code == 0 and "gone docs/dl.md: no longer there, still answered from" in result.output
    assert len(json.loads(invoke("sources", "--json").output)) == 2
    result = invoke("ingest", "docs", "--prune")
    assert result.exit_code == 0 and "pruned docs/dl.md: no longer there" in result.output
    assert "gone" not in result.output
    (tmp_path / "docs" / "sql.md").unlink()
    (tmp_path / "docs").rmdir()
    result = invoke("ingest", "docs", "--prune")
    assert result.exit_code == 0, result.output
    assert "pruned docs/sql.md" in result.output and "failed docs" not in result.output
    assert json.loads(invoke("sources", "--json").output) == []


def test_sources_shows_a_long_path_whole(tmp_path):
    """`search --source` and `quiz` take the source as shown: a path cut to "…/h…" was no use."""
    deep = tmp_path / "usr" / "share" / "doc" / "python-sklearn-doc" / "html" / "modules" / "svm_guide.md"
    write(deep, "# Support vector machines\n\nSupport vector machines find a separating margin.")
    assert invoke("ingest", str(deep)).exit_code == 0
    shown = invoke("sources").output
    assert "…" not in shown
    # ... and on one line, to copy (a table folded it: "…/html/t" + "utorial/appendix.html")
    assert str(deep.relative_to(tmp_path)) in shown.splitlines()
    assert "Support vector machines · 1 chunk" in shown and "1 document, 1 chunk" in shown


def test_ingest_with_a_failure_exits_1_and_names_the_document(tmp_path):
    write(tmp_path / "ok.md", "# Fine\n\nA perfectly good document about pandas.")
    result = invoke("ingest", "ok.md", "missing.md")
    assert result.exit_code == 1
    assert "missing.md: no such file or directory" in result.output


def test_empty_question_is_refused():
    result = runner.invoke(cli.app, ["search", "  "])
    assert result.exit_code != 0
    # only control characters asks nothing either
    asked = runner.invoke(cli.app, ["ask", "\x01\x1b[0m"])
    assert asked.exit_code == 1 and "The question is empty" in str(asked.exception)


def test_invalid_setting_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("TUTOR_CHUNK_SIZE", "10")
    with pytest.raises(SystemExit) as exit_info:
        monkeypatch.setattr("sys.argv", ["tutor", "sources"])
        cli.main()
    assert exit_info.value.code == 2
    assert "Invalid configuration: TUTOR_CHUNK_SIZE (chunk_size)" in capsys.readouterr().err


def imported_modules(*args: str) -> set[str]:
    """Top-level modules a fresh `python -m tutor ARGS` process imports (from -X importtime)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tutor", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line.split("|")[-1] for line in result.stderr.splitlines() if line.startswith("import time:")]
    return {line.strip().split(".")[0] for line in lines}


def test_help_does_not_load_heavy_modules():
    modules = imported_modules("--help")
    assert "typer" in modules  # the check sees real imports
    assert not modules & {"torch", "sentence_transformers", "transformers", "chromadb"}


def test_two_sources_of_one_section_show_their_opening_words(monkeypatch):
    from io import StringIO

    from rich.console import Console

    from tutor.cli import answers
    from tutor.types import Answer, Citation, Grounding

    console = Console(file=StringIO(), width=200)
    monkeypatch.setattr(answers, "out", console)
    cite = lambda n, snippet: Citation(n, "plans.md", "Time plans", "Compared", None, snippet)  # noqa: E731
    one, other = (
        cite(2, "TheCodeForge's plan takes 2 hours a day."),
        cite(3, "course.careers counts 15 hours."),
    )
    sql = Citation(4, "sql.md", "SQL", "", None, "Do SQLZoo.")
    answers.print_sources(Answer("x", [one, other, sql], [], Grounding(), False, "offline"))
    shown = console.file.getvalue()
    assert "[2] Time plans › Compared — plans.md: “TheCodeForge's plan takes 2 hours a day.…”" in shown
    assert "[3] Time plans › Compared — plans.md: “course.careers counts 15 hours.…”" in shown
    assert "[4] SQL — sql.md\n" in shown  # one passage of its section: no opening words


def test_the_note_on_unmatched_sentences_names_each_with_its_reason(monkeypatch):
    # It said "1 sentence(s) could not be matched" without saying which.
    from io import StringIO

    from rich.console import Console

    from tutor.cli import answers
    from tutor.types import Answer, Grounding, SentenceCheck

    shown, said = Console(file=StringIO(), width=200), Console(file=StringIO(), width=200)
    monkeypatch.setattr(answers, "out", shown)
    monkeypatch.setattr(answers, "err", said)
    checks = [
        SentenceCheck("Cat6 runs 55 m at 10 Gbps.", [1], True),
        SentenceCheck("Cat8 [costs] nothing.", [1], False, "'nothing' is not in the cited passages"),
    ]
    answer = Answer(
        "Cat6 runs 55 m at 10 Gbps [1]. Cat8 costs nothing [1].", [], [], Grounding(checks), False, "x"
    )

    class OneAnswer:
        def stream(self, question, history, top_k=None):
            yield answer

    answers.print_answer_stream(OneAnswer(), "Cat6?", [], None)
    note = said.file.getvalue()
    assert "not matched to its cited sources" in note
    assert "“Cat8 [costs] nothing.” ('nothing' is not in the cited passages)" in note
    assert "Cat6 runs" not in note


def test_code_in_an_answer_can_be_copied_piped_or_from_the_terminal(tmp_path):
    from rich.console import Console

    from tests.tutor.test_chain import CODE_DOC
    from tutor.cli.answers import rendered

    write(tmp_path / "docs" / "trees.md", f"# Decision trees\n\n## Fitting\n\n{CODE_DOC}\n")
    assert invoke("ingest", "docs").exit_code == 0
    piped = invoke("ask", "Show me example code to fit a decision tree classifier")
    assert piped.exit_code == 0, piped.output
    # piped, the answer is written as it is: the block fenced, every line as the document has it
    assert "```\n>>> X = [[0, 0], [1, 1]]\n>>> Y = [0, 1]\n" in piped.output and "```\n[1]" in piped.output
    # on a terminal, Rich draws the block without its one-space margin: indentation survives a copy
    screen = Console(width=70, force_terminal=True, color_system=None, record=True)
    screen.print(rendered("Loop [1].\n\n```\nfor x in X:\n    print(x)\n```\n[1]"))
    shown = screen.export_text()
    assert "\nfor x in X:" in shown and "\n    print(x)" in shown


def test_ingest_notes_a_code_block_never_closed(tmp_path):
    write(
        tmp_path / "docs" / "open.md",
        "# Fit\n\nFit it like this:\n\n~~~\nclf.fit(X, y)\n\nThen predict labels.",
    )
    write(tmp_path / "docs" / "closed.md", "# Fit\n\nFit it like this:\n\n```\nclf.fit(X, y)\n```\n")
    result = invoke("ingest", "docs")
    assert result.exit_code == 0, result.output  # ingested all the same: a note, not a failure
    assert "note docs/open.md: a code block opened with ~~~ is never closed" in " ".join(
        result.output.split()
    )
    assert "closed.md:" not in result.output


def test_ingest_notes_a_page_that_only_redirects(tmp_path):
    """A documentation site's moved page (a meta refresh and one line) was ingested silently, and
    its site-wide title was offered in every refusal's list of what the documents cover."""
    write(
        tmp_path / "docs" / "moved.html",
        '<html><head><meta http-equiv="Refresh" content="0; url=../new.html" /><title>Site</title></head>'
        '<body><p>You will be redirected to the <a href="../new.html">new location</a>.</p></body></html>',
    )
    write(
        tmp_path / "docs" / "page.html",
        "<html><body><main><h1>Fit</h1><p>" + "Fit the model. " * 20 + "</p></main></body></html>",
    )
    result = invoke("ingest", "docs")
    said = " ".join(result.output.split())
    assert "note docs/moved.html: the page only redirects to ../new.html: ingest that page instead" in said
    assert "page.html:" not in said


def test_globs_that_leave_out_every_file_found_are_an_error_not_a_silent_zero(tmp_path):
    write(tmp_path / "docs" / "sql.md", "# SQL\n\nMost training data lives in SQL databases.")
    result = invoke("ingest", "docs", "--include", "*.zzz")
    assert result.exit_code == 1
    assert "nothing ingested: --include / --exclude left out all 1 file(s) found" in " ".join(
        result.output.split()
    )
    assert invoke("ingest", "docs", "--include", "*.md").exit_code == 0
    # once ingested, a file left out is kept and no mistake (`--exclude 'old/*' --prune` keeps it)
    kept = invoke("ingest", "docs", "--exclude", "*.md")
    assert kept.exit_code == 0
    assert "nothing read: --include / --exclude left out all 1 file(s) found; they were ingested before" in (
        " ".join(kept.output.split())
    )
    assert [s["source"] for s in json.loads(invoke("sources", "--json").output)] == ["docs/sql.md"]


def test_data_dir_may_come_before_the_command(tmp_path, monkeypatch):
    # `tutor --data-dir D ask …` was "No such option: --data-dir"
    monkeypatch.delenv("TUTOR_DATA_DIR")
    write(tmp_path / "docs" / "wombat.md", "# Wombats\n\nWombats dig burrows with their claws.")
    assert invoke("--data-dir", "mine", "ingest", "docs").exit_code == 0
    assert (tmp_path / "mine").is_dir() and not (tmp_path / ".tutor").exists()
    sources = json.loads(invoke("--data-dir", "mine", "sources", "--json").output)
    assert [s["source"] for s in sources] == ["docs/wombat.md"]
    mistyped = invoke("--data-dir", "stroe", "ask", "What do wombats dig?")
    assert "No store at stroe: that folder does not exist" in str(mistyped.exception)
    # given after the command too, that one wins
    after = json.loads(invoke("--data-dir", "stroe", "sources", "--data-dir", "mine", "--json").output)
    assert [s["source"] for s in after] == ["docs/wombat.md"]


def test_chat_says_how_many_documents_it_answers_from(tmp_path):
    # on a store of the learner's own pages it said "ask about the roadmap"
    write(tmp_path / "docs" / "a.md", "# A\n\nAardvarks eat ants.")
    write(tmp_path / "docs" / "b.md", "# B\n\nBadgers dig setts.")
    assert invoke("ingest", "docs").exit_code == 0
    result = runner.invoke(cli.app, ["chat"], input="/quit\n")
    assert "ask about the 2 documents (`tutor sources` lists them)" in result.output


def test_a_failed_ingest_leaves_no_store_and_a_named_empty_store_gets_no_roadmap(tmp_path, monkeypatch):
    # a new user's trial: `ingest` of a mistyped path made the store folder; `ask --data-dir` then
    # filled it with the shipped roadmap, which answered in place of the learner's own pages and
    # stayed mixed in with them after the real ingest
    monkeypatch.setenv("TUTOR_CORPUS_DIR", str(tmp_path / "roadmap"))
    write(tmp_path / "roadmap" / "sql.md", "# SQL\n\nSQL queries pull training data.")
    failed = invoke("ingest", "valgrnd/html", "--data-dir", "mine")
    assert failed.exit_code == 1 and "no such file or directory" in failed.output
    assert not (tmp_path / "mine").exists()
    (tmp_path / "mine").mkdir()  # a folder made for the store, nothing ingested yet
    empty = invoke("ask", "What is Memcheck?", "--data-dir", "mine")
    assert isinstance(empty.exception, TutorError)
    assert "No store at mine: the folder holds no tutor store" in str(empty.exception)
    assert "ingest into it first: tutor ingest PATH --data-dir mine" in str(empty.exception)
    assert not any((tmp_path / "mine").iterdir())  # nothing written into it
    write(tmp_path / "docs" / "mc.md", "# Memcheck\n\nMemcheck detects memory errors in C programs.")
    assert invoke("ingest", "docs", "--data-dir", "mine").exit_code == 0
    assert invoke("ingest", "valgrnd", "--data-dir", "mine").exit_code == 1  # kept as it was
    sources = json.loads(invoke("sources", "--data-dir", "mine", "--json").output)
    assert [s["source"] for s in sources] == ["docs/mc.md"]
    # without --data-dir (a fresh install) the shipped roadmap still answers at once
    assert "SQL queries pull training data" in invoke("ask", "Why learn SQL?").output


def test_a_question_may_start_with_dashes():
    # "--leak-check values?" was "No such option: --leak-check"
    result = invoke("ask", "--leak-check values?", "--data-dir", "nowhere")
    assert "No store at nowhere" in str(result.exception)  # read as the question, not an option
    assert "No such option" not in result.output


def test_an_unknown_option_or_an_unquoted_question_says_what_went_wrong():
    # "tutor ask --colour 'what is git'" said "Got unexpected extra argument(s) (what is git)"
    for command in ("ask", "search"):
        unknown = invoke(command, "--colour", "what is git")
        assert unknown.exit_code == 2
        assert f"No such option: --colour (see tutor {command} --help)" in unknown.output
    typo = invoke("ask", "what is a tuple", "--jsn")  # a mistyped option after the question
    assert typo.exit_code == 2 and "No such option: --jsn" in typo.output
    unquoted = invoke("ask", "what", "is", "sql")
    assert (
        unquoted.exit_code == 2 and 'Put the question in quotes: tutor ask "what is sql"' in unquoted.output
    )


def test_a_data_dir_that_holds_no_store_is_named_as_such_and_left_untouched(tmp_path, monkeypatch):
    # a new user's trial: `sources --data-dir TYPO` made a store there and exited 0; `ask
    # --data-dir` on a folder of HTML pages wrote chroma/chroma.sqlite3 into it; a file given as the
    # data dir got Chroma's "[Errno 20] Not a directory", and `serve` a traceback
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pages" / "a.html", "<p>A page.</p>")
    (tmp_path / "afile").write_text("x")
    for command in (("sources",), ("ask", "what is a tuple"), ("search", "tuple"), ("serve",)):
        typo = invoke(*command, "--data-dir", "stroe")
        assert typo.exit_code == 1 and "No store at stroe: that folder does not exist" in str(typo.exception)
        pages = invoke(*command, "--data-dir", "pages")
        assert pages.exit_code == 1 and "No store at pages: the folder holds no tutor store" in str(
            pages.exception
        )
        afile = invoke(*command, "--data-dir", "afile")  # for every command: a configuration error
        assert isinstance(afile.exception, ConfigError)
        assert "(--data-dir) afile is a file, not a folder" in str(afile.exception)
    for command in (("ingest", "pages"), ("serve",)):  # `serve` crashed with a traceback
        afile = invoke(*command, "--data-dir", "afile")
        assert isinstance(afile.exception, ConfigError) and "is a file, not a folder" in str(afile.exception)
    assert not (tmp_path / "stroe").exists()
    assert [p.name for p in (tmp_path / "pages").iterdir()] == ["a.html"]
