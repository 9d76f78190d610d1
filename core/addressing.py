"""A1 addresses <-> (row, column) numbers. Rows and columns are 1-based."""

from __future__ import annotations

import re
from functools import lru_cache

MAX_ROW = 1_048_576
MAX_COL = 16_384

_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


@lru_cache(maxsize=20_000)
def col_letter(col: int) -> str:
    """1 -> 'A', 28 -> 'AB'. Raises ValueError outside 1..16384."""
    if not 1 <= col <= MAX_COL:
        raise ValueError(f"column {col} out of range")
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@lru_cache(maxsize=20_000)
def col_number(letters: str) -> int:
    """'A' -> 1, 'ab' -> 28. Raises ValueError for anything else."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"bad column letters {letters!r}")
        n = n * 26 + ord(ch) - 64
    if not 1 <= n <= MAX_COL:
        raise ValueError(f"column {letters!r} out of range")
    return n


def parse_cell(address: str) -> tuple[int, int]:
    """'B7' or '$B$7' -> (7, 2). Raises ValueError for anything that is not one cell."""
    m = _CELL_RE.match(address.strip())
    if not m:
        raise ValueError(f"not a cell address: {address!r}")
    row = int(m.group(2))
    if not 1 <= row <= MAX_ROW:
        raise ValueError(f"row out of range in {address!r}")
    return row, col_number(m.group(1))


def format_cell(row: int, col: int) -> str:
    """(7, 2) -> 'B7'."""
    return f"{col_letter(col)}{row}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'B2:F40' (or one cell) -> (first_row, first_col, last_row, last_col), normalised. Raises ValueError."""
    parts = ref.split(":")
    if len(parts) == 1:
        r, c = parse_cell(parts[0])
        return r, c, r, c
    if len(parts) != 2:
        raise ValueError(f"not a range: {ref!r}")
    r1, c1 = parse_cell(parts[0])
    r2, c2 = parse_cell(parts[1])
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)
