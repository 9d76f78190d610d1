"""The range operator on function results (A1:INDEX(...), INDIRECT(..):INDIRECT(..)) and table
columns used as ranges inside their own table, against the real engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.workbook import TableInfo
from hf.client import NodeEngine, Text
from hf.protocol import EngineBook, EngineSheet


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


# Data: A1:A5 = 1..5, B1:B5 = 10..50, C1 = 3, D1 = "A2", D2 = "B4"; Other: A1:A3 = 100, 200, 300.
DATA = [(r, 1, r) for r in range(1, 6)] + [(r, 2, 10 * r) for r in range(1, 6)] + [
    (1, 3, 3), (1, 4, Text("A2")), (2, 4, Text("B4"))]
# Table T on G1:I5: Date / Amount / Total; Total = SUMIFS(T[Amount], T[Date], T[[#This Row],[Date]]).
TABLE = TableInfo(name="T", display_name="T", sheet="Data", ref="G1:I5", columns=("Date", "Amount", "Total"))
TABLE_CELLS = [(1, 7, Text("Date")), (1, 8, Text("Amount")), (1, 9, Text("Total")),
               (2, 7, 1), (2, 8, 5), (3, 7, 2), (3, 8, 7), (4, 7, 1), (4, 8, 11), (5, 7, 2), (5, 8, 13)]


def calc(engine: NodeEngine, formula: str, row: int = 10, col: int = 2,
         extra: list[tuple[int, int, object]] | None = None) -> tuple[str, object]:
    cells = DATA + TABLE_CELLS + (extra or []) + [(row, col, formula)]
    book = EngineBook(sheets=[EngineSheet("Data", cells), EngineSheet("Other", [(r, 1, 100 * r) for r in range(1, 4)])],
                      tables=[TABLE])
    engine.load(book)
    v = engine.read([("Data", row, col)])[0]
    return v.kind, v.number if v.kind in ("number", "bool") else v.text


@pytest.mark.parametrize(("formula", "expected"), [
    ("=SUM(A1:INDEX(A1:A5,C1))", 6.0),                       # A1:A3
    ("=SUM(A2:INDEX(A:A,4,1))", 9.0),                        # A2:A4, whole-column INDEX
    ("=SUM(INDEX(A1:B5,2,1):INDEX(A1:B5,3,2))", 55.0),       # A2:B3
    ("=SUM(INDEX(A1:A5,5):A3)", 12.0),                       # the corners in either order
    ("=SUM(A1:INDEX(A1:B5,0,2))", 165.0),                    # row 0: the whole column B1:B5
    ("=SUM(A1:INDEX(B1:B5,9))", "#REF!"),                    # outside the reference
    ('=SUM(INDIRECT(D1):INDIRECT(D2))', 99.0),               # A2:B4
    ('=SUM(INDIRECT("A1"):OFFSET(A1,C1,1))', 110.0),        # A1:B4 (computed OFFSET)
    ("=SUM(A1:CHOOSE(2,A2,B3))", 66.0),                      # A1:B3
    ("=SUM(A1:IF(C1>2,A5,A2))", 15.0),
    ("=ROWS(A1:INDEX(A1:A5,C1))", 3.0),
    ("=SUM(Other!A1:INDEX(Other!A1:A3,2))", 300.0),
    ("=SUM(A1:INDEX(Other!A1:A3,2))", "#VALUE!"),            # corners on two sheets
    ("=SUM(A1:INDEX(A1:A5,C1)) + 0", 6.0),
    ('=SUM(A1:INDIRECT("B"&C1))', 66.0),
])
def test_range_operator_on_function_results(engine: NodeEngine, formula: str, expected: object) -> None:
    got = calc(engine, formula)
    assert got[1] == expected, (formula, got)


def test_range_follows_a_changed_corner(engine: NodeEngine) -> None:
    # C1 is a formula: the range's end depends on a computed cell, settled after it.
    got = calc(engine, "=SUM(A1:INDEX(A1:A5,C2))", extra=[(2, 3, "=C1+1")])
    assert got == ("number", 10.0)


def test_trend_over_growing_ranges(engine: NodeEngine) -> None:
    # As sampleConvertXLSFileToPDF.xlsx: the x/y ranges grow down to the formula's own row.
    got = calc(engine, "=TREND($B$1:INDEX($B:$B,ROW()-6,1),$A$1:INDEX($A:$A,ROW()-6,1),6)", row=11, col=5)
    assert got[0] == "number" and abs(float(got[1]) - 60.0) < 1e-9  # type: ignore[arg-type]


@pytest.mark.parametrize(("row", "expected"), [(2, 16.0), (3, 20.0), (4, 16.0), (5, 20.0)])
def test_table_column_in_its_own_rows_is_the_whole_column(engine: NodeEngine, row: int, expected: float) -> None:
    formula = "=SUMIFS(T[Amount],T[Date],T[[#This Row],[Date]])"
    assert calc(engine, formula, row=row, col=9) == ("number", expected)


def test_table_column_as_a_value_in_its_own_row_is_that_row(engine: NodeEngine) -> None:
    assert calc(engine, "=T[Amount]*2", row=3, col=9) == ("number", 14.0)


def test_table_column_names_keep_their_spaces(engine: NodeEngine) -> None:
    # Columns 'Amt' and 'Amt ' (trailing space) are two columns, as in Excel.
    table = TableInfo(name="S", display_name="S", sheet="Data", ref="K1:L3", columns=("Amt", "Amt "))
    cells = [(1, 11, Text("Amt")), (1, 12, Text("Amt ")), (2, 11, 1), (3, 11, 2), (2, 12, 10), (3, 12, 20)]
    for formula, expected in [("=SUM(S[[Amt ]])", 30.0), ("=SUM(S[Amt ])", 30.0), ("=SUM(S[Amt])", 3.0)]:
        book = EngineBook(sheets=[EngineSheet("Data", cells + [(10, 2, formula)])], tables=[table])
        engine.load(book)
        v = engine.read([("Data", 10, 2)])[0]
        assert (v.kind, v.number) == ("number", expected), formula


# Reference operators between written references (hf/lib/refalgebra.js): union, intersection, chains.
@pytest.mark.parametrize(("formula", "expected"), [
    ("=SUM((A1:A2,B1:B2))", 33.0),                          # union spread into SUM's arguments
    ("=COUNT((A1,A2,B5))", 3.0),
    ("=SUM(A1:B5 A2:C3)", 55.0),                            # intersection A2:B3
    ("=SUM(A1:B5 (A2,B4))", 42.0),                          # intersection with a union: A2, B4
    ("=A1:B5 C1:D2", "#NULL!"),                             # empty intersection
    ("=SUM(A1:B5 C1:D2)", "#NULL!"),
    ("=AREAS((A1:A2,B1:B2,C1))", 3.0),
    ("=AREAS((A1:A2 B1:B2))", "#NULL!"),
    ("=AREAS(((A1:B1,A3:B3) B1:B5))", 2.0),                 # B1, B3
    ("=ROWS((A1:A2,B1:B2))", "#REF!"),                      # several areas
    ("=COLUMN(A1:B2:C3 B1:D1)", 2.0),                       # chain A1:C3, then B1:C1
    ("=ROWS(((A2:B3) A1:A5))", 2.0),
    ("=SUBTOTAL(9,(A1,B1))", 11.0),
])
def test_reference_union_and_intersection(engine: NodeEngine, formula: str, expected: object) -> None:
    got = calc(engine, formula)
    assert got[1] == expected, (formula, got)


def test_intersection_in_a_defined_name(engine: NodeEngine) -> None:
    from hf.protocol import EngineName
    book = EngineBook(sheets=[EngineSheet("Data", DATA + [(10, 2, "=h*2")])],
                      names=[EngineName("h", "Data!$A$1:$A$5 Data!$A$3:$C$3")])
    engine.load(book)
    v = engine.read([("Data", 10, 2)])[0]
    assert (v.kind, v.number) == ("number", 6.0)


def test_table_column_with_escaped_brackets(engine: NodeEngine) -> None:
    # A column named '[Not me]' is written T['[Not me']] (an escaped bracket is part of the name).
    table = TableInfo(name="S", display_name="S", sheet="Data", ref="K1:L3", columns=("a", "[Not me]"))
    cells = [(1, 11, Text("a")), (1, 12, Text("[Not me]")), (2, 11, 1), (3, 11, 2), (2, 12, 10), (3, 12, 20)]
    book = EngineBook(sheets=[EngineSheet("Data", cells + [(10, 2, "=SUM(S['[Not me']])")])], tables=[table])
    engine.load(book)
    v = engine.read([("Data", 10, 2)])[0]
    assert (v.kind, v.number) == ("number", 30.0)


@pytest.mark.parametrize(("formula", "expected"), [
    ("=SUM(A1:A2:Rng)", 33.0),          # a range chained with a name of a range: A1:B2
    ("=SUM(Rng A1:A5)", 0.0),           # intersection of a name and a range: #NULL!
    ("=SUM(Rng B1:B5)", 20.0),
])
def test_reference_operators_with_names(engine: NodeEngine, formula: str, expected: object) -> None:
    from hf.protocol import EngineName
    book = EngineBook(sheets=[EngineSheet("Data", DATA + [(10, 3, formula)])],
                      names=[EngineName("Rng", "Data!$B$2:$B$2")])
    engine.load(book)
    v = engine.read([("Data", 10, 3)])[0]
    assert (v.number if v.kind == "number" else v.text) == (expected if expected else "#NULL!")


def test_index_position_from_a_range_is_intersected(engine: NodeEngine) -> None:
    # In E3 (not an array formula) B1:B5-27 reads B3 (30): INDEX(A1:A5,3), so A1:A3.
    assert calc(engine, "=SUM(A1:INDEX(A1:A5,B1:B5-27))", row=3, col=5) == ("number", 6.0)
    assert calc(engine, "=SUM(A1:INDEX(A1:A5,B1:B5-27))", row=9, col=5)[1] == "#VALUE!"  # row 9 misses B1:B5
