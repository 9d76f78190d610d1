"""Engine factory, session scope and the mapping of connection failures to TransientError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from core.errors import TransientError

# Connection option: begin with BEGIN IMMEDIATE on SQLite, so a writer waits (busy_timeout) for the
# write lock up front instead of failing with "database is locked" when its read snapshot is stale.
SQLITE_IMMEDIATE = "capitallens_sqlite_immediate"
SQLITE_BUSY_TIMEOUT_MS = 30_000

# SQLSTATEs worth retrying: connection exceptions (08xxx), server shutting down, lost serialisation.
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03", "40001", "40P01")


def normalize_url(url: str | URL) -> URL:
    """Rewrite plain postgresql:// URLs to the psycopg 3 driver. Raises ArgumentError on bad URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine (SQLite: parent dir, WAL, foreign keys; PostgreSQL: psycopg 3). Raises ArgumentError.

    *kwargs* go to create_engine and win over the defaults here (pool_pre_ping=True on both backends,
    SQLite's busy timeout); a caller's connect_args are merged into the default ones.
    """
    parsed = normalize_url(url)
    options: dict[str, Any] = {"pool_pre_ping": True, **kwargs}
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, **options)
    if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, **options.get("connect_args", {})}
    engine = sa.create_engine(parsed, **options)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas on every connection, and SQLAlchemy-controlled BEGIN (pysqlite's own breaks SAVEPOINT)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below emit BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL is durable against process crashes
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk loads stop thrashing the B-tree pages
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get(SQLITE_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A Session committed on success and rolled back on error. Raises TransientError on lost connections."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with translate_errors(), factory() as session, session.begin():
        yield session


def is_transient(error: BaseException) -> bool:
    """True for database failures worth retrying: connect failures, lost connections, busy SQLite."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.DisconnectionError):
        return True
    if not isinstance(error, exc.OperationalError):
        return False
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if type(orig).__module__.startswith("psycopg"):
        # No SQLSTATE means the client never got an answer: refused, reset, timed out.
        return sqlstate is None or sqlstate.startswith(_TRANSIENT_SQLSTATE_PREFIXES)
    message = str(orig).lower()
    return "database is locked" in message or "database is busy" in message


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise transient database failures as TransientError; everything else propagates unchanged."""
    try:
        yield
    except exc.SQLAlchemyError as error:
        if is_transient(error):
            raise TransientError(f"database unavailable: {error.orig if hasattr(error, 'orig') else error}"
                                 ) from error
        raise
