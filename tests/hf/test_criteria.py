"""Excel's criteria in COUNTIF(S), SUMIF(S), AVERAGEIF(S), MINIFS, MAXIFS (hf/lib/criteria.js), through the
real engine.

The data and every expected value are Excel's: cells and cached results of the corpus workbooks
ironcalc/xlsx/tests/calc_tests/STATISTICAL/COUNTIF.xlsx (sheet Rows) and
ironcalc/xlsx/tests/calc_tests/MATH_AND_TRIGONOMETRY/SUMIFS.xlsx (Sheet1), copied here (the source cell of
each case is in its comment). None is computed by the code under test.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from hf.client import NodeEngine, Text
from hf.protocol import EngineBook, EngineSheet, ErrorValue
from tests.hf.formula_cases import check_value, evaluate_cases

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.conformance import run_book  # noqa: E402

NA, DIV0 = ErrorValue("#N/A"), ErrorValue("#DIV/0!")


def column(col: int, values: list[object]) -> list[tuple[int, int, object]]:
    return [(r, col, v) for r, v in enumerate(values, 1) if v is not None]


DATA = (
    # A1:A7 = COUNTIF.xlsx Rows!A2:A8 (numbers, a number as text, booleans, text)
    column(1, [23.0, Text("23"), True, 1.0, -23.0, Text("hey"), False])
    # B1:B14 = Rows!T2:T15 (names, an error constant, the text "#DIV/0!", error formulas, blanks)
    + column(2, [Text("Steven"), Text("Albert"), Text("Bernanrd"), Text("Steven"), Text("Mr. Brown"),
                 Text("Mrs. Brown"), Text("Albert"), NA, None, Text("#DIV/0!"), "=1/0", "=1/0"])
    # C1:C14 = Rows!Y2:Y15 (errors, the text "#N/A", zeros, empty texts, blanks)
    + column(3, [NA, 12.0, DIV0, Text("#N/A"), 0.0, '=""', '=""', None, 0.0])
    # D1:D14 = Rows!AG2:AG15 (booleans, 1, 0, the text "TRUE", blanks)
    + column(4, [True, 1.0, 0.0, False, None, Text("TRUE"), None, True, True, False])
    # F1:F19 / G1:G19 = SUMIFS.xlsx Sheet1!A2:A20 / B2:B20 (values with errors, colour names)
    + column(6, [13.0, 17.0, -23.0, 5.0, 7.0, -3.0, None, "=NA()", "=1/0", '=""', 113.0, Text("123"), True,
                 14.0, 77.0, 34.0, None, 0.0, Text("string")])
    + column(7, [Text(t) for t in ("red", "BLUE", "yellow", "dark blue", "light blue", "light yellow",
                                   "dark yellow", "brown", "white", "Mr. White", "brown", "blue", "blue",
                                   "white dark", "red-ish", "blue-ish", "magenta", "magenta", "yellow")])
)

CASES: list[tuple[str, object]] = [
    # numbers: "=" also counts the text "23", "<>" excludes only the number (Rows!C2, E2, E5, C6, E6)
    ("=COUNTIF(A1:A7,23)", 2.0), ('=COUNTIF(A1:A7,"=23")', 2.0), ('=COUNTIF(A1:A7,"<>23")', 6.0),
    ('=COUNTIF(A1:A7,"<>1")', 6.0), ("=COUNTIF(A1:A7,0)", 0.0), ('=COUNTIF(A1:A7,"<>0")', 7.0),
    # comparisons take number cells only; an operator with nothing after it matches nothing (Rows!I7, J9)
    ('=COUNTIF(A1:A7,"<100")', 3.0), ('=COUNTIF(A1:A7,"<=")', 0.0), ('=COUNTIF(A1:A7,">")', 0.0),
    # text: wildcards, case-insensitive, <> counts blanks and errors, text order (Rows!V2..V5)
    ('=COUNTIF(B1:B14,"<>*brown")', 12.0), ('=COUNTIF(B1:B14,"=*brown")', 2.0),
    ('=COUNTIF(B1:B14,"<brown")', 4.0), ('=COUNTIF(B1:B14,">brown")', 4.0),
    # a reference to an empty cell is the criterion 0 (Rows!V6, AA6, AI2)
    ("=COUNTIF(B1:B14,Z99)", 0.0), ("=COUNTIF(C1:C14,Z99)", 2.0), ("=COUNTIF(D1:D14,Z99)", 1.0),
    # errors and error literals count error cells (Rows!V7..V10, AA2..AA4); they are not propagated
    ("=COUNTIF(B1:B14,NA())", 1.0), ("=COUNTIF(B1:B14,1/0)", 2.0), ('=COUNTIF(B1:B14,"#N/A")', 1.0),
    ('=COUNTIF(B1:B14,"#DIV/0!")', 2.0), ("=COUNTIF(C1:C14,NA())", 1.0), ('=COUNTIF(C1:C14,"#N/A")', 1.0),
    ('=COUNTIF(C1:C7,"<>#N/A")', 6.0), ('=COUNTIF(C1:C7,"<>"&NA())', 1.0),
    # "" counts blanks and empty texts, "<>" every non-blank cell, empty texts included (Rows!AA5, AB5)
    ('=COUNTIF(C1:C14,"")', 8.0), ('=COUNTIF(C1:C7,"<>")', 7.0),
    # booleans, also written as text in any case (Rows!AI3..AI7, AJ2..AJ4)
    ("=COUNTIF(D1:D14,TRUE)", 3.0), ('=COUNTIF(D1:D14,"true")', 3.0), ('=COUNTIF(D1:D14,"FaLSe")', 2.0),
    ("=COUNTIF(D1:D14,0)", 1.0), ('=COUNTIF(D1:D14,"<>")', 8.0), ('=COUNTIF(D1:D14,"<>TRUE")', 11.0),
    ('=COUNTIF(D1:D14,"<>0")', 13.0),
    # SUMIFS.xlsx Sheet1 rows 3, 4, 6, 8, 12, 13, 14 (D..I): an error among the matched values is the result
    ('=SUMIFS(F1:F19,G1:G19,"*blue")', 29.0), ('=AVERAGEIF(G1:G19,"*blue",F1:F19)', 9.666666666666666),
    ('=_xlfn.MINIFS(F1:F19,G1:G19,"*blue")', 5.0), ('=_xlfn.MAXIFS(F1:F19,G1:G19,"*blue")', 17.0),
    ('=SUMIFS(F1:F19,G1:G19,"*o*")', "#N/A"), ('=AVERAGEIFS(F1:F19,G1:G19,"*o*")', "#N/A"),
    ('=_xlfn.MINIFS(F1:F19,G1:G19,"white")', "#DIV/0!"), ('=_xlfn.MAXIFS(F1:F19,G1:G19,"brown")', "#N/A"),
    ('=SUMIF(G1:G19,"???-ish",F1:F19)', 77.0), ('=AVERAGEIF(G1:G19,"*-ish",F1:F19)', 55.5),
    ('=AVERAGEIF(G1:G19,">c",F1:F19)', "#DIV/0!"),
    ("=SUMIFS(F1:F19,G1:G19,Z99)", 0.0), ("=AVERAGEIFS(F1:F19,G1:G19,Z99)", "#DIV/0!"),
    ("=_xlfn.MAXIFS(F1:F19,G1:G19,Z99)", 0.0),
]

FIRST_ROW = 40


@pytest.fixture(scope="module")
def values() -> Iterator[dict[str, tuple[str, object]]]:
    """Every CASES formula evaluated once, in one workbook: formula -> (kind, value)."""
    yield evaluate_cases(DATA, CASES, FIRST_ROW, 10)


@pytest.mark.parametrize(("formula", "expected"), CASES, ids=[c[0] for c in CASES])
def test_criteria_as_excel(values: dict[str, tuple[str, object]], formula: str, expected: object) -> None:
    kind, got = values[formula]
    check_value(kind, got, expected, rel=1e-12)


# Whole columns: COUNTIF.xlsx Rows!T1:T15, Y1:Y15 and AG1:AG15 (headers included) as columns A, B, C;
# Excel's results are its "Open range" columns W, AC, AD and row 38.
OPEN = (column(1, [Text("Name"), Text("Steven"), Text("Albert"), Text("Bernanrd"), Text("Steven"), Text("Mr. Brown"),
                   Text("Mrs. Brown"), Text("Albert"), NA, None, Text("#DIV/0!"), "=1/0", "=1/0"])
        + column(2, [Text("Name"), NA, 12.0, DIV0, Text("#N/A"), 0.0, '=""', '=""', None, 0.0])
        + column(3, [Text("Result"), True, 1.0, 0.0, False, None, Text("TRUE"), None, True, True, False]))


@pytest.mark.parametrize(("formula", "expected"), [
    ('=COUNTIF(A:A,"<>*brown")', 1048574.0), ('=COUNTIF(A:A,"=*brown")', 2.0), ('=COUNTIF(A:A,">brown")', 5.0),
    ("=COUNTIF(A:A,Z99)", 0.0), ('=COUNTIF(B:B,"")', 1048569.0), ('=COUNTIF(B:B,"<>#N/A")', 1048575.0),
    ('=COUNTIF(B:B,"<>")', 9.0), ('=COUNTIF(C:C,"<>TRUE")', 1048573.0), ("=COUNTIF(C:C,TRUE)", 3.0),
    ('=COUNTIFS($A:$A,"<>*brown")', 1048574.0), ('=COUNTIF(Open!$A:$A,"Steven")', 2.0),
])
def test_whole_columns_count_their_blank_cells(formula: str, expected: float) -> None:
    with NodeEngine(call_timeout=60) as engine:
        engine.load(EngineBook(sheets=[EngineSheet("Open", [*OPEN, (1, 5, formula)])]))
        v = engine.read([("Open", 1, 5)])[0]
    assert (v.kind, v.number) == ("number", expected)


# DMIN_DMAX_DAVERAGE_DSUM.xlsx: its Salesperson and Revenue columns (A1:G11) and the criteria P24:P25
# (Salesperson, ">E"); Excel's results are row 68 (B..E).
DB = ([(1, 1, Text("Salesperson")), (1, 2, Text("Revenue")), (1, 4, Text("Salesperson")), (2, 4, Text(">E"))]
      + [(r, 1, Text(n)) for r, n in enumerate(("Alice", "Bob", "Cara", "Dan", "Ella", "Frank", "Gina", "Hank",
                                                  "Ivy", "Jake"), 2)]
      + [(r, 2, v) for r, v in enumerate((12000.0, 9600.0, 20000.0, 15000.0, 6000.0, 30000.0, 11000.0, 38000.0,
                                           24000.0, 19800.0), 2)])


@pytest.mark.parametrize(("formula", "expected"), [
    ("=DMIN(A1:B11,B1,D1:D2)", 6000.0), ("=DMAX(A1:B11,B1,D1:D2)", 38000.0),
    ("=DAVERAGE(A1:B11,B1,D1:D2)", 21466.666666666668), ("=DSUM(A1:B11,B1,D1:D2)", 128800.0),
])
def test_database_text_comparison_criteria(formula: str, expected: float) -> None:
    """A text comparison (">E": names after E) in a database function's criteria range."""
    with NodeEngine(call_timeout=60) as engine:
        engine.load(EngineBook(sheets=[EngineSheet("Db", [*DB, (20, 1, formula)])]))
        v = engine.read([("Db", 20, 1)])[0]
    assert v.kind == "number" and v.number == pytest.approx(expected, rel=1e-12)


