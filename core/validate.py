"""The validate stage: classify every formula cell by comparing its recalculated value with Excel's.

Classes (one per formula cell):
    match                    values agree (see the rules below), whatever the engine status
    mismatch                 values differ and the engine reported nothing wrong
    no_cached_value          the file holds no cached value for the cell (nothing to compare)
    unsupported_function     values differ and the engine did not support a function of the formula
    engine_error             values differ and the engine failed on the cell
    circular_not_converged   values differ and the cell's circular group did not converge

Rules: numbers agree when |calculated - cached| <= max(1e-9, 1e-9 * |cached|), widened to the
workbook's iterateDelta for circular cells (Excel stops iterating at that change, and its cached
values depend on how many recalculations it ran); text and booleans exactly; errors by code. An
empty result equals a cached 0 or "" (Excel never caches 'empty' for a formula cell).
A cell the engine marked unsupported but whose value matches anyway (IFERROR around it, a branch not
taken) is a match: the number the user sees is right.

Columnar: the comparison runs on Arrow arrays; only non-matching cells become Python objects.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.formula.tokenizer import Token, Tokenizer

from core.stage import EVALUATE, GRAPH, PARSE, StageDir, read_json, read_table
from core.workbook import WorkbookInfo

MATCH = "match"
MISMATCH = "mismatch"
NO_CACHED_VALUE = "no_cached_value"
UNSUPPORTED = "unsupported_function"
ENGINE_ERROR = "engine_error"
NOT_CONVERGED = "circular_not_converged"
CLASSES = (MATCH, MISMATCH, NO_CACHED_VALUE, UNSUPPORTED, ENGINE_ERROR, NOT_CONVERGED)
# eval_status values that name the class of a differing cell; any other status is a plain mismatch.
_STATUS_CLASSES = (UNSUPPORTED, ENGINE_ERROR, NOT_CONVERGED)

REL_TOL = 1e-9
ABS_TOL = 1e-9
NO_FUNCTION = "(no function)"


@dataclass(frozen=True)
class CellResult:
    """One non-matching formula cell."""

    sheet: str
    row: int
    col: int
    cls: str
    formula: str | None
    expected_type: str | None
    expected_value: float | None
    expected_text: str | None
    calculated_type: str | None
    calculated_value: float | None
    calculated_text: str | None
    detail: str | None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one comparison. match_rate is None when no formula cell has a cached value."""

    formula_cells: int
    counts: dict[str, int]
    match_rate: float | None
    by_sheet: dict[str, dict[str, int]]
    by_function: dict[str, dict[str, int]]
    warnings: tuple[str, ...]
    non_matches: tuple[CellResult, ...] = field(repr=False)
    # What TODAY()/NOW() read in the evaluation compared (evaluate/summary.json), {} when not recorded
    volatile_clock: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (what validation_runs.summary holds)."""
        return {"formula_cells": self.formula_cells, "counts": dict(self.counts),
                "match_rate": self.match_rate, "by_sheet": self.by_sheet,
                "by_function": self.by_function, "warnings": list(self.warnings),
                "volatile_clock": dict(self.volatile_clock)}


def stale_cache_warnings(info: WorkbookInfo) -> list[str]:
    """Warnings that Excel's cached values may be out of date (manual calculation, fullCalcOnLoad)."""
    out = []
    if info.calc.calc_mode == "manual":
        out.append("saved with manual calculation (calcMode=manual): Excel's cached values may be "
                   "out of date, so mismatches may be Excel's, not ours")
    if info.calc.full_calc_on_load:
        out.append("saved with fullCalcOnLoad: Excel recalculates on opening, so the cached values "
                   "may be out of date")
    return out


def _fill(arr: pa.Array | pa.ChunkedArray, value: Any) -> Any:
    return pc.fill_null(arr, value)


def _equal_mask(t: pa.Table, circular: pa.ChunkedArray | pa.Array, delta: float) -> Any:
    """True where the calculated value agrees with the cached one (null-safe)."""
    rt, ct = _fill(t["raw_type"], ""), _fill(t["calculated_type"], "")
    rv, cv = t["raw_value"], t["calculated_value"]
    rtext, ctext = t["raw_text"], t["calculated_text"]
    tol = pc.max_element_wise(pc.multiply(pc.abs(rv), REL_TOL), ABS_TOL)
    tol = pc.if_else(circular, pc.max_element_wise(tol, delta), tol)
    both = lambda kind: pc.and_kleene(pc.equal(rt, kind), pc.equal(ct, kind))  # noqa: E731
    numbers = pc.and_kleene(both("number"), pc.less_equal(pc.abs(pc.subtract(cv, rv)), tol))
    bools = pc.and_kleene(both("bool"), pc.equal(rv, cv))
    texts = pc.and_kleene(both("text"), pc.equal(rtext, ctext))
    errors = pc.and_kleene(both("error"), pc.equal(rtext, ctext))
    empty = pc.and_kleene(pc.equal(ct, "empty"), pc.or_kleene(
        pc.and_kleene(pc.equal(rt, "number"), pc.equal(rv, 0.0)),
        pc.and_kleene(pc.equal(rt, "text"), pc.equal(rtext, ""))))
    any_equal = numbers
    for m in (bools, texts, errors, empty):
        any_equal = pc.or_kleene(_fill(any_equal, False), _fill(m, False))
    return _fill(any_equal, False)


def _classes(t: pa.Table, equal: Any) -> pa.Array:
    """The class of every row of *t* (formula cells only)."""
    status = _fill(t["eval_status"], "")
    cls = pc.if_else(equal, MATCH, MISMATCH)
    for name in _STATUS_CLASSES:
        cls = pc.if_else(pc.and_kleene(pc.invert(equal), pc.equal(status, name)), name, cls)
    no_cache = pc.or_kleene(pc.is_null(t["raw_type"]), pc.equal(_fill(t["raw_type"], ""), "empty"))
    return pc.if_else(no_cache, NO_CACHED_VALUE, cls)


