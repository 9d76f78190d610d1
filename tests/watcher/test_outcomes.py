"""Filing: archive/ (or delete) and failed/ with `<file>.error.json`."""

from __future__ import annotations

import errno
import json
import logging
from pathlib import Path

import pytest

from core.errors import WorkbookUnreadable
from watcher import outcomes
from watcher.outcomes import archive, error_record, quarantine


def test_quarantine_writes_the_reason_beside_the_file(tmp_path: Path) -> None:
    src = tmp_path / "bad.xlsx"
    src.write_bytes(b"junk")
    err = WorkbookUnreadable("bad.xlsx: not a zip file", path=str(src)).as_dict()
    dest = quarantine(src, tmp_path / "failed", error_record("bad.xlsx", err, origin="team/bad.xlsx",
                                                             flow_run_id="abc-123", sha256="f" * 64))
    assert dest == tmp_path / "failed" / "bad.xlsx" and dest.read_bytes() == b"junk"
    body = json.loads((tmp_path / "failed" / "bad.xlsx.error.json").read_text())
    assert body["file"] == "bad.xlsx" and body["origin"] == "team/bad.xlsx"
    assert body["kind"] == "workbook_unreadable"
    assert body["message"] == "bad.xlsx: not a zip file"
    assert body["flow_run_id"] == "abc-123" and body["sha256"] == "f" * 64
    assert body["failed_path"] == str(dest)
    assert body["time"].endswith("+00:00")


def test_quarantine_never_overwrites_and_pairs_each_file_with_its_own_json(tmp_path: Path) -> None:
    for i in range(2):
        src = tmp_path / "bad.xlsx"
        src.write_text(str(i))
        quarantine(src, tmp_path / "failed", error_record("bad.xlsx", {"kind": "k", "message": f"m{i}"}))
    failed = tmp_path / "failed"
    assert sorted(p.name for p in failed.iterdir()) == [
        "bad (1).xlsx", "bad (1).xlsx.error.json", "bad.xlsx", "bad.xlsx.error.json"]
    assert json.loads((failed / "bad (1).xlsx.error.json").read_text())["message"] == "m1"
    assert (failed / "bad (1).xlsx").read_text() == "1"


def test_a_full_disk_while_writing_the_json_is_logged_not_raised(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_a: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outcomes, "write_json_atomic", full)
    src = tmp_path / "bad.xlsx"
    src.write_text("x")
    with caplog.at_level(logging.ERROR, logger="capitallens.watcher"):
        dest = quarantine(src, tmp_path / "failed", error_record("bad.xlsx", {"kind": "k", "message": "why"}))
    assert dest.exists()
    assert "No space left" in caplog.text and "why" in caplog.text


def test_a_failed_json_write_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outcomes.json, "dump", boom)
    with pytest.raises(OSError):
        outcomes.write_json_atomic(tmp_path / "x.error.json", {"a": 1})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("delete", [False, True])
def test_archive_moves_or_deletes(tmp_path: Path, delete: bool) -> None:
    src = tmp_path / "good.xlsx"
    src.write_text("ok")
    dest = archive(src, tmp_path / "archive", delete)
    assert not src.exists()
    if delete:
        assert dest is None and not (tmp_path / "archive").exists()
    else:
        assert dest == tmp_path / "archive" / "good.xlsx" and dest.read_text() == "ok"


def test_error_record_fills_missing_fields() -> None:
    rec = error_record("x.xlsx", {})
    assert rec["kind"] == "error" and "x.xlsx" in rec["message"] and rec["origin"] == "x.xlsx"
