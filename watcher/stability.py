"""Decide when a file in the inbox is complete: closed or moved in, or unchanged for a settle time,
and opening as a ZIP.

inotify reports cp as Created, Modified..., Closed; mv from elsewhere as Created only; a rename inside
the inbox as Moved; the PollingObserver has no Closed event and may report Created mid-write
(PLATFORM_NOTES). So every event only makes the file a *candidate*; completeness is decided here, from
the file's size and mtime, one stat per candidate per tick.
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def opens_as_zip(path: Path) -> bool:
    """True when *path* is a readable ZIP (its central directory is written last, so a partial copy
    fails this test)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return bool(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False


@dataclass
class _Candidate:
    signature: tuple[int, int]  # (size, mtime_ns) at the last stat
    since: float  # clock value when the signature last changed
    closed: bool  # the writer said it is done (Closed, or moved in under its final name)
    zip_ok: tuple[tuple[int, int], bool] | None = None  # cached opens_as_zip per signature


class StabilityTracker:
    """Candidates and their last seen size/mtime; `ready()` hands out the complete ones.

    A file that never opens as a ZIP is handed out anyway once it has been unchanged for
    *grace_seconds* (or *settle_seconds* after a Closed/Moved event), so the import can refuse it
    with the reader's own message and it lands in failed/ instead of waiting forever.
    """

    def __init__(self, settle_seconds: float, grace_seconds: float,
                 clock: Callable[[], float] = time.monotonic,
                 is_complete: Callable[[Path], bool] = opens_as_zip) -> None:
        self.settle = settle_seconds
        self.grace = max(grace_seconds, settle_seconds)
        self.clock = clock
        self.is_complete = is_complete
        self._files: dict[Path, _Candidate] = {}

    def __contains__(self, path: Path) -> bool:
        return path in self._files

    def __len__(self) -> int:
        return len(self._files)

    def touch(self, path: Path, closed: bool = False) -> None:
        """Record an event on *path*: a write restarts the settle clock, Closed/Moved marks it done."""
        sig = _signature(path)
        if sig is None:
            self._files.pop(path, None)
            return
        old = self._files.get(path)
        if old is None or old.signature != sig:
            self._files[path] = _Candidate(sig, self.clock(), closed)
        else:
            old.closed = closed or old.closed

    def reopen(self, path: Path) -> None:
        """A write after Closed: the file is being written again, the Closed no longer counts."""
        cand = self._files.get(path)
        if cand is not None:
            cand.closed = False
        self.touch(path)

    def forget(self, path: Path) -> None:
        """Stop tracking *path* (deleted or moved away)."""
        self._files.pop(path, None)

    def ready(self) -> list[Path]:
        """Complete candidates, oldest first; they are no longer tracked."""
        now = self.clock()
        out: list[Path] = []
        for path, cand in list(self._files.items()):
            sig = _signature(path)
            if sig is None:  # vanished
                del self._files[path]
            elif sig != cand.signature:
                cand.signature, cand.since, cand.closed, cand.zip_ok = sig, now, False, None
            elif self._complete(path, cand, now - cand.since):
                del self._files[path]
                out.append(path)
        return out

    def _complete(self, path: Path, cand: _Candidate, stable_for: float) -> bool:
        if not cand.closed and stable_for < self.settle:
            return False
        if cand.zip_ok is None or cand.zip_ok[0] != cand.signature:
            cand.zip_ok = (cand.signature, self.is_complete(path))
        if cand.zip_ok[1]:
            return True
        return stable_for >= (self.settle if cand.closed else self.grace)


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
