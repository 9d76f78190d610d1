"""`capitallens up` on the embedded default: everything starts healthy, a dropped file becomes a model,
and SIGTERM stops it all, leaving no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import REPO_ROOT, free_port
from tests.flows.workbooks import write_model

pytestmark = pytest.mark.slow


def processes_with(marker: str) -> list[int]:
    """PIDs whose environment contains *marker* (our temporary data dir)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_up_starts_everything_imports_a_dropped_file_and_stops_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "updata"
    prefect_port, api_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DATABASE_URL"))}
    env.update({"CAPITALLENS_DATA_DIR": str(data), "CAPITALLENS_PREFECT__SERVER_PORT": str(prefect_port),
                "CAPITALLENS_API__PORT": str(api_port), "CAPITALLENS_WATCHER__SETTLE_SECONDS": "0.5"})
    log = (tmp_path / "up.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "up"], cwd=REPO_ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if "all services running" in (tmp_path / "up.log").read_text():
                break
            time.sleep(1)
        out = (tmp_path / "up.log").read_text()
        assert "all services running" in out, out[-4000:]
        assert httpx.get(f"http://127.0.0.1:{prefect_port}/api/health").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{prefect_port}/api/deployments/name/import-workbook/import"
                         ).status_code == 200
        assert "api ready" in out and "watcher ready" in out, out
        assert httpx.get(f"http://127.0.0.1:{api_port}/health").status_code == 200
        # a dropped file becomes a model through the served deployment
        write_model(data / "inbox" / "dropped.xlsx", rows=8)
        engine = sa.create_engine(f"sqlite:///{data / 'capitallens.db'}")
        deadline = time.monotonic() + 180
        count = 0
        while time.monotonic() < deadline and not count:
            with engine.connect() as conn:
                count = conn.execute(sa.text("SELECT count(*) FROM models")).scalar_one()
            time.sleep(1)
        engine.dispose()
        assert count == 1, (data / "logs" / "watcher.log").read_text()[-3000:]
        assert processes_with(str(data)), "services should be running"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        log.close()
    assert code == 0, (tmp_path / "up.log").read_text()[-3000:]
    text = (tmp_path / "up.log").read_text()
    order = [text.index(f"stopping {name}") for name in ("deployments", "prefect-server")]
    assert order == sorted(order), "runners must stop before the server"
    time.sleep(1)
    assert processes_with(str(data)) == [], "processes left behind"
