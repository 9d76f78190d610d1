"""Formula rewrites (hf/lib/rewrite.js) and custom FunctionPlugins, against the real engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.workbook import TableInfo
from hf.client import NodeEngine, Text, split_status
from hf.protocol import EngineBook, EngineName, EngineSheet


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


# Data: A1:A5 = 10..50, B1 = 2, C1 = "A3"; Other sheet: A1 = 7; Third: A1 = 100.
DATA = [(r, 1, 10 * r) for r in range(1, 6)] + [(1, 2, 2), (1, 3, Text("A3"))]
TABLE = TableInfo(name="Sales", display_name="Sales", sheet="Data", ref="E1:F4",
                  columns=("Year", "Amount"))
TABLE_CELLS = [(1, 5, Text("Year")), (1, 6, Text("Amount")), (2, 5, 2020), (2, 6, 5),
               (3, 5, 2021), (3, 6, 7), (4, 5, 2022), (4, 6, 11)]
NAMES = [
    EngineName("Rate", "Data!$B$1"),
    EngineName("Pair", "Data!$A$1,Data!$A$5"),          # union: HyperFormula cannot hold it
    EngineName("Left", "Data!XFD1"),                     # relative: the cell left of the user
    EngineName("Local", "Data!$A$2", scope="Data"),
    EngineName("Rng", "Data!$A$1:$A$3"),
    EngineName("Col", "Data!$A$1:$A$5"),
]


def calc(engine: NodeEngine, formula: str, row: int = 10, col: int = 2) -> tuple[str, object]:
    """Evaluate *formula* at (row, col) of sheet Data; (kind, number or text)."""
    cells = DATA + TABLE_CELLS + [(row, col, formula), (row, col - 1, 3)]
    book = EngineBook(sheets=[EngineSheet("Data", cells), EngineSheet("Other sheet", [(1, 1, 7)]),
                              EngineSheet("Third", [(1, 1, 100)])],
                      names=NAMES, tables=[TABLE])
    engine.load(book)
    v = engine.read([("Data", row, col)])[0]
    return v.kind, v.number if v.kind in ("number", "bool") else v.text


@pytest.mark.parametrize(("formula", "expected"), [
    ('=INDIRECT("A2")', 20.0),
    ("=INDIRECT(C1)", 30.0),
    ('=INDIRECT("\'Other sheet\'!A1")', 7.0),
    ('=SUM(INDIRECT("A1:A3"))', 60.0),
    ('=INDIRECT("Rng")', "#VALUE!"),                      # a range in a single cell: as Excel
    ('=SUM(INDIRECT("Rng"))', 60.0),
    ('=INDIRECT("NoSuchSheet!A1")', "#REF!"),
    ("=OFFSET(A1,B1,0)", 30.0),                           # computed offset: dynamic plugin
    ("=SUM(OFFSET(A1,0,0,B1+1,1))", 60.0),
    ("=SUM(OFFSET(A5,0,0,-B1,1))", 90.0),                 # negative height counts upwards
    ("=OFFSET(A1,2,0)", 30.0),                            # literal offsets: HyperFormula's own
    ('=_xlfn.CONCAT(A1:A3,"x")', "102030x"),
    ("=Rate*10", 20.0),
    ("=SUM(Pair)", 60.0),
    ("=Left", 3.0),                                       # relative name used in B10 -> A10
    ("=Local", 20.0),
    ("=SUM(Sales[Amount])", 23.0),
    ("=SUM(Sales[[#All],[Year]])", 6063.0),
    ("=COUNTA(Sales[#Headers])", 2.0),
    ("=SUM(Data:Third!A1)", 117.0),                       # 3-D reference
    ("=SUM(A:A)", 150.0 + 3.0),                           # whole column (A10 holds 3)
    ("=Data!#REF!", "#REF!"),
])
def test_rewrites_and_plugins(engine: NodeEngine, formula: str, expected: object) -> None:
    kind, value = calc(engine, formula)
    assert value == expected, (kind, value)


@pytest.mark.parametrize(("formula", "expected"), [
    ("=Col*2", 60.0),                     # implicit intersection with row 3 -> A3
    ('=IF(Col<>"", Col, 0)', 30.0),
    ("=SUM(Col)", 150.0),                 # a range argument stays a range
    ("=SUMPRODUCT(Col*1)", 150.0),        # array context: no intersection
    ("{=SUM(Col*2)}", 300.0),             # array (CSE) formula: no intersection
])
def test_implicit_intersection_of_range_names(engine: NodeEngine, formula: str, expected: float) -> None:
    assert calc(engine, formula, row=3, col=8) == ("number", expected)


def test_this_row_structured_reference(engine: NodeEngine) -> None:
    assert calc(engine, "=Sales[[#This Row],[Amount]]*2", row=3, col=8) == ("number", 14.0)


def test_union_and_relative_names_are_reported(engine: NodeEngine) -> None:
    book = EngineBook(sheets=[EngineSheet("Data", DATA)], names=NAMES)
    report = engine.load(book)
    assert set(report.rejected_names) == {"Pair", "Left"}
    assert "union" in report.rejected_names["Pair"] and "relative" in report.rejected_names["Left"]


def test_indirect_chain_settles(engine: NodeEngine) -> None:
    # B3 reads A3 through INDIRECT while A3 itself depends on a dynamic cell: needs a second pass.
    cells = [(1, 1, 5), (2, 1, '=INDIRECT("A1")*2'), (3, 1, "=A2+1"), (3, 2, '=INDIRECT("A3")')]
    engine.load(EngineBook(sheets=[EngineSheet("S", cells)]))
    assert [v.number for v in engine.read([("S", 2, 1), ("S", 3, 1), ("S", 3, 2)])] == [10.0, 11.0, 11.0]


def test_unknown_function_detail_names_it(engine: NodeEngine) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("S", [(1, 1, "=_xlfn.LAMBDA(x, x)(1)+NOPE(2)")])]))
    status, detail = split_status(engine.read([("S", 1, 1)])[0])
    assert status in ("unsupported_function", "engine_error")
    assert detail
