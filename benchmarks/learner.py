"""`next` and `plan` warm, on the shipped roadmap and on a generated 2,000-topic roadmap.

    python benchmarks/learner.py [--runs 50] [--topics 2000]

For each roadmap, a learner with a third of the topics done, a few in progress and a few known is
stored in a fresh SQLite learner database; then, warm (the roadmap graph cached, the database open):

- `next` / `plan` as the front doors call them: `Learners.next(name)` and `Learners.plan(name)`,
  which read the learner's state from the database in one transaction and compute;
- the pure functions alone (`next_topics`, `study_plan`) on a state already read;
- beside them, in the same run, the cold load of the roadmap graph (read and parse every file, the
  cost a warm call avoids) and `graphlib`'s plain topological sort of the same graph (the floor for
  any prerequisite ordering).

Prints the median and p90 in milliseconds, and the target: next and plan ≤ 20 ms warm on the
shipped roadmap, ≤ 200 ms on 2,000 topics.
"""

from __future__ import annotations

import argparse
import graphlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.learner.roadmaps import generated_topics, write_roadmap  # noqa: E402
from tutor.config import SHIPPED_CORPUS_DIR, Settings  # noqa: E402
from tutor.learner import Learners  # noqa: E402
from tutor.learner.graph import load_graph, roadmap_graph  # noqa: E402
from tutor.learner.paths import next_topics, study_plan  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.9 * (len(samples) - 1))]


def bench(label: str, corpus: Path, runs: int, target_ms: float, data: Path) -> list[tuple]:
    settings = Settings(data_dir=data, corpus_dir=corpus, _env_file=None)
    learners = Learners.from_settings(settings)
    graph = roadmap_graph(corpus)
    ids = list(graph.topics)
    learners.save_profile("bench", hours_per_week=8, known=ids[1:4])
    learners.repository.set_progress_many("bench", {t: "done" for t in ids[4 : len(ids) // 3]})
    learners.repository.set_progress_many(
        "bench", {t: "learning" for t in ids[len(ids) // 3 : len(ids) // 3 + 3]}
    )
    state = learners.state("bench")
    rows = [
        (
            f"{label}: next (state from the database + compute)",
            *timed(lambda: learners.next("bench"), runs),
            target_ms,
        ),
        (
            f"{label}: plan (state from the database + compute)",
            *timed(lambda: learners.plan("bench"), runs),
            target_ms,
        ),
        (f"{label}: next_topics alone", *timed(lambda: next_topics(graph, state), runs), None),
        (f"{label}: study_plan alone", *timed(lambda: study_plan(graph, state), runs), None),
        (
            f"{label}: baseline, graphlib static_order",
            *timed(
                lambda: tuple(
                    graphlib.TopologicalSorter(
                        {n.id: n.prerequisites for n in graph.topics.values()}
                    ).static_order()
                ),
                runs,
            ),
            None,
        ),
        (
            f"{label}: baseline, cold graph load (read + parse)",
            *timed(lambda: load_graph(corpus), max(3, runs // 10)),
            None,
        ),
    ]
    learners.repository.db.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--topics", type=int, default=2000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows += bench("shipped (36 topics)", SHIPPED_CORPUS_DIR, args.runs, 20, tmp / "a")
        big = write_roadmap(tmp / "big", generated_topics(args.topics))
        rows += bench(f"generated ({args.topics} topics)", big, args.runs, 200, tmp / "b")
    print(f"{'measurement':<66} {'median ms':>10} {'p90 ms':>8}  target")
    failed = False
    for name, median, p90, target in rows:
        verdict = ""
        if target is not None:
            ok = median <= target
            failed |= not ok
            verdict = f"≤ {target:g} ms {'ok' if ok else 'MISSED'}"
        print(f"{name:<66} {median:>10.2f} {p90:>8.2f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
