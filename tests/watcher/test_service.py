"""The watcher's wiring with a real observer and real files, and an injected import function.

Every behaviour here is also exercised with the real import in test_real_import.py and
test_reliability.py; this file adds the faults that are hard to cause for real (transient errors,
a full disk, a vanished file, an import that blows up).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from core.errors import TransientError, WorkbookUnreadable
from tests.conftest import missing
from tests.watcher.helpers import (
    FakeOutcome,
    all_files,
    config,
    files_in,
    make_workbook,
    running,
    wait_for,
    write_slowly,
)
from watcher import claims


class Recorder:
    """A fake importer: records calls (and what the file looked like), then behaves per file name."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.complete: list[bool] = []
        self.lock = threading.Lock()

    def __call__(self, path: Path) -> FakeOutcome:
        with self.lock:
            self.calls.append(path.name)
            self.complete.append(zipfile.is_zipfile(path))
        assert path.parent.parent.name == ".processing", "imports read the claimed file"
        if path.name.startswith("bad"):
            raise WorkbookUnreadable(f"{path.name}: not a zip file", path=str(path))
        return FakeOutcome(str(path), duplicate=path.name.startswith("dup"))


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    return box


def _settled(inbox: Path, n: int) -> None:
    """Wait until *n* files have been filed and nothing is left in the inbox or .processing/."""
    def done() -> bool:
        filed = [p for p in all_files(inbox / "archive") + all_files(inbox / "failed")
                 if not p.name.endswith(".error.json")]
        left = [p for p in all_files(inbox) if p.parent.name not in ("archive", "failed")]
        return len(filed) == n and not left
    wait_for(done, 30, f"{n} files filed")


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_files_land_in_archive_or_failed_by_outcome(inbox: Path, tmp_path: Path, polling: bool) -> None:
    rec = Recorder()
    with running(config(inbox, polling=polling), rec):
        make_workbook(inbox / "good.xlsx", 1)
        make_workbook(inbox / "dup.xlsx", 2)
        (inbox / "bad.xlsx").write_bytes(b"this is not a workbook")
        (inbox / "notes.csv").write_text("a,b\n1,2\n")
        outside = make_workbook(tmp_path / "moved.xlsx", 3)
        os.rename(outside, inbox / "moved.xlsx")  # atomic move in: Created only, no Closed
        _settled(inbox, 5)
    assert files_in(inbox / "archive") == ["dup.xlsx", "good.xlsx", "moved.xlsx"]
    assert files_in(inbox / "failed") == ["bad.xlsx", "bad.xlsx.error.json",
                                          "notes.csv", "notes.csv.error.json"]
    bad = json.loads((inbox / "failed" / "bad.xlsx.error.json").read_text())
    assert (bad["file"], bad["kind"]) == ("bad.xlsx", "workbook_unreadable")
    assert "bad.xlsx" in bad["message"]
    csv = json.loads((inbox / "failed" / "notes.csv.error.json").read_text())
    assert (csv["file"], csv["kind"]) == ("notes.csv", "unsupported_format")
    assert "notes.csv" in csv["message"]
    assert sorted(rec.calls) == ["bad.xlsx", "dup.xlsx", "good.xlsx", "moved.xlsx"]  # never the csv
    assert all_files(inbox / ".processing") == []


def test_duplicates_are_logged_as_duplicates(inbox: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="capitallens.watcher"), running(config(inbox), Recorder()):
        make_workbook(inbox / "dup.xlsx", 1)
        _settled(inbox, 1)
    assert "dup.xlsx is a duplicate" in caplog.text


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_a_slow_writer_is_imported_once_and_complete(inbox: Path, tmp_path: Path, polling: bool) -> None:
    rec = Recorder()
    data = make_workbook(tmp_path / "src.xlsx", 7, rows=400).read_bytes()
    with running(config(inbox, polling=polling, settle_seconds=0.6), rec):
        write_slowly(data, inbox / "slow.xlsx", chunks=5, pause=0.3)
        _settled(inbox, 1)
    assert rec.calls == ["slow.xlsx"] and rec.complete == [True]
    assert (inbox / "archive" / "slow.xlsx").read_bytes() == data


def test_lock_temp_and_hidden_files_are_left_alone(inbox: Path) -> None:
    rec = Recorder()
    names = ["~$model.xlsx", ".~lock.model.xlsx#", "download.tmp", ".hidden.xlsx"]
    with running(config(inbox), rec):
        for n in names:
            (inbox / n).write_text("x")
        make_workbook(inbox / "real.xlsx", 1)
        _settled_with_leftovers = lambda: files_in(inbox / "archive") == ["real.xlsx"]  # noqa: E731
        wait_for(_settled_with_leftovers, 20, "real.xlsx archived")
    assert rec.calls == ["real.xlsx"]
    assert sorted(files_in(inbox)) == sorted(names)


