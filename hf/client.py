"""NodeEngine: the FormulaEngine over one long-lived Node process running hf/engine.js.

The process starts lazily on the first call and is reused for every workbook. A call that does not
answer within ``call_timeout`` kills the process group and raises TransientError (so the task is
retried on a fresh process); a dead process raises TransientError on the call that finds it dead and
is restarted by the next call. Node never outlives us: it exits when its stdin closes (which the
kernel does when this process dies, however it dies) or when its parent changes, and ``close()``,
``__exit__``, a finaliser and atexit all stop it.
"""

from __future__ import annotations

import json
import math
import os
import queue
import signal
import subprocess
import threading
import time
import weakref
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import EngineError, TransientError
from hf.protocol import (
    CellKey,
    CycleGroup,
    CycleResult,
    EngineBook,
    EngineValue,
    ErrorValue,
    LoadReport,
)

DEFAULT_SCRIPT = Path(__file__).resolve().parent / "engine.js"
_EOF = object()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group of *proc* (it leads its own session) and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Close stdin (engine.js exits on EOF), then kill whatever is left."""
    try:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=2)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        pass
    _kill_group(proc)


class Text(str):
    """A text constant that must reach the engine as text even when it starts with '='."""

    __slots__ = ()


def encode_content(value: object) -> object:
    """One cell's content on the wire: '=formula', "'text", '#ERR', number, bool. Raises TypeError."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else "#NUM!"
    if isinstance(value, ErrorValue):
        return value.code
    if isinstance(value, str):
        formula = (value.startswith("=") or value.startswith("{=")) and not isinstance(value, Text)
        return value if formula else "'" + value
    raise TypeError(f"cannot send {type(value).__name__} to the engine")


def decode_value(raw: Any) -> EngineValue:
    """An EngineValue from the wire encoding (number | text | bool | null | [code, detail, status])."""
    if raw is None:
        return EngineValue(kind="empty")
    if isinstance(raw, bool):
        return EngineValue(kind="bool", number=1.0 if raw else 0.0)
    if isinstance(raw, int | float):
        return EngineValue(kind="number", number=float(raw))
    if isinstance(raw, str):
        return EngineValue(kind="text", text=raw)
    code, detail, status = raw
    if status == "ok":
        return EngineValue(kind="error", text=code, detail=detail or None)
    return EngineValue(kind="error", text=code, detail=f"{status}: {detail}")


def split_status(value: EngineValue) -> tuple[str, str | None]:
    """(eval_status, detail) of a value: errors the engine could not compute carry 'status: detail'."""
    detail = value.detail
    if value.kind == "error" and detail:
        head, sep, rest = detail.partition(": ")
        if sep and head in ("unsupported_function", "engine_error"):
            return head, rest
    return "ok", detail


def encode_book(book: EngineBook) -> dict[str, Any]:
    """The body of a load request. Raises TypeError on an unsendable cell."""
    return {
        "sheets": [{"name": s.name, "cells": [[r, c, encode_content(v)] for r, c, v in s.cells
                                              if v is not None]} for s in book.sheets],
        "names": [[n.name, n.expression, n.scope] for n in book.names],
        "tables": [{"name": t.name, "display_name": t.display_name, "sheet": t.sheet, "ref": t.ref,
                    "header_rows": t.header_row_count, "totals_rows": t.totals_row_count,
                    "columns": list(t.columns)} for t in book.tables],
        "date1904": bool(book.date1904),
        **({"clock": book.clock} if book.clock else {}),
        **({"charset": book.charset} if book.charset else {}),
        **({"hidden_rows": {k: list(v) for k, v in book.hidden_rows.items()}} if book.hidden_rows else {}),
    }


