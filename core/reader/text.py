"""Shared strings, rich text and number formats, read the way openpyxl reads them, and the
_xHHHH_ escapes of OOXML text decoded (which openpyxl leaves encoded)."""

from __future__ import annotations

import re
from typing import Any

from openpyxl.styles.numbers import BUILTIN_FORMATS

from core.reader.ooxml import MAIN_NS, local
from core.reader.safezip import SafeZip
from core.reader.xmlsafe import iterparse_safe, parse_bytes

_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_xstring(text: str) -> str:
    """The text an ST_Xstring holds (ECMA-376 Part 1, 22.4.2.4): each _xHHHH_ is the UTF-16 code unit
    HHHH. Excel writes control characters this way (CHAR(1) is cached as "_x0001_") and escapes a
    literal _xHHHH_ in the text as _x005F_xHHHH_. Escaped surrogate pairs join into one character; a
    lone surrogate (not text Excel can hold) becomes U+FFFD."""
    if "_x" not in text:
        return text
    decoded = _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if _SURROGATE.search(decoded) is None:
        return decoded
    joined = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _SURROGATE.sub("\ufffd", joined)


def text_content(elem: Any) -> str:
    """Plain text of an <si>/<is>: its <t> plus each run's <t>; phonetic runs (<rPh>) are not text.
    Each <t> is an ST_Xstring of its own, decoded alone (decode_xstring)."""
    parts: list[str] = []
    for child in elem:
        name = local(child.tag)
        if name == "t":
            parts.append(decode_xstring(child.text or ""))
        elif name == "r":
            for sub in child:
                if local(sub.tag) == "t":
                    parts.append(decode_xstring(sub.text or ""))
    return "".join(parts)


def read_shared_strings(zf: SafeZip, part: str | None, ns: str = MAIN_NS) -> list[str]:
    """The shared string table (empty when absent). Raises WorkbookUnreadable."""
    if part is None or not zf.has(part):
        return []
    strings: list[str] = []
    with zf.open(part) as stream:
        for si in iterparse_safe(stream, [f"{{{ns}}}si"], zf.filename, part):
            strings.append(text_content(si))
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
