"""Kill the import mid-insert (SIGKILL, real process), run it again: exactly one complete model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import REPO_ROOT
from tests.flows.workbooks import write_model

pytestmark = pytest.mark.slow

ROWS = 25_000  # 100k cells: COPY takes long enough to be caught in the act


def _copy_in_progress(admin: sa.Engine, dbname: str) -> bool:
    with admin.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND state = 'active' "
            "AND query ILIKE 'COPY%cells%'"), {"d": dbname}).scalar_one())


def test_kill_mid_insert_then_rerun_leaves_one_complete_model(prefect_api: str, fresh_pg_database: str,
                                                              tmp_path: Path) -> None:
    from db.migrate import upgrade

    upgrade(fresh_pg_database)
    wb = write_model(tmp_path / "big.xlsx", rows=ROWS)
    env = {**os.environ, "CAPITALLENS_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": fresh_pg_database,
           "PREFECT_API_URL": prefect_api, "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    cmd = [sys.executable, "-m", "cli.main", "import", str(wb), "--json"]
    url = sa.engine.make_url(fresh_pg_database)
    admin = sa.create_engine(url.set(database="postgres"))
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None and not _copy_in_progress(admin, url.database):
            time.sleep(0.05)
        assert proc.poll() is None, f"import ended before insert could be interrupted: {proc.stderr.read()!r}"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    engine = sa.create_engine(fresh_pg_database)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM models")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM cells")).scalar_one() == 0
    rerun = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM models")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM cells")).scalar_one() == ROWS * 4 + 4 + 1
        assert conn.execute(sa.text("SELECT status FROM models")).scalar_one() == "validated"
    engine.dispose()
    admin.dispose()
