"""The chat page in a real browser: Playwright drives Debian's Chromium against `tutor serve`.

Runs `tutor serve` (offline answerer, real embedding model) on a free loopback port over a small
corpus. Skipped where /usr/bin/chromium is missing, unless TUTOR_BROWSER_TESTS=required (CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import served_tutor, write
from tests.tutor.test_chain import CODE_DOC, DOCS

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

if not CHROMIUM.exists():
    if os.environ.get("TUTOR_BROWSER_TESTS") == "required":
        raise RuntimeError("TUTOR_BROWSER_TESTS=required but /usr/bin/chromium is missing")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    for name, text in DOCS.items():
        write(root / "docs" / name, text)
    write(root / "docs" / "trees.md", f"# Decision trees\n\n## Fitting a tree\n\n{CODE_DOC}\n")
    with served_tutor(root, root / "docs") as served:
        yield served.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield instance
        instance.close()


def test_ask_stream_and_open_a_citation(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone's width
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(server)
    page.fill("#question", "I know pandas but not SQL, what should I do?")
    page.keyboard.press("Enter")
    answer = page.locator(".msg.assistant").last
    answer.locator(".cite").first.wait_for(timeout=60_000)
    assert "SQLZoo" in answer.inner_text()
    answer.locator(".cite").first.click()
    passage = page.locator("#passage")
    passage.wait_for(state="visible")
    assert "SQL" in passage.inner_text() and "sql.md" in passage.inner_text()
    assert not [m for m in console if "Content Security Policy" in m]  # the page works under its CSP
    page.close()


def test_code_in_an_answer_shows_as_code_with_its_brackets(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.fill("#question", "Show me example code to fit a decision tree classifier")
    page.keyboard.press("Enter")
    answer = page.locator(".msg.assistant").last
    answer.locator("pre code").first.wait_for(timeout=60_000)
    assert ">>> X = [[0, 0], [1, 1]]" in answer.locator("pre code").first.inner_text()
    assert answer.locator("pre .cite").count() == 0  # brackets in code are not citations
    answer.locator(".cite").last.click()  # the block's own marker, after it
    assert "Decision trees" in page.locator("#passage").inner_text()
    page.close()


def test_every_kind_of_fence_renders_as_code_without_citation_buttons(server, browser):
    page = browser.new_page()
    page.goto(server)
    answer = (
        "Tilde fences [1].\n\n~~~\ngrid = [0] * 3\ngrid[1] = 5\n~~~\n[1]\n\n"
        "A block holding a fence [2].\n\n````\n```python\na = [1, 2]\n```\n````\n[2]"
    )
    blocks = page.evaluate(
        """(text) => { const div = document.createElement("div"); renderAnswer(div, text, []);
        return [[...div.querySelectorAll("pre code")].map((c) => c.textContent),
                [...div.querySelectorAll(".cite")].map((b) => b.textContent)]; }""",
        answer,
    )
    assert blocks == [
        ["grid = [0] * 3\ngrid[1] = 5", "```python\na = [1, 2]\n```"],
        ["[1]", "[1]", "[2]", "[2]"],
    ]
    page.close()


def test_a_citation_in_an_earlier_answer_opens_that_answers_passage(server, browser):
    page = browser.new_page()
    page.goto(server)
    for question in (
        "I know pandas but not SQL, what should I do?",
        "Show me example code to fit a decision tree",
    ):
        page.fill("#question", question)
        page.keyboard.press("Enter")
        page.locator(".msg.assistant .cite").last.wait_for(timeout=60_000)
        page.wait_for_selector("#send:not([disabled])")
    first, last = page.locator(".msg.assistant").first, page.locator(".msg.assistant").last
    first.locator(".cite").first.click()
    assert "sql.md" in page.locator("#passage").inner_text()  # not the latest answer's source 1
    last.locator(".cite").last.click()
    shown = page.locator("#passage")
    assert "Decision trees" in shown.inner_text()
    assert ">>> X = [[0, 0], [1, 1]]" in shown.locator("pre code").first.inner_text()  # its code as code
    page.close()


def test_inline_code_renders_as_code_with_its_brackets(server, browser):
    page = browser.new_page()
    page.goto(server)
    rendered = page.evaluate(
        """(text) => { const div = document.createElement("div"); renderAnswer(div, text, []);
        return [[...div.querySelectorAll("code")].map((c) => c.textContent),
                [...div.querySelectorAll(".cite")].map((b) => b.textContent), div.textContent]; }""",
        "Index it as `numbats[1]` [2]. Ticks alone: `` and `x[0, 1]` [1].",
    )
    assert rendered == [
        ["numbats[1]", "", "x[0, 1]"],
        ["[2]", "[1]"],
        "Index it as numbats[1] [2]. Ticks alone:  and x[0, 1] [1].",
    ]
    page.close()


def test_empty_question_shows_a_message(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.click("#send")
    assert "Type a question first" in page.locator("#status").inner_text()
    assert page.locator(".msg").count() == 0
    page.close()


def test_server_errors_show_in_the_page(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.fill("#question", "x" * 5000)  # over the message length limit: a 422 from the API
    page.click("#send")
    page.locator(".msg.error").wait_for(timeout=30_000)
    assert "at most 4000 characters" in page.locator(".msg.error").inner_text()
    page.close()
