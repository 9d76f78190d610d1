"""Exact counts of a sheet's cells in an address range, from an in-memory index of where they are.

Counting the cells of GET /cells that match a range is PostgreSQL's biggest cost per page: it reads every
index entry in the rectangle (10,000 for a 1,000-row, 10-column range, ~3 ms of CPU), and a whole-sheet
count of a large model reads all of them. A stored model version never changes (see TotalsCache), so the
positions of a sheet's cells matching the equality filters (cell_type, raw_type, has_mismatch,
is_circular) can be read once and kept: per column, the sorted row numbers. A range count is then two
binary searches per column in the range. Text filters (formula_contains, function) and requests without
a sheet are counted by the database as before.

An index is built on the second count of the same (model version, sheet, filters), by one request while
the others keep counting in SQL, so a one-off query never pays for reading a whole sheet; indexes are
dropped least recently used first beyond a total number of stored positions.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Columns of the range that hold cells: beyond this many, the database counts (it would be faster).
MAX_COLUMNS_SEARCHED = 128
MAX_POSITIONS = 8_000_000  # per worker process, ~4 bytes each
BUILD_ON_MISS = 2  # build on this count of the same key (the first counts in SQL only)
_NEVER = -(2**62)  # a miss count that never reaches BUILD_ON_MISS


@dataclass(frozen=True)
class SheetPositions:
    """Row numbers (sorted) of the matching cells, per column, and their number."""

    rows_by_col: dict[int, array[int]]
    cols: tuple[int, ...]  # sorted keys of rows_by_col
    size: int

    @classmethod
    def from_rows(cls, rows: list[tuple[Any, ...]]) -> SheetPositions:
        """From (row, col) pairs in row, column order (the primary-key order of cells)."""
        by_col: dict[int, array[int]] = {}
        for row, col in rows:
            found = by_col.get(col)
            if found is None:
                found = by_col[col] = array("i")
            found.append(row)
        return cls(by_col, tuple(sorted(by_col)), len(rows))

    def count(self, bounds: tuple[int, int, int, int] | None) -> int | None:
        """Matching cells within bounds (first_row, first_col, last_row, last_col); None: too many columns."""
        if bounds is None:
            return self.size
        r1, c1, r2, c2 = bounds
        first, last = bisect_left(self.cols, c1), bisect_right(self.cols, c2)
        if last - first > MAX_COLUMNS_SEARCHED:
            return None
        total = 0
        for col in self.cols[first:last]:
            rows = self.rows_by_col[col]
            total += bisect_right(rows, r2) - bisect_left(rows, r1)
        return total


class PositionIndex:
    """SheetPositions per key (model version, sheet, equality filters), built on repeated demand."""

    def __init__(self, max_positions: int = MAX_POSITIONS, build_on: int = BUILD_ON_MISS) -> None:
        self._lock = threading.Lock()
        self._max = max_positions
        self._build_on = build_on
        self._held = 0
        self._data: OrderedDict[tuple[Any, ...], SheetPositions] = OrderedDict()
        self._misses: OrderedDict[tuple[Any, ...], int] = OrderedDict()
        self._building: set[tuple[Any, ...]] = set()

    def count(self, key: tuple[Any, ...], bounds: tuple[int, int, int, int] | None,
              load: Callable[[], list[tuple[Any, ...]]]) -> int | None:
        """The count from the index of *key*, building it (with *load*: (row, col) pairs in row, column
        order) when *key* has been asked for often enough; None when the caller must count itself."""
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            elif key in self._building:
                return None
            else:
                misses = self._misses.get(key, 0) + 1
                self._misses[key] = misses
                self._misses.move_to_end(key)
                while len(self._misses) > 4096:
                    self._misses.popitem(last=False)
                if misses < self._build_on:
                    return None
                self._building.add(key)
        if found is None:
            try:
                found = SheetPositions.from_rows(load())
            finally:
                with self._lock:
                    self._building.discard(key)
            self._store(key, found)
        return found.count(bounds)

    def _store(self, key: tuple[Any, ...], positions: SheetPositions) -> None:
        with self._lock:
            self._misses.pop(key, None)
            if positions.size > self._max:
                self._misses[key] = _NEVER  # too large to keep: not read again while remembered
                return
            self._data[key] = positions
            self._held += positions.size
            while self._held > self._max:
                _, dropped = self._data.popitem(last=False)
                self._held -= dropped.size

    def clear(self) -> None:
        """Forget every index."""
        with self._lock:
            self._data.clear()
            self._misses.clear()
            self._held = 0

    def __len__(self) -> int:
        return len(self._data)


POSITIONS = PositionIndex()
