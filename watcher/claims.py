"""Claim a file by renaming it into `.processing/<token>/`, and move files without ever overwriting.

Each claim gets its own token folder, so the file keeps its exact name (the model name comes from it)
and two `report.xlsx` from different subfolders never clash. A file left in `.processing/` by a crash
is found again at start-up and imported again: imports are idempotent by content hash.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("capitallens.watcher")

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_renameat2: Any = None
try:
    _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
except (OSError, AttributeError):  # not glibc >= 2.28: fall back to check-then-rename
    _renameat2 = None


@dataclass(frozen=True)
class Claim:
    """A file the watcher owns: `.processing/<token>/<original name>`."""

    path: Path
    token: str
    origin: str  # where it came from, relative to the inbox ("" when recovered after a crash)

    @property
    def name(self) -> str:
        """The original file name."""
        return self.path.name


def rename_noreplace(src: Path, dest: Path) -> None:
    """Atomically rename *src* to *dest*. Raises FileExistsError if *dest* exists, OSError otherwise
    (EXDEV across file systems)."""
    if _renameat2 is not None:
        rc = _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dest), _RENAME_NOREPLACE)
        if rc == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # fs without RENAME_NOREPLACE
            raise OSError(err, os.strerror(err), str(src), None, str(dest))
    if os.path.lexists(dest):  # only our own single loop renames into these folders
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dest))
    os.rename(src, dest)


def move_no_clobber(src: Path, dest_dir: Path, name: str | None = None) -> Path:
    """Move *src* into *dest_dir* as *name* (default: its own name), adding ' (1)', ' (2)'... before the
    extension when taken. Returns the new path. Raises OSError (FileNotFoundError if *src* vanished)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = name or src.name
    for n in range(10_000):
        dest = dest_dir / _suffixed(name, n)
        try:
            rename_noreplace(src, dest)
            return dest
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            return _copy_across(src, dest_dir, name, n)
    raise FileExistsError(errno.EEXIST, f"no free name for {name} in {dest_dir}")


def _copy_across(src: Path, dest_dir: Path, name: str, start: int) -> Path:
    """archive/ or failed/ on another file system: copy to a hidden temporary, rename into place."""
    tmp = dest_dir / f".{name}.{secrets.token_hex(4)}.partial"
    shutil.copy2(src, tmp)
    try:
        for n in range(start, start + 10_000):
            try:
                dest = dest_dir / _suffixed(name, n)
                rename_noreplace(tmp, dest)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(errno.EEXIST, f"no free name for {name} in {dest_dir}")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    src.unlink()
    return dest


def _suffixed(name: str, n: int) -> str:
    if n == 0:
        return name
    # "model.xlsx" -> "model (1).xlsx"; "model.xlsx.error.json" is never renamed this way
    stem, dot, ext = name.rpartition(".")
    return f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"


def claim(path: Path, inbox: Path, processing_dir: Path) -> Claim:
    """Rename *path* into a fresh token folder under *processing_dir*. Raises OSError (FileNotFoundError
    if it vanished, PermissionError...); on failure nothing is left behind."""
    token = secrets.token_hex(6)
    folder = processing_dir / token
    folder.mkdir(parents=True)
    try:
        rename_noreplace(path, folder / path.name)
    except BaseException:
        folder.rmdir()
        raise
    try:
        origin = str(path.relative_to(inbox))
    except ValueError:
        origin = path.name
    return Claim(folder / path.name, token, origin)


def release(claim_: Claim) -> None:
    """Remove the claim's token folder once its file has been moved out (errors are logged only)."""
    try:
        claim_.path.parent.rmdir()
    except OSError as exc:
        log.warning("could not remove %s: %s", claim_.path.parent, exc)


def recover_claims(processing_dir: Path) -> list[Claim]:
    """Claims left by a crash, oldest first; empty token folders are removed. Raises nothing."""
    found: list[tuple[float, Claim]] = []
    try:
        folders = [p for p in processing_dir.iterdir() if p.is_dir()]
    except OSError:
        return []
    for folder in folders:
        files = [f for f in _safe_iterdir(folder) if f.is_file()]
        if not files:
            _safe_rmdir(folder)
        for f in files:
            found.append((_mtime(f), Claim(f, folder.name, "")))
    return [c for _, c in sorted(found, key=lambda t: (t[0], str(t[1].path)))]


def _safe_iterdir(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _safe_rmdir(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
