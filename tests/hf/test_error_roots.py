"""Roots of 'Excel gives an error, engine a value' and related mismatches (XLOOKUP, database functions,
CELL, bitwise functions, SEARCH's wildcards, DATE, VALUETOTEXT, REGEXTEST,
SWITCH, REPLACE, SUBSTITUTE, number-to-text), through the real engine.

Expected values are Excel's: cached values of the corpus workbook named in the comment (sheet and row),
or Microsoft's function documentation. None is computed by the code under test.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hf.client import Text
from tests.hf.formula_cases import assert_book_matches_excel, check_value, evaluate_cases

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

# A1:A13 ascending with duplicates 1,2,3,4,5,5,5,6,7,7,7,8,9 and B1:B13 = "r1".."r13";
# D1:D13 the same numbers descending (9,8,7,7,7,6,5,5,5,4,3,2,1), E1:E13 = "r1".."r13".
ASC = [1, 2, 3, 4, 5, 5, 5, 6, 7, 7, 7, 8, 9]
DATA: list[tuple[int, int, object]] = (
    [(r, 1, v) for r, v in enumerate(ASC, 1)] + [(r, 2, Text(f"r{r}")) for r in range(1, 14)]
    + [(r, 4, v) for r, v in enumerate(reversed(ASC), 1)] + [(r, 5, Text(f"r{r}")) for r in range(1, 14)]
)
# A database in I1:M6 (headers Region, TRUE, 1, Revenue, Mixed) and criteria ranges in O1:Y3, laid out
# as ironcalc DATABASE/*.xlsx's (headers TRUE, 1, "true"; prefix text criteria; unknown headers).
DB_ROWS: list[list[object]] = [
    [Text("Region"), True, 1, Text("Revenue"), Text("Mixed")],
    [Text("East"), Text("a"), Text("b"), 10, 1],
    [Text("West"), Text("b"), Text("BB"), 20, "=NA()"],
    [Text("East"), Text("A"), Text("balpha"), 30, Text("t")],
    [Text("North"), "=NA()", Text("x"), 40, None],
    [Text("South"), Text("b"), 23, 50, 5],
]
CRITERIA: dict[int, list[object]] = {  # column -> cells from row 1
    15: [Text("region"), Text("Ea")], 16: [True, Text("a")], 17: [Text("true"), Text("<>a")],
    18: [1, Text("b")], 19: [Text("Rgn"), Text("East")], 20: [Text("Region"), Text("East"), Text("West")],
    21: [Text("Region"), Text("East")], 22: [Text("Revenue"), Text(">15")], 23: [Text("Region"), Text("=Ea")],
    24: [Text("Region")], 25: [Text("Mixed"), "=NA()"],
}
DATA += [(r, 9 + c, v) for r, row in enumerate(DB_ROWS, 1) for c, v in enumerate(row) if v is not None]
DATA += [(r, c, v) for c, cells in CRITERIA.items() for r, v in enumerate(cells, 1)]

CASES: list[tuple[str, object]] = [
    # XLOOKUP: an empty if_not_found argument is omitted, #N/A stays (ironcalc XLOOKUP.xlsx sheets
    # ExactMatch, ReturnSmaller, Wildcards ...)
    ("=_xlfn.XLOOKUP(99,A1:A13,B1:B13,,,-1)", "#N/A"), ("=_xlfn.XLOOKUP(0.5,A1:A13,B1:B13,,-1,2)", "#N/A"),
    ('=_xlfn.XLOOKUP("z*",B1:B13,A1:A13,,2)', "#N/A"), ('=_xlfn.XLOOKUP(99,A1:A13,B1:B13,"none")', "none"),
    # binary search among duplicates: the first of an ascending run, the last of a descending one
    # (ironcalc XLOOKUP.xlsx sheet MultipleElements)
    ("=_xlfn.XLOOKUP(7,A:A,B:B,,-1,2)", "r9"), ("=_xlfn.XLOOKUP(7,A:A,B:B,,1,2)", "r9"),
    ("=_xlfn.XLOOKUP(5,D1:D13,E1:E13,,-1,-2)", "r9"), ("=_xlfn.XLOOKUP(7,D1:D13,E1:E13,,1,-2)", "r5"),
    # unsorted data: the probes of a binary search decide (formulas test.xlsx sheet LOOKUP rows 175-186,
    # EXTRA row 94)
    ('=_xlfn.XMATCH(4.1,{"c bau c",4.1,"a",1.1},0,2)', 2.0), ("=_xlfn.XMATCH(4.1,{TRUE,4.1,FALSE,1.1},-1,2)", 2.0),
    ('=_xlfn.XMATCH(FALSE,{"a",2,FALSE,4.1,3,2.1,2,FALSE,9,9},-1,2)', 8.0),
    # database functions (ironcalc DATABASE/DCOUNT_DCOUNTA_DGET_DPRODUCT.xlsx, DMIN_DMAX_DAVERAGE_DSUM.xlsx
    # rows 28-70): a plain text criterion matches a prefix, "=text" the whole cell; headers match by their
    # text (TRUE, 1); an unknown header's criterion matches nothing; rows OR'ed, columns AND'ed
    ('=DSUM(I1:M6,"Revenue",O1:O2)', 40.0), ('=DSUM(I1:M6,"revenue",P1:P2)', 40.0),
    ("=DSUM(I1:M6,4,Q1:Q2)", 110.0), ('=DSUM(I1:M6,"Revenue",R1:R2)', 60.0),
    ('=DSUM(I1:M6,"Revenue",S1:S2)', 0.0), ('=DSUM(I1:M6,"Revenue",T1:T3)', 60.0),
    ('=DSUM(I1:M6,"Revenue",U1:V2)', 30.0), ('=DCOUNT(I1:M6,"Revenue",W1:W2)', 0.0),
    ('=DGET(I1:M6,"Revenue",S1:S2)', "#VALUE!"),
    # a header row alone is #VALUE!; the field "1" names the column headed 1; DCOUNT skips the field's
    # errors, DCOUNTA counts them; an error criterion matches that error
    ('=DCOUNT(I1:M1,"Revenue",O1:O2)', "#VALUE!"), ('=DSUM(I1:M1,"Revenue",O1:O2)', "#VALUE!"),
    ('=DCOUNT(I1:M6,"1",X1:X2)', 1.0), ('=DCOUNTA(I1:M6,"1",X1:X2)', 5.0),
    ('=DCOUNT(I1:M6,"Mixed",X1:X2)', 2.0), ('=DCOUNTA(I1:M6,"Mixed",X1:X2)', 4.0),
    ('=DCOUNTA(I1:M6,"Region",Y1:Y2)', 1.0),
    # CELL (ironcalc INFORMATION/CELL.xlsx, pycel information.xlsx row 22): the top-left cell of the
    # reference; an empty cell's contents are 0; type b(lank), l(abel), v(alue); info_type in any case
    ('=CELL("address",B2)', "$B$2"), ('=CELL("address",B2:C4)', "$B$2"), ('=CELL("col",D3:E4)', 4.0),
    ('=CELL("row",A11:A21)', 11.0), ('=CELL("contents",A2)', 2.0), ('=CELL("contents",F1)', 0.0),
    ('=CELL("contents",J5)', "#N/A"), ('=CELL("contents",A10:A14)', 7.0), ('=CELL("type",F1)', "b"),
    ('=CELL("type",B1)', "l"), ('=CELL("TYPE",A1)', "v"), ('=CELL("type",J5)', "v"),
    ('=CELL("type",INDIRECT("F"&10^6))', "b"),
    ('=CELL("hello",A1)', "#VALUE!"), ("=CELL(TRUE,A1)", "#VALUE!"), ("=CELL(2,A1)", "#VALUE!"),
    ('=CELL("",A1)', "#VALUE!"), ("=CELL(B1,A1)", "#VALUE!"),
    # bitwise functions on 48 bits, whole numbers 0..2^48-1, the shift truncated (ironcalc ENGINEERING/BITs.xlsx)
    ("=_xlfn.BITOR(2^48-1,1)", 281474976710655.0), ("=_xlfn.BITXOR(2^48-1,1)", 281474976710654.0),
    ("=_xlfn.BITAND(2^48-1,1)", 1.0), ("=_xlfn.BITAND(2^48,3)", "#NUM!"), ("=_xlfn.BITOR(3,12.5)", "#NUM!"),
    ("=_xlfn.BITAND(TRUE,4)", 0.0), ('=_xlfn.BITXOR("123",456)', 435.0), ("=_xlfn.BITOR(-34,2)", "#NUM!"),
    ("=_xlfn.BITLSHIFT(12,34.67)", 206158430208.0), ("=_xlfn.BITRSHIFT(12,34.67)", 0.0),
    ("=_xlfn.BITLSHIFT(12,44)", 211106232532992.0), ("=_xlfn.BITLSHIFT(12,45)", "#NUM!"),
    ("=_xlfn.BITRSHIFT(12,45)", 0.0), ("=_xlfn.BITLSHIFT(145,-3)", 18.0), ("=_xlfn.BITRSHIFT(145,-3)", 1160.0),
    ("=_xlfn.BITLSHIFT(12,-54)", "#NUM!"), ("=_xlfn.BITRSHIFT(2^48-1,0)", 281474976710655.0),
    ("=_xlfn.BITRSHIFT(2^48,1)", "#NUM!"), ("=_xlfn.BITLSHIFT(12.6,12)", "#NUM!"),
    # SEARCH's ~ takes any next character literally, a trailing ~ is dropped; ? is one character
    # (ironcalc TEXT/FIND_SEARCH.xlsx rows 24-31)
    ('=SEARCH("Lat???","Late")', "#VALUE!"), ('=SEARCH("~~","Hi ~Bang!")', 4.0), ('=SEARCH("~","Hi ~Bang!")', 1.0),
    ('=SEARCH("~","Hello")', 1.0), ('=SEARCH("~d","My dear")', 4.0), ('=SEARCH("~*","Ho*la")', 3.0),
    ('=SEARCH("La?","Late?")', 1.0), ('=SEARCH("h","Hello")', 1.0),
    # DATE: a year past 9999 after carrying the months is #NUM! (ironcalc DATE_AND_TIME/DATE.xlsx rows 3-5)
    ("=DATE(9999,13,-1)", "#NUM!"), ("=DATE(9999,12,31)", 2958465.0), ("=DATE(2022,13,1)", 44927.0),
    # VALUETOTEXT's format and REGEXTEST's case_sensitivity are 0 or 1 (formulas test.xlsx TEXT rows 33, 55)
    ("=_xlfn.VALUETOTEXT(1.9,-1)", "#VALUE!"), ("=_xlfn.VALUETOTEXT(10,2)", "#VALUE!"),
    ('=_xlfn.VALUETOTEXT("a",1)', '"a"'), ('=_xlfn.REGEXTEST("123","^\\d+$",2)', "#VALUE!"),
    ('=_xlfn.REGEXTEST("123","^\\d+$")', True),
    # SWITCH reads an empty cell as 0 and returns an error met among its values (pycel logical.xlsx
    # sheet Switch rows 3-9 and 28-41; F1 is empty)
    ('=_xlfn.SWITCH(FALSE,F1,"match")', "#N/A"), ('=_xlfn.SWITCH(0,F1,"match")', "match"),
    ('=_xlfn.SWITCH(F1,0,"match")', "match"), ('=_xlfn.SWITCH(F1,"","match")', "#N/A"),
    ('=_xlfn.SWITCH(TRUE,TRUE,"match")', "match"), ('=_xlfn.SWITCH(3,1/0,3)', "#DIV/0!"),
    ('=_xlfn.SWITCH(3,SQRT(-1),"x")', "#NUM!"), ('=_xlfn.SWITCH(1/0,0,"match","no-match")', "#DIV/0!"),
    # REPLACE and SUBSTITUTE truncate their positions; an empty old_text changes nothing (apache-poi
    # FormulaEvalTestData_Copy.xlsx rows 1136, 1312; documentation examples)
    ('=REPLACE("ABCDEFG",2.3,3.9,"xx")', "AxxEFG"), ('=REPLACE("abcdefghijk",6,5,"*")', "abcde*k"),
    ('=REPLACE("abc",0.5,1,"x")', "#VALUE!"), ('=SUBSTITUTE("teststr","t","T",1.9)', "Teststr"),
    ('=SUBSTITUTE("testblankmatch","","!",1)', "testblankmatch"),
    ('=SUBSTITUTE("Sales Data","Sales","Cost")', "Cost Data"),
    ('=SUBSTITUTE("Quarter 1, 2008","1","2",1)', "Quarter 2, 2008"),
    ('=SUBSTITUTE("Quarter 1, 2011","1","2",3)', "Quarter 1, 2012"),
    # a number made text has at most 15 significant digits (ironcalc TEXT/EXACT.xlsx row 12)
    ('=1/3&""', "0.333333333333333"), ('=(0.1+0.2)&""', "0.3"), ('=EXACT(1/3,"0.333333333333333")', True),
    ("=CONCATENATE(2/3)", "0.666666666666667"), ("=LEN(1/3)", 17.0), ('=1E+21&""', "1E+21"), ('=123&""', "123"),
]

FIRST_ROW = 30


@pytest.fixture(scope="module")
def values() -> Iterator[dict[str, tuple[str, object]]]:
    """Every CASES formula evaluated once, in one workbook: formula -> (kind, value)."""
    yield evaluate_cases(DATA, CASES, FIRST_ROW, 7)


@pytest.mark.parametrize(("formula", "expected"), CASES, ids=[c[0] for c in CASES])
def test_root(values: dict[str, tuple[str, object]], formula: str, expected: object) -> None:
    kind, got = values[formula]
    check_value(kind, got, expected, rel=1e-9)


# Workbooks whose every formula now matches Excel's cached value.
WHOLE_BOOKS = [
    "ironcalc/xlsx/tests/calc_tests/LOOKUP_AND_REFERENCE/XLOOKUP.xlsx",
    "ironcalc/xlsx/tests/calc_tests/DATABASE/DCOUNT_DCOUNTA_DGET_DPRODUCT.xlsx",
    "ironcalc/xlsx/tests/calc_tests/DATABASE/DMIN_DMAX_DAVERAGE_DSUM.xlsx",
    "ironcalc/xlsx/tests/calc_tests/DATABASE/DVAR_DVARP_DSTDEV_DSTDEVP.xlsx",
    "ironcalc/xlsx/tests/calc_tests/INFORMATION/CELL.xlsx",
    "pycel/tests/fixtures/information.xlsx",
    "ironcalc/xlsx/tests/calc_tests/ENGINEERING/BITs.xlsx",
    "ironcalc/xlsx/tests/calc_tests/TEXT/FIND_SEARCH.xlsx",
    "ironcalc/xlsx/tests/calc_tests/DATE_AND_TIME/DATE.xlsx",
    "pycel/tests/fixtures/logical.xlsx",
    "ironcalc/xlsx/tests/calc_tests/TEXT/SUBSTITUTE.xlsx",
    "ironcalc/xlsx/tests/calc_tests/TEXT/EXACT.xlsx",
]


@pytest.mark.corpus
@pytest.mark.parametrize("book", WHOLE_BOOKS)
def test_corpus_book_matches_excel(corpus_dir: Path, tmp_path: Path, book: str) -> None:
    assert_book_matches_excel(corpus_dir, tmp_path, book)
