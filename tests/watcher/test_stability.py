"""The completeness test: closed/moved, or unchanged for the settle time, and opening as a ZIP."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from watcher.stability import StabilityTracker, opens_as_zip


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _zip(path: Path, text: str = "x") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", text)
    return path


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def tracker(clock: Clock) -> StabilityTracker:
    return StabilityTracker(settle_seconds=1.0, grace_seconds=5.0, clock=clock)


def test_closed_zip_is_ready_at_once(tmp_path: Path, tracker: StabilityTracker) -> None:
    f = _zip(tmp_path / "a.xlsx")
    tracker.touch(f, closed=True)
    assert tracker.ready() == [f]
    assert f not in tracker


def test_created_only_waits_for_the_settle_time(tmp_path: Path, tracker: StabilityTracker,
                                                clock: Clock) -> None:
    f = _zip(tmp_path / "a.xlsx")
    tracker.touch(f)
    assert tracker.ready() == []
    clock.now += 0.9
    assert tracker.ready() == []
    clock.now += 0.2
    assert tracker.ready() == [f]


def test_a_growing_file_restarts_the_clock(tmp_path: Path, tracker: StabilityTracker, clock: Clock) -> None:
    f = _zip(tmp_path / "a.xlsx")
    tracker.touch(f)
    clock.now += 0.8
    with open(f, "ab") as fh:  # a writer still appending (size changes)
        fh.write(b"more")
    assert tracker.ready() == []
    clock.now += 0.8
    assert tracker.ready() == []  # 0.8 s since the change only
    _zip(f)  # finished: valid again, same size/mtime from now on
    os.utime(f, ns=(1, 1))
    tracker.touch(f)
    clock.now += 1.1
    assert tracker.ready() == [f]


def test_write_after_closed_cancels_the_closed_shortcut(tmp_path: Path, tracker: StabilityTracker,
                                                        clock: Clock) -> None:
    f = _zip(tmp_path / "a.xlsx")
    tracker.touch(f, closed=True)
    tracker.reopen(f)
    assert tracker.ready() == []
    clock.now += 1.1
    assert tracker.ready() == [f]


def test_a_file_that_never_opens_as_zip_is_handed_out_after_the_grace(tmp_path: Path,
                                                                      tracker: StabilityTracker,
                                                                      clock: Clock) -> None:
    f = tmp_path / "broken.xlsx"
    f.write_bytes(b"PK\x03\x04 half a zip")
    tracker.touch(f)
    clock.now += 1.1
    assert tracker.ready() == []  # maybe a stalled writer: wait longer
    clock.now += 4.0
    assert tracker.ready() == [f]


def test_closed_non_zip_is_handed_out_after_the_settle_time(tmp_path: Path, tracker: StabilityTracker,
                                                            clock: Clock) -> None:
    f = tmp_path / "broken.xlsx"
    f.write_bytes(b"not a zip at all")
    tracker.touch(f, closed=True)
    assert tracker.ready() == []
    clock.now += 1.1
    assert tracker.ready() == [f]


def test_a_vanished_candidate_is_dropped(tmp_path: Path, tracker: StabilityTracker, clock: Clock) -> None:
    f = _zip(tmp_path / "a.xlsx")
    tracker.touch(f)
    f.unlink()
    clock.now += 2
    assert tracker.ready() == []
    assert len(tracker) == 0
    tracker.touch(tmp_path / "never-existed.xlsx")
    assert len(tracker) == 0


@pytest.mark.parametrize(("content", "ok"), [
    (None, True), (b"", False), (b"PK\x03\x04truncated", False), (b"plain text", False)])
def test_opens_as_zip(tmp_path: Path, content: bytes | None, ok: bool) -> None:
    f = tmp_path / "f.xlsx"
    if content is None:
        _zip(f)
    else:
        f.write_bytes(content)
    assert opens_as_zip(f) is ok


def test_truncated_copy_of_a_real_zip_does_not_open(tmp_path: Path) -> None:
    data = _zip(tmp_path / "whole.xlsx", "y" * 5000).read_bytes()
    part = tmp_path / "part.xlsx"
    part.write_bytes(data[: len(data) - 30])  # the central directory is written last
    assert not opens_as_zip(part)
