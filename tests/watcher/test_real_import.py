"""The watcher with the real in-process import (`run_import_direct`) into SQLite and PostgreSQL."""

from __future__ import annotations

import errno
import json
import logging
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from config.settings import Settings
from tests.conftest import missing
from tests.watcher.helpers import all_files, config, files_in, make_workbook, running, wait_for, write_slowly
from watcher import claims
from watcher.importers import direct_importer, sha256_file


def _settings(monkeypatch: pytest.MonkeyPatch, url: str, **env: str) -> Settings:
    import flows.import_workbook  # noqa: F401 - Prefect resets root logging on import: before caplog
    from config.settings import get_settings
    from db.migrate import upgrade

    monkeypatch.setenv("DATABASE_URL", url)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.db_url)
    return settings


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, app_settings: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    url = (f"sqlite:///{app_settings / 'store.db'}" if request.param == "sqlite"
           else request.getfixturevalue("fresh_pg_database"))
    return _settings(monkeypatch, url)


def _hashes(url: str) -> list[str]:
    from db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = sorted(r[0] for r in conn.execute(sa.text("SELECT file_hash FROM models")))
    engine.dispose()
    return rows


def _settled(inbox: Path, n: int, timeout: float = 60) -> None:
    def done() -> bool:
        filed = [p for p in all_files(inbox / "archive") + all_files(inbox / "failed")
                 if not p.name.endswith(".error.json")]
        left = [p for p in all_files(inbox) if p.parent.name not in ("archive", "failed")]
        return len(filed) == n and not left
    wait_for(done, timeout, f"{n} files filed")


