"""Small roadmaps with front matter for the learner tests (written into a temporary folder), and a
generator of large ones for the benchmark."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write

TOPICS = {
    "00-plans.md": (
        "plans",
        "How long it takes",
        "0. Start",
        1,
        None,
        [],
        "The publishers disagree on the total time.\n\n## The plans compared\n\n"
        "| Publisher | Weekly effort | Total |\n|---|---|---|\n"
        "| TheCodeForge | 2 hours a day, 6 days a week | about 6 months, **360 hours** |\n"
        "| Edirae | not stated | 48 weeks |\n",
    ),
    "10-basics.md": (
        "basics",
        "Python basics",
        "1. Basics",
        1,
        "3 hours",
        [],
        "Python basics cover variables, loops and functions in a short afternoon of practice.",
    ),
    "11-data.md": (
        "data",
        "Data with pandas",
        "1. Basics",
        2,
        "about 1 week",
        ["basics"],
        "Data work with pandas means loading, cleaning and joining tables before any model.",
    ),
    "12-sql.md": (
        "sql",
        "SQL for training data",
        "1. Basics",
        3,
        "4–6 hours for the basics",
        ["basics"],
        "Most production training data sits in SQL databases, so learn to query it early.",
    ),
    "20-models.md": (
        "models",
        "First models",
        "2. Models",
        1,
        None,
        ["data", "sql"],
        "First models with scikit-learn teach the fit and predict loop on tabular data.",
    ),
    "21-deploy.md": (
        "deploy",
        "Deploying a model",
        "2. Models",
        2,
        "2 weeks",
        ["models"],
        "Deploying a model means wrapping it in an API and shipping it in a container.",
    ),
}


def topic_file(topic_id, title, phase, order, duration, prereqs, body) -> str:
    lines = [
        "---",
        f"id: {topic_id}",
        f"title: {title}",
        f'phase: "{phase}"',
        f"order: {order}",
    ]
    if duration:
        lines.append(f'duration: "{duration}"')
    lines += [f"prerequisites: [{', '.join(prereqs)}]", "sources: [Tests]", "---", f"# {title}", "", body, ""]
    return "\n".join(lines)


def write_roadmap(folder: Path, topics: dict | None = None) -> Path:
    for name, spec in (topics or TOPICS).items():
        write(folder / name, topic_file(*spec))
    return folder


def generated_topics(n: int, fan_in: int = 3) -> dict:
    """n topics in 10 phases, each after up to `fan_in` earlier ones (a DAG)."""
    topics = {}
    for i in range(n):
        prereqs = [f"t{j:05d}" for j in (i - 1, i - 7, i - 31)[:fan_in] if j >= 0]
        duration = None if i % 3 else f"{1 + i % 5}–{3 + i % 5} hours"
        topics[f"t{i:05d}.md"] = (
            f"t{i:05d}", f"Topic {i}", f"{i * 10 // n}. Phase {i * 10 // n}", i, duration, prereqs,
            f"Topic {i} is about one thing after another.",
        )  # fmt: skip
    return topics
