"""A separate process writing learner progress, for the concurrency and crash tests:

python -m tests.learner.writer URL updates LEARNER PREFIX N   # N updates of PREFIX-0..N-1 and "shared"
python -m tests.learner.writer URL batches LEARNER TOPICS      # batch k: all topics one status
python -m tests.learner.writer URL stall LEARNER TOPICS        # one batch that stops mid-transaction
"""

from __future__ import annotations

import sys
import time

from tutor.learner.db import Database
from tutor.learner.repository import LearnerRepository

CYCLE = ("pending", "learning", "done", "skipped")


def main(url: str, mode: str, learner: str, *args: str) -> None:
    repo = LearnerRepository(Database(url))
    repo.db.ready()
    print("ready", flush=True)
    sys.stdin.readline()  # start together: the test releases every writer at once
    if mode == "updates":
        prefix, n = args[0], int(args[1])
        for i in range(n):
            repo.set_progress(learner, f"{prefix}-{i}", CYCLE[i % 4])
            repo.set_progress(learner, "shared", CYCLE[i % 4])
            repo.save_profile(learner, hours_per_week=1 + i % 20)
    elif mode == "batches":
        topics = int(args[0])
        k = 0
        while True:
            k += 1
            write_batch(repo, learner, k, topics)
            print(f"committed {k}", flush=True)
    elif mode == "stall":
        from sqlalchemy import event

        topics = int(args[0])
        seen = {"n": 0}

        @event.listens_for(repo.db.engine, "after_cursor_execute")
        def stall(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("INSERT INTO PROGRESS"):
                seen["n"] += 1
                print("mid-write", flush=True)
                time.sleep(120)  # killed here, inside the transaction

        write_batch(repo, learner, 99, topics)


def write_batch(repo: LearnerRepository, learner: str, k: int, topics: int) -> None:
    """One transaction: every topic gets CYCLE[k % 4], and t0's title says which batch it was."""
    status = CYCLE[k % 4]
    repo.set_progress_many(learner, {f"t{i}": status for i in range(topics)}, titles={"t0": f"batch {k}"})


if __name__ == "__main__":
    main(*sys.argv[1:])
