"""Value mapping between Excel, HyperFormula and our EngineValue, table-driven against the real engine."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from core.stage import CELLS_SCHEMA
from core.workbook import SheetInfo, WorkbookInfo
from hf.client import NodeEngine, Text, split_status
from hf.protocol import EngineBook, EngineSheet, EngineValue, ErrorValue
from hf.wire import encode_grid, values_table


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


def calc(engine: NodeEngine, formula: str, inputs: dict[tuple[int, int], object] | None = None,
         date1904: bool = False) -> EngineValue:
    """Evaluate *formula* in Z100 of a sheet holding *inputs*."""
    cells = [(r, c, v) for (r, c), v in (inputs or {}).items()] + [(100, 26, formula)]
    engine.load(EngineBook(sheets=[EngineSheet("Sheet1", cells)], date1904=date1904))
    return engine.read([("Sheet1", 100, 26)])[0]


ERRORS = [
    ("=1/0", "#DIV/0!"),
    ("=NA()", "#N/A"),
    ("=#N/A", "#N/A"),
    ("=SQRT(-1)", "#NUM!"),
    ("=#REF!", "#REF!"),
    ("=Sheet1!#REF!", "#REF!"),
    ('="a"+1', "#VALUE!"),
    ("=#NULL!", "#NULL!"),
    ("=NOSUCHNAME+1", "#NAME?"),
    ("=IFERROR(#NULL!, 7)", None),
]


@pytest.mark.parametrize(("formula", "code"), ERRORS)
def test_error_codes(engine: NodeEngine, formula: str, code: str | None) -> None:
    v = calc(engine, formula)
    if code is None:
        assert (v.kind, v.number) == ("number", 7.0)
    else:
        assert (v.kind, v.text) == ("error", code)
        assert split_status(v)[0] == "ok"


@pytest.mark.parametrize("text", ["42", "TRUE", "false", "2011-01-15", "01/02/2020", "#N/A", "=1+1", " 3 ", ""])
def test_text_constants_stay_text(engine: NodeEngine, text: str) -> None:
    v = calc(engine, "=A1", {(1, 1): Text(text)})
    assert (v.kind, v.text) == ("text", text)
    assert calc(engine, "=ISTEXT(A1)", {(1, 1): Text(text)}).number == 1.0


@pytest.mark.parametrize(("formula", "inputs", "expected"), [
    ("=TRUE", {}, EngineValue("bool", number=1.0)),
    ("=1=2", {}, EngineValue("bool", number=0.0)),
    ("=A1", {(1, 1): True}, EngineValue("bool", number=1.0)),
    ("=AND(A1, TRUE)", {(1, 1): False}, EngineValue("bool", number=0.0)),
    ("=IF(TRUE, 1, 2)", {}, EngineValue("number", number=1.0)),
    ("=VLOOKUP(2, A1:B2, 2, FALSE)", {(1, 1): 1, (1, 2): "x", (2, 1): 2, (2, 2): "y"}, EngineValue("text", text="y")),
    ('=""', {}, EngineValue("text", text="")),
    ("=C7", {}, EngineValue("number", number=0.0)),          # an empty result shows as 0, as in Excel
    ("=ISBLANK(C7)", {}, EngineValue("bool", number=1.0)),
    ("=ISNA(A1)", {(1, 1): ErrorValue("#N/A")}, EngineValue("bool", number=1.0)),
    ("=A1", {(1, 1): ErrorValue("#DIV/0!")}, EngineValue("error", text="#DIV/0!")),
    ("=A1", {(1, 1): ErrorValue("#NULL!")}, EngineValue("error", text="#NULL!")),
    ("=0.1+0.2", {}, EngineValue("number", number=0.1 + 0.2)),  # full double, no display rounding
])
def test_values(engine: NodeEngine, formula: str, inputs: dict[tuple[int, int], object],
                expected: EngineValue) -> None:
    v = calc(engine, formula, inputs)
    assert (v.kind, v.number, v.text) == (expected.kind, expected.number, expected.text)


@pytest.mark.parametrize(("formula", "date1904", "serial"), [
    ("=DATE(2020,1,1)", False, 43831.0),
    ("=DATE(1900,3,1)", False, 61.0),       # Excel's 1900 leap-year bug
    ("=DATE(1900,1,1)", False, 1.0),
    ("=DATE(1904,1,2)", True, 1.0),
    ("=DATE(2020,1,1)", True, 42369.0),
    ('=DATEVALUE("2020-01-01")', False, 43831.0),
])
def test_date_systems(engine: NodeEngine, formula: str, date1904: bool, serial: float) -> None:
    assert calc(engine, formula, date1904=date1904).number == serial


@pytest.mark.parametrize(("formula", "expected"), [
    ('=_xlfn.CONCAT("a", "b")', "ab"),
    ("=_xlfn.STDEV.S(1, 2, 3)", 1.0),
    ("=_xlfn._xlws.SORT({3;1;2})", 1.0),
    ('=_xlfn.IFS(FALSE, "no", TRUE, "yes")', "yes"),
])
def test_xlfn_prefixes(engine: NodeEngine, formula: str, expected: object) -> None:
    v = calc(engine, formula)
    assert (v.text if isinstance(expected, str) else v.number) == expected


@pytest.mark.parametrize(("formula", "status", "detail"), [
    ("=NOSUCHFUNC(1)", "unsupported_function", "unknown function NOSUCHFUNC"),
    ("=1+", "engine_error", "parse error"),
])
def test_uncomputable_cells_get_name_error_with_reason(engine: NodeEngine, formula: str, status: str,
                                                       detail: str) -> None:
    v = calc(engine, formula)
    assert (v.kind, v.text) == ("error", "#NAME?")
    got_status, got_detail = split_status(v)
    assert got_status == status
    assert got_detail is not None and got_detail.startswith(detail)


def test_external_reference_without_link_cache_is_ref_error(engine: NodeEngine) -> None:
    """hf/PROTOCOL.md: a book the workbook's link cache does not hold reads as #REF! (as in Excel)."""
    v = calc(engine, "=[1]Sheet1!A1")
    assert (v.kind, v.text, split_status(v)[0]) == ("error", "#REF!", "ok")


