"""Transient faults injected for real into one stage: the task retries and the import completes once."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from config.settings import get_settings
from flows import progress
from flows.import_workbook import import_workbook
from tests.flows.conftest import task_runs
from tests.flows.tcp_proxy import FlakyProxy
from tests.flows.workbooks import write_model


def _stage(task_run: object) -> str:
    return str(getattr(task_run, "name", "")).rsplit("-", 1)[0]


@pytest.fixture()
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPITALLENS_PREFECT__TASK_RETRIES", "3")
    monkeypatch.setenv("CAPITALLENS_PREFECT__TASK_RETRY_DELAYS", "[3, 3, 3]")
    get_settings.cache_clear()


@pytest.fixture()
def on_stage_done() -> Iterator[list[progress.Listener]]:
    added: list[progress.Listener] = []
    yield added
    for listener in added:
        progress.remove_listener(listener)


def _when(stage: str, action: object, added: list[progress.Listener]) -> None:
    fired: list[bool] = []

    def listener(path: str, name: str, event: str, seconds: float) -> None:
        if name == stage and event == "done" and not fired:
            fired.append(True)
            action()  # type: ignore[operator]
    progress.add_listener(listener)
    added.append(listener)


def test_database_outage_during_insert_is_retried(prefect_api: str, app_settings: Path, fresh_pg_database: str,
                                                  monkeypatch: pytest.MonkeyPatch, fast_retries: None,
                                                  on_stage_done: list[progress.Listener], tmp_path: Path) -> None:
    from db.migrate import upgrade

    upgrade(fresh_pg_database)
    url = sa.engine.make_url(fresh_pg_database)
    proxy = FlakyProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", proxied)
    get_settings.cache_clear()
    try:
        _when("evaluate", lambda: proxy.outage(4.0), on_stage_done)
        wb = write_model(tmp_path / "outage.xlsx", rows=30)
        state = import_workbook(path=str(wb), return_state=True)
        assert state.is_completed(), state.message
        runs = {_stage(t): t for t in task_runs(state.state_details.flow_run_id)}
        assert runs["insert"].run_count >= 2, "insert should have failed once and been retried"
        assert proxy.refused > 0
    finally:
        proxy.close()
    engine = sa.create_engine(fresh_pg_database)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM models")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM cells")).scalar_one() == 30 * 4 + 4 + 1
    engine.dispose()


def _kill_during_long_call(engine: object, hold: float = 0.02) -> None:
    """Kill the engine's Node process once a call has been in flight for *hold* seconds (the load)."""
    import time

    lock = engine._lock  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lock.locked():
            time.sleep(hold)
            if lock.locked() and engine.pid:  # type: ignore[attr-defined]
                os.kill(engine.pid, signal.SIGKILL)  # type: ignore[attr-defined]
                return
        time.sleep(0.001)


def test_node_process_killed_during_evaluate_is_retried(prefect_api: str, sqlite_db: str, fast_retries: None,
                                                        on_stage_done: list[progress.Listener],
                                                        tmp_path: Path) -> None:
    import threading

    from tasks.resources import live_engines

    import_workbook(path=str(write_model(tmp_path / "warmup.xlsx", rows=5, seed=7)))
    engines = [e for e in live_engines() if e.pid]
    assert engines, "the first import should have started the Node engine"
    _when("graph", lambda: threading.Thread(target=_kill_during_long_call, args=(engines[0],),
                                            daemon=True).start(), on_stage_done)
    state = import_workbook(path=str(write_model(tmp_path / "after-kill.xlsx", rows=3000, seed=11)),
                            return_state=True)
    assert state.is_completed(), state.message
    runs = {_stage(t): t for t in task_runs(state.state_details.flow_run_id)}
    assert runs["evaluate"].run_count >= 2, "evaluate should have failed once (Node killed) and been retried"
    assert state.result().stats["match_rate"] == pytest.approx(1.0)
