"""A zip reader that bounds decompressed size: declared sizes are checked up front AND bytes are
counted while streaming, because a crafted archive's declared sizes can lie."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import IO

from core.errors import WorkbookUnreadable

# Small members compress absurdly well (a sheet of blanks); the ratio guard only matters for big ones.
RATIO_CHECK_MIN_BYTES = 1 << 20
CORRUPT_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError)


class SafeZip:
    """An open workbook archive with a total decompressed-bytes budget."""

    def __init__(self, path: Path, filename: str, *, max_uncompressed_bytes: int,
                 max_compression_ratio: float) -> None:
        """Open *path*. Raises WorkbookUnreadable for corrupt zips and zip bombs."""
        self.filename = filename
        self.limit = max_uncompressed_bytes
        self.used = 0
        try:
            self._zip = zipfile.ZipFile(path)
        except CORRUPT_ERRORS as exc:
            raise WorkbookUnreadable(f"{filename}: truncated or corrupt zip ({exc})", path=filename) from exc
        self._infos = {info.filename: info for info in self._zip.infolist()}
        self._check_declared(max_compression_ratio)

    def _check_declared(self, max_ratio: float) -> None:
        total = sum(info.file_size for info in self._infos.values())
        if total > self.limit:
            raise self.bomb()
        for info in self._infos.values():
            if info.file_size >= RATIO_CHECK_MIN_BYTES and \
                    info.file_size > max_ratio * max(info.compress_size, 1):
                raise WorkbookUnreadable(
                    f"{self.filename}: member {info.filename} compression ratio "
                    f"{info.file_size / max(info.compress_size, 1):.0f} exceeds {max_ratio:g} "
                    f"(zip bomb guard)", path=self.filename)

    def bomb(self) -> WorkbookUnreadable:
        """The zip-bomb error for this archive."""
        return WorkbookUnreadable(
            f"{self.filename}: decompressed size exceeds limit of {self.limit} bytes (zip bomb guard)",
            path=self.filename)

    def names(self) -> list[str]:
        """Member names."""
        return list(self._infos)

    def has(self, name: str) -> bool:
        """True when the archive holds *name*."""
        return name in self._infos

    def open(self, name: str) -> _CountingReader:
        """A stream over one member that counts against the budget. Raises WorkbookUnreadable."""
        if name not in self._infos:
            raise WorkbookUnreadable(f"{self.filename}: missing part {name}", path=self.filename)
        try:
            return _CountingReader(self, self._zip.open(self._infos[name]), name)
        except CORRUPT_ERRORS as exc:
            raise self.corrupt(name, exc) from exc

    def read(self, name: str) -> bytes:
        """A whole member's bytes. Raises WorkbookUnreadable."""
        with self.open(name) as stream:
            return stream.read()

    def corrupt(self, name: str, exc: BaseException) -> WorkbookUnreadable:
        """The corrupt-zip error for one member."""
        return WorkbookUnreadable(f"{self.filename}: truncated or corrupt zip (member {name}: {exc})",
                                  path=self.filename)

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _CountingReader:
    """Counts decompressed bytes against the archive's budget as they are read."""

    def __init__(self, owner: SafeZip, raw: IO[bytes], name: str) -> None:
        self._owner = owner
        self._raw = raw
        self._name = name

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self.read(1 << 20):
                parts.append(chunk)
            return b"".join(parts)
        owner = self._owner
        try:
            data = self._raw.read(min(size, owner.limit - owner.used + 1))
        except CORRUPT_ERRORS as exc:
            raise owner.corrupt(self._name, exc) from exc
        owner.used += len(data)
        if owner.used > owner.limit:
            raise owner.bomb()
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _CountingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