@pytest.mark.corpus
@pytest.mark.parametrize(("book", "minimum"), [
    # every cell now; before Excel's criteria 151/285 and 34/50 matched
    ("ironcalc/xlsx/tests/calc_tests/MATH_AND_TRIGONOMETRY/SUMIFS.xlsx", 285),
    ("ironcalc/xlsx/tests/calc_tests/MATH_AND_TRIGONOMETRY/SUMIF_AVERAGE_IF.xlsx", 50),
    ("apache-poi/test-data/spreadsheet/54206.xlsx", 176),
    # 406/531 and 234/312 before
    ("ironcalc/xlsx/tests/calc_tests/STATISTICAL/COUNTIF.xlsx", 531),
    ("ironcalc/xlsx/tests/calc_tests/STATISTICAL/COUNTIFS.xlsx", 312),
    # text comparisons in database criteria (170, 142, 138 before)
    ("ironcalc/xlsx/tests/calc_tests/DATABASE/DCOUNT_DCOUNTA_DGET_DPRODUCT.xlsx", 174),
    ("ironcalc/xlsx/tests/calc_tests/DATABASE/DMIN_DMAX_DAVERAGE_DSUM.xlsx", 146),
    ("ironcalc/xlsx/tests/calc_tests/DATABASE/DVAR_DVARP_DSTDEV_DSTDEVP.xlsx", 142),
])
def test_criteria_workbooks_do_not_regress(corpus_dir: Path, tmp_path: Path, book: str, minimum: int) -> None:
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    with NodeEngine(call_timeout=300) as engine:
        result = run_book(engine, corpus_dir, book, tmp_path, None, fn_counts)
    assert result.failure is None
    assert result.matched >= minimum, (result.matched, result.compared)
