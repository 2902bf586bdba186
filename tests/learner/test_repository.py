"""The learner database: migrations make the models' schema, writes are transactions that concurrent
processes and a SIGKILL cannot break, on SQLite (WAL) and on a real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

import tutor.quiz.models  # noqa: F401  (the quiz tables share the learner database and its metadata)
from tests.learner.postgres import PostgresServer
from tutor.errors import ConfigError
from tutor.learner.db import HEAD, MIGRATIONS, Database
from tutor.learner.models import Base
from tutor.learner.repository import LearnerRepository
from tutor.learner.state import InvalidLearnerInput, Source, Status, UnknownLearner

ROOT = Path(__file__).resolve().parents[2]
CYCLE = ("pending", "learning", "done", "skipped")


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'learners.db'}"


@pytest.fixture(scope="module")
def postgres():
    root = Path(tempfile.mkdtemp(prefix="tutor-pg-"))  # under /tmp: reachable by the server's user
    server = PostgresServer(root)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    server = request.getfixturevalue("postgres")
    return server.create_database(f"t{abs(hash(request.node.name)) % 10**12}")


def schema_diff(database: Database) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    database.ready()
    with database.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def test_migrations_make_exactly_the_models_schema(url):
    database = Database(url)
    assert schema_diff(database) == []
    database.close()


def test_head_is_the_newest_migration():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_the_database_is_created_and_migrated_on_first_use(tmp_path):
    repo = LearnerRepository(Database(sqlite_url(tmp_path / "new" / "place")))
    assert repo.learners() == []  # the folder, the file and the schema appear by themselves
    assert (tmp_path / "new" / "place" / "learners.db").exists()


def test_profile_and_progress_round_trip(url):
    repo = LearnerRepository(Database(url))
    repo.save_profile(
        "Ada", goal="ML engineer", hours_per_week=8, start_date=date(2026, 9, 1), add_known=["python"]
    )
    repo.set_progress("ada", "sql", "done", title="SQL for training data")
    repo.set_progress("ada", "sql", Status.LEARNING, source=Source.QUIZ)
    state = repo.state("ADA")
    assert (state.profile.name, state.profile.goal, state.profile.hours_per_week) == ("ada", "ML engineer", 8)
    assert state.profile.start_date == date(2026, 9, 1) and state.profile.known == ("python",)
    entry = state.progress["sql"]
    assert (entry.status, entry.source, entry.title) == (
        Status.LEARNING,
        Source.QUIZ,
        "SQL for training data",
    )
    assert entry.changed_at.tzinfo is not None
    assert [e["status"] for e in repo.history("ada")] == ["learning", "done"]
    repo.save_profile("ada", goal=None)  # fields not given are kept
    assert repo.state("ada").profile.hours_per_week == 8 and repo.state("ada").profile.goal is None
    assert repo.delete("ada") and not repo.exists("ada")
    repo.db.close()


def test_names_are_per_owner_and_checked(tmp_path):
    repo = LearnerRepository(Database(sqlite_url(tmp_path)))
    repo.set_progress("me", "sql", "done", owner="key:a")
    repo.set_progress("me", "sql", "skipped", owner="key:b")
    assert repo.state("me", "key:a").progress["sql"].status == Status.DONE
    assert repo.state("me", "key:b").progress["sql"].status == Status.SKIPPED
    with pytest.raises(UnknownLearner):
        repo.state("me")  # created with keys: not the keyless owner's
    for bad in ("", "a b", "x" * 65, "-dash", "naïve", "../etc", "a/b"):
        with pytest.raises(InvalidLearnerInput):
            repo.set_progress(bad, "sql", "done")
    with pytest.raises(InvalidLearnerInput, match="Unknown status"):
        repo.set_progress("me", "sql", "finished")
    with pytest.raises(InvalidLearnerInput, match="Unknown source"):
        repo.set_progress("me", "sql", "done", source="teacher")
    with pytest.raises(InvalidLearnerInput, match="between"):
        repo.save_profile("me", hours_per_week=500)


def test_unsupported_database_urls_are_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="SQLite or PostgreSQL"):
        Database("mysql://u@localhost/db")
    with pytest.raises(ConfigError, match="in-memory"):
        Database("sqlite://")
    # a port SQLAlchemy cannot read was a raw ValueError: a traceback in the CLI, a 500 per request
    for url in ("postgresql+psycopg://u:pw@host:1:1/db", "postgresql+psycopg://u:pw@host:abc/db"):
        with pytest.raises(ConfigError, match="not a database URL") as caught:
            Database(url)
        assert "pw" not in str(caught.value)


def spawn(url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.learner.writer", url, *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(proc: subprocess.Popen, expected: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == expected:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"writer exited {proc.returncode}: {proc.stderr.read()[-2000:]}")
    raise AssertionError(f"no {expected!r} from the writer within {seconds} s")


def test_four_processes_updating_one_learner_lose_nothing(url):
    Database(url).ready()  # as `tutor serve` does: the schema exists before the workers race
    per_worker = 40
    workers = [spawn(url, "updates", "ada", f"w{n}", str(per_worker)) for n in range(4)]
    for proc in workers:
        wait_for_line(proc, "ready")
    for proc in workers:  # release them together
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in workers:
        assert proc.wait(timeout=240) == 0, proc.stderr.read()[-2000:]
    repo = LearnerRepository(Database(url))
    state = repo.state("ada")
    expected = {f"w{n}-{i}": CYCLE[i % 4] for n in range(4) for i in range(per_worker)}
    assert {t: e.status.value for t, e in state.progress.items() if t != "shared"} == expected
    assert state.progress["shared"].status.value == CYCLE[(per_worker - 1) % 4]
    assert len(repo.history("ada", limit=10_000)) == 4 * per_worker * 2  # every change is in the history
    assert len(repo.learners()) == 1  # four first writes, one learner
    repo.db.close()


def test_concurrent_first_opens_migrate_once(tmp_path):
    url = sqlite_url(tmp_path)
    workers = [spawn(url, "updates", "ada", f"w{n}", "1") for n in range(4)]  # each migrates on open
    for proc in workers:
        wait_for_line(proc, "ready")
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in workers:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()[-2000:]
    assert schema_diff(Database(url)) == []


def consistent(repo: LearnerRepository, topics: int) -> int:
    """The batch the database holds: every topic in that batch's status (else the test fails)."""
    state = repo.state("ada")
    batch = int(state.progress["t0"].title.split()[1])
    statuses = {t: e.status.value for t, e in state.progress.items()}
    assert statuses == {f"t{i}": CYCLE[batch % 4] for i in range(topics)}, f"torn batch {batch}"
    return batch