def formula_table(stage: StageDir) -> pa.Table:
    """Formula cells with their cached and calculated columns (and is_circular when graph ran).
    Raises StageOutputMissing before the evaluate stage."""
    stage.require(PARSE)
    stage.require(EVALUATE)
    parse = read_table(stage.path(PARSE, "cells.arrow"))
    values = read_table(stage.path(EVALUATE, "values.arrow"))
    if values.num_rows != parse.num_rows:
        raise ValueError(f"evaluate/values.arrow has {values.num_rows} rows, parse has {parse.num_rows}")
    cols = {name: parse[name] for name in ("sheet", "row", "col", "formula", "raw_type", "raw_value",
                                           "raw_text")}
    cols.update({name: values[name] for name in ("calculated_type", "calculated_value",
                                                 "calculated_text", "eval_status", "eval_detail")})
    if stage.is_done(GRAPH):
        cols["is_circular"] = _fill(read_table(stage.path(GRAPH, "cells.arrow"))["is_circular"], False)
    else:
        cols["is_circular"] = pa.chunked_array([pa.array([False] * parse.num_rows, pa.bool_())])
    table = pa.table(cols)
    return table.filter(pc.equal(parse["cell_type"], "formula"))


def functions_of(formula: str | None) -> list[str]:
    """Function names used by *formula* ('=IF(SUM(A1:A3)>0,...)' -> ['IF', 'SUM']), upper case,
    without _xlfn. prefixes; [] when it does not tokenize."""
    if not formula or not formula.startswith("="):
        return []
    try:
        tokens = Tokenizer(formula).items
    except Exception:  # noqa: BLE001 — openpyxl raises bare TokenizerError/IndexError on odd text
        return []
    names = []
    for tok in tokens:
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            name = tok.value[:-1].upper()
            for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
                name = name.removeprefix(prefix)
            if name and name not in names:
                names.append(name)
    return names


def _detail(rec: dict[str, Any], cls: str) -> str | None:
    if rec["eval_detail"]:
        return str(rec["eval_detail"])
    if cls == MISMATCH and rec["raw_type"] == "number" and rec["calculated_type"] == "number":
        return f"differs by {rec['calculated_value'] - rec['raw_value']:.6g}"
    if cls == MISMATCH and rec["raw_type"] != rec["calculated_type"]:
        return f"expected {rec['raw_type']}, calculated {rec['calculated_type']}"
    return None


def _non_matches(t: pa.Table, cls: pa.Array) -> tuple[CellResult, ...]:
    keep = pc.not_equal(cls, MATCH)
    rows = t.filter(keep).to_pylist()
    classes = cls.filter(keep).to_pylist()
    return tuple(
        CellResult(sheet=r["sheet"], row=r["row"], col=r["col"], cls=c, formula=r["formula"],
                   expected_type=r["raw_type"], expected_value=r["raw_value"],
                   expected_text=r["raw_text"], calculated_type=r["calculated_type"],
                   calculated_value=r["calculated_value"], calculated_text=r["calculated_text"],
                   detail=_detail(r, c))
        for r, c in zip(rows, classes, strict=True))


def _breakdowns(cells: tuple[CellResult, ...]) -> tuple[dict[str, dict[str, int]],
                                                        dict[str, dict[str, int]]]:
    by_sheet: dict[str, Counter[str]] = defaultdict(Counter)
    by_function: dict[str, Counter[str]] = defaultdict(Counter)
    for c in cells:
        by_sheet[c.sheet][c.cls] += 1
        for name in functions_of(c.formula) or [NO_FUNCTION]:
            by_function[name][c.cls] += 1
    return ({k: dict(v) for k, v in sorted(by_sheet.items())},
            {k: dict(v) for k, v in sorted(by_function.items(), key=lambda kv: -kv[1].total())})


def compare(stage: StageDir) -> ValidationReport:
    """Classify every formula cell of *stage*. Raises StageOutputMissing, ValueError (misaligned)."""
    t = formula_table(stage)
    info = WorkbookInfo.from_json(read_json(stage.path(PARSE, "workbook.json")))
    status = _fill(t["eval_status"], "")
    circular = pc.or_kleene(t["is_circular"], pc.starts_with(status, "circular_"))
    equal = _equal_mask(t, circular, float(info.calc.iterate_delta))
    cls = pc.cast(_classes(t, equal), pa.string())
    counts = {name: 0 for name in CLASSES}
    for item in pc.value_counts(cls).to_pylist():
        counts[item["values"]] = item["counts"]
    compared = t.num_rows - counts[NO_CACHED_VALUE]
    cells = _non_matches(t, cls)
    by_sheet, by_function = _breakdowns(cells)
    warnings = stale_cache_warnings(info)
    if pc.any(pc.equal(status, "circular_no_iteration")).as_py():
        warnings.append("circular references with iterative calculation off: Excel warned and shows "
                        "0 in them and in the cells that depend on them")
    return ValidationReport(
        formula_cells=t.num_rows, counts=counts,
        match_rate=counts[MATCH] / compared if compared else None,
        by_sheet=by_sheet, by_function=by_function, warnings=tuple(warnings), non_matches=cells,
        volatile_clock=_volatile_clock(stage))


def _volatile_clock(stage: StageDir) -> dict[str, Any]:
    """The evaluate stage's record of what TODAY()/NOW() read ({} when it has none)."""
    path = stage.path(EVALUATE, "summary.json")
    if not path.exists():
        return {}
    clock = read_json(path).get("volatile_clock")
    return dict(clock) if isinstance(clock, dict) else {}
