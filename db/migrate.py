"""Schema migrations, run programmatically (`capitallens db upgrade`) from the files inside the db package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Engine

from core.errors import PipelineError
from db.engine import make_engine, translate_errors

_HERE = Path(__file__).resolve().parent


class DatabaseNotMigrated(PipelineError):
    """The database schema is missing or older than this code expects."""

    kind = "database_not_migrated"


def alembic_config() -> Config:
    """The Alembic Config of the shipped migrations (no URL: callers pass a connection)."""
    cfg = Config(str(_HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    return cfg


def head_revisions() -> set[str]:
    """The head revision(s) of the shipped migrations."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The revision(s) the database is at (empty when never migrated). Raises TransientError."""
    with translate_errors(), engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def _run(url: str | URL | Engine, action: str, revision: str) -> None:
    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        with translate_errors(), engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, revision)
    finally:
        if not isinstance(url, Engine):
            engine.dispose()


def upgrade(url: str | URL | Engine, revision: str = "head") -> None:
    """Run `alembic upgrade` to *revision* on the database. Raises TransientError, SQLAlchemyError."""
    _run(url, "upgrade", revision)


def downgrade(url: str | URL | Engine, revision: str = "base") -> None:
    """Run `alembic downgrade` to *revision* on the database. Raises TransientError, SQLAlchemyError."""
    _run(url, "downgrade", revision)


def ensure_current(engine: Engine) -> None:
    """Raise DatabaseNotMigrated unless the schema is at the head revision; TransientError if unreachable."""
    current = current_revisions(engine)
    heads = head_revisions()
    if current != heads:
        at = ", ".join(sorted(current)) or "no schema"
        raise DatabaseNotMigrated(
            f"database {engine.url.render_as_string(hide_password=True)} is at {at}, "
            f"this code needs {', '.join(sorted(heads))}: run `capitallens db upgrade`",
            path=engine.url.render_as_string(hide_password=True),
        )
