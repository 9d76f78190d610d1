"""The content-addressed file store (hash stage)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from core.errors import WorkbookUnreadable
from core.filestore import store_file


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name,data", [
    ("Model.XLSX", b"PK\x03\x04" + os.urandom(3000)),
    ("big.xlsm", os.urandom(3 * (1 << 20) + 17)),  # spans several read chunks
    ("noext", b"abc"),
], ids=["upper-case-suffix", "multi-chunk", "no-suffix"])  # explicit ids: xdist workers must collect alike
def test_store_file_is_content_addressed(tmp_path: Path, name: str, data: bytes) -> None:
    src = _write(tmp_path / name, data)
    stored = store_file(src, tmp_path / "files", max_bytes=1 << 30)
    sha = hashlib.sha256(data).hexdigest()
    ext = Path(name).suffix.lower().lstrip(".")
    assert stored.sha256 == sha
    assert stored.size == len(data)
    assert stored.ext == ext
    assert stored.original_name == name
    assert stored.stored_path == tmp_path / "files" / sha[:2] / (f"{sha}.{ext}" if ext else sha)
    assert stored.stored_path.read_bytes() == data
    assert not [p for p in stored.stored_path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_store_file_skips_copy_when_present(tmp_path: Path) -> None:
    a = store_file(_write(tmp_path / "a.xlsx", b"same bytes"), tmp_path / "files", max_bytes=100)
    before = a.stored_path.stat().st_mtime_ns
    os.utime(a.stored_path, ns=(before - 10**9, before - 10**9))
    b = store_file(_write(tmp_path / "b.xlsx", b"same bytes"), tmp_path / "files", max_bytes=100)
    assert b.stored_path == a.stored_path
    assert b.original_name == "b.xlsx"
    assert a.stored_path.stat().st_mtime_ns == before - 10**9  # not rewritten


def test_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xlsx"
    with pytest.raises(WorkbookUnreadable, match="nope.xlsx"):
        store_file(missing, tmp_path / "files", max_bytes=100)
    assert not (tmp_path / "files").exists()


def test_too_large_is_refused_and_not_stored(tmp_path: Path) -> None:
    src = _write(tmp_path / "huge.xlsx", b"x" * 101)
    with pytest.raises(WorkbookUnreadable, match=r"huge\.xlsx.*limit of 100 bytes"):
        store_file(src, tmp_path / "files", max_bytes=100)
    assert not (tmp_path / "files").exists()


def test_broken_symlink_names_it(tmp_path: Path) -> None:
    link = tmp_path / "gone.xlsx"
    link.symlink_to(tmp_path / "deleted-target.xlsx")
    with pytest.raises(WorkbookUnreadable, match="gone.xlsx"):
        store_file(link, tmp_path / "files", max_bytes=100)


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(WorkbookUnreadable, match="dir.xlsx"):
        store_file(tmp_path / "dir.xlsx", tmp_path / "files", max_bytes=100)


def test_a_busy_file_is_transient_not_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins
    import errno

    from core.errors import TransientError

    wb = tmp_path / "locked.xlsx"
    wb.write_bytes(b"PK\x03\x04 whatever")
    real_open = builtins.open

    def busy_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(wb):
            raise OSError(errno.EBUSY, "Device or resource busy", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", busy_open)
    with pytest.raises(TransientError, match="locked.xlsx"):
        store_file(wb, tmp_path / "files", max_bytes=1 << 20)
