"""Served deployments on a real server: REST trigger with curl, the inbox event trigger, the cron schedule,
and two process workers sharing imports from prefect.yaml."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import REPO_ROOT, remove_deployments
from tests.flows.workbooks import write_model

pytestmark = pytest.mark.slow


def _env(prefect_api: str, data: Path, db_url: str) -> dict[str, str]:
    return {**os.environ, "PREFECT_API_URL": prefect_api, "CAPITALLENS_DATA_DIR": str(data),
            "DATABASE_URL": db_url, "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2", "PREFECT_WORKER_QUERY_SECONDS": "2"}


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(20)
            return
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def _deployment(api: str, name: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = httpx.get(f"{api}/deployments/name/{name}")
        if r.status_code == 200:
            return dict(r.json())
        time.sleep(1)
    raise AssertionError(f"deployment {name} never appeared")


def _wait_run(api: str, run_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = httpx.get(f"{api}/flow_runs/{run_id}").json()
        if run["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            return dict(run)
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} did not finish")


def _models(db_url: str) -> list[tuple[str, int]]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text("SELECT original_filename, version FROM models"))]
    engine.dispose()
    return rows  # type: ignore[return-value]


@pytest.fixture()
def migrated_pg(fresh_pg_database: str) -> str:
    from db.migrate import upgrade

    upgrade(fresh_pg_database)
    return fresh_pg_database


@pytest.fixture()
def served(prefect_server: str, migrated_pg: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    env = _env(prefect_server, tmp_path / "data", migrated_pg)
    remove_deployments(prefect_server)
    proc = _start([sys.executable, "-m", "cli.main", "serve-deployments"], env, tmp_path / "serve.log")
    try:
        _deployment(prefect_server, "import-workbook/import")
        yield prefect_server, tmp_path
    finally:
        _stop(proc)


def test_rest_trigger_with_curl_event_trigger_and_cron(served: tuple[str, Path], migrated_pg: str) -> None:
    api, tmp = served
    # 1. the README's curl recipe
    wb = write_model(tmp / "via-rest.xlsx", rows=12, seed=5)
    dep = json.loads(subprocess.run(["curl", "-s", f"{api}/deployments/name/import-workbook/import"],
                                    capture_output=True, check=True).stdout)
    body = json.dumps({"parameters": {"path": str(wb), "name": "REST model"}})
    created = json.loads(subprocess.run(
        ["curl", "-s", "-X", "POST", f"{api}/deployments/{dep['id']}/create_flow_run",
         "-H", "Content-Type: application/json", "-d", body], capture_output=True, check=True).stdout)
    assert _wait_run(api, created["id"])["state"]["type"] == "COMPLETED"
    # 2. the inbox event
    wb2 = write_model(tmp / "via-event.xlsx", rows=9, seed=8)
    emit = ("from prefect.events import emit_event; "
            f"emit_event(event='inbox.file.dropped', resource={{'prefect.resource.id': 'capitallens.inbox'}}, "
            f"payload={{'path': {str(wb2)!r}}})")
    subprocess.run([sys.executable, "-c", emit], env=_env(api, tmp / "data", migrated_pg), check=True,
                   timeout=120)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and ("via-event.xlsx", 1) not in _models(migrated_pg):
        time.sleep(1)
    assert sorted(_models(migrated_pg)) == [("via-event.xlsx", 1), ("via-rest.xlsx", 1)]
    # 3. the nightly revalidation carries its cron schedule
    nightly = _deployment(api, "revalidate/nightly")
    crons = [s["schedule"].get("cron") for s in nightly.get("schedules", [])]
    assert "0 2 * * *" in crons


def test_two_process_workers_share_the_imports(prefect_server: str, migrated_pg: str, tmp_path: Path) -> None:
    env = _env(prefect_server, tmp_path / "data", migrated_pg)
    prefect = str(Path(sys.executable).parent / "prefect")
    subprocess.run([prefect, "work-pool", "create", "capitallens", "--type", "process", "--overwrite"],
                   cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=120)
    remove_deployments(prefect_server)
    subprocess.run([prefect, "--no-prompt", "deploy", "--all"], cwd=REPO_ROOT, env=env, check=True,
                   capture_output=True, timeout=180)
    workers = [_start([prefect, "worker", "start", "--pool", "capitallens", "--name", f"w{i}", "--limit", "1"],
                      env, tmp_path / f"worker{i}.log") for i in (1, 2)]
    try:
        dep = _deployment(prefect_server, "import-workbook/import")
        ids = []
        for i in range(6):
            wb = write_model(tmp_path / f"spread-{i}.xlsx", rows=10 + i, seed=i + 2)
            r = httpx.post(f"{prefect_server}/deployments/{dep['id']}/create_flow_run",
                           json={"parameters": {"path": str(wb)}})
            ids.append(r.json()["id"])
        states = [_wait_run(prefect_server, i, timeout=400)["state"]["type"] for i in ids]
        assert states == ["COMPLETED"] * 6
    finally:
        for w in workers:
            _stop(w)
    taken = {i: set(re.findall(r"[0-9a-f-]{36}", (tmp_path / f"worker{i}.log").read_text())) & set(ids)
             for i in (1, 2)}
    assert taken[1] and taken[2], f"runs were not spread across both workers: {taken}"
    assert taken[1] | taken[2] == set(ids)
    assert len(_models(migrated_pg)) == 6
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
