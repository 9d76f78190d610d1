"""Alembic migrations on empty SQLite and PostgreSQL databases: upgrade, round trip, no drift."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from db.base import Base
from db.engine import make_engine
from db.migrate import (
    DatabaseNotMigrated,
    current_revisions,
    downgrade,
    ensure_current,
    head_revisions,
    upgrade,
)

TABLES = {"models", "sheets", "cells", "defined_names", "circular_groups", "cell_precedents",
          "validation_runs", "validation_results"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, never-migrated database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new' / 'dir' / 'empty.db'}"
    else:
        yield request.getfixturevalue("fresh_pg_database")


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_current(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        with pytest.raises(DatabaseNotMigrated, match="run `capitallens db upgrade`"):
            ensure_current(engine)
        upgrade(empty_url)
        ensure_current(engine)
        assert current_revisions(engine) == head_revisions()
    finally:
        engine.dispose()
    assert _tables(empty_url) == TABLES


def test_downgrade_upgrade_round_trip(empty_url: str) -> None:
    upgrade(empty_url)
    downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    engine = make_engine(empty_url)
    try:
        with pytest.raises(DatabaseNotMigrated):
            ensure_current(engine)
    finally:
        engine.dispose()
    upgrade(empty_url)
    assert _tables(empty_url) == TABLES


def test_models_match_migrations(empty_url: str) -> None:
    upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True})
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        engine.dispose()


def test_revision_files_carry_a_date_prefix() -> None:
    versions = Path(__file__).resolve().parents[2] / "db" / "migrations" / "versions"
    files = sorted(p.name for p in versions.glob("*.py"))
    assert files and all(re.fullmatch(r"20\d{6}_\d{4}_[a-z0-9_]+\.py", f) for f in files)
