"""Range -> formula cells, without expanding ranges: a per-sheet, per-column index of formula rows.

A range is answered column by column with two bisects, over the columns that hold formula cells only,
so SUM(A1:A1048576) costs a few bisects. When a range covers many formula cells in a column, the
dependent is linked to aligned blocks of a segment tree built over that column (virtual nodes, ids
above the real ones) instead of to every cell: a 1,000-row SUM adds ~20 edges, not 1,000, while
reachability between real cells (hence cycles and evaluation order) is unchanged.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from core.refs import RangeRef

DIRECT_LIMIT = 16   # up to this many cells in one column are linked directly


class _Column:
    """The formula cells of one sheet column, rows ascending."""

    __slots__ = ("key", "rows", "ids")

    def __init__(self, key: int) -> None:
        self.key = key
        self.rows: list[int] = []
        self.ids: list[int] = []


class FormulaIndex:
    """Formula cells by sheet and column; collects the graph's edges as two int lists."""

    def __init__(self, first_virtual: int) -> None:
        self._sheets: dict[str, tuple[list[int], dict[int, _Column]]] = {}
        self._arrays: dict[str, list[tuple[int, int, int, int, int]]] = {}
        self._virtual: dict[tuple[int, int, int], int] = {}
        self.next_id = first_virtual
        self.src: list[int] = []
        self.dst: list[int] = []
        self._ncols = 0
        self._cells: dict[tuple[str, int, int], int] = {}   # single-cell references skip bisecting

    def add(self, sheet: str, row: int, col: int, node: int) -> None:
        """Register a formula cell (call in sheet, row, column order, before any link())."""
        entry = self._sheets.get(sheet)
        if entry is None:
            entry = self._sheets[sheet] = ([], {})
        column = entry[1].get(col)
        if column is None:
            column = entry[1][col] = _Column(self._ncols)
            self._ncols += 1
        column.rows.append(row)
        column.ids.append(node)
        self._cells[(sheet, row, col)] = node

    def add_array(self, sheet: str, box: tuple[int, int, int, int], node: int) -> None:
        """Register a multi-cell array formula: reading any cell of *box* depends on its anchor."""
        self._arrays.setdefault(sheet, []).append((*box, node))

    def freeze(self) -> None:
        """Sort what add() collected; call once, before link()."""
        for sheet, (_, columns) in list(self._sheets.items()):
            for column in columns.values():
                if any(a > b for a, b in zip(column.rows, column.rows[1:], strict=False)):
                    pairs = sorted(zip(column.rows, column.ids, strict=True))
                    column.rows = [p[0] for p in pairs]
                    column.ids = [p[1] for p in pairs]
            self._sheets[sheet] = (sorted(columns), columns)

    def link(self, rng: RangeRef, dependent: int) -> int:
        """Add edges from the formula cells inside *rng* to *dependent*; returns how many cells."""
        total = 0
        sheet, r1, c1, r2, c2 = rng
        if r1 == r2 and c1 == c2:
            node = self._cells.get(rng[:3])
            if node is not None:
                self.src.append(node)
                self.dst.append(dependent)
                total = 1
            if sheet not in self._arrays:
                return total
            entry = None
        else:
            entry = self._sheets.get(sheet)
        if entry is not None:
            col_keys, columns = entry
            lo = bisect_left(col_keys, rng.first_col)
            hi = bisect_right(col_keys, rng.last_col)
            for ci in range(lo, hi):
                column = columns[col_keys[ci]]
                a = bisect_left(column.rows, rng.first_row)
                b = bisect_right(column.rows, rng.last_row)
                if a < b:
                    total += b - a
                    self._link_span(column, a, b, dependent)
        for r1, c1, r2, c2, anchor in self._arrays.get(rng.sheet, ()):
            if r1 <= rng.last_row and rng.first_row <= r2 and c1 <= rng.last_col and rng.first_col <= c2:
                self.src.append(anchor)
                self.dst.append(dependent)
                total += 1
        return total

    def _link_span(self, column: _Column, a: int, b: int, dependent: int) -> None:
        src, dst = self.src, self.dst
        if b - a <= DIRECT_LIMIT:
            ids = column.ids
            for k in range(a, b):
                src.append(ids[k])
                dst.append(dependent)
            return
        level = 0
        while a < b:
            if a & 1:
                src.append(self._block(column, level, a))
                dst.append(dependent)
                a += 1
            if b & 1:
                b -= 1
                src.append(self._block(column, level, b))
                dst.append(dependent)
            a >>= 1
            b >>= 1
            level += 1

    def _block(self, column: _Column, level: int, j: int) -> int:
        """The node standing for cells [j << level, (j + 1) << level) of *column* (made on demand)."""
        if level == 0:
            return column.ids[j]
        key = (column.key, level, j)
        node = self._virtual.get(key)
        if node is None:
            left = self._block(column, level - 1, 2 * j)
            right = self._block(column, level - 1, 2 * j + 1)
            node = self._virtual[key] = self.next_id
            self.next_id += 1
            self.src += (left, right)
            self.dst += (node, node)
        return node

    @property
    def virtual_nodes(self) -> int:
        """How many segment-tree nodes were made."""
        return len(self._virtual)
