"""Lineage rows: each formula cell's precedents as ranges (graph/lineage.arrow)."""

from __future__ import annotations

import pyarrow as pa

from core.refs import RangeRef
from core.stage import LINEAGE_SCHEMA


class LineageRows:
    """Rows for graph/lineage.arrow as tuples, turned into columns once at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[object, ...]] = []

    def add(self, sheet: str, row: int, col: int, refs: list[RangeRef], kind: str | None) -> None:
        """Rows for *refs* of one cell; kind None means 'cell' or 'range' by size."""
        append = self.rows.append
        for ref in refs:
            k = kind or ("cell" if ref[1] == ref[3] and ref[2] == ref[4] else "range")
            append((sheet, row, col, *ref, k))

    def __len__(self) -> int:
        return len(self.rows)

    def table(self) -> pa.Table:
        """The rows as an Arrow table with LINEAGE_SCHEMA."""
        columns = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(LINEAGE_SCHEMA)
        self.rows = []
        return pa.table([pa.array(c, f.type) for c, f in zip(columns, LINEAGE_SCHEMA, strict=True)],
                        schema=LINEAGE_SCHEMA)
