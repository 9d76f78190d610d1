"""The hash stage: a content-addressed store of imported workbooks, written atomically."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import TransientError, WorkbookUnreadable

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    """A file kept under ``<files dir>/<first 2 hex>/<sha256>.<ext>``."""

    sha256: str
    stored_path: Path
    size: int
    ext: str             # lower case, without the dot ('xlsx'); '' when the name has none
    original_name: str


# A file locked by another program, or on a busy share: worth retrying, unlike a missing or forbidden file.
TRANSIENT_ERRNOS = frozenset({errno.EAGAIN, errno.EBUSY, errno.ETXTBSY})


def hash_file(path: Path, *, max_bytes: int) -> tuple[str, int]:
    """Streamed sha256 and size of *path*. Raises WorkbookUnreadable (unreadable, or larger than max_bytes)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise WorkbookUnreadable(f"{path}: larger than the limit of {max_bytes} bytes",
                                             path=str(path))
                digest.update(chunk)
    except OSError as exc:
        if exc.errno in TRANSIENT_ERRNOS:
            raise TransientError(f"{path}: temporarily unreadable ({exc.strerror or exc}); will retry",
                                 path=str(path)) from exc
        raise WorkbookUnreadable(f"{path}: cannot be read ({exc.strerror or exc})", path=str(path)) from exc
    return digest.hexdigest(), size


def stored_path_for(files_dir: Path, sha256: str, ext: str) -> Path:
    """Where a file of this hash and extension lives in the store."""
    name = f"{sha256}.{ext}" if ext else sha256
    return Path(files_dir) / sha256[:2] / name


def _copy_atomically(source: Path, target: Path, sha256: str) -> None:
    """Copy via a temp file in the target folder and os.replace, re-hashing what was written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            # the file changed between hashing and copying (still being written): do not store it
            raise TransientError(f"{source}: changed while being stored (still being written?); will retry",
                                 path=str(source))
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def store_file(path: Path, files_dir: Path, *, max_bytes: int) -> StoredFile:
    """Hash *path* and keep a copy in the content-addressed store (skipped when already there).
    Raises WorkbookUnreadable naming the file when it is missing, unreadable, too large or changing."""
    path = Path(path)
    if not path.is_file():
        raise WorkbookUnreadable(f"{path}: no such file", path=str(path))
    sha256, size = hash_file(path, max_bytes=max_bytes)
    ext = path.suffix.lower().lstrip(".")
    target = stored_path_for(files_dir, sha256, ext)
    if not target.is_file() or target.stat().st_size != size:
        try:
            _copy_atomically(path, target, sha256)
        except OSError as exc:
            if exc.errno in TRANSIENT_ERRNOS | {errno.ENOSPC, errno.EDQUOT}:
                raise TransientError(f"{path}: cannot be stored right now ({exc.strerror or exc}); will retry",
                                     path=str(path)) from exc
            raise WorkbookUnreadable(f"{path}: cannot be stored ({exc.strerror or exc})",
                                     path=str(path)) from exc
    return StoredFile(sha256=sha256, stored_path=target, size=size, ext=ext, original_name=path.name)