def test_real_imports_are_filed_by_outcome(settings: Settings, tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    inbox = settings.inbox_dir
    src = tmp_path / "src"
    src.mkdir()
    good = make_workbook(src / "good.xlsx", 1)
    slow = make_workbook(src / "slow.xlsx", 2, rows=300)
    moved = make_workbook(src / "moved.xlsx", 3)
    with caplog.at_level(logging.INFO, logger="capitallens.watcher"), \
            running(config(inbox), direct_importer(settings)):
        shutil.copy(good, inbox / "good.xlsx")
        shutil.copy(good, inbox / "copy of good.xlsx")  # same bytes: a duplicate
        (inbox / "bad.xlsx").write_bytes(b"\x00junk that is not a workbook" * 20)
        (inbox / "notes.csv").write_text("a,b\n1,2\n")
        moved.rename(inbox / "moved.xlsx")
        write_slowly(slow.read_bytes(), inbox / "slow.xlsx", chunks=4, pause=0.3)
        _settled(inbox, 6)
    stored = (good, slow, inbox / "archive" / "moved.xlsx")
    assert _hashes(settings.db_url) == sorted(sha256_file(p) for p in stored)
    assert files_in(inbox / "archive") == ["copy of good.xlsx", "good.xlsx", "moved.xlsx", "slow.xlsx"]
    assert "copy of good.xlsx is a duplicate" in caplog.text or "good.xlsx is a duplicate" in caplog.text
    bad = json.loads((inbox / "failed" / "bad.xlsx.error.json").read_text())
    assert bad["kind"] == "workbook_unreadable" and "bad.xlsx" in bad["message"]
    assert bad["sha256"] is None or len(bad["sha256"]) == 64
    csv = json.loads((inbox / "failed" / "notes.csv.error.json").read_text())
    assert csv["kind"] == "unsupported_format"


def test_a_claim_left_after_its_import_is_archived_as_a_duplicate(settings: Settings, tmp_path: Path) -> None:
    """Killed after the import committed but before the move: the restart re-imports (a duplicate)."""
    from flows.import_workbook import run_import_direct

    inbox = settings.inbox_dir
    left = inbox / ".processing" / "deadbeef0000"
    left.mkdir(parents=True)
    wb = make_workbook(left / "done.xlsx", 4)
    first = run_import_direct(str(wb), None, True, settings)
    with running(config(inbox), direct_importer(settings)):
        _settled(inbox, 1)
    assert files_in(inbox / "archive") == ["done.xlsx"]
    assert _hashes(settings.db_url) == [first.sha256]


def test_a_full_disk_while_filing_retries_and_the_reimport_is_idempotent(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = settings.inbox_dir
    real = claims.rename_noreplace
    failures = [OSError(errno.ENOSPC, "No space left on device")]

    def rename(src: Path, dest: Path) -> None:
        if dest.parent == inbox / "archive" and failures:
            raise failures.pop()
        real(src, dest)

    monkeypatch.setattr(claims, "rename_noreplace", rename)
    with running(config(inbox), direct_importer(settings)):
        make_workbook(inbox / "m.xlsx", 5)
        _settled(inbox, 1)
    assert not failures and files_in(inbox / "archive") == ["m.xlsx"]
    assert len(_hashes(settings.db_url)) == 1


def test_a_file_vanishing_mid_import_is_logged_and_the_watcher_goes_on(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    from flows import progress

    inbox = settings.inbox_dir

    def delete_during_parse(path: str, stage: str, event: str, _s: float) -> None:
        if stage == "parse" and event == "start" and Path(path).name == "gone.xlsx":
            Path(path).unlink()

    progress.add_listener(delete_during_parse)
    try:
        with caplog.at_level(logging.WARNING, logger="capitallens.watcher"), \
                running(config(inbox), direct_importer(settings)):
            make_workbook(inbox / "gone.xlsx", 6)
            wait_for(lambda: "vanished" in caplog.text, 60, "vanished logged")
            make_workbook(inbox / "next.xlsx", 7)
            _settled(inbox, 1)
    finally:
        progress.remove_listener(delete_during_parse)
    assert files_in(inbox / "archive") == ["next.xlsx"]
    assert all_files(inbox / ".processing") == []


def test_an_immovable_file_waits_while_the_others_import(settings: Settings) -> None:
    inbox = settings.inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    stuck = make_workbook(inbox / "stuck.xlsx", 8)
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(stuck)]).returncode != 0:
        missing("chattr +i is not available here (needs root and a file system with attributes)")
    try:
        with running(config(inbox, retry_delays=(0.2, 0.2)), direct_importer(settings)) as w:
            make_workbook(inbox / "free.xlsx", 9)
            wait_for(lambda: files_in(inbox / "archive") == ["free.xlsx"], 60, "free.xlsx archived")
            wait_for(lambda: stuck in w.blocked, 10, "stuck.xlsx blocked")
            subprocess.run(["chattr", "-i", str(stuck)], check=True)
            _settled(inbox, 2)
    finally:
        subprocess.run(["chattr", "-i", str(stuck)], check=False)
    assert len(_hashes(settings.db_url)) == 2


@pytest.fixture()
def proxied_pg(app_settings: Path, fresh_pg_database: str,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, Any]]:
    from sqlalchemy.engine import make_url

    from tests.flows.tcp_proxy import FlakyProxy

    url = make_url(fresh_pg_database)
    proxy = FlakyProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    # no stage-level retries: the watcher's own retry is what is under test
    settings = _settings(monkeypatch, proxied, CAPITALLENS_PREFECT__TASK_RETRIES="0")
    try:
        yield settings, proxy
    finally:
        proxy.close()


def test_a_database_outage_is_retried_by_the_watcher(proxied_pg: tuple[Settings, Any]) -> None:
    settings, proxy = proxied_pg
    inbox = settings.inbox_dir
    with running(config(inbox, retry_delays=(1.0, 2.0, 4.0)), direct_importer(settings)):
        proxy.outage(2.5)
        make_workbook(inbox / "m.xlsx", 10)
        _settled(inbox, 1)
    assert proxy.refused > 0
    assert files_in(inbox / "archive") == ["m.xlsx"]
    assert len(_hashes(settings.db_url)) == 1