@pytest.mark.parametrize("recursive", [True, False])
def test_subfolders_are_taken_when_recursive(inbox: Path, recursive: bool) -> None:
    rec = Recorder()
    (inbox / "team" / "q3").mkdir(parents=True)
    make_workbook(inbox / "team" / "q3" / "deep.xlsx", 1)  # present at start-up
    with running(config(inbox, recursive=recursive), rec) as w:
        make_workbook(inbox / "team" / "later.xlsx", 2)  # arrives while watching
        make_workbook(inbox / "top.xlsx", 3)
        wait_for(lambda: "top.xlsx" in files_in(inbox / "archive"), 20, "top.xlsx archived")
        if recursive:
            _settled(inbox, 3)
        wait_for(w.idle, 10, "idle")
    expected = ["deep.xlsx", "later.xlsx", "top.xlsx"] if recursive else ["top.xlsx"]
    assert files_in(inbox / "archive") == expected
    assert (inbox / "team" / "later.xlsx").exists() is not recursive


def test_start_up_takes_waiting_files_and_claims_left_by_a_crash(inbox: Path) -> None:
    make_workbook(inbox / "waiting.xlsx", 1)
    left = inbox / ".processing" / "abc123"
    left.mkdir(parents=True)
    make_workbook(left / "crashed.xlsx", 2)
    (inbox / ".processing" / "emptytoken").mkdir()
    rec = Recorder()
    with running(config(inbox), rec):
        _settled(inbox, 2)
    assert sorted(rec.calls) == ["crashed.xlsx", "waiting.xlsx"]
    assert list((inbox / ".processing").iterdir()) == []


def test_at_most_max_concurrent_imports_and_the_rest_wait_in_the_inbox(inbox: Path) -> None:
    gate = threading.Event()
    active, peak, lock = [0], [0], threading.Lock()

    def blocking(path: Path) -> FakeOutcome:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        gate.wait(20)
        with lock:
            active[0] -= 1
        return FakeOutcome(str(path))

    with running(config(inbox, max_concurrent=2), blocking):
        for i in range(5):
            make_workbook(inbox / f"m{i}.xlsx", i)
        wait_for(lambda: active[0] == 2 and len(files_in(inbox)) == 3, 20, "two imports running")
        assert len(all_files(inbox / ".processing")) == 2  # only running imports are claimed
        gate.set()
        _settled(inbox, 5)
    assert peak[0] == 2


def test_transient_errors_and_a_full_disk_are_retried(inbox: Path, caplog: pytest.LogCaptureFixture) -> None:
    faults: dict[str, list[Exception]] = {"db.xlsx": [TransientError("database connection lost")] * 2,
              "disk.xlsx": [OSError(errno.ENOSPC, "No space left on device")]}
    calls: list[str] = []

    def flaky(path: Path) -> FakeOutcome:
        calls.append(path.name)
        if faults[path.name]:
            raise faults[path.name].pop()
        return FakeOutcome(str(path))

    with caplog.at_level(logging.WARNING, logger="capitallens.watcher"), running(config(inbox), flaky):
        make_workbook(inbox / "db.xlsx", 1)
        make_workbook(inbox / "disk.xlsx", 2)
        _settled(inbox, 2)
    assert files_in(inbox / "archive") == ["db.xlsx", "disk.xlsx"]
    assert sorted(calls) == ["db.xlsx"] * 3 + ["disk.xlsx"] * 2
    assert "database connection lost" in caplog.text and "No space left" in caplog.text


def test_a_transient_error_that_never_clears_ends_in_failed(inbox: Path) -> None:
    def down(path: Path) -> FakeOutcome:
        raise TransientError(f"{path.name}: database unreachable")

    with running(config(inbox, retry_delays=(0.05, 0.05)), down):
        make_workbook(inbox / "m.xlsx", 1)
        _settled(inbox, 1)
    body = json.loads((inbox / "failed" / "m.xlsx.error.json").read_text())
    assert body["kind"] == "transient" and "database unreachable" in body["message"]


def test_unexpected_exceptions_and_vanished_files_do_not_stop_the_watcher(inbox: Path) -> None:
    def nasty(path: Path) -> FakeOutcome:
        if path.name == "boom.xlsx":
            raise RuntimeError("bug in a stage")
        if path.name == "vanish.xlsx":
            path.unlink()  # someone deleted it from .processing/ mid-import
            raise FileNotFoundError(errno.ENOENT, "No such file", str(path))
        return FakeOutcome(str(path))

    with running(config(inbox), nasty):
        make_workbook(inbox / "boom.xlsx", 1)
        make_workbook(inbox / "vanish.xlsx", 2)
        wait_for(lambda: files_in(inbox / "failed") == ["boom.xlsx", "boom.xlsx.error.json"], 20,
                 "boom failed")
        wait_for(lambda: all_files(inbox / ".processing") == [] and not files_in(inbox), 20, "vanish gone")
        make_workbook(inbox / "after.xlsx", 3)
        wait_for(lambda: files_in(inbox / "archive") == ["after.xlsx"], 20, "still working afterwards")
    body = json.loads((inbox / "failed" / "boom.xlsx.error.json").read_text())
    assert body["kind"] == "RuntimeError"
    assert "boom.xlsx" in body["message"] and "bug in a stage" in body["message"]