def test_sigkill_in_the_middle_of_a_write_leaves_the_previous_state(url):
    topics = 300
    repo = LearnerRepository(Database(url))
    repo.set_progress_many("ada", {f"t{i}": CYCLE[1] for i in range(topics)}, titles={"t0": "batch 1"})
    proc = spawn(url, "stall", "ada", str(topics))
    wait_for_line(proc, "ready")
    proc.stdin.write("go\n")
    proc.stdin.flush()
    wait_for_line(proc, "mid-write")  # inside the transaction, part of the rows written
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert consistent(repo, topics) == 1  # the half-written batch 99 left no trace
    repo.set_progress("ada", "t1", "done")  # and the database takes writes again (no stale lock)
    if url.startswith("sqlite"):
        with repo.db.read() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    repo.db.close()


def test_sigkill_at_random_moments_never_tears_a_batch(tmp_path):
    import random

    url, topics = sqlite_url(tmp_path), 200
    repo = LearnerRepository(Database(url))
    repo.set_progress_many("ada", {f"t{i}": CYCLE[0] for i in range(topics)}, titles={"t0": "batch 0"})
    rng = random.Random(15)
    last = 0
    for _ in range(4):
        proc = spawn(url, "batches", "ada", str(topics))
        wait_for_line(proc, "ready")
        proc.stdin.write("go\n")
        proc.stdin.flush()
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        batch = consistent(repo, topics)
        assert batch >= 1 or last == 0
        last = batch
    repo.db.close()
