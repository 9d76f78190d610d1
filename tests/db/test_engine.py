"""Engine factory and the mapping of database failures to TransientError."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Engine

from core.errors import TransientError
from db import repo
from db.engine import is_transient, make_engine, normalize_url, session_scope
from db.models import Model


@pytest.mark.parametrize(("given", "driver"), [
    ("postgresql://u@127.0.0.1:5432/db", "postgresql+psycopg"),
    ("postgres://u@127.0.0.1/db", "postgresql+psycopg"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
    ("sqlite:///x.db", "sqlite"),
])
def test_normalize_url(given: str, driver: str) -> None:
    assert normalize_url(given).drivername == driver


def test_sqlite_engine_creates_its_directory_and_sets_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'c.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert (tmp_path / "a" / "b" / "c.db").is_file()
    finally:
        engine.dispose()


@pytest.mark.parametrize("pre_ping", [True, False])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_caller_options_win_over_the_defaults(backend: str, pre_ping: bool, tmp_path: Path,
                                              request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url, pool_pre_ping=pre_ping, pool_recycle=123)
    try:
        assert engine.pool._pre_ping is pre_ping
        assert engine.pool._recycle == 123
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()


def test_default_pre_ping_and_sqlite_connect_args_merge(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}", connect_args={"check_same_thread": False})
    try:
        assert engine.pool._pre_ping is True
        with engine.connect() as conn:  # the pragmas still apply next to the caller's connect_args
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


def test_nothing_is_created_at_import(tmp_path: Path) -> None:
    repo_root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", "import db.engine, db.loader, db.migrate, db.repo"],
                   cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(repo_root)}, check=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2",  # nothing listens on port 1
])
def test_unreachable_server_is_transient(url: str) -> None:
    engine = make_engine(url)
    try:
        with pytest.raises(TransientError, match="database unavailable"):
            repo.find_model_by_hash(engine, "0" * 64)
    finally:
        engine.dispose()


def test_lost_postgresql_connection_is_transient(pg_url: str) -> None:
    engine = make_engine(pg_url, pool_pre_ping=False)
    try:
        with engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(TransientError):
            with session_scope(engine) as session:  # the pooled connection is now dead
                session.execute(sa.select(sa.func.count()).select_from(Model))
    finally:
        engine.dispose()


def test_locked_sqlite_is_transient_and_other_errors_propagate(db_engine: Engine) -> None:
    locked = exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    assert is_transient(locked)
    with pytest.raises(exc.ProgrammingError if db_engine.dialect.name == "postgresql"
                       else exc.OperationalError) as info:
        with session_scope(db_engine) as session:
            session.execute(sa.text("SELECT * FROM no_such_table"))
    assert not isinstance(info.value, TransientError) and not is_transient(info.value)