def test_a_file_that_cannot_be_claimed_is_retried_later(inbox: Path, monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    real = claims.claim
    refusals = [PermissionError(errno.EACCES, "Permission denied")]

    def claim(path: Path, box: Path, proc: Path) -> claims.Claim:
        if refusals:
            raise refusals.pop()
        return real(path, box, proc)

    monkeypatch.setattr(claims, "claim", claim)
    with caplog.at_level(logging.ERROR, logger="capitallens.watcher"), running(config(inbox), Recorder()):
        make_workbook(inbox / "locked.xlsx", 1)
        _settled(inbox, 1)
    assert "Permission denied" in caplog.text


def test_a_truly_immovable_file_does_not_stop_the_others(inbox: Path) -> None:
    """chattr +i: even root cannot rename the file (a real EPERM from the kernel)."""
    stuck = make_workbook(inbox / "stuck.xlsx", 1)
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(stuck)]).returncode != 0:
        missing("chattr +i is not available here (needs root and a file system with attributes)")
    try:
        with running(config(inbox, retry_delays=(0.2, 0.2)), Recorder()) as w:
            make_workbook(inbox / "free.xlsx", 2)
            wait_for(lambda: files_in(inbox / "archive") == ["free.xlsx"], 20, "free.xlsx archived")
            wait_for(lambda: stuck in w.blocked, 10, "stuck.xlsx blocked")
            subprocess.run(["chattr", "-i", str(stuck)], check=True)
            _settled(inbox, 2)
    finally:
        subprocess.run(["chattr", "-i", str(stuck)], check=False)
    assert files_in(inbox / "archive") == ["free.xlsx", "stuck.xlsx"]


def test_name_clashes_in_archive_and_failed_get_a_suffix(inbox: Path) -> None:
    (inbox / "archive").mkdir()
    (inbox / "failed").mkdir()
    (inbox / "archive" / "good.xlsx").write_text("earlier")
    (inbox / "failed" / "bad.xlsx").write_text("earlier")
    with running(config(inbox), Recorder()):
        make_workbook(inbox / "good.xlsx", 1)
        (inbox / "bad.xlsx").write_text("junk")
        wait_for(lambda: "good (1).xlsx" in files_in(inbox / "archive")
                 and "bad (1).xlsx.error.json" in files_in(inbox / "failed"), 20, "suffixed")
    assert (inbox / "archive" / "good.xlsx").read_text() == "earlier"
    assert (inbox / "failed" / "bad.xlsx").read_text() == "earlier"


def test_delete_on_success(inbox: Path) -> None:
    with running(config(inbox, delete_on_success=True), Recorder()):
        make_workbook(inbox / "good.xlsx", 1)
        (inbox / "bad.xlsx").write_text("junk")
        wait_for(lambda: "bad.xlsx.error.json" in files_in(inbox / "failed") and not files_in(inbox), 20,
                 "done")
        wait_for(lambda: all_files(inbox / ".processing") == [], 10, "processing empty")
    assert files_in(inbox / "archive") == []


def test_archive_and_failed_outside_the_inbox(inbox: Path, tmp_path: Path) -> None:
    cfg = config(inbox, archive_dir=tmp_path / "kept", failed_dir=tmp_path / "rejected")
    with running(cfg, Recorder()):
        make_workbook(inbox / "good.xlsx", 1)
        (inbox / "bad.xlsx").write_text("junk")
        wait_for(lambda: files_in(tmp_path / "kept") == ["good.xlsx"]
                 and files_in(tmp_path / "rejected") == ["bad.xlsx", "bad.xlsx.error.json"], 20, "filed")
    assert not (inbox / "archive").exists() and not (inbox / "failed").exists()


def test_a_folder_moved_in_is_scanned_and_our_own_folders_are_not(inbox: Path, tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    make_workbook(batch / "one.xlsx", 1)
    make_workbook(batch / "two.xlsx", 2)
    rec = Recorder()
    with caplog.at_level(logging.WARNING, logger="capitallens.watcher"), running(config(inbox), rec):
        make_workbook(inbox / "top.xlsx", 3)
        os.rename(batch, inbox / "batch")  # one Moved/Created event for the folder, none for its files
        _settled(inbox, 3)
    assert sorted(rec.calls) == ["one.xlsx", "top.xlsx", "two.xlsx"]
    assert "scan:" not in caplog.text  # token folders under .processing/ are never scanned
