"""One streaming pass over a worksheet part: formula and cached value of each cell together."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa
from openpyxl.utils.datetime import from_ISO8601, to_excel

from core.addressing import col_number, parse_cell
from core.errors import WorkbookUnreadable
from core.reader.columns import CellColumns
from core.reader.safezip import SafeZip
from core.reader.shared_formulas import SharedFormula
from core.reader.text import decode_xstring, text_content

_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")
CHUNK_CELLS = 65_536
_DIGITS = "0123456789"


@dataclass
class SheetContext:
    """What every sheet of one workbook needs: strings, formats, the date epoch, tag names."""

    filename: str
    ns: str
    shared_strings: list[str]
    number_formats: list[str]
    epoch: datetime
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class SheetResult:
    """Per-sheet facts found while streaming (cells go to the sink)."""

    dimension: str | None = None
    merged: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)   # 1-based, <row hidden="1">


def _data_table_formula(f: Any) -> str:
    """A data table's cell as Excel shows it: {=TABLE(row input, column input)}."""
    r1, r2 = f.get("r1") or "", f.get("r2") or ""
    if f.get("dt2D") in ("1", "true"):
        return f"=TABLE({r1},{r2})"
    return f"=TABLE({r1},)" if f.get("dtr") in ("1", "true") else f"=TABLE(,{r1})"


