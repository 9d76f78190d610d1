"""The watcher through the served `import-workbook/import` deployment on a real Prefect server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from config.settings import Settings
from tests.conftest import REPO_ROOT, remove_deployments
from tests.watcher.helpers import all_files, config, files_in, make_workbook, running, wait_for

pytestmark = pytest.mark.slow
DEPLOYMENT = "import-workbook/import"


@pytest.fixture()
def served(prefect_api: str, fresh_pg_database: str, app_settings: Path,
           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Settings]:
    from config.settings import get_settings
    from db.migrate import upgrade

    upgrade(fresh_pg_database)
    monkeypatch.setenv("DATABASE_URL", fresh_pg_database)
    get_settings.cache_clear()
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "CAPITALLENS_DATA_DIR": str(app_settings),
           "DATABASE_URL": fresh_pg_database, "PREFECT_RUNNER_POLL_FREQUENCY": "1", "DO_NOT_TRACK": "1"}
    log = tmp_path / "serve.log"
    remove_deployments(prefect_api)
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "serve-deployments"], cwd=REPO_ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: httpx.get(f"{prefect_api}/deployments/name/{DEPLOYMENT}").status_code == 200, 120,
                 "deployment served")
        yield get_settings()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _hashes(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = sorted(r[0] for r in conn.execute(sa.text("SELECT file_hash FROM models")))
    engine.dispose()
    return rows


def test_files_go_through_the_deployment_and_are_filed(served: Settings, tmp_path: Path) -> None:
    from watcher.importers import prefect_importer, sha256_file
    from watcher.wiring import choose_importer

    settings = served
    assert choose_importer(settings, DEPLOYMENT)[1].startswith("Prefect deployment")
    inbox = settings.inbox_dir
    good = make_workbook(tmp_path / "good.xlsx", 1)
    with running(config(inbox), prefect_importer(DEPLOYMENT, os.environ["PREFECT_API_URL"], poll_seconds=0.5)):
        (inbox / "good.xlsx").write_bytes(good.read_bytes())
        (inbox / "bad.xlsx").write_bytes(b"\x00junk that is not a workbook" * 10)
        wait_for(lambda: "good.xlsx" in files_in(inbox / "archive"), 120, "good archived")
        (inbox / "again.xlsx").write_bytes(good.read_bytes())  # same bytes, after the first is stored
        wait_for(lambda: len(files_in(inbox / "archive")) == 2 and len(files_in(inbox / "failed")) == 2, 120,
                 "all filed")
    assert _hashes(settings.db_url) == [sha256_file(good)]
    bad = json.loads((inbox / "failed" / "bad.xlsx.error.json").read_text())
    assert bad["kind"] == "workbook_unreadable" and "bad.xlsx" in bad["message"]
    run = httpx.get(f"{os.environ['PREFECT_API_URL']}/flow_runs/{bad['flow_run_id']}").json()
    assert run["state"]["type"] == "FAILED"
    assert all_files(inbox / ".processing") == []
    _same_claim_reattaches_and_a_new_drop_is_a_duplicate(served)


def _same_claim_reattaches_and_a_new_drop_is_a_duplicate(served: Settings) -> None:
    """(Part of the test above: one served deployment process per module keeps this file short.)"""
    from watcher.importers import prefect_importer

    importer = prefect_importer(DEPLOYMENT, os.environ["PREFECT_API_URL"], poll_seconds=0.5)
    claimed = served.inbox_dir / ".processing" / "token000001"
    claimed.mkdir(parents=True)
    wb = make_workbook(claimed / "model.xlsx", 2)
    first = importer(wb)
    again = importer(wb)  # a restarted watcher with the same claim: the same flow run
    assert again.stats["flow_run_id"] == first.stats["flow_run_id"]
    assert first.model_id is not None and not first.duplicate
    other = served.inbox_dir / ".processing" / "token000002"
    other.mkdir()
    copy = other / "model.xlsx"
    copy.write_bytes(wb.read_bytes())
    later = importer(copy)  # the same bytes dropped again later: a run of its own, a duplicate
    assert later.stats["flow_run_id"] != first.stats["flow_run_id"]
    assert later.duplicate and later.model_id == first.model_id
