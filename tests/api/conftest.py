"""Fixtures for tests/api: the app on a migrated, seeded database, on SQLite and on PostgreSQL.

The API only reads, so each backend is migrated and seeded once per session and shared by every test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api_readonly.app import create_app
from config.settings import APISettings, Settings
from db.engine import make_engine
from db.migrate import upgrade
from tests.api.seed import Seeded, seed

BACKENDS = ["sqlite", "postgresql"]
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Backend:
    """A migrated, seeded database and what was put in it."""

    name: str
    url: str
    data: Seeded


def make_settings(url: str, tmp: Path, **api: object) -> Settings:
    """Settings pointing at *url*, with a data dir under *tmp* and the given API settings."""
    return Settings(database_url=url, data_dir=tmp, api=APISettings(**api))  # type: ignore[arg-type]


def _prepared(name: str, url: str) -> Backend:
    upgrade(url)
    engine = make_engine(url)
    try:
        return Backend(name, url, seed(engine))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def api_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """SQLite file database, migrated and seeded."""
    return _prepared("sqlite", f"sqlite:///{tmp_path_factory.mktemp('api') / 'capitallens.db'}")


@pytest.fixture(scope="session")
def api_postgres(pg_database: str) -> Backend:
    """The session's PostgreSQL database, migrated and seeded."""
    return _prepared("postgresql", pg_database)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn."""
    return request.getfixturevalue("api_sqlite" if request.param == "sqlite" else "api_postgres")


@pytest.fixture(scope="session")
def client(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of the app (lifespan started) on *backend*, no API keys, no CORS."""
    app = create_app(make_settings(backend.url, tmp_path_factory.mktemp("data"), max_page_size=50))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def data(backend: Backend) -> Seeded:
    """The seeded ids of *backend*."""
    return backend.data


def keyed_settings(url: str, tmp: Path) -> Settings:
    """Settings with two API keys and one CORS origin."""
    return make_settings(url, tmp, api_keys=[SecretStr("k-one"), SecretStr("k-two")],
                         cors_origins=["https://app.example"])
