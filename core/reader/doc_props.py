"""The package's core properties (docProps/core.xml): when the workbook was last saved; and its
extended properties (docProps/app.xml): which application saved it.

Excel writes dcterms:modified (W3CDTF, UTC) on every save. Its cached values of TODAY() and NOW()
are from that moment, so the evaluate stage can use it as the clock of the volatile date functions.
It also writes <Application> ("Microsoft Excel", "Microsoft Macintosh Excel"): the cached values of
CHAR and CODE are in that platform's character set (WorkbookInfo.charset).
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.errors import WorkbookUnreadable
from core.reader.safezip import SafeZip
from core.reader.workbook_part import read_rels
from core.reader.xmlsafe import parse_bytes

DCTERMS_NS = "http://purl.org/dc/terms/"
DEFAULT_PART = "docProps/core.xml"
APP_PART = "docProps/app.xml"


def _props_part(zf: SafeZip, rel_type: str, default: str) -> str | None:
    for rel in read_rels(zf, "").values():
        if rel.rel_type == rel_type and not rel.external and zf.has(rel.target):
            return rel.target
    return default if zf.has(default) else None


def _core_part(zf: SafeZip) -> str | None:
    return _props_part(zf, "core-properties", DEFAULT_PART)


def parse_w3cdtf(text: str | None) -> str | None:
    """A W3CDTF date-time as ISO 8601 UTC ('2022-01-19T18:06:06Z'), or None when it is not one.
    A value without a zone is taken as UTC (what the format's writers mean)."""
    if not text or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_saved_at(zf: SafeZip) -> str | None:
    """The workbook's last save time (ISO 8601 UTC) from its core properties; None when the package
    has no core properties, no dcterms:modified, or an unreadable one (they are optional metadata,
    so a broken part never fails the import)."""
    try:
        part = _core_part(zf)
        if part is None:
            return None
        root = parse_bytes(zf.read(part), zf.filename, part)
    except WorkbookUnreadable:
        return None
    modified = root.find(f"{{{DCTERMS_NS}}}modified")
    return parse_w3cdtf(modified.text if modified is not None else None)


def read_application(zf: SafeZip) -> str | None:
    """The name of the application that last saved the workbook (extended properties' <Application>,
    e.g. "Microsoft Macintosh Excel"), None when the package does not say or the part is unreadable
    (optional metadata: never fails the import)."""
    try:
        part = _props_part(zf, "extended-properties", APP_PART)
        if part is None:
            return None
        root = parse_bytes(zf.read(part), zf.filename, part)
    except WorkbookUnreadable:
        return None
    app = next((e for e in root if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "Application"), None)
    text = (app.text or "").strip() if app is not None else ""
    return text or None