class SheetParser:
    """Streams one worksheet into CellColumns chunks handed to *sink* as Arrow tables."""

    def __init__(self, ctx: SheetContext, sheet: str, sink: Callable[[pa.Table], None]) -> None:
        ns = ctx.ns
        self.ctx, self.sheet, self.sink = ctx, sheet, sink
        self.tag_c, self.tag_v, self.tag_f, self.tag_is = (f"{{{ns}}}{t}" for t in ("c", "v", "f", "is"))
        self.tag_row, self.tag_merge, self.tag_dim = (f"{{{ns}}}{t}" for t in ("row", "mergeCell",
                                                                               "dimension"))
        self.cols = CellColumns()
        self.shared: dict[str, SharedFormula] = {}
        self.formats: dict[str | None, str] = {}
        self.col_cache: dict[str, int] = {}
        self.row_counter = 0
        self.result = SheetResult()

    def run(self, zf: SafeZip, part: str) -> SheetResult:
        """Parse the part. Raises WorkbookUnreadable."""
        from core.reader.xmlsafe import iterparse_safe

        with zf.open(part) as stream:
            for elem in iterparse_safe(stream, (self.tag_row, self.tag_merge, self.tag_dim),
                                       zf.filename, part):
                tag = elem.tag
                if tag == self.tag_row:
                    self._row(elem)
                    elem.clear()
                    # drop finished rows from the tree so memory stays flat on big sheets
                    parent = elem.getparent()
                    while elem.getprevious() is not None:
                        del parent[0]
                elif tag == self.tag_merge:
                    self.result.merged.append(elem.get("ref") or "")
                else:
                    self.result.dimension = elem.get("ref")
        self.flush()
        return self.result

    def flush(self) -> None:
        """Hand buffered cells to the sink."""
        if len(self.cols):
            self.sink(self.cols.to_table(self.sheet))
            self.cols.reset()

    def _row(self, row: Any) -> None:
        """The per-cell hot loop. Locals and bound appends on purpose: it runs once per cell."""
        r_attr = row.get("r")
        if r_attr:
            try:
                self.row_counter = int(r_attr)
            except ValueError:
                self.row_counter = int(float(r_attr))
        else:
            self.row_counter += 1
        if row.get("hidden") in ("1", "true"):
            self.result.hidden_rows.append(self.row_counter)
        col_counter = 0
        tag_c, tag_v, tag_f, tag_is = self.tag_c, self.tag_v, self.tag_f, self.tag_is
        col_cache, formats, value_of = self.col_cache, self.formats, self._value
        cols = self.cols
        for c in row:
            if c.tag != tag_c:
                continue
            ref = c.get("r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                col_counter = col_cache.get(letters, 0)
                if col_counter and len(letters) < len(ref):
                    r = int(ref[len(letters):])
                else:
                    r, col_counter = self._coord(ref)
            else:
                col_counter += 1
                r = self.row_counter
            v = f = inline = None
            for ch in c:
                tag = ch.tag
                if tag == tag_v:
                    v = ch
                elif tag == tag_f:
                    f = ch
                elif tag == tag_is:
                    inline = ch
            raw_type, raw_value, raw_text = value_of(c.get("t"), v, f, inline, r, col_counter)
            if raw_type is None:
                if f is None:
                    continue  # a styled blank: not a cell we keep
                raw_type = "empty"
            if f is None:
                cols.cell_type.append("value")
                cols.formula.append(None)
                cols.array_ref.append(None)
            else:
                formula, array_ref = self._formula(f, r, col_counter, ref)
                cols.cell_type.append("formula")
                cols.formula.append(formula)
                cols.array_ref.append(array_ref)
            cols.row.append(r)
            cols.col.append(col_counter)
            cols.raw_type.append(raw_type)
            cols.raw_value.append(raw_value)
            cols.raw_text.append(raw_text)
            s = c.get("s")
            fmt = formats.get(s)
            if fmt is None:
                fmt = formats[s] = self._format(s)
            cols.number_format.append(fmt)
        if len(cols) >= CHUNK_CELLS:
            self.flush()

    def _coord(self, ref: str) -> tuple[int, int]:
        m = _REF.match(ref)
        if m is None:
            try:
                return parse_cell(ref)
            except ValueError as exc:
                raise WorkbookUnreadable(
                    f"{self.ctx.filename}: sheet {self.sheet!r} has a cell with bad reference {ref!r}",
                    path=self.ctx.filename, sheet=self.sheet) from exc
        letters = m.group(1)
        col = self.col_cache.get(letters)
        if col is None:
            col = self.col_cache[letters] = col_number(letters)
        return int(m.group(2)), col

    def _format(self, s: str | None) -> str:
        codes = self.ctx.number_formats
        try:
            idx = int(s) if s else 0
        except ValueError:
            idx = 0
        return codes[idx] if 0 <= idx < len(codes) else "General"

    def _value(self, t: str | None, v: Any, f: Any, inline: Any, row: int,
               col: int) -> tuple[str | None, float | None, str | None]:
        """(raw_type, raw_value, raw_text) as openpyxl's data_only view reads the cell, except that
        text is decoded from its _xHHHH_ escapes (decode_xstring), which openpyxl leaves in."""
        if t == "inlineStr":
            return ("text", None, text_content(inline)) if inline is not None else (None, None, None)
        text = v.text if v is not None else None
        if not text:
            # an empty cached string of a formula is a real value (openpyxl reads it as None)
            if t == "str" and f is not None and v is not None:
                return "text", None, ""
            return None, None, None
        if t is None or t == "n":
            try:
                return "number", float(text), None
            except ValueError:
                return "text", None, decode_xstring(text)
        if t == "s":
            return "text", None, self._shared_string(text, row, col)
        if t == "b":
            return "bool", (1.0 if text.strip() not in ("0", "false") else 0.0), None
        if t == "e":
            return "error", None, text
        if t == "d":
            return "number", float(to_excel(from_ISO8601(text), self.ctx.epoch)), None
        return "text", None, decode_xstring(text)  # t="str" (a formula's cached text) and unknown types

    def _shared_string(self, text: str, row: int, col: int) -> str:
        try:
            return self.ctx.shared_strings[int(text)]
        except (ValueError, IndexError) as exc:
            from core.addressing import format_cell
            cell = format_cell(row, col)
            raise WorkbookUnreadable(f"{self.ctx.filename}: sheet {self.sheet!r} cell {cell} refers to "
                                     f"missing shared string {text!r}", path=self.ctx.filename,
                                     sheet=self.sheet, cell=cell) from exc

    def _formula(self, f: Any, row: int, col: int, ref: str | None) -> tuple[str, str | None]:
        counts = self.ctx.counts
        ftype = f.get("t")
        text = "=" + f.text if f.text is not None else "="
        if ftype is None or ftype == "normal":
            return text, None
        if ftype == "shared":
            counts["shared_formula_cells"] = counts.get("shared_formula_cells", 0) + 1
            si = f.get("si") or ""
            master = self.shared.get(si)
            if master is not None:
                return master.render(row, col), None
            if text != "=":
                self.shared[si] = SharedFormula(text, row, col)
            return text, None
        if ftype == "array":
            counts["array_formulas"] = counts.get("array_formulas", 0) + 1
            return text, f.get("ref")
        if ftype == "dataTable":
            counts["data_tables"] = counts.get("data_tables", 0) + 1
            return _data_table_formula(f), f.get("ref")
        return text, None
