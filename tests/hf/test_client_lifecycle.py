"""NodeEngine process lifecycle against the real Node process: restart after death, call timeouts,
idempotent close, and no orphan Node process whatever happens to the Python side."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.errors import EngineError, TransientError
from hf.client import NodeEngine
from hf.protocol import EngineBook, EngineSheet

REPO = Path(__file__).resolve().parents[2]
BOOK = EngineBook(sheets=[EngineSheet("S", [(1, 1, 2), (1, 2, "=A1*21")])])


def alive(pid: int) -> bool:
    """True when *pid* is a running (not zombie) process."""
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture()
def engine():  # type: ignore[no-untyped-def]
    eng = NodeEngine(call_timeout=20, startup_timeout=20)
    yield eng
    eng.close()


def test_kill9_mid_session_raises_transient_then_recovers(engine: NodeEngine) -> None:
    engine.load(BOOK)
    pid = engine.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(pid)
    with pytest.raises(TransientError):
        engine.read([("S", 1, 2)])
    # The next call starts a fresh process (which has no workbook until loaded again).
    engine.load(BOOK)
    assert engine.read([("S", 1, 2)])[0].number == 42.0
    assert engine.pid not in (None, pid)


def test_stuck_call_times_out_and_kills_the_process() -> None:
    with NodeEngine(call_timeout=1.0) as eng:
        eng.request("ping")
        pid = eng.pid
        assert pid is not None
        t0 = time.monotonic()
        with pytest.raises(TransientError, match="timed out"):
            eng.request("sleep", seconds=60)
        assert time.monotonic() - t0 < 10
        assert wait_gone(pid)
        assert eng.request("ping")["ok"] is True


def test_close_is_idempotent_and_stops_node() -> None:
    eng = NodeEngine()
    eng.request("ping")
    pid = eng.pid
    assert pid is not None and alive(pid)
    eng.close()
    eng.close()
    assert wait_gone(pid)
    assert eng.pid is None


def test_context_manager_stops_node() -> None:
    with NodeEngine() as eng:
        assert eng.version.startswith("3.5.")
        pid = eng.pid
    assert pid is not None and wait_gone(pid)


def test_engine_refusal_is_engine_error_and_process_survives(engine: NodeEngine) -> None:
    with pytest.raises(EngineError, match="bad_request"):
        engine.request("no_such_command")
    with pytest.raises(EngineError, match="no_workbook"):
        engine.request("unload") and engine.read([("S", 1, 1)])
    assert engine.request("ping")["ok"] is True


CHILD = """
import sys, time
sys.path.insert(0, {repo!r})
from hf.client import NodeEngine
eng = NodeEngine()
eng.request("ping")
print(eng.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("how", ["sigkill", "sigkill_while_busy", "exit"])
def test_no_orphan_node_after_python_dies(how: str) -> None:
    code = CHILD.format(repo=str(REPO))
    if how == "exit":
        code = code.replace("time.sleep(120)", "")  # normal interpreter exit, engine never closed
    if how == "sigkill_while_busy":  # Node blocked in a call: only its watchdog thread can notice
        code = code.replace("time.sleep(120)", 'eng.request("sleep", seconds=120)')
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    node_pid = int(child.stdout.readline())
    assert alive(node_pid)
    if how.startswith("sigkill"):
        time.sleep(0.5)
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert wait_gone(node_pid, 10.0), "node outlived its Python parent"