def test_dependent_of_unknown_function_is_ok_status(engine: NodeEngine) -> None:
    v = calc(engine, "=A1+1", {(1, 1): "=NOSUCHFUNC(1)"})
    assert (v.kind, v.text) == ("error", "#NAME?")
    assert split_status(v)[0] == "ok"


def test_cycle_stays_cycle_for_the_solver(engine: NodeEngine) -> None:
    v = calc(engine, "=A1+1", {(1, 1): "=Z100*2"})
    assert (v.kind, v.text) == ("error", "#CYCLE!")


@pytest.mark.parametrize(("formula", "reason"), [
    ('=REPT("ab", 1E9)', "Invalid string length"),                 # ironcalc TEXT/REPT.xlsx
    ('=LEN(REPT("ab", 1E9))', "Invalid string length"),
])
def test_cell_whose_evaluation_throws_is_isolated(engine: NodeEngine, formula: str, reason: str) -> None:
    """A JavaScript exception inside one formula must not stop the workbook from loading."""
    cells = [(1, 1, formula), (1, 2, "=A1"), (2, 1, 3), (2, 2, "=A2*2")]
    engine.load(EngineBook(sheets=[EngineSheet("Sheet1", cells)]))
    own, dependent, other = engine.read([("Sheet1", 1, 1), ("Sheet1", 1, 2), ("Sheet1", 2, 2)])
    assert (own.kind, own.text) == ("error", "#VALUE!")
    status, detail = split_status(own)
    assert status == "engine_error" and detail is not None and reason in detail
    assert (dependent.kind, dependent.text, split_status(dependent)[0]) == ("error", "#VALUE!", "ok")
    assert (other.kind, other.number) == ("number", 6.0)


def _cells_table(rows: list[tuple[object, ...]]) -> pa.Table:
    """A parse/cells.arrow table from (sheet, row, col, cell_type, formula, array_ref, raw_type,
    raw_value, raw_text) tuples."""
    names = CELLS_SCHEMA.names[:9]
    cols = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    cols["number_format"] = [None] * len(rows)
    return pa.Table.from_pydict(cols, schema=CELLS_SCHEMA)


def test_columnar_grid_round_trip(engine: NodeEngine) -> None:
    """hf.wire's grid carries every kind of content, skips array followers and reads formulas back in
    row order into a values.arrow-shaped table."""
    rows = [
        ("Two", 1, 1, "value", None, None, "number", 2.5, None),
        ("One", 1, 1, "formula", "=Two!A1*2", None, "number", 5.0, None),
        ("One", 1, 2, "value", None, None, "text", None, "=1+1"),          # text, never a formula
        ("One", 1, 3, "value", None, None, "bool", 1.0, None),
        ("One", 1, 4, "value", None, None, "error", None, "#N/A"),
        ("One", 1, 5, "value", None, None, "number", float("inf"), None),  # JSON-less: #NUM!
        ("One", 2, 1, "formula", '=B1&"|"&C1', None, "text", None, "=1+1|TRUE"),
        ("One", 2, 2, "formula", "=ISNA(D1)+ISERROR(E1)", None, "number", 2.0, None),
        ("One", 3, 1, "formula", "=A1:A2", "A3:A4", "number", 5.0, None),  # array anchor...
        ("One", 4, 1, "value", None, None, "number", 99.0, None),          # ...and its follower
        ("One", 5, 1, "formula", "=A4", None, "text", None, "=1+1|TRUE"),
        ("One", 6, 1, "formula", None, None, None, None, None),            # no formula text
        ("Extra", 1, 1, "formula", "=One!A1+1", None, "number", 6.0, None),  # not in workbook.json
    ]
    cells = _cells_table(rows)
    info = WorkbookInfo(filename="t.xlsx", sheets=(SheetInfo("One", 0), SheetInfo("Two", 1)))
    grid, is_formula, _ = encode_grid(cells, info)
    assert grid["sheet_names"] == ["One", "Two", "Extra"]
    engine.load_grid(grid, EngineBook(sheets=()))
    got = values_table(engine.read_formulas(), is_formula).to_pylist()
    shown = [(v["calculated_type"], v["calculated_value"] if v["calculated_type"] in ("number", "bool")
              else v["calculated_text"]) for v, f in zip(got, is_formula.to_pylist(), strict=True) if f]
    # A5 reads A4, which the array A3:A4 = A1:A2 fills (the cached 99 is Excel's result, not an input).
    assert shown == [("number", 5.0), ("text", "=1+1|TRUE"), ("number", 2.0), ("number", 5.0),
                     ("text", "=1+1|TRUE"), ("empty", None), ("number", 6.0)]
    assert all(v["calculated_type"] is None for v, f in zip(got, is_formula.to_pylist(), strict=True) if not f)
