"""The values reference extraction produces: ranges read by a formula, and what else it found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from core.addressing import MAX_COL, MAX_ROW

# Functions whose result is a reference computed at run time: their real precedents are unknowable
# from the text, so the cell is flagged (the static part of their arguments is still recorded).
DYNAMIC_FUNCTIONS = frozenset({"INDIRECT", "OFFSET", "EVALUATE"})

# ref_sheet values for broken references that name no sheet (lineage rows keep coordinates 0).
REF_ERROR = "#REF!"
NAME_ERROR = "#NAME?"


class RangeRef(NamedTuple):
    """A rectangle on one sheet, normalised (first <= last), 1-based and inclusive.

    A NamedTuple rather than a dataclass: the graph stage creates millions of them.
    For external references sheet is '[1]Sheet1' (or '[1]!Name' with zero coordinates).
    """

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def is_cell(self) -> bool:
        """True when the range is a single cell."""
        return self.first_row == self.last_row and self.first_col == self.last_col


@dataclass(frozen=True)
class FormulaRefs:
    """Everything one formula reads, fully qualified for the cell it sits in."""

    ranges: tuple[RangeRef, ...] = ()        # in-workbook precedents (sheet always set)
    externals: tuple[RangeRef, ...] = ()     # other workbooks, sheet like '[1]Sheet1'
    broken: tuple[RangeRef, ...] = ()        # missing sheets ('Gone', coords) / '#REF!' / '#NAME?'
    has_dynamic_refs: bool = False           # INDIRECT / OFFSET / ... present (also via names)
    parse_error: str | None = None           # the tokenizer's complaint; nothing else is set then
    functions: frozenset[str] = frozenset()  # upper-case, '_xlfn.' / '_xlws.' stripped
    reference_only: tuple[RangeRef, ...] = ()  # used for position/shape only (ROW(A1), OFFSET's base)

    @property
    def has_broken_ref(self) -> bool:
        """True when the formula reads a missing sheet or name, or holds #REF!."""
        return bool(self.broken)


def clamp_row(row: int) -> int:
    """Wrap a shifted row into 1..MAX_ROW (relative references in names wrap like Excel's)."""
    return (row - 1) % MAX_ROW + 1


def clamp_col(col: int) -> int:
    """Wrap a shifted column into 1..MAX_COL."""
    return (col - 1) % MAX_COL + 1
