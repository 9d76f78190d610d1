"""Claims into .processing/, moves that never overwrite, recovery after a crash."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import missing
from watcher import claims
from watcher.claims import claim, move_no_clobber, recover_claims, release, rename_noreplace


def test_claim_moves_the_file_into_its_own_token_folder(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "team").mkdir(parents=True)
    src = inbox / "team" / "model.xlsx"
    src.write_bytes(b"bytes")
    c = claim(src, inbox, inbox / ".processing")
    assert not src.exists()
    assert c.path == inbox / ".processing" / c.token / "model.xlsx"
    assert c.path.read_bytes() == b"bytes"
    assert c.origin == "team/model.xlsx"
    assert c.name == "model.xlsx"


def test_two_files_with_one_name_get_separate_claims(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    got = []
    for sub in ("a", "b"):
        (inbox / sub).mkdir(parents=True)
        (inbox / sub / "same.xlsx").write_text(sub)
        got.append(claim(inbox / sub / "same.xlsx", inbox, inbox / ".processing"))
    assert got[0].token != got[1].token
    assert [c.path.read_text() for c in got] == ["a", "b"]


def test_claiming_a_vanished_file_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        claim(tmp_path / "gone.xlsx", tmp_path, tmp_path / ".processing")
    assert list((tmp_path / ".processing").iterdir()) == []


def test_rename_noreplace_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    with pytest.raises(FileExistsError):
        rename_noreplace(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "b").read_text() == "b" and (tmp_path / "a").exists()


def test_move_no_clobber_adds_a_suffix_on_every_clash(tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    names = []
    for i in range(3):
        src = tmp_path / "model.xlsx"
        src.write_text(str(i))
        names.append(move_no_clobber(src, dest).name)
    assert names == ["model.xlsx", "model (1).xlsx", "model (2).xlsx"]
    assert [(dest / n).read_text() for n in names] == ["0", "1", "2"]


@pytest.fixture()
def other_fs_dir() -> Iterator[Path]:
    """A folder on another file system than the test's tmp_path (tmpfs /dev/shm)."""
    if not Path("/dev/shm").is_dir() or os.stat("/dev/shm").st_dev == os.stat(tempfile.gettempdir()).st_dev:
        missing("no second file system (/dev/shm) to test moves across file systems")
    d = Path(tempfile.mkdtemp(dir="/dev/shm"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_move_across_file_systems_copies_and_never_overwrites(tmp_path: Path, other_fs_dir: Path) -> None:
    (other_fs_dir / "model.xlsx").write_text("old")
    src = tmp_path / "model.xlsx"
    src.write_text("new")
    dest = move_no_clobber(src, other_fs_dir)
    assert dest.name == "model (1).xlsx" and dest.read_text() == "new"
    assert (other_fs_dir / "model.xlsx").read_text() == "old"
    assert not src.exists()
    assert sorted(p.name for p in other_fs_dir.iterdir()) == ["model (1).xlsx", "model.xlsx"]


def test_fallback_without_renameat2_still_refuses_to_overwrite(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claims, "_renameat2", None)
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    with pytest.raises(FileExistsError):
        rename_noreplace(tmp_path / "a", tmp_path / "b")
    rename_noreplace(tmp_path / "a", tmp_path / "c")
    assert (tmp_path / "c").read_text() == "a"


def test_recover_claims_finds_left_files_and_drops_empty_folders(tmp_path: Path) -> None:
    proc = tmp_path / ".processing"
    (proc / "t1").mkdir(parents=True)
    (proc / "t1" / "one.xlsx").write_text("1")
    (proc / "t2").mkdir()  # a crash between mkdir and rename
    (proc / "t3").mkdir()
    (proc / "t3" / "three.xlsx").write_text("3")
    os.utime(proc / "t3" / "three.xlsx", (1, 1))  # older: recovered first
    found = recover_claims(proc)
    assert [(c.token, c.name) for c in found] == [("t3", "three.xlsx"), ("t1", "one.xlsx")]
    assert not (proc / "t2").exists()
    for c in found:
        c.path.unlink()
        release(c)
    assert list(proc.iterdir()) == []


def test_recover_claims_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert recover_claims(tmp_path / "nope") == []


def test_rename_errors_other_than_clashes_propagate(tmp_path: Path) -> None:
    with pytest.raises(OSError) as info:
        rename_noreplace(tmp_path / "missing", tmp_path / "x")
    assert info.value.errno == errno.ENOENT
