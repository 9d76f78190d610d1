"""The formula-engine interface the pipeline codes against (real: hf/client.py NodeEngine).

Cells are addressed as CellKey = (sheet name, row, col), 1-based. Formulas are Excel formula text
with the leading '='; the engine adapter (not the caller) rewrites them for HyperFormula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from core.workbook import TableInfo

CellKey = tuple[str, int, int]

# What a cell holds going into the engine: a formula string (starting with '='), a number, a bool,
# a text string (never interpreted: '42' stays text), an ErrorValue, or None (empty).
EngineInput = "str | float | int | bool | ErrorValue | None"


@dataclass(frozen=True)
class ErrorValue:
    """An Excel error as a value: code is one of '#DIV/0!', '#N/A', '#NAME?', '#NULL!', '#NUM!', '#REF!',
    '#VALUE!', '#SPILL!', '#CALC!', '#GETTING_DATA' (and '#CYCLE!' only from the engine)."""

    code: str


@dataclass(frozen=True)
class EngineValue:
    """A computed value. kind: 'number' | 'text' | 'bool' | 'error' | 'empty'."""

    kind: str
    number: float | None = None      # numbers; bools as 1.0/0.0
    text: str | None = None          # text; error code for errors
    detail: str | None = None        # engine's message for errors (e.g. unknown function name)


@dataclass(frozen=True)
class EngineSheet:
    """One sheet: its non-empty cells as (row, col, content) with formulas as text and constants typed."""

    name: str
    cells: Sequence[tuple[int, int, object]]


@dataclass(frozen=True)
class EngineName:
    """A defined name; scope None = workbook, else the sheet name. expression without leading '='."""

    name: str
    expression: str
    scope: str | None = None


@dataclass(frozen=True)
class EngineBook:
    """A whole workbook as the engine takes it."""

    sheets: Sequence[EngineSheet]
    names: Sequence[EngineName] = ()
    date1904: bool = False
    tables: Sequence[TableInfo] = ()   # for structured references (rewritten to plain ranges)
    clock: str | None = None           # ISO 8601 time TODAY()/NOW() read (hf/lib/clock.js); None: the wall clock
    charset: str | None = None         # CHAR/CODE's character set (hf/lib/charset.js); None: windows-1252
    hidden_rows: Mapping[str, Sequence[int]] | None = None  # sheet -> 1-based hidden rows (hf/lib/hiddenrows.js)


@dataclass(frozen=True)
class LoadReport:
    """What happened to a load: names or cells the engine could not take, with reasons."""

    seconds: float
    rejected_names: dict[str, str] = field(default_factory=dict)     # name -> reason
    rejected_cells: dict[CellKey, str] = field(default_factory=dict)  # cell -> reason


@dataclass(frozen=True)
class CycleGroup:
    """A circular group to solve: members in Excel's calculation order, formulas as stored."""

    group_id: int
    members: Sequence[CellKey]
    formulas: Sequence[str]


@dataclass(frozen=True)
class CycleResult:
    """The outcome of iterating one group."""

    group_id: int
    values: Sequence[EngineValue]
    converged: bool
    iterations: int
    max_change: float                # inf when a non-number value still changed
    # Per member: True when the value really depends on the loop (not converged when iterating;
    # shown as 0 by Excel when iteration is off). Empty = all False.
    circular: Sequence[bool] = ()
    # Iteration off only: formula cells downstream whose value depends on a live loop (Excel shows 0).
    tainted: Sequence[CellKey] = ()


class FormulaEngine(Protocol):
    """A workbook recalculation engine. Raises core.errors.TransientError when the process dies or
    times out, core.errors.EngineError when it rejects the workbook as a whole."""

    name: str
    version: str

    def load(self, book: EngineBook) -> LoadReport:
        """Replace any loaded workbook with *book* and calculate it."""
        ...

    def read(self, cells: Sequence[CellKey]) -> list[EngineValue]:
        """Values of *cells* (bulk)."""
        ...

    def solve_cycles(self, groups: Sequence[CycleGroup], *, max_iterations: int, max_change: float,
                     start: Sequence[Sequence[float]] | None = None,
                     iterate: bool = True) -> list[CycleResult]:
        """Excel-style iterative calculation of each group, in the order given; dependents recompute.
        iterate=False reproduces Excel with iterative calculation off (see hf/circular.js). The wire
        format is built and read by hf.cycles.encode_solve_message / decode_solve_reply."""
        ...

    def close(self) -> None:
        """Stop the engine process (idempotent)."""
        ...
