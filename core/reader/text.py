"""Shared strings, rich text and number formats, read the way openpyxl reads them."""

from __future__ import annotations

from typing import Any

from openpyxl.styles.numbers import BUILTIN_FORMATS

from core.reader.ooxml import MAIN_NS, local
from core.reader.safezip import SafeZip
from core.reader.xmlsafe import iterparse_safe, parse_bytes


def text_content(elem: Any) -> str:
    """Plain text of an <si>/<is>: its <t> plus each run's <t>; phonetic runs (<rPh>) are not text."""
    parts: list[str] = []
    for child in elem:
        name = local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            for sub in child:
                if local(sub.tag) == "t":
                    parts.append(sub.text or "")
    return "".join(parts)


def read_shared_strings(zf: SafeZip, part: str | None, ns: str = MAIN_NS) -> list[str]:
    """The shared string table (empty when absent). Raises WorkbookUnreadable."""
    if part is None or not zf.has(part):
        return []
    strings: list[str] = []
    with zf.open(part) as stream:
        for si in iterparse_safe(stream, [f"{{{ns}}}si"], zf.filename, part):
            # openpyxl's only unescape of the _xHHHH_ convention; matched for parity with its values.
            strings.append(text_content(si).replace("x005F_", ""))
            si.clear()
    return strings


def read_number_formats(zf: SafeZip, part: str | None, ns: str = MAIN_NS) -> list[str]:
    """Number format code per cell style index (cellXfs), built-ins resolved. Raises WorkbookUnreadable."""
    if part is None or not zf.has(part):
        return ["General"]
    root = parse_bytes(zf.read(part), zf.filename, part)
    custom: dict[int, str] = {}
    fmts = root.find(f"{{{ns}}}numFmts")
    if fmts is not None:
        for fmt in fmts.iter(f"{{{ns}}}numFmt"):
            try:
                custom[int(fmt.get("numFmtId"))] = fmt.get("formatCode") or "General"
            except (TypeError, ValueError):
                continue
    xfs = root.find(f"{{{ns}}}cellXfs")
    codes: list[str] = []
    for xf in (xfs.iter(f"{{{ns}}}xf") if xfs is not None else ()):
        try:
            fmt_id = int(xf.get("numFmtId", "0"))
        except ValueError:
            fmt_id = 0
        codes.append(custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "General"))
    return codes or ["General"]
