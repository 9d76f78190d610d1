"""Session-wide fixtures: the Excel corpus and a real PostgreSQL server.

Under CI=true a missing corpus or PostgreSQL server fails the tests that need them; on a user's
clone they skip with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


def corpus_root() -> Path:
    """CAPITALLENS_CORPUS, or ../shared/corpus next to the repository."""
    return Path(os.environ.get("CAPITALLENS_CORPUS", REPO_ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The Excel-saved corpus with its MANIFEST.tsv."""
    root = corpus_root()
    if not (root / "MANIFEST.tsv").is_file():
        missing(f"Excel corpus not found at {root} (set CAPITALLENS_CORPUS)")
    return root


def corpus_manifest() -> list[dict[str, str]]:
    """Rows of MANIFEST.tsv (empty when the corpus is absent; tests then skip/fail via corpus_dir)."""
    path = corpus_root() / "MANIFEST.tsv"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]


PG_ADMIN_URL = os.environ.get("CAPITALLENS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin_connect():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        missing(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")


@contextmanager
def temporary_pg_database(prefix: str) -> Iterator[str]:
    """Create a uniquely named PostgreSQL database, yield its SQLAlchemy URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with _pg_admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (SQLAlchemy URL); dropped at the end."""
    with temporary_pg_database("capitallens_test") as url:
        yield url


@pytest.fixture()
def fresh_pg_database() -> Iterator[str]:
    """A PostgreSQL database for one test (for tests that need an empty, unmigrated one)."""
    with temporary_pg_database("capitallens_t") as url:
        yield url


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float) -> bool:
    """Poll *url* until it answers 200 or *timeout* seconds pass."""
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


NO_TELEMETRY_ENV = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Prefect server for the whole session (its database on PostgreSQL), or PREFECT_API_URL."""
    import signal
    import subprocess
    import sys

    given = os.environ.get("CAPITALLENS_TEST_PREFECT_API_URL")
    if given:
        yield given
        return
    home = tmp_path_factory.mktemp("prefect-home")
    dbname = f"capitallens_prefect_{uuid.uuid4().hex[:8]}"
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    host_part = PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    port = free_port()
    env = {**os.environ, **NO_TELEMETRY_ENV, "PREFECT_HOME": str(home),
           "PREFECT_API_DATABASE_CONNECTION_URL": f"postgresql+asyncpg://{host_part}/{dbname}",
           "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    prefect_bin = str(Path(sys.executable).parent / "prefect")
    log = open(home / "server.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([prefect_bin, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        if not wait_http(f"{url}/health", 240):
            pytest.fail(f"Prefect server did not start; log: {(home / 'server.log').read_text()[-3000:]}")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        with _pg_admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture()
def prefect_api(prefect_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point this process's Prefect client at the session server (and keep telemetry off)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    for key, value in NO_TELEMETRY_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PREFECT_API_URL", prefect_server)
    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        yield prefect_server


@pytest.fixture()
def app_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings for an entry point under test: a temporary data dir (and SQLite database in it)."""
    from config.settings import get_settings

    data = tmp_path / "data"
    monkeypatch.setenv("CAPITALLENS_DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep every test that uses the session Prefect server on one xdist worker (one server per run)."""
    for item in items:
        if "prefect_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("prefect"))


def remove_deployments(api_url: str) -> None:
    """Delete every deployment on the session server, so a test waiting for one sees its own registration
    (not one left by an earlier test pointing at another runner or work pool)."""
    import httpx

    found = httpx.post(f"{api_url}/deployments/filter", json={"limit": 200, "offset": 0}, timeout=30)
    found.raise_for_status()
    for dep in found.json():
        httpx.delete(f"{api_url}/deployments/{dep['id']}", timeout=30)
