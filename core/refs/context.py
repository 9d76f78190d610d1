"""What reference resolution needs to know about the workbook: sheets, names, tables."""

from __future__ import annotations

from dataclasses import dataclass

from core.addressing import parse_range
from core.workbook import DefinedName, WorkbookInfo


@dataclass(frozen=True)
class TableGeom:
    """An Excel table's geometry: the whole ref, its header/totals rows, its columns by name."""

    name: str
    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]

    @property
    def data_first(self) -> int:
        """The first data row."""
        return self.first_row + self.header_rows

    @property
    def data_last(self) -> int:
        """The last data row."""
        return self.last_row - self.totals_rows

    def column_index(self, name: str) -> int | None:
        """The sheet column of a table column (case-insensitive), or None."""
        wanted = name.strip().upper()
        for i, col in enumerate(self.columns):
            if col.upper() == wanted:
                return self.first_col + i
        return None

    def contains(self, row: int, col: int) -> bool:
        """True when (row, col) lies inside the table."""
        return self.first_row <= row <= self.last_row and self.first_col <= col <= self.last_col


class WorkbookContext:
    """Sheets in workbook order, defined names by scope, tables: the name-resolver for references."""

    def __init__(self, sheets: list[str], names: tuple[DefinedName, ...] = (),
                 tables: tuple[TableGeom, ...] = ()) -> None:
        self.sheets = list(sheets)
        self._sheet_by_upper = {s.upper(): s for s in self.sheets}
        self._position = {s: i for i, s in enumerate(self.sheets)}
        self._names: dict[tuple[str, str | None], DefinedName] = {}
        for dn in names:
            scope = dn.scope.upper() if dn.scope else None
            self._names[(dn.name.upper(), scope)] = dn
        self._tables = {t.name.upper(): t for t in tables}
        self._tables_by_sheet: dict[str, list[TableGeom]] = {}
        for t in tables:
            self._tables_by_sheet.setdefault(t.sheet, []).append(t)
        self.name_cache: dict[tuple[str, str, str], object] = {}  # filled by the extractor

    @classmethod
    def from_info(cls, info: WorkbookInfo) -> WorkbookContext:
        """Build from the parse stage's WorkbookInfo (tables with unreadable refs are skipped)."""
        tables = []
        for t in info.tables:
            try:
                r1, c1, r2, c2 = parse_range(t.ref)
            except ValueError:
                continue
            cols = t.columns or tuple(f"Column{i + 1}" for i in range(c2 - c1 + 1))
            tables.append(TableGeom(t.display_name or t.name, t.sheet, r1, c1, r2, c2,
                                    t.header_row_count, t.totals_row_count, tuple(cols)))
            if t.name and t.display_name and t.name.upper() != t.display_name.upper():
                tables.append(TableGeom(t.name, t.sheet, r1, c1, r2, c2, t.header_row_count,
                                        t.totals_row_count, tuple(cols)))
        return cls(info.sheet_names(), info.defined_names, tuple(tables))

    def sheet(self, name: str) -> str | None:
        """The sheet's canonical name (sheet names are case-insensitive), or None when missing."""
        return self._sheet_by_upper.get(name.upper())

    def sheet_span(self, first: str, last: str) -> list[str] | None:
        """Sheets from *first* to *last* inclusive in workbook order (3-D reference), None if missing."""
        a, b = self.sheet(first), self.sheet(last)
        if a is None or b is None:
            return None
        i, j = sorted((self._position[a], self._position[b]))
        return self.sheets[i:j + 1]

    def name(self, name: str, sheet: str | None) -> DefinedName | None:
        """A defined name: the one scoped to *sheet* wins over the workbook-scoped one."""
        key = name.upper()
        if sheet is not None:
            found = self._names.get((key, sheet.upper()))
            if found is not None:
                return found
        return self._names.get((key, None))

    def table(self, name: str) -> TableGeom | None:
        """A table by name (case-insensitive), or None."""
        return self._tables.get(name.upper())

    def table_at(self, sheet: str, row: int, col: int) -> TableGeom | None:
        """The table containing a cell (for unqualified structured references like [@Col])."""
        for t in self._tables_by_sheet.get(sheet, ()):
            if t.contains(row, col):
                return t
        return None

    def has_tables(self) -> bool:
        """True when the workbook has any table."""
        return bool(self._tables)
