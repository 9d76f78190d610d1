"""What kind of file this really is, whatever its name says, and a clear refusal for what we cannot read."""

from __future__ import annotations

import zipfile
from pathlib import Path

from core.errors import PipelineError, UnsupportedFormat, WorkbookUnreadable

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
SNIFF_BYTES = 1 << 20  # OLE directory entries of small files sit well within the first MiB


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _sniff_ole(head: bytes) -> str:
    """Encrypted OOXML lives in an OLE container with EncryptionInfo/EncryptedPackage streams."""
    if _utf16("EncryptedPackage") in head or _utf16("EncryptionInfo") in head:
        return "ole-encrypted"
    if _utf16("Workbook") in head or _utf16("Book") in head:
        return "xls"
    return "ole"


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
                return "ods"
    except (zipfile.BadZipFile, OSError, EOFError):
        return "zip-corrupt"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/vbaProject.bin" in names:
        return "xlsm"
    if "[Content_Types].xml" in names:
        return "xlsx"
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head[:4096]:
        return False
    try:
        head[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > 4090  # a multi-byte character cut at the edge of the sample
    return True


def sniff(path: Path) -> str:
    """The file's real format: 'xlsx', 'xlsm', 'xlsb', 'ods', 'zip', 'zip-corrupt', 'xls', 'ole-encrypted',
    'ole', 'text', 'empty' or 'unknown'. Raises WorkbookUnreadable when the file cannot be read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise WorkbookUnreadable(f"{path}: cannot be read ({exc.strerror})", path=str(path)) from exc
    if not head:
        return "empty"
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(head)
    if head.startswith(ZIP_MAGICS):
        return _sniff_zip(path)
    if _looks_like_text(head):
        return "text"
    return "unknown"


_REFUSALS: dict[str, tuple[type[PipelineError], str]] = {
    "xls": (UnsupportedFormat, "is a legacy Excel 97-2003 .xls (BIFF) workbook; save it as .xlsx"),
    "ole-encrypted": (UnsupportedFormat, "is password-protected (encrypted); remove the password and "
                                         "save it again"),
    "ole": (UnsupportedFormat, "is an OLE compound file, not an .xlsx workbook"),
    "ods": (UnsupportedFormat, "is an OpenDocument spreadsheet (.ods); save it as .xlsx"),
    "xlsb": (UnsupportedFormat, "is an Excel binary workbook (.xlsb); save it as .xlsx"),
    "text": (UnsupportedFormat, "is not a zip: looks like CSV/text; save it as .xlsx"),
    "empty": (WorkbookUnreadable, "is empty (0 bytes)"),
    "unknown": (WorkbookUnreadable, "is not a zip: unrecognised content, not an .xlsx workbook"),
    "zip-corrupt": (WorkbookUnreadable, "is a truncated or corrupt zip"),
    "zip": (WorkbookUnreadable, "is a zip without [Content_Types].xml, not an .xlsx workbook"),
}


def check_format(path: Path, filename: str | None = None) -> str:
    """Return 'xlsx' or 'xlsm'. Raises UnsupportedFormat / WorkbookUnreadable naming the file otherwise."""
    name = filename or str(path)
    kind = sniff(path)
    if kind in _REFUSALS:
        cls, why = _REFUSALS[kind]
        raise cls(f"{name} {why}", path=name)
    return kind
