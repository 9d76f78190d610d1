"""core.validate: classification rules (table-driven) and the report's breakdowns and warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from core.errors import StageOutputMissing
from core.stage import (
    CELLS_SCHEMA,
    EVALUATE,
    GRAPH,
    GRAPH_CELLS_SCHEMA,
    PARSE,
    VALUES_SCHEMA,
    StageDir,
    write_json,
    write_table,
)
from core.validate import CLASSES, compare, functions_of, stale_cache_warnings
from core.workbook import CalcSettings, SheetInfo, WorkbookInfo

N, T, B, E, X = "number", "text", "bool", "error", "empty"

# (id, cached (type, value, text), calculated (type, value, text), eval_status, is_circular, class)
CASES: list[tuple[str, tuple[Any, ...], tuple[Any, ...], str | None, bool, str]] = [
    ("equal numbers", (N, 10.0, None), (N, 10.0, None), "ok", False, "match"),
    ("relative tolerance", (N, 1e6, None), (N, 1e6 + 5e-4, None), "ok", False, "match"),
    ("beyond relative tolerance", (N, 1e6, None), (N, 1e6 + 2e-3, None), "ok", False, "mismatch"),
    ("absolute tolerance near 0", (N, 0.0, None), (N, 5e-10, None), "ok", False, "match"),
    ("beyond absolute tolerance", (N, 0.0, None), (N, 2e-9, None), "ok", False, "mismatch"),
    ("circular within iterateDelta", (N, 1.3333333, None), (N, 1.33326, None), "ok", True, "match"),
    ("circular beyond iterateDelta", (N, 1.3333, None), (N, 1.3, None), "ok", True, "mismatch"),
    ("non-circular ignores iterateDelta", (N, 1.3333333, None), (N, 1.33326, None), "ok", False,
     "mismatch"),
    ("text exact", (T, None, "abc"), (T, None, "abc"), "ok", False, "match"),
    ("text is case sensitive", (T, None, "abc"), (T, None, "ABC"), "ok", False, "mismatch"),
    ("text vs number", (T, None, "1"), (N, 1.0, None), "ok", False, "mismatch"),
    ("bool equal", (B, 1.0, None), (B, 1.0, None), "ok", False, "match"),
    ("bool differs", (B, 1.0, None), (B, 0.0, None), "ok", False, "mismatch"),
    ("bool vs number", (B, 1.0, None), (N, 1.0, None), "ok", False, "mismatch"),
    ("error by code", (E, None, "#DIV/0!"), (E, None, "#DIV/0!"), "ok", False, "match"),
    ("other error code", (E, None, "#DIV/0!"), (E, None, "#VALUE!"), "ok", False, "mismatch"),
    ("empty result equals cached 0", (N, 0.0, None), (X, None, None), "ok", False, "match"),
    ("empty result equals cached ''", (T, None, ""), (X, None, None), "ok", False, "match"),
    ("empty result vs 3", (N, 3.0, None), (X, None, None), "ok", False, "mismatch"),
    ("no cached value", (X, None, None), (N, 3.0, None), "ok", False, "no_cached_value"),
    ("null cached type", (None, None, None), (N, 3.0, None), "ok", False, "no_cached_value"),
    ("unsupported and differs", (N, 3.0, None), (E, None, "#NAME?"), "unsupported_function", False,
     "unsupported_function"),
    ("unsupported but matches", (N, 3.0, None), (N, 3.0, None), "unsupported_function", False,
     "match"),
    ("engine error", (N, 3.0, None), (E, None, "#VALUE!"), "engine_error", False, "engine_error"),
    ("not converged", (N, 3.0, None), (N, 2.0, None), "circular_not_converged", True,
     "circular_not_converged"),
    ("not converged but within delta", (N, 3.0, None), (N, 3.0005, None), "circular_not_converged",
     True, "match"),
    ("no iteration shown as 0", (N, 0.0, None), (N, 0.0, None), "circular_no_iteration", True,
     "match"),
    ("no iteration, Excel had a value", (N, 5.0, None), (N, 0.0, None), "circular_no_iteration",
     True, "mismatch"),
    ("no calculated value", (N, 5.0, None), (None, None, None), None, False, "mismatch"),
]


def make_stage(root: Path, rows: list[dict[str, Any]], *, calc: CalcSettings | None = None,
               with_graph: bool = True) -> StageDir:
    """A stage directory with parse/, graph/ and evaluate/ outputs for *rows* (one per cell)."""
    stage = StageDir.for_hash(root, "f" * 64)
    parse_cols = {f.name: [r.get(f.name) for r in rows] for f in CELLS_SCHEMA}
    info = WorkbookInfo(filename="t.xlsx", sheets=(SheetInfo("S", 0), SheetInfo("T", 1)),
                        calc=calc or CalcSettings(iterate=True, iterate_delta=0.001))
    with stage.writing(PARSE) as d:
        write_table(d / "cells.arrow", pa.table(parse_cols, schema=CELLS_SCHEMA))
        write_json(d / "workbook.json", info.to_json())
    if with_graph:
        graph_cols = {f.name: [r.get(f.name) for r in rows] for f in GRAPH_CELLS_SCHEMA}
        with stage.writing(GRAPH) as d:
            write_table(d / "cells.arrow", pa.table(graph_cols, schema=GRAPH_CELLS_SCHEMA))
    with stage.writing(EVALUATE) as d:
        value_cols = {f.name: [r.get(f.name) for r in rows] for f in VALUES_SCHEMA}
        write_table(d / "values.arrow", pa.table(value_cols, schema=VALUES_SCHEMA))
    return stage


def formula_row(row: int, cached: tuple[Any, ...], calculated: tuple[Any, ...], status: str | None,
                circular: bool, *, sheet: str = "S", formula: str = "=A1") -> dict[str, Any]:
    return {"sheet": sheet, "row": row, "col": 2, "cell_type": "formula", "formula": formula,
            "raw_type": cached[0], "raw_value": cached[1], "raw_text": cached[2],
            "calculated_type": calculated[0], "calculated_value": calculated[1],
            "calculated_text": calculated[2], "eval_status": status, "is_circular": circular}


@pytest.mark.parametrize(("label", "cached", "calculated", "status", "circular", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_classification(tmp_path: Path, label: str, cached: tuple[Any, ...],
                        calculated: tuple[Any, ...], status: str | None, circular: bool,
                        expected: str) -> None:
    value_cell = {"sheet": "S", "row": 1, "col": 1, "cell_type": "value", "raw_type": "number",
                  "raw_value": 1.0, "is_circular": False}
    stage = make_stage(tmp_path, [value_cell, formula_row(2, cached, calculated, status, circular)])
    report = compare(stage)
    assert report.formula_cells == 1
    assert report.counts == {c: int(c == expected) for c in CLASSES}
    if expected == "match":
        assert report.non_matches == () and report.match_rate == 1.0
    else:
        (cell,) = report.non_matches
        assert (cell.sheet, cell.row, cell.col, cell.cls) == ("S", 2, 2, expected)
        assert report.match_rate == (None if expected == "no_cached_value" else 0.0)


def test_report_counts_rate_and_breakdowns(tmp_path: Path) -> None:
    rows = [
        formula_row(1, (N, 1.0, None), (N, 1.0, None), "ok", False, formula="=SUM(A1:A3)"),
        formula_row(2, (N, 1.0, None), (N, 2.0, None), "ok", False, formula="=IF(A1>0,SUM(B1),1)"),
        formula_row(3, (N, 1.0, None), (E, None, "#NAME?"), "unsupported_function", False,
                    formula="=_xlfn.CONCAT(A1,B1)", sheet="T"),
        formula_row(4, (X, None, None), (N, 1.0, None), "ok", False, formula="=A1+1", sheet="T"),
        formula_row(5, (N, 4.0, None), (N, 5.0, None), "ok", False, formula="=sum(A1)", sheet="T"),
    ]
    report = compare(make_stage(tmp_path, rows))
    assert report.counts["match"] == 1 and report.counts["mismatch"] == 2
    assert report.match_rate == pytest.approx(1 / 4)     # the no-cached-value cell is not compared
    assert report.by_sheet == {"S": {"mismatch": 1},
                               "T": {"unsupported_function": 1, "no_cached_value": 1, "mismatch": 1}}
    assert report.by_function == {"SUM": {"mismatch": 2}, "IF": {"mismatch": 1},
                                  "CONCAT": {"unsupported_function": 1},
                                  "(no function)": {"no_cached_value": 1}}
    mismatch = next(c for c in report.non_matches if c.row == 2)
    assert mismatch.detail == "differs by 1"
    assert report.summary()["counts"] == report.counts


@pytest.mark.parametrize(("calc", "expected"), [
    (CalcSettings(), []),
    (CalcSettings(calc_mode="manual"), ["calcMode=manual"]),
    (CalcSettings(full_calc_on_load=True), ["fullCalcOnLoad"]),
    (CalcSettings(calc_mode="manual", full_calc_on_load=True), ["calcMode=manual", "fullCalcOnLoad"]),
])
def test_stale_cache_warnings(tmp_path: Path, calc: CalcSettings, expected: list[str]) -> None:
    stage = make_stage(tmp_path, [formula_row(1, (N, 1.0, None), (N, 1.0, None), "ok", False)],
                       calc=calc)
    warnings = compare(stage).warnings
    assert len(warnings) == len(expected)
    for text, word in zip(warnings, expected, strict=True):
        assert word in text
    info = WorkbookInfo(filename="x", sheets=(), calc=calc)
    assert len(stale_cache_warnings(info)) == len(expected)


def test_circular_without_iteration_warns(tmp_path: Path) -> None:
    row = formula_row(1, (N, 0.0, None), (N, 0.0, None), "circular_no_iteration", True)
    assert any("iterative calculation off" in w for w in compare(make_stage(tmp_path, [row])).warnings)


def test_without_graph_stage_uses_eval_status_for_circular_tolerance(tmp_path: Path) -> None:
    row = formula_row(1, (N, 3.0, None), (N, 3.0005, None), "circular_not_converged", True)
    report = compare(make_stage(tmp_path, [row], with_graph=False))
    assert report.counts["match"] == 1


def test_requires_the_evaluate_stage(tmp_path: Path) -> None:
    stage = StageDir.for_hash(tmp_path, "0" * 64)
    with pytest.raises(StageOutputMissing):
        compare(stage)


@pytest.mark.parametrize(("formula", "names"), [
    ("=A1+B1", []),
    ("=SUM(A1:A3)", ["SUM"]),
    ("=IF(SUM(A1)>0,sum(B1),VLOOKUP(1,C:D,2,FALSE))", ["IF", "SUM", "VLOOKUP"]),
    ("=_xlfn.CONCAT(A1,\"SUM(\")", ["CONCAT"]),
    ("=_xlfn._xlws.SORT(A1:A3)", ["SORT"]),
    ("not a formula", []),
    (None, []),
])
def test_functions_of(formula: str | None, names: list[str]) -> None:
    assert functions_of(formula) == names