class NodeEngine:
    """HyperFormula in a Node process; implements hf.protocol.FormulaEngine. Not thread-safe."""

    name = "hyperformula"

    def __init__(self, node_binary: str = "node", script_path: Path | str = DEFAULT_SCRIPT,
                 call_timeout: float = 300.0, startup_timeout: float = 30.0,
                 max_old_space_mb: int = 4096) -> None:
        self.node_binary = node_binary
        self.script_path = Path(script_path)
        self.call_timeout = call_timeout
        self.startup_timeout = startup_timeout
        self.max_old_space_mb = max_old_space_mb
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[object] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=40)
        self._next_id = 0
        self._version: str | None = None
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize | None = None

    # -- process lifecycle -------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The Node process id, or None when not running."""
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    @property
    def version(self) -> str:
        """HyperFormula's version (starts the process). Raises TransientError."""
        if self._version is None:
            self._version = str(self.request("version")["version"])
        return self._version

    def _start(self) -> None:
        cmd = [self.node_binary, f"--max-old-space-size={int(self.max_old_space_mb)}", str(self.script_path)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, cwd=str(self.script_path.parent),
                                    start_new_session=True)
        except OSError as exc:
            raise EngineError(f"cannot start the formula engine ({cmd[0]}): {exc}") from exc
        self._proc = proc
        self._lines = queue.Queue()
        threading.Thread(target=self._pump_stdout, args=(proc, self._lines), daemon=True).start()
        # The pumps must not hold `self`: an engine nobody uses any more is garbage collected and its
        # finaliser stops Node (per-thread engines in tasks.resources rely on this).
        threading.Thread(target=self._pump_stderr, args=(proc, self._stderr), daemon=True).start()
        self._finalizer = weakref.finalize(self, _stop, proc)
        self._finalizer.atexit = True
        try:
            self._exchange({"cmd": "ping"}, self.startup_timeout)
        except TransientError as exc:
            raise TransientError(f"formula engine did not start: {exc}") from exc

    @staticmethod
    def _pump_stdout(proc: subprocess.Popen[bytes], lines: queue.Queue[object]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(_EOF)

    @staticmethod
    def _pump_stderr(proc: subprocess.Popen[bytes], sink: deque[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            sink.append(line.decode("utf-8", "replace").rstrip())

    def _discard(self) -> None:
        proc, self._proc = self._proc, None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if proc is not None:
            _kill_group(proc)

    def close(self) -> None:
        """Stop the Node process (idempotent; the next call would start a new one)."""
        with self._lock:
            proc, self._proc = self._proc, None
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
            if proc is not None:
                _stop(proc)

    def __enter__(self) -> NodeEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def peak_rss_bytes(self) -> int | None:
        """Node's peak resident memory (VmHWM from /proc), or None when unavailable."""
        pid = self.pid
        try:
            text = Path(f"/proc/{pid}/status").read_text() if pid else ""
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return None

    # -- calls -------------------------------------------------------------------------------
    def _exchange(self, msg: dict[str, Any], timeout: float) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        self._next_id += 1
        msg = {**msg, "id": self._next_id}
        try:
            proc.stdin.write(json.dumps(msg, separators=(",", ":")).encode("utf-8") + b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self._discard()
            raise TransientError(f"formula engine died: {exc}; {self._last_stderr()}") from exc
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self._discard()
                raise TransientError(f"formula engine call {msg['cmd']!r} timed out after {timeout:g} s; "
                                     "process killed") from None
            if line is _EOF:
                code = proc.poll()
                self._discard()
                raise TransientError(f"formula engine exited (code {code}) during {msg['cmd']!r}; "
                                     f"{self._last_stderr()}")
            reply = json.loads(line)  # type: ignore[arg-type]
            if reply.get("id") == msg["id"]:
                return reply  # type: ignore[no-any-return]

    def _last_stderr(self) -> str:
        time.sleep(0.05)  # let the stderr pump catch the dying words
        return " | ".join(list(self._stderr)[-5:]) or "no stderr"

    def request(self, cmd: str, timeout: float | None = None, **fields: Any) -> dict[str, Any]:
        """Send one raw protocol message and return the reply. Raises TransientError, EngineError."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is not None:
                # Died between calls: its workbook is gone, so this call cannot be answered.
                code = self._proc.returncode
                self._discard()
                raise TransientError(f"formula engine process died (exit {code}); restarted on next call")
            if self._proc is None:
                self._start()
            reply = self._exchange({"cmd": cmd, **fields}, timeout or self.call_timeout)
        if not reply.get("ok"):
            raise EngineError(f"formula engine refused {cmd!r} ({reply.get('kind')}): {reply.get('error')}")
        return reply

    def load(self, book: EngineBook) -> LoadReport:
        """Replace the loaded workbook with *book* and calculate it. Raises TransientError, EngineError."""
        reply = self.request("load", **encode_book(book))
        cells = {(str(s), int(r), int(c)): str(why) for s, r, c, why in reply.get("rejected_cells", [])}
        return LoadReport(seconds=float(reply["seconds"]), rejected_names=dict(reply["rejected_names"]),
                          rejected_cells=cells)

    def load_grid(self, grid: dict[str, Any], book: EngineBook) -> LoadReport:
        """Load a columnar *grid* (hf.wire.encode_grid) with *book*'s names, tables and date system;
        *book*'s sheets (external link caches) come after the grid's. Raises TransientError, EngineError."""
        reply = self.request("load", grid=grid, **encode_book(book))
        cells = {(str(s), int(r), int(c)): str(why) for s, r, c, why in reply.get("rejected_cells", [])}
        return LoadReport(seconds=float(reply["seconds"]), rejected_names=dict(reply["rejected_names"]),
                          rejected_cells=cells)

    def read_formulas(self) -> dict[str, Any]:
        """The raw columnar values of the last grid load's formula cells (see hf.wire).
        Raises TransientError, EngineError."""
        return self.request("read_formulas")

    def read(self, cells: Sequence[CellKey]) -> list[EngineValue]:
        """Values of *cells* in one call. Raises TransientError, EngineError."""
        if not cells:
            return []
        reply = self.request("read", cells=[list(c) for c in cells])
        return [decode_value(v) for v in reply["values"]]

    def solve_cycles(self, groups: Sequence[CycleGroup], *, max_iterations: int, max_change: float,
                     start: Sequence[Sequence[float]] | None = None,
                     iterate: bool = True) -> list[CycleResult]:
        """Iterate circular groups in hf/circular.js (wire format: hf.cycles). Raises TransientError,
        EngineError."""
        from hf.cycles import decode_solve_reply, encode_solve_message

        body = encode_solve_message(groups, max_iterations=max_iterations, max_change=max_change,
                                    start=start, iterate=iterate)
        return decode_solve_reply(self.request("solve_cycles", **body))
