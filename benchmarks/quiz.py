"""Making an offline quiz on one topic, against the same maker that searched a topic's text anew for
every distractor it weighed.

    python benchmarks/quiz.py [--pages DIR] [--topic NAME] [--runs 5]

The pages (default: the Python tutorial from Debian's python3-doc where it is installed, else the
shipped corpus) are ingested into a temporary store; the term inventory is built once, as a server's
QuizMaker keeps it. Then, per run, on a fresh copy of that inventory (no answer remembered from the
run before: the first quiz on the topic), every candidate item of the topic is made (`candidates`,
where all of the time goes) by:

- tutor: `Inventory.occurs` remembering, per term and topic, whether the topic uses the term;
- baseline: the same, searching the topic's normalised text for the term on every call (the code
  before a developer's trial found a 7.9 s quiz on the tutorial's "Classes" page).

Prints the median and p90 in milliseconds, the ratio, and whether both made the same items.
"""

from __future__ import annotations

import argparse
import copy
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from tutor.config import SHIPPED_CORPUS_DIR, Settings  # noqa: E402
from tutor.embedders import get_embedder  # noqa: E402
from tutor.quiz.offline import Inventory, build_inventory, candidates  # noqa: E402
from tutor.quiz.topics import topic_documents  # noqa: E402
from tutor.store import Store  # noqa: E402

TUTORIAL = Path("/usr/share/doc/python3-doc/html/tutorial")


class SearchingInventory(Inventory):
    """The baseline: every `occurs` searches the topic's text."""

    def occurs(self, key: str, topic: str) -> bool:
        text = self.texts.get(topic, "")
        return f" {key} " in text or re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text) is not None


def timed(make, runs: int) -> tuple[list[float], list[str]]:
    times, ids = [], []
    for _ in range(runs):
        start = time.perf_counter()
        made = make()
        times.append((time.perf_counter() - start) * 1000)
        ids = [c.item.id for c in made]
    return times, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, help="a folder of documents (default: see above)")
    parser.add_argument("--topic", help="a document's file name (default: the longest document)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    pages = args.pages or (TUTORIAL if TUTORIAL.is_dir() else SHIPPED_CORPUS_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), _env_file=None)
        store = Store(settings, get_embedder(settings))
        ingest([str(pages)], store)
        docs = topic_documents(store.keyword_index)
        inventory = build_inventory(docs, store.embedder.embed_cached)
        if args.topic:
            doc = next(d for d in docs.values() if d.source.endswith(args.topic) or d.id == args.topic)
        else:
            doc = max(docs.values(), key=lambda d: sum(len(c.text) for c in d.chunks))
        baseline = SearchingInventory(**{k: v for k, v in vars(inventory).items() if k != "used"})
        ours_ms, ours = timed(lambda: candidates(_fresh(inventory), doc), args.runs)
        base_ms, base = timed(lambda: candidates(baseline, doc), args.runs)
    size = sum(len(c.text) for c in doc.chunks)
    print(f"{pages}: topic {doc.source} ({size:,} characters), {len(ours)} items")
    print("| maker | median ms | p90 ms |")
    print("|---|---|---|")
    for name, times in (("tutor (occurs remembered)", ours_ms), ("baseline (searched each time)", base_ms)):
        p90 = sorted(times)[max(0, int(0.9 * len(times)) - 1)]
        print(f"| {name} | {statistics.median(times):.0f} | {p90:.0f} |")
    print(f"ratio tutor / baseline: {statistics.median(ours_ms) / statistics.median(base_ms):.2f}")
    print(f"same items: {ours == base}")
    return 0 if ours == base else 1


def _fresh(inventory: Inventory) -> Inventory:
    """A copy of `inventory` that remembers no term's use yet."""
    fresh = copy.copy(inventory)
    fresh.used = {}
    return fresh


if __name__ == "__main__":
    raise SystemExit(main())
