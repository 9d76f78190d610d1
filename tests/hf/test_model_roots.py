"""Root causes of the excel_to_code model workbooks' mismatches, reproduced through the real engine.

1. A multi-cell array formula whose result size HyperFormula cannot predict from the text
   (INDEX(range, , n) returning a column) read "Cell range not allowed": Excel lays the result over
   the block the formula was entered in (hf/wire.py array_anchor -> XLARRAY, plugins/arrayformula.js).
2. INDIRECT of a structured reference (INDIRECT($C24&".Outputs["&this.Year&"]") in model.xlsx's year
   sheets) read #REF!: Excel resolves the text as the table's range (hf/lib/plugins/dynamic.js).
3. ANCHORARRAY(A3) (the spill operator A3#, weekly_timesheet.xlsx) was an unknown function, and
   FILTER(array, include, if_empty) was HyperFormula's Google-Sheets FILTER (if_empty read as a
   second condition): both are Excel's now (plugins/arrayformula.js).
4. A one-cell (non-array) formula whose result is a multi-cell reference (=OFFSET($A$1:$F$1,0,0),
   offset-is-weird.xlsx; =INDEX(A1:C4,0,3)) read "Cell range not allowed": legacy Excel takes the
   reference's implicit intersection with the formula's row/column (hf/lib/evalguard.js).
5. ROW(INDIRECT(...)), COLUMN(OFFSET(...)) and OFFSET(INDIRECT(...), ...) lost the reference
   ("Cell reference expected", "OFFSET needs a reference"; ROW_COLUM.xlsx): a dynamic reference is
   a reference there as a written one is (hf/lib/plugins/dynamic.js).
6. A range that is exactly an array formula's block whose result is one error (=G$758*G$624:G$636
   with G$758 #REF!) made HyperFormula throw "Unknown array" (hf/lib/evalguard.js).

Expected values follow Excel's documented array-formula rules ("Guidelines and examples of array
formulas": a result smaller than the selected range shows #N/A in the extra cells; one value, one
row or one column fills the range) and the corpus workbooks' cached values (model.xlsx XII.a!O316:O319
= INDEX($G$45:$J$48, , MATCH(...)) entered over O316:O319).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.workbook import TableInfo
from hf.client import NodeEngine
from hf.protocol import EngineBook, EngineSheet
from hf.wire import array_anchor

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.conformance import run_book  # noqa: E402

# Data!A1:C4: A = 1..4, B = "b","a","b","a", C = 10..40.
DATA = [(r, 1, float(r)) for r in range(1, 5)] + [(r, 2, "ab"[r % 2]) for r in range(1, 5)] + \
    [(r, 3, 10.0 * r) for r in range(1, 5)]


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


def block(engine: NodeEngine, formula: str, ref: str, cells: list[tuple[int, int]],
          extra: list[tuple[int, int, object]] | None = None) -> list[object]:
    """Enter *formula* as an array formula over *ref* (anchored at its top-left, as the reader
    sends it) and read *cells*."""
    from core.addressing import parse_range
    r1, c1, _, _ = parse_range(ref)
    content = array_anchor(formula, ref)
    engine.load(EngineBook(sheets=[EngineSheet("Data", [*DATA, *(extra or []), (r1, c1, content)])]))
    out: list[object] = []
    for v in engine.read([("Data", r, c) for r, c in cells]):
        out.append(v.number if v.kind == "number" else v.text)
    return out


def test_array_anchor_carries_the_block() -> None:
    assert array_anchor("=A1:A3*2", "B1:B3") == "{=XLARRAY(3,1,A1:A3*2)}"
    assert array_anchor("=SUM(A1:A3)", "C5") == "{=XLARRAY(1,1,SUM(A1:A3))}"
    assert array_anchor("=A1", None) == "=A1"


@pytest.mark.parametrize(("formula", "ref", "cells", "expected"), [
    # INDEX with the row omitted returns a whole column of the range: entered over E1:E4
    ("=INDEX(A1:C4,,3)", "E1:E4", [(1, 5), (2, 5), (3, 5), (4, 5)], [10.0, 20.0, 30.0, 40.0]),
    ("=INDEX(A1:C4,0,1)*2", "E1:E4", [(1, 5), (4, 5)], [2.0, 8.0]),
    # a result shorter than the block: #N/A in the extra cells
    ("=A1:A2*2", "E1:E4", [(1, 5), (2, 5), (3, 5), (4, 5)], [2.0, 4.0, "#N/A", "#N/A"]),
    # one value fills the block; one column repeats across; one row repeats down
    ("=SUM(A1:A4)", "E1:F2", [(1, 5), (2, 6)], [10.0, 10.0]),
    ("=A1:A2*1", "E1:F2", [(1, 5), (1, 6), (2, 6)], [1.0, 1.0, 2.0]),
    ("=TRANSPOSE(A1:A2)", "E1:F3", [(1, 5), (1, 6), (3, 5), (3, 6)], [1.0, 2.0, 1.0, 2.0]),
    # a result larger than the block is cut to it (nothing spills below)
    ("=A1:A4*3", "E1:E2", [(1, 5), (2, 5), (3, 5)], [3.0, 6.0, None]),
    # a one-cell array formula shows the result's top-left value
    ("=A2:A4*5", "E1", [(1, 5), (2, 5)], [10.0, None]),
    # SUMIFS with array criteria (model.xlsx XII.a!G702:G712)
    ("=A1:A4*SUMIFS(C1:C4,B1:B4,B1:B4,A1:A4,A1:A4)", "E1:E4", [(1, 5), (4, 5)], [10.0, 160.0]),
])
def test_array_formula_fills_its_block(engine: NodeEngine, formula: str, ref: str, cells: list[tuple[int, int]],
                                       expected: list[object]) -> None:
    assert block(engine, formula, ref, cells) == expected


def test_range_over_an_errored_array_block_reads_the_error(engine: NodeEngine) -> None:
    # G1:G3 = {=F1*A1:A3} with F1 = 1/0: every cell of the block is #DIV/0!, and so is a range over it.
    extra: list[tuple[int, int, object]] = [(1, 6, "=1/0"), (1, 8, "=SUMPRODUCT(ISERROR(G1:G3)*1)"),
                                            (2, 8, "=SUMPRODUCT(G1:G3/A1:A3)"), (3, 8, "=G2")]
    got = block(engine, "=F1*A1:A3", "G1:G3", [(1, 7), (3, 7), (1, 8), (2, 8), (3, 8)], extra)
    assert got == ["#DIV/0!", "#DIV/0!", 3.0, "#DIV/0!", "#DIV/0!"]


# Sheet Tab: table "XII.a.Outputs" over A1:C4 (header row; columns Vector, 2007, 2010).
TABLE = TableInfo(name="XII.a.Outputs", display_name="XII.a.Outputs", sheet="Tab", ref="A1:C4",
                  columns=("Vector", "2007", "2010"))
TAB = [(1, 1, "Vector"), (1, 2, "2007"), (1, 3, "2010"),
       (2, 1, "V.01"), (3, 1, "V.02"), (4, 1, "V.03"),
       (2, 2, 1.5), (3, 2, 2.5), (4, 2, 3.5), (2, 3, 10.0), (3, 3, 20.0), (4, 3, 30.0)]


@pytest.mark.parametrize(("formula", "expected"), [
    ('=SUM(INDIRECT("XII.a.Outputs[2010]"))', 60.0),
    ('=INDEX(INDIRECT("XII.a.Outputs["&"2007"&"]"),MATCH("V.02",INDIRECT("XII.a.Outputs[Vector]"),0))', 2.5),
    ('=ROWS(INDIRECT("xii.a.outputs[[#All],[2007]]"))', 4.0),
    ('=INDIRECT("XII.a.Outputs[[#Headers],[2010]]")', "2010"),
    ('=SUMIFS(INDIRECT("XII.a.Outputs[2010]"),INDIRECT("XII.a.Outputs[Vector]"),"V.03")', 30.0),
    ('=SUM(INDIRECT("XII.a.Outputs[Missing]"))', "#REF!"),
    ('=SUM(INDIRECT("NoSuchTable[2010]"))', "#REF!"),
])
def test_indirect_structured_reference(engine: NodeEngine, formula: str, expected: object) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("Tab", TAB), EngineSheet("Calc", [(1, 1, formula)])], tables=[TABLE]))
    v = engine.read([("Calc", 1, 1)])[0]
    assert (v.number if v.kind == "number" else v.text) == expected


@pytest.mark.parametrize(("formula", "ref", "cells", "expected"), [
    ("=ANCHORARRAY(E1)*2", "F1:F3", [(1, 6), (3, 6)], [2.0, 6.0]),                  # E1:E3 = {=SEQUENCE(3)}
    ('=TEXT(ANCHORARRAY(E1)+45000,"ddd")', "F1:F3", [(1, 6), (2, 6)], ["Thu", "Fri"]),
    ("=SUM(ANCHORARRAY(E1))", "F1", [(1, 6)], [6.0]),
    ("=ROWS(ANCHORARRAY(E1))", "F1", [(1, 6)], [3.0]),
    ("=SUM(ANCHORARRAY(A1))", "F1", [(1, 6)], ["#REF!"]),                        # A1 holds no array
])
def test_anchorarray_is_the_spill_range(engine: NodeEngine, formula: str, ref: str, cells: list[tuple[int, int]],
                                        expected: list[object]) -> None:
    spill: list[tuple[int, int, object]] = [(1, 5, array_anchor("=SEQUENCE(3)", "E1:E3"))]
    assert block(engine, formula, ref, cells, spill) == expected


@pytest.mark.parametrize(("formula", "ref", "cells", "expected"), [
    ('=FILTER(C1:C4,B1:B4="a")', "E1:E2", [(1, 5), (2, 5)], [20.0, 40.0]),
    ('=FILTER(A1:C4,B1:B4="b")', "E1:G2", [(1, 5), (1, 6), (1, 7), (2, 5), (2, 7)], [1.0, "b", 10.0, 3.0, 30.0]),
    ("=FILTER(A1:C1,{1,0,1})", "E1:F1", [(1, 5), (1, 6)], [1.0, 10.0]),          # a row of flags keeps columns
    ("=FILTER(C1:C4,A1:A4-2)", "E1:E3", [(1, 5), (2, 5), (3, 5)], [10.0, 30.0, 40.0]),  # nonzero is true
    ('=FILTER(A1:A4,A1:A4>9,"none")', "E1", [(1, 5)], ["none"]),
    ("=FILTER(A1:A4,A1:A4>9)", "E1", [(1, 5)], ["#CALC!"]),
    ("=FILTER(A1:A4,A1:A2>0)", "E1", [(1, 5)], ["#VALUE!"]),                     # include of the wrong shape
    ("=FILTER(A1:A4,B1:B4)", "E1", [(1, 5)], ["#VALUE!"]),                       # text flags
])
def test_filter_is_excels(engine: NodeEngine, formula: str, ref: str, cells: list[tuple[int, int]],
                          expected: list[object]) -> None:
    assert block(engine, formula, ref, cells) == expected


# Data!A6:D6 = 100..400 (a horizontal reference) besides A1:C4.
ROW6 = [(6, c, 100.0 * c) for c in range(1, 5)]


@pytest.mark.parametrize(("formula", "row", "col", "expected"), [
    ("=INDEX(A1:C4,0,3)", 2, 5, 20.0),              # a column reference: the formula's row
    ("=INDEX(A1:C4,0,3)", 9, 5, "#VALUE!"),         # ... a row outside it
    ("=INDEX(A1:C4,2,0)", 9, 2, "a"),               # a row reference: the formula's column
    ("=OFFSET($A$6:$D$6,0,0)", 9, 2, 200.0),
    ("=OFFSET($A$6:$D$6,0,0)", 9, 6, "#VALUE!"),    # column F misses A:D
    ('=INDIRECT("A1:A4")', 3, 6, 3.0),
    ("=SUM(INDEX(A1:C4,0,3))", 2, 5, 100.0),        # inside SUM the reference stays whole
])
def test_one_cell_formula_intersects_a_reference_result(engine: NodeEngine, formula: str, row: int, col: int,
                                                         expected: object) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("Data", [*DATA, *ROW6, (row, col, formula)])]))
    v = engine.read([("Data", row, col)])[0]
    assert (v.number if v.kind == "number" else v.text) == expected


@pytest.mark.parametrize(("formula", "expected"), [
    ('=ROW(INDIRECT("B4"))', 4.0),
    ('=COLUMN(INDIRECT("D2"))', 4.0),
    ('=ROW(INDIRECT("A3:C4"))', 3.0),               # the first row, as ROW(A3:C4) in one cell
    ('=OFFSET(INDIRECT("A1"),2,2)', 30.0),          # C3
    ('=COLUMN(OFFSET(INDIRECT("A1"),1,2))', 3.0),
    ('=ROW(OFFSET(A1,-1,0))', "#REF!"),             # above the sheet
    ('=ROW(INDIRECT("not a reference"))', "#REF!"),
    ("=ROW(C3)", 3.0),                             # written references as before
    ("=COLUMN()", 6.0),
])
def test_dynamic_reference_is_a_reference(engine: NodeEngine, formula: str, expected: object) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("Data", [*DATA, (9, 6, formula)])]))
    v = engine.read([("Data", 9, 6)])[0]
    assert (v.number if v.kind == "number" else v.text) == expected


# Mismatching cells measured after these fixes (before: model.xlsx 1,709, model2.xlsx 644).
CORPUS_MAX_MISMATCHES = {
    "excel_to_code/examples/model.xlsx": 0,
    "excel_to_code/examples/model2.xlsx": 0,
    "ironcalc/xlsx/tests/templates/weekly_timesheet.xlsx": 1,  # before 107 of 109; the one left is NOW()
    "excel_to_code/examples/offset-is-weird.xlsx": 10,  # before 20 (docs/CONFORMANCE.md 22)
    "ironcalc/xlsx/tests/calc_tests/LOOKUP_AND_REFERENCE/ROW_COLUM.xlsx": 8,  # before 72
}


@pytest.mark.corpus
@pytest.mark.parametrize(("rel", "most"), sorted(CORPUS_MAX_MISMATCHES.items()))
def test_model_workbooks_do_not_regress(corpus_dir: Path, tmp_path: Path, rel: str, most: int) -> None:
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    with NodeEngine(call_timeout=300) as eng:
        r = run_book(eng, corpus_dir, rel, tmp_path, None, fn_counts)
    assert r.failure is None
    assert r.compared - r.matched <= most, (r.matched, r.compared, r.classes)
    assert not any("Unknown array" in c or "Cell range not allowed" in c for c in r.classes), r.classes
