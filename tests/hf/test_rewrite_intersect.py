"""Implicit intersection of direct ranges in non-array formulas, through the real engine.

Expected values are Excel's (legacy evaluation of a formula stored without t="array"): a range in a
value position reads the one cell in the formula's row/column, #VALUE! when it misses; ranges in
reference ('R'/'N') or array ('A') parameters are read whole. Cases from the corpus workbooks
FormulaEvalTestData_Copy.xlsx, suffix-generator.xlsm and rangesinsteadofcells.xlsx.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.refs import params
from hf.client import NodeEngine
from hf.protocol import EngineBook, EngineSheet

PARAMS_JSON = Path(__file__).resolve().parents[2] / "hf" / "lib" / "params.json"


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


# Data: A1:A6 = 1..6, B1:B6 = 10..60, row 8: A8:F8 = 100..600; Other!A1:A6 = -1..-6.
DATA = [(r, 1, float(r)) for r in range(1, 7)] + [(r, 2, 10.0 * r) for r in range(1, 7)] + \
    [(8, c, 100.0 * c) for c in range(1, 7)]
OTHER = [(r, 1, -float(r)) for r in range(1, 7)]


@pytest.mark.parametrize(("formula", "row", "col", "expected"), [
    ("=A1:A6*2", 3, 4, 6.0),                      # vertical range: the formula's row
    ("=-A8:F8", 10, 3, -300.0),                   # horizontal range: the formula's column
    ("=+Other!A1:B6", 2, 1, -2.0),                # 2-D range: row and column
    ("=A1:A6*2", 9, 4, "#VALUE!"),                # the row misses the range
    ("=A:A+1", 4, 5, 5.0),                        # whole column
    ("=Other!A1:A6+1", 3, 4, -2.0),
    ("=ABS(Other!A1:A6)", 5, 4, 5.0),             # a value parameter
    ("=IF(TRUE,A1:A6)", 2, 4, 2.0),               # IF passes the range to the top: intersected
    ("=SUM(IF(TRUE,A1:A6))", 2, 4, 21.0),         # ... inside SUM: whole
    ("=SUM(A1:A6)", 2, 4, 21.0),                  # a reference parameter
    ("=SUMPRODUCT(A1:A6*B1:B6)", 2, 4, 910.0),    # an array parameter: everything whole
    ("=SUMIF(A1:A6,A1:A6,B1:B6)", 4, 4, 40.0),    # SUMIF's criteria is a value
    ("=COUNTIF(A1:A6,\">\"&A1:A6)", 2, 4, 4.0),
    ("=VLOOKUP(A1:A6,A1:B6,2,FALSE)", 5, 4, 50.0),
    ("=ROWS(A1:A6)+COLUMNS(A1:B6)", 2, 4, 8.0),   # reference-only parameters
    ("{=SUM(A1:A6*2)}", 2, 4, 42.0),              # an array formula: no intersection
    ("=FLOOR(A1:A6,2)", 5, 4, 4.0),               # scalar functions beyond the graph table
    ("=COMBIN(A1:A6,2)", 4, 4, 6.0),
])
def test_direct_range_intersection(engine: NodeEngine, formula: str, row: int, col: int, expected: object) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("Data", [*DATA, (row, col, formula)]), EngineSheet("Other", OTHER)]))
    v = engine.read([("Data", row, col)])[0]
    assert (v.number if v.kind == "number" else v.text) == expected


def test_params_json_in_sync_with_graph_table() -> None:
    """hf/lib/params.json is core/refs/params.py's table (regenerate it when that file changes)."""
    data = json.loads(PARAMS_JSON.read_text())
    assert set(data["value"]) == set(params._VALUE)
    assert set(data["range"]) == set(params._RANGE)
    assert {k: tuple(v) for k, v in data["positional"].items()} == params._POSITIONAL
    assert data["pairs"] == params._PAIRS
    assert set(data["cell_no_read"]) == set(params.CELL_NO_READ)
