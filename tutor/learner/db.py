"""Opening the learner database: SQLite in the data dir by default, PostgreSQL by URL, and the
schema brought up to date by the Alembic migrations shipped in this package, so nobody ever runs a
migration by hand.

SQLite is opened in WAL mode (readers never wait for the writer) with a busy timeout, and every
write transaction starts with BEGIN IMMEDIATE: a writer takes the write lock before it reads, so
two processes never both read a state and then fail to upgrade to a write (SQLITE_BUSY_SNAPSHOT),
they queue. Migrations run under that same lock on SQLite and under an advisory lock on
PostgreSQL: four API workers starting at once migrate once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tutor.config import Settings
from tutor.errors import ConfigError
from tutor.learner.state import LearnerDatabaseError

HEAD = "0002"  # the newest migration; tests check it is the script directory's head
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_SECONDS = 30.0
ADVISORY_LOCK = 0x7475746F72  # "tutor": PostgreSQL migrations wait on each other with it
WRITE = "tutor_write"


def database_url(settings: Settings) -> str:
    if settings.database_url is not None and settings.database_url.get_secret_value().strip():
        return settings.database_url.get_secret_value().strip()
    return f"sqlite:///{(Path(settings.data_dir).expanduser() / 'learners.db').resolve()}"


def describe(url) -> str:
    """Where the database is, for messages: the SQLite file, or the server without its password."""
    if url.get_backend_name() == "sqlite":
        return f"the learner database {url.database}"
    return f"the learner database at {url.host or 'localhost'}{':' + str(url.port) if url.port else ''}"


def create(url_text: str):
    """A SQLAlchemy Engine for the learner database (no connection made yet)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(url_text)
    except (ArgumentError, ValueError):
        raise ConfigError(
            "TUTOR_DATABASE_URL is not a database URL (e.g. postgresql+psycopg://u:p@host/db)."
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ConfigError(
                "The learner database must be a file: an in-memory SQLite database forgets everything."
            )
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, record):
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")  # a committed change survives a power cut
            cursor.close()

        @event.listens_for(engine, "begin")
        def on_begin(connection):
            immediate = connection.get_execution_options().get(WRITE)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if backend == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True)
        except (NoSuchModuleError, ImportError):
            raise ConfigError(
                "PostgreSQL needs the psycopg driver: use a postgresql+psycopg:// URL "
                "(pip install 'psycopg[binary]')."
            ) from None
    raise ConfigError(
        f"TUTOR_DATABASE_URL: the learner database must be SQLite or PostgreSQL, not {backend!r}."
    )


def _current_revision(connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine) -> None:
    """Bring the schema to HEAD (creating it on first use); a no-op when it is there already."""
    from sqlalchemy import text

    with engine.connect() as connection:
        if _current_revision(connection) == HEAD:
            return
    from alembic import command
    from alembic.config import Config

    with engine.execution_options(**{WRITE: True}).begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
        if _current_revision(connection) == HEAD:  # another process did it while we waited
            return
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("path_separator", "os")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """One engine per URL per process, migrated on first use; `read()` and `write()` are transactions."""

    def __init__(self, url: str):
        from sqlalchemy.engine import make_url

        self.url = url
        self.engine = create(url)
        self.where = describe(make_url(url))
        self._ready = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(database_url(settings))

    def _fail(self, exc: Exception, doing: str):
        from sqlalchemy.exc import DBAPIError

        detail = ""
        if isinstance(exc, DBAPIError) and exc.orig is not None:
            detail = f": {str(exc.orig).strip().splitlines()[0][:200]}" if str(exc.orig).strip() else ""
        return LearnerDatabaseError(f"Cannot {doing} {self.where}{detail}")

    def ready(self) -> None:
        if self._ready:
            return
        from sqlalchemy.exc import SQLAlchemyError

        with self._lock:
            if self._ready:
                return
            try:
                migrate(self.engine)
            except SQLAlchemyError as exc:
                raise self._fail(exc, "open") from exc
            except OSError as exc:
                raise LearnerDatabaseError(f"Cannot open {self.where}: {exc.strerror or exc}") from exc
            self._ready = True

    @contextmanager
    def read(self) -> Iterator:
        """A read transaction: one consistent snapshot on both databases."""
        from sqlalchemy.exc import SQLAlchemyError

        self.ready()
        engine = self.engine
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        try:
            with engine.connect() as connection, connection.begin():
                yield connection
        except SQLAlchemyError as exc:
            raise self._fail(exc, "read") from exc

    @contextmanager
    def write(self) -> Iterator:
        """A write transaction: all of it commits, or none of it (also when the process dies)."""
        from sqlalchemy.exc import SQLAlchemyError

        self.ready()
        try:
            with self.engine.execution_options(**{WRITE: True}).begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise self._fail(exc, "write to") from exc

    def close(self) -> None:
        self.engine.dispose()
