"""Shared helpers for watcher tests: small distinct workbooks, a watcher running in a thread, waiting."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from watcher.service import Watcher, WatcherConfig


def make_workbook(path: Path, seed: int, rows: int = 5) -> Path:
    """A tiny valid workbook whose bytes depend on *seed* (numbers, a formula with its cached value)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    total = 0
    for r in range(rows):
        ws.write_number(r, 0, seed * 100 + r)
        total += seed * 100 + r
    ws.write_formula(rows, 0, f"=SUM(A1:A{rows})", None, total)
    wb.close()
    return path


def write_slowly(data: bytes, dest: Path, chunks: int = 4, pause: float = 0.3) -> None:
    """Write *data* to *dest* in *chunks* pieces with pauses, like a slow network copy."""
    step = max(1, len(data) // chunks + 1)
    with open(dest, "wb") as fh:
        for i in range(0, len(data), step):
            fh.write(data[i:i + step])
            fh.flush()
            time.sleep(pause)


def wait_for(cond: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Poll *cond* until true; fail the test after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def files_in(folder: Path) -> list[str]:
    """Names of the files directly in *folder* (sorted)."""
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def all_files(folder: Path) -> list[Path]:
    """Every file under *folder* (recursive).

    The watcher creates and removes claim folders while a test polls, so a folder may vanish between being
    listed and being read: os.walk skips such a folder (its onerror is None) where Path.rglob raises.
    """
    return sorted(Path(root) / name for root, _dirs, names in os.walk(folder) for name in names)


@dataclass
class FakeOutcome:
    """The fields of flows.import_workbook.ImportOutcome the watcher reads."""

    path: str
    model_id: int | None = 1
    version: int | None = 1
    duplicate: bool = False
    sha256: str | None = None
    error: dict[str, Any] | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def config(inbox: Path, **kw: Any) -> WatcherConfig:
    """A fast WatcherConfig for tests."""
    base: dict[str, Any] = dict(inbox=inbox, archive_dir=inbox / "archive", failed_dir=inbox / "failed",
                                settle_seconds=0.4, grace_seconds=1.5, tick_seconds=0.05, rescan_seconds=2.0,
                                retry_delays=(0.1, 0.2, 0.3), max_concurrent=2, poll_interval=0.2)
    base.update(kw)
    return WatcherConfig(**base)


@contextmanager
def running(cfg: WatcherConfig, importer: Callable[[Path], Any]) -> Iterator[Watcher]:
    """A Watcher running in a thread (ready when the with-block starts), stopped at the end."""
    w = Watcher(cfg, importer)
    stop = threading.Event()
    ready = cfg.inbox.parent / f"{cfg.inbox.name}.ready"
    t = threading.Thread(target=w.run, args=(stop, ready), daemon=True)
    t.start()
    wait_for(ready.exists, 10, "watcher ready")
    try:
        yield w
    finally:
        stop.set()
        t.join(30)
        assert not t.is_alive(), "watcher did not stop"
