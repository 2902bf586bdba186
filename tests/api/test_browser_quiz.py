"""The quiz panel in a real browser (Playwright driving Debian's Chromium against `tutor serve` on a
small roadmap): start a quiz, answer by clicking and typing, see each grade with the passage that
proves it, the topic marked in My path, a wrong answer explained, and reviews. Skipped without
Chromium unless TUTOR_BROWSER_TESTS=required."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.api.test_browser import CHROMIUM, FLAGS  # skips this module too where Chromium is missing
from tests.conftest import served_tutor, write
from tests.tutor.test_quiz_generation import ROADMAP


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-quiz")
    for name, text in ROADMAP.items():
        write(root / "docs" / name, text)
    with served_tutor(root, root / "docs") as served:
        yield served.url, root, served.env


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield instance
        instance.close()


def keyed_items(root, env, topic: str, n: int) -> list[dict]:
    """The items a new learner is served, with their keys (the generator is deterministic)."""
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "quiz", topic, "--n", str(n), "--json", "--with-answers"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return json.loads(result.stdout)["items"]


def answer(page, item: dict, text: str) -> None:
    box = page.locator(f"fieldset.quiz-item[data-id='{item['id']}']")
    if item["options"]:
        box.locator(".quiz-option", has_text=text).first.click()
    else:
        box.locator("input").fill(text)
        box.locator("button").click()
    box.locator(".quiz-feedback").wait_for()


def test_a_quiz_in_the_page_marks_the_topic_and_explains_each_answer(served, browser):
    from playwright.sync_api import expect

    url, root, env = served
    items = keyed_items(root, env, "sql", 3)
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.goto(url)
    page.click("#toggle-quiz")
    expect(page.locator("#quiz")).to_be_visible()
    expect(page.locator("#quiz-topic option", has_text="SQL for training data")).to_have_count(1)
    page.select_option("#quiz-topic", label="SQL for training data")
    page.fill("#quiz-n", "3")
    page.click("#quiz-go")
    expect(page.locator("fieldset.quiz-item")).to_have_count(3)
    assert page.locator("fieldset.quiz-item").first.get_attribute("data-id") == items[0]["id"]
    expect(page.locator("#quiz-items")).not_to_contain_text(items[0]["citation"]["quote"])  # not before
    for item in items:
        answer(page, item, item["answer"])
        box = page.locator(f"fieldset.quiz-item[data-id='{item['id']}']")
        expect(box.locator(".quiz-feedback")).to_have_text("Right.")
        expect(box.locator("blockquote")).to_contain_text(item["citation"]["quote"])
    expect(page.locator("#quiz-summary")).to_contain_text("3 of 3 right. The topic is marked done")
    expect(page.locator("input[data-topic=sql]")).to_be_checked()  # My path shows the tested topic
    # nothing is due yet: the answered items come back later
    page.click("#quiz-review")
    expect(page.locator("#quiz-summary")).to_have_text("Nothing is due for review.")
    page.close()


def test_a_wrong_answer_shows_the_key_and_the_passage(served, browser):
    from playwright.sync_api import expect

    url, root, env = served
    items = [i for i in keyed_items(root, env, "imbalanced-data", 5) if i["options"]]
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone's width
    page.goto(url)
    page.click("#toggle-quiz")
    page.select_option("#quiz-topic", label="Imbalanced classes")
    page.click("#quiz-go")
    item = items[0]
    wrong = next(o["text"] for o in item["options"] if o["text"] != item["answer"])
    answer(page, item, wrong)
    box = page.locator(f"fieldset.quiz-item[data-id='{item['id']}']")
    expect(box.locator(".quiz-feedback")).to_have_text(f"Not quite: the answer is {item['expected']}.")
    expect(box.locator("blockquote")).to_contain_text(item["citation"]["quote"])
    expect(box.locator(".quiz-option.key")).to_contain_text(item["answer"])
    expect(box.locator(".quiz-option.chosen")).to_contain_text(wrong)
    page.close()
