"""The shipped eval suites: each a dataset of questions and the documents they are asked about.

`roadmap` asks about the shipped corpus (written by this project); `seeds` and `sklearn` ask about
documents the project did not write, so that `tutor eval` measures generalisation, not memory. A
suite whose documents are not on this machine is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tutor.config import Settings

DATASETS = Path(__file__).resolve().parent / "datasets"
SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"  # ../shared/seeds
SKLEARN_HTML = Path("/usr/share/doc/python-sklearn-doc/html")
SKLEARN_TOP_PAGES = ("common_pitfalls", "faq", "getting_started", "model_persistence")


class SuiteUnavailable(Exception):
    """The suite's documents are not on this machine; the message says how to get them."""


def _roadmap_documents(settings: Settings) -> list[str]:
    if not settings.corpus_dir.is_dir():
        raise SuiteUnavailable(f"the corpus folder {settings.corpus_dir} is missing")
    return [str(settings.corpus_dir)]


def _seed_documents(settings: Settings) -> list[str]:
    files = sorted(SEEDS_DIR.glob("*.txt"))
    if not files:
        raise SuiteUnavailable(f"{SEEDS_DIR} is not present (a fresh clone has no ../shared/seeds)")
    return [str(f) for f in files]


def _sklearn_documents(settings: Settings) -> list[str]:
    """The user guide's 45 module pages and four top-level pages (49 HTML files)."""
    modules = sorted((SKLEARN_HTML / "modules").glob("*.html"))
    if not modules:
        raise SuiteUnavailable(
            f"scikit-learn's user guide is not in {SKLEARN_HTML} (apt-get install python-sklearn-doc)"
        )
    top = [SKLEARN_HTML / f"{name}.html" for name in SKLEARN_TOP_PAGES]
    return [str(f) for f in [*modules, *top] if f.is_file()]


@dataclass(frozen=True)
class Suite:
    name: str
    dataset: Path
    documents: Callable[[Settings], list[str]]  # paths to ingest; raises SuiteUnavailable
    about: str


SUITES = {
    suite.name: suite
    for suite in (
        Suite("roadmap", DATASETS / "roadmap.jsonl", _roadmap_documents, "the shipped roadmap corpus"),
        Suite("seeds", DATASETS / "seeds.jsonl", _seed_documents, "five saved roadmap pages (../shared)"),
        Suite("sklearn", DATASETS / "sklearn.jsonl", _sklearn_documents, "scikit-learn's user guide"),
    )
}
