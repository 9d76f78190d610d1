"""OFFSET with fractional / negative / zero literal arguments, evaluated by the real engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hf.client import NodeEngine, Text
from hf.protocol import EngineBook, EngineSheet


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


# Data!A1:D5: A1 = 1, B1 = 2, ... (row r, column c) = 10 * r + c.
DATA = [(r, c, 10 * r + c) for r in range(1, 6) for c in range(1, 5)]


def calc(engine: NodeEngine, formula: str, row: int = 10, col: int = 8) -> tuple[str, object]:
    """Evaluate *formula* at (row, col) of sheet Data; (kind, number or text)."""
    engine.load(EngineBook(sheets=[EngineSheet("Data", DATA + [(row, col, formula)])]))
    v = engine.read([("Data", row, col)])[0]
    return v.kind, v.number if v.kind in ("number", "bool") else v.text


@pytest.mark.parametrize(("formula", "expected"), [
    ("=OFFSET(C4,-2.3,-1.8)", 22.0),                     # offsets truncate toward zero: C4 -> B2
    ("=OFFSET(C4,-2,-1)", 22.0),                         # negative integer offsets: HyperFormula's own
    ("=SUM(OFFSET(A1,1,1,2,2.7))", 22 + 23 + 32 + 33),   # width 2.7 -> 2
    ("=SUM(OFFSET(A1,1,1,2.2,0.9))", 22 + 32),           # a size in (0, 1) still counts one column
    ("=SUM(OFFSET(A1,1,1,2,0))", "#REF!"),               # a zero size is #REF!
    ("=SUM(OFFSET(A5,0,0,-3,1))", 31 + 41 + 51),         # a negative height counts upwards
    ("=SUM(OFFSET(A1,0,0,1,1))", 11.0),
])
def test_offset_literal_arguments(engine: NodeEngine, formula: str, expected: object) -> None:
    kind, value = calc(engine, formula)
    if isinstance(expected, str):
        assert (kind, value) == ("error", expected)
    else:
        assert kind == "number"
        assert value == pytest.approx(expected)


# Data sheet for dynamic references: A1 = "7" (text), B1 = 5, C1 = TRUE, D1 = "x".
def calc_row(engine: NodeEngine, formula: str) -> tuple[str, object]:
    cells = [(1, 1, Text("7")), (1, 2, 5), (1, 3, True), (1, 4, Text("x")), (3, 8, formula)]
    engine.load(EngineBook(sheets=[EngineSheet("Data", cells)]))
    v = engine.read([("Data", 3, 8)])[0]
    return v.kind, v.number if v.kind in ("number", "bool") else v.text


@pytest.mark.parametrize(("formula", "expected"), [
    ('=SUM(INDIRECT("A1"))', 0.0),                       # a one-cell reference: its text is ignored
    ('=SUM(INDIRECT("A1"),INDIRECT("B1"))', 5.0),
    ("=SUM(OFFSET($A$1:$D$1,0,3,1,1))", 0.0),            # as SUM(D1), not SUM("x")
    ("=SUM(OFFSET(A1,0,2),2)", 2.0),                     # a logical in a cell is ignored too
    ('=COUNT(INDIRECT("A1"),OFFSET(A1,0,B1-4))', 1.0),
    ('=MAX(INDIRECT("D1"),OFFSET(A1,0,1))', 5.0),
    ('=SUM(INDIRECT("Z1"))', 0.0),
    ('=SUM(INDIRECT("A1:B1"))', 5.0),
    ('=SUM("7",1)', 8.0),                                # typed text still counts
    ('=SUM(INDIRECT("no such"))', "#REF!"),              # an error passes through
])
def test_aggregation_over_dynamic_one_cell_reference(engine: NodeEngine, formula: str, expected: object) -> None:
    kind, value = calc_row(engine, formula)
    if isinstance(expected, str):
        assert (kind, value) == ("error", expected)
    else:
        assert kind == "number"
        assert value == pytest.approx(expected)


# LOOKUP table: A1:A5 = 0..4, B1:B5 = a, e, i, o, u, C1:D5 = 10 * row + column; F1 empty.
LOOKUP_CELLS = ([(r, 1, r - 1) for r in range(1, 6)] + [(r, 2, Text(t)) for r, t in enumerate("aeiou", 1)]
                + [(r, c, 10 * r + c) for r in range(1, 6) for c in (3, 4)])


@pytest.mark.parametrize(("formula", "expected"), [
    ("=LOOKUP(F1,A1:B5)", "a"),                          # an empty key is looked up as 0
    ("=LOOKUP(F1,A1:A5,B1:B5)", "a"),
    ("=LOOKUP(2,A1:B5,B1:B5)", "i"),                     # a 2-D lookup vector: its first column
    ("=LOOKUP(2,A1:B5,C1:C5)", 33.0),
    ("=LOOKUP(2,A1:B5,C1:D5)", "#N/A"),                  # a 2-D result vector is #N/A
    ("=LOOKUP(3.5,A1:A5,B1:B5)", "o"),
    ("=LOOKUP(2,A1:B5)", "i"),                           # the array form: first column, last column
    ('=LOOKUP("b",B1:B5,A1:A5)', 0.0),
])
def test_lookup_vector_forms(engine: NodeEngine, formula: str, expected: object) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("Data", LOOKUP_CELLS + [(8, 8, formula)])]))
    v = engine.read([("Data", 8, 8)])[0]
    if expected == "#N/A":
        assert (v.kind, v.text) == ("error", "#N/A")
    elif isinstance(expected, str):
        assert (v.kind, v.text) == ("text", expected)
    else:
        assert (v.kind, v.number) == ("number", expected)


@pytest.mark.parametrize(("formula", "expected"), [
    ("=PRODUCT(F1)", 0.0),                               # no numbers at all: 0, not 1
    ("=PRODUCT(B1:B5)", 0.0),                            # text in a range is no number either
    ('=PRODUCT(INDIRECT("B2"))', 0.0),
    ("=PRODUCT(A2)", 1.0),                               # the number 1 is still 1
    ("=PRODUCT(F1,B1:B5,A3)", 2.0),
    ("=PRODUCT(TRUE)", 1.0),                             # a typed logical is a number here
])
def test_product_of_no_numbers(engine: NodeEngine, formula: str, expected: float) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("Data", LOOKUP_CELLS + [(8, 8, formula)])]))
    v = engine.read([("Data", 8, 8)])[0]
    assert (v.kind, v.number) == ("number", expected)


def calc_block(engine: NodeEngine, cells: list, read: list[tuple[int, int]]) -> list:
    engine.load(EngineBook(sheets=[EngineSheet("Data", LOOKUP_CELLS + cells)]))
    out = []
    for v in engine.read([("Data", r, c) for r, c in read]):
        out.append(v.number if v.kind in ("number", "bool") else (v.kind, v.text))
    return out


@pytest.mark.parametrize(("formula", "expected"), [
    ("={1,2;3,4}", 1.0),                                 # a non-array formula shows the top-left value
    ("=MMULT(C1:D2,C1:D2)", 13 * 13 + 14 * 23),
    ("=VLOOKUP(2,A1:D5,{3,4})", 33.0),
    ("=ISERR({1,2,3})", 0.0),
    ("=C1:D2*2", "#VALUE!"),                             # a written range still intersects (row 8: misses)
])
def test_non_array_formula_never_spills(engine: NodeEngine, formula: str, expected: object) -> None:
    # The cells right of and below the formula are occupied: a spill would be #SPILL!.
    cells = [(8, 8, formula), (8, 9, 1), (9, 8, 1), (9, 9, 1)]
    value, right = calc_block(engine, cells, [(8, 8), (8, 9)])
    assert right == 1.0
    if isinstance(expected, str):
        assert value == ("error", expected)
    else:
        assert value == pytest.approx(expected)


def test_non_array_formula_leaves_its_neighbours_empty(engine: NodeEngine) -> None:
    value, right, below = calc_block(engine, [(8, 8, "={1,2;3,4}")], [(8, 8), (8, 9), (9, 8)])
    assert value == 1.0
    assert right == ("empty", None)                      # it did not spill
    assert below == ("empty", None)


def test_array_formula_still_fills_its_block(engine: NodeEngine) -> None:
    cells = [(8, 8, "{=XLARRAY(2,2,{1,2;3,4})}")]
    assert calc_block(engine, cells, [(8, 8), (8, 9), (9, 8), (9, 9)]) == [1.0, 2.0, 3.0, 4.0]


def test_binom_dist_range_intersects_a_range_argument(engine: NodeEngine) -> None:
    # Row 3: A1:A5 (0..4) reads A3 = 2, as Excel's value parameter does (not the whole column).
    assert calc_block(engine, [(3, 8, "=_xlfn.BINOM.DIST.RANGE(10,0.5,A1:A5)")], [(3, 8)]) == [
        pytest.approx(45 / 1024)]


def test_array_formula_without_block_still_spills(engine: NodeEngine) -> None:
    cells = [(8, 8, "{={1,2;3,4}}"), (1, 8, "={5,6}")]        # the second one is a plain formula
    assert calc_block(engine, cells, [(8, 8), (8, 9), (9, 8), (9, 9), (1, 8), (1, 9)]) == [
        1.0, 2.0, 3.0, 4.0, 5.0, ("empty", None)]


@pytest.mark.parametrize(("formula", "row", "expected"), [
    ("=IMABS(C1:C5)", 3, 33.0),                          # value parameters: the formula's row of the range
    ("=IMABS(C1:C5)", 8, "#VALUE!"),                     # ...and #VALUE! when the row misses it
    ('=IMREAL(C1:C5&"+2i")', 2, 23.0),
    ("=BESSELJ(A1:A5,0)", 1, 1.0),                       # A1 = 0: J0(0) = 1
    ("=DSUM(A1:B5,C1:D1,A1:A2)", 8, "#VALUE!"),          # a database field range misses row 8
    ("=XNPV(A1:A5,C1:C2,D1:D2)", 8, "#VALUE!"),
])
def test_value_parameters_intersect(engine: NodeEngine, formula: str, row: int, expected: object) -> None:
    (value,) = calc_block(engine, [(row, 8, formula)], [(row, 8)])
    if isinstance(expected, str):
        assert value == ("error", expected)
    else:
        assert value == pytest.approx(expected)
