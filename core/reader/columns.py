"""Column-wise cell buffers: the parse hot path appends to plain lists and emits one Arrow table per chunk,
never one Python object per cell."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from core.stage import CELLS_SCHEMA


@dataclass(frozen=True, slots=True)
class ParsedCell:
    """One non-empty cell of a worksheet, as stored in parse/cells.arrow."""

    sheet: str
    row: int
    col: int
    cell_type: str            # 'formula' | 'value'
    formula: str | None       # with leading '=', shared formulas translated
    array_ref: str | None     # on the anchor cell of an array formula / data table
    raw_type: str             # 'number' | 'text' | 'bool' | 'error' | 'empty'
    raw_value: float | None
    raw_text: str | None
    number_format: str | None


class CellColumns:
    """Append-only column lists for one sheet chunk."""

    __slots__ = ("row", "col", "cell_type", "formula", "array_ref", "raw_type", "raw_value", "raw_text",
                 "number_format")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Empty every column."""
        self.row: list[int] = []
        self.col: list[int] = []
        self.cell_type: list[str] = []
        self.formula: list[str | None] = []
        self.array_ref: list[str | None] = []
        self.raw_type: list[str] = []
        self.raw_value: list[float | None] = []
        self.raw_text: list[str | None] = []
        self.number_format: list[str | None] = []

    def __len__(self) -> int:
        return len(self.row)

    def to_table(self, sheet: str) -> pa.Table:
        """The buffered cells as a CELLS_SCHEMA table."""
        n = len(self.row)
        arrays = [
            pa.repeat(pa.scalar(sheet, pa.string()), n),
            pa.array(self.row, pa.int32()),
            pa.array(self.col, pa.int32()),
            pa.array(self.cell_type, pa.string()),
            pa.array(self.formula, pa.string()),
            pa.array(self.array_ref, pa.string()),
            pa.array(self.raw_type, pa.string()),
            pa.array(self.raw_value, pa.float64()),
            pa.array(self.raw_text, pa.string()),
            pa.array(self.number_format, pa.string()),
        ]
        return pa.Table.from_arrays(arrays, schema=CELLS_SCHEMA)


def cells_from_table(table: pa.Table) -> list[ParsedCell]:
    """ParsedCell objects for the rows of a CELLS_SCHEMA table (for callers that want objects)."""
    cols = [table.column(name).to_pylist() for name in CELLS_SCHEMA.names]
    return [ParsedCell(*values) for values in zip(*cols, strict=True)]
