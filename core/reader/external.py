"""External workbook links: what xl/externalLinks/externalLinkN.xml caches of each external book.

Excel keeps, for every external book a workbook references as [n] in formulas, the book's sheet
names, its defined names and the last values it saw of every referenced external cell. These are
inputs (what Excel itself computes with when the source file is absent), not cached results of the
workbook's own formulas, so the evaluate stage may feed them to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from core.addressing import parse_cell
from core.reader.ooxml import local, ns_of
from core.reader.safezip import SafeZip
from core.reader.text import decode_xstring
from core.reader.xmlsafe import parse_bytes

# parse/external.arrow — one row per cached external cell; link is the [n] of the formulas.
EXTERNAL_SCHEMA = pa.schema([
    ("link", pa.int32()),
    ("sheet", pa.string()),
    ("row", pa.int32()),
    ("col", pa.int32()),
    ("raw_type", pa.string()),   # number | text | bool | error
    ("raw_value", pa.float64()),  # number, or 1.0/0.0 for bool
    ("raw_text", pa.string()),    # text, or the error code
])

_TYPES = {None: "number", "n": "number", "str": "text", "s": "text", "inlineStr": "text",
          "b": "bool", "e": "error"}


@dataclass
class ExternalBook:
    """One externalLink part: sheet names, defined names and cached cells (EXTERNAL_SCHEMA rows)."""

    sheet_names: list[str] = field(default_factory=list)
    defined_names: list[tuple[str, str]] = field(default_factory=list)
    cells: list[tuple[str, int, int, str, float | None, str | None]] = field(default_factory=list)


def _typed(kind: str | None, text: str) -> tuple[str, float | None, str | None] | None:
    """(raw_type, raw_value, raw_text) of one cached value, None when it cannot be read."""
    raw_type = _TYPES.get(kind, "text")
    if raw_type == "number":
        try:
            return "number", float(text), None
        except ValueError:
            return None
    if raw_type == "bool":
        return "bool", 1.0 if text.strip() in ("1", "true", "TRUE") else 0.0, None
    return raw_type, None, (decode_xstring(text) if raw_type == "text" else text)


def _read_cells(sheet_data: Any, ns: str, sheet: str, book: ExternalBook) -> None:
    for cell in sheet_data.iter(f"{{{ns}}}cell"):
        v = cell.find(f"{{{ns}}}v")
        if v is None or v.text is None:
            continue  # no cached value: the cell stays empty
        try:
            row, col = parse_cell(cell.get("r") or "")
        except ValueError:
            continue
        typed = _typed(cell.get("t"), v.text)
        if typed is not None:
            book.cells.append((sheet, row, col, *typed))


def read_external_book(zf: SafeZip, part: str) -> ExternalBook:
    """Read one externalLink part (a DDE/OLE link gives an empty book). Raises WorkbookUnreadable."""
    root = parse_bytes(zf.read(part), zf.filename, part)
    ns = ns_of(root)
    book = ExternalBook()
    ext = next((e for e in root if local(e.tag) == "externalBook"), None)
    if ext is None:
        return book
    names = ext.find(f"{{{ns}}}sheetNames")
    book.sheet_names = [s.get("val") or "" for s in (names.iter(f"{{{ns}}}sheetName") if names is not None else ())]
    dnames = ext.find(f"{{{ns}}}definedNames")
    for dn in (dnames.iter(f"{{{ns}}}definedName") if dnames is not None else ()):
        refers = (dn.get("refersTo") or "").lstrip("=")
        book.defined_names.append((dn.get("name") or "", refers))
    data = ext.find(f"{{{ns}}}sheetDataSet")
    for sd in (data.iter(f"{{{ns}}}sheetData") if data is not None else ()):
        try:
            idx = int(sd.get("sheetId") or "")
        except ValueError:
            continue
        if 0 <= idx < len(book.sheet_names):
            _read_cells(sd, ns, book.sheet_names[idx], book)
    return book


def external_table(books: list[tuple[int, ExternalBook]]) -> pa.Table:
    """EXTERNAL_SCHEMA table of the cached cells of (link index, book) pairs. Raises nothing."""
    cols: dict[str, list[Any]] = {n: [] for n in EXTERNAL_SCHEMA.names}
    for index, book in books:
        for sheet, row, col, raw_type, raw_value, raw_text in book.cells:
            for name, value in zip(EXTERNAL_SCHEMA.names, (index, sheet, row, col, raw_type, raw_value, raw_text),
                                   strict=True):
                cols[name].append(value)
    return pa.Table.from_pydict(cols, schema=EXTERNAL_SCHEMA)
