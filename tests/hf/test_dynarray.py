"""Excel 365 array-shaping functions (hf/lib/plugins/dynarray.js): TAKE, DROP, CHOOSECOLS, CHOOSEROWS, EXPAND,
TOCOL, TOROW, WRAPROWS, WRAPCOLS, TRIMRANGE, TEXTSPLIT, ARRAYTOTEXT and PERCENTOF, evaluated by the real engine.

A spilled formula is an array formula over its spill range on the wire ({=XLARRAY(rows,cols,body)}, hf/wire.py):
the result is laid over that block, #N/A beyond a smaller result."""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.addressing import parse_range
from hf.client import NodeEngine, Text
from hf.protocol import EngineBook, EngineSheet
from hf.wire import array_anchor

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.conformance import run_book  # noqa: E402

# Data!A1:D5: (row r, column c) = 10 * r + c; F1 = "a,b;c", F2 = "1, 2,,3", F3 = #DIV/0!, F4 = "x", F5 = TRUE.
DATA: list[tuple[int, int, object]] = [(r, c, float(10 * r + c)) for r in range(1, 6) for c in range(1, 5)]
DATA += [(1, 6, Text("a,b;c")), (2, 6, Text("1, 2,,3")), (3, 6, "=1/0"), (4, 6, Text("x")), (5, 6, True)]


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


def block(engine: NodeEngine, formula: str, ref: str, extra: list[tuple[int, int, object]] | None = None) -> list[Any]:
    """Enter *formula* as an array formula over *ref* (sheet Data) and read the block row by row."""
    r1, c1, r2, c2 = parse_range(ref)
    engine.load(EngineBook(sheets=[EngineSheet("Data", [*DATA, *(extra or []), (r1, c1, array_anchor(formula, ref))])]))
    cells = [("Data", r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    return [v.number if v.kind in ("number", "bool") else v.text for v in engine.read(cells)]


def one(engine: NodeEngine, formula: str, row: int = 10, col: int = 10) -> Any:
    """A one-cell (non-array) formula at Data!J10 (or row, col)."""
    engine.load(EngineBook(sheets=[EngineSheet("Data", [*DATA, (row, col, formula)])]))
    v = engine.read([("Data", row, col)])[0]
    return v.number if v.kind in ("number", "bool") else v.text


@pytest.mark.parametrize(("formula", "ref", "expected"), [
    ("=TAKE(A1:C3,2)", "H10:J11", [11, 12, 13, 21, 22, 23]),
    ("=TAKE(A1:C3,-1,-2)", "H10:I10", [32, 33]),
    ("=TAKE(A1:C3,,1)", "H10:H12", [11, 21, 31]),                 # rows omitted: every row
    ("=TAKE(A1:C3,9)", "H10:J12", [11, 12, 13, 21, 22, 23, 31, 32, 33]),  # more than there is: all
    ("=TAKE(A1:C3,0)", "H10", ["#VALUE!"]),
    ("=TAKE(A1:C3,1.9)", "H10:J10", [11, 12, 13]),                # truncated
    ("=DROP(A1:C3,1,-1)", "H10:I11", [21, 22, 31, 32]),
    ("=DROP(A1:C3,-2)", "H10:J10", [11, 12, 13]),
    ("=DROP(A1:C3,3)", "H10", ["#VALUE!"]),                       # nothing left
    ("=DROP(A1:C3,0)", "H10:H11", [11, 21]),
    ("=DROP(A1:A3,1,1)", "H10", ["#VALUE!"]),
    ('=DROP(A1:C3,"1")', "H10:H11", [21, 31]),                    # text read as a number
    ("=DROP(A1:C3,1,{1;2;1})", "H10:H12", [22, 23, 22]),         # lifted: top-left of each result
    ("=TAKE(A1:B2,2)", "H10:H12", [11, 21, "#N/A"]),             # a block larger than the result: #N/A
])
def test_take_drop(engine: NodeEngine, formula: str, ref: str, expected: list[Any]) -> None:
    assert block(engine, formula, ref) == expected


@pytest.mark.parametrize(("formula", "ref", "expected"), [
    ("=CHOOSECOLS(A1:D2,1,-1)", "H10:I11", [11, 14, 21, 24]),
    ("=CHOOSECOLS(A1:D1,{3,1},2)", "H10:J10", [13, 11, 12]),     # an array of indexes is read in order
    ("=CHOOSECOLS(A1:D1,5)", "H10", ["#VALUE!"]),
    ("=CHOOSECOLS(A1:D1,0)", "H10", ["#VALUE!"]),
    ("=CHOOSECOLS(A1:D1,A1:B2)", "H10", ["#VALUE!"]),             # a 2-D block of indexes
    ("=CHOOSECOLS(A1:D1,F3)", "H10", ["#DIV/0!"]),
    ("=CHOOSECOLS(A1:D1,-3.9)", "H10", [12]),                     # -3 counts from the end
    ("=CHOOSEROWS(A1:B5,-1,1)", "H10:I11", [51, 52, 11, 12]),
    ("=CHOOSEROWS(A1:B5,TRUE)", "H10:I10", [11, 12]),
])
def test_choosecols_chooserows(engine: NodeEngine, formula: str, ref: str, expected: list[Any]) -> None:
    assert block(engine, formula, ref) == expected


@pytest.mark.parametrize(("formula", "ref", "expected"), [
    ('=EXPAND(A1:B1,2,3,"x")', "H10:J11", [11, 12, "x", "x", "x", "x"]),
    ("=EXPAND(A1,2)", "H10:H11", [11, "#N/A"]),                   # pad_with defaults to #N/A
    ("=EXPAND(A1:B2,1)", "H10", ["#VALUE!"]),                     # smaller than the array
    ("=EXPAND(A1,,2,0)", "H10:I10", [11, 0]),
    ("=EXPAND({1},2,2,F3)", "H10:I11", [1, "#DIV/0!", "#DIV/0!", "#DIV/0!"]),  # an error pads too
])
def test_expand(engine: NodeEngine, formula: str, ref: str, expected: list[Any]) -> None:
    assert block(engine, formula, ref) == expected


# G1:H2 = 1, (blank); #DIV/0!, 4
TOCOL_SRC: list[tuple[int, int, object]] = [(1, 7, 1.0), (2, 7, "=1/0"), (2, 8, 4.0)]


@pytest.mark.parametrize(("formula", "ref", "expected"), [
    ("=TOCOL(G1:H2)", "J1:J4", [1, 0, "#DIV/0!", 4]),             # a blank shows 0
    ("=TOCOL(G1:H2,1)", "J1:J3", [1, "#DIV/0!", 4]),              # ignore blanks
    ("=TOCOL(G1:H2,2)", "J1:J3", [1, 0, 4]),                      # ignore errors
    ("=TOCOL(G1:H2,3,TRUE)", "J1:J2", [1, 4]),                    # both, scanned by column
    ("=TOCOL(G1:H2,0,TRUE)", "J1:J4", [1, "#DIV/0!", 0, 4]),
    ("=TOCOL(G1:H2,4)", "J1", ["#VALUE!"]),
    ("=TOCOL(G1:H2,-1)", "J1", ["#VALUE!"]),
    ("=TOROW(G1:H2,1)", "J1:L1", [1, "#DIV/0!", 4]),
    ("=TOROW(G1:H2,1,1)", "J1:L1", [1, "#DIV/0!", 4]),
    ("=TOROW(H1,1)", "J1", ["#CALC!"]),                           # nothing left
    ("=TOROW(G1:H2,{1,3})", "J1:K1", [1, 1]),                     # lifted
])
def test_tocol_torow(engine: NodeEngine, formula: str, ref: str, expected: list[Any]) -> None:
    assert block(engine, formula, ref, TOCOL_SRC) == expected


@pytest.mark.parametrize(("formula", "ref", "expected"), [
    ("=WRAPROWS(A1:D1,3)", "H10:J11", [11, 12, 13, 14, "#N/A", "#N/A"]),
    ("=WRAPCOLS(A1:D1,3,0)", "H10:I12", [11, 14, 12, 0, 13, 0]),
    ("=WRAPROWS(A1:A3,2)", "H10:I11", [11, 21, 31, "#N/A"]),      # a column works too
    ("=WRAPROWS(A1:B2,2)", "H10", ["#VALUE!"]),                   # a 2-D array does not
    ("=WRAPROWS(A1:D1,0)", "H10", ["#NUM!"]),
    ("=WRAPCOLS(5,2)", "H10:H11", [5, "#N/A"]),
    ("=WRAPROWS(A1:D1,{1,0,2})", "H10:J10", [11, "#NUM!", 11]),  # lifted
])
def test_wraprows_wrapcols(engine: NodeEngine, formula: str, ref: str, expected: list[Any]) -> None:
    assert block(engine, formula, ref) == expected


# K1:M4 = blank, blank, blank; blank, 5, blank; blank, blank, 7; blank, blank, blank
TRIM_SRC: list[tuple[int, int, object]] = [(2, 12, 5.0), (3, 13, 7.0)]


@pytest.mark.parametrize(("formula", "ref", "expected"), [
    ("=TRIMRANGE(K1:M4)", "P1:Q2", [5, 0, 0, 7]),
    ("=TRIMRANGE(K1:M4,1,0)", "P1:R3", [0, 5, 0, 0, 0, 7, 0, 0, 0]),   # leading rows only
    ("=TRIMRANGE(K1:M4,2,1)", "P1:Q3", [0, 0, 5, 0, 0, 7]),            # trailing rows, leading columns
    ("=ROWS(TRIMRANGE(K1:M4))", "P1", [2]),                              # a reference
    ("=TRIMRANGE(K5:M6)", "P1", ["#REF!"]),                              # all blank
    ("=TRIMRANGE(K1:M4,2.5)", "P1", ["#VALUE!"]),
    ('=TRIMRANGE(K1:M4,"3",3)', "P1:Q2", [5, 0, 0, 7]),
    ("=TRIMRANGE(K1:M4,{1,1})", "P1:Q1", ["#VALUE!", "#VALUE!"]),
])
def test_trimrange(engine: NodeEngine, formula: str, ref: str, expected: list[Any]) -> None:
    assert block(engine, formula, ref, TRIM_SRC) == expected


@pytest.mark.parametrize(("formula", "ref", "expected"), [
    ('=TEXTSPLIT(F1,",",";")', "H10:I11", ["a", "b", "c", "#N/A"]),
    ('=TEXTSPLIT(F1,",",";",,,"-")', "H10:I11", ["a", "b", "c", "-"]),
    ('=TEXTSPLIT(F2,",")', "H10:K10", ["1", " 2", "", "3"]),        # numbers stay text
    ('=TEXTSPLIT(F2,",",,TRUE)', "H10:J10", ["1", " 2", "3"]),      # ignore_empty
    ('=TEXTSPLIT(F2,{","," "},,TRUE)', "H10:J10", ["1", "2", "3"]),  # several delimiters
    ('=TEXTSPLIT("aXbxc","x")', "H10:I10", ["aXb", "c"]),
    ('=TEXTSPLIT("aXbxc","x",,,1)', "H10:J10", ["a", "b", "c"]),     # match_mode 1: case-insensitive
    ('=TEXTSPLIT("a-b",,"-")', "H10:H11", ["a", "b"]),               # rows only
    ('=TEXTSPLIT("a-b","")', "H10", ["#VALUE!"]),
    ('=TEXTSPLIT("a-b",)', "H10", ["#VALUE!"]),
    ('=TEXTSPLIT("a-b","-",,,2)', "H10", ["#VALUE!"]),
    ('=TEXTSPLIT(F3,"-")', "H10", ["#DIV/0!"]),
    ('=TEXTSPLIT(12.5,".")', "H10:I10", ["12", "5"]),
    ('=INDEX(TEXTSPLIT("1,2,3",","),2)', "H10", ["2"]),
])
def test_textsplit(engine: NodeEngine, formula: str, ref: str, expected: list[Any]) -> None:
    assert block(engine, formula, ref) == expected


@pytest.mark.parametrize(("formula", "expected"), [
    ("=ARRAYTOTEXT(A1:B2)", "11, 12, 21, 22"),
    ("=ARRAYTOTEXT(A1:B2,1)", "{11,12;21,22}"),
    ("=ARRAYTOTEXT(F3:F5,1)", '{#DIV/0!;"x";TRUE}'),
    ("=ARRAYTOTEXT(F3:F5)", "#DIV/0!, x, TRUE"),
    ("=ARRAYTOTEXT(G1:G2)", ", "),                                   # blanks are empty
    ("=ARRAYTOTEXT(G1,1)", "#VALUE!"),                               # strict text of a blank
    ("=ARRAYTOTEXT(A1:B1,2)", "#VALUE!"),
    ("=ARRAYTOTEXT(A1:B1,0.9)", "11, 12"),
    ("=ARRAYTOTEXT(1/3)", "0.333333333333333"),
    ("=PERCENTOF(A1:A2,A1:A4)", (11 + 21) / (11 + 21 + 31 + 41)),
    ("=PERCENTOF(F4:F5,A1)", 0.0),                                   # text and logicals in ranges skipped
    ("=PERCENTOF(A1,F1:F3)", "#NUM!"),                               # an error in the data
    ("=PERCENTOF(A1,G1:G2)", "#DIV/0!"),
    ("=TAKE(A2:C3,-1)", 31.0),                                       # one cell: the top-left value
])
def test_scalar_results(engine: NodeEngine, formula: str, expected: Any) -> None:
    got = one(engine, formula)
    if isinstance(expected, float):
        assert got == pytest.approx(expected)
    else:
        assert got == expected


# Corpus workbooks: every cell of these functions matches Excel (before: all #NAME?).
FUNCS = re.compile(r"\b(TEXTSPLIT|ARRAYTOTEXT|DROP|TAKE|TOCOL|TOROW|CHOOSECOLS|CHOOSEROWS|EXPAND|TRIMRANGE|WRAPROWS|"
                   r"WRAPCOLS|PERCENTOF|SORT|SORTBY|SINGLE)\(", re.I)
BOOKS = [
    "ironcalc/xlsx/tests/calc_tests/TEXT/TEXTSPLIT.xlsx",
    "ironcalc/xlsx/tests/calc_tests/LOOKUP_AND_REFERENCE/DROP_TAKE.xlsx",
    "ironcalc/xlsx/tests/calc_tests/LOOKUP_AND_REFERENCE/TOCOL.xlsx",
    "ironcalc/xlsx/tests/calc_tests/LOOKUP_AND_REFERENCE/WRAPCOLS_ROWS.xlsx",
    "ironcalc/xlsx/tests/calc_tests/LOOKUP_AND_REFERENCE/SORT.xlsx",
    "ironcalc/xlsx/tests/calc_tests/INFORMATION/N.xlsx",
    "ironcalc/xlsx/tests/calc_tests/MATH_AND_TRIGONOMETRY/LCM_GCD.xlsx",
    "formulas/test/test_files/test.xlsx",
]


@pytest.mark.corpus
@pytest.mark.parametrize("rel", BOOKS)
def test_corpus_dynamic_array_cells_match_excel(corpus_dir: Path, tmp_path: Path, rel: str) -> None:
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    dump: list[dict[str, Any]] = []
    with NodeEngine(call_timeout=300) as eng:
        r = run_book(eng, corpus_dir, rel, tmp_path, dump, fn_counts)
    assert r.failure is None
    bad = [(m["cell"], m["formula"], m["cached"], m["calc"]) for m in dump if FUNCS.search(m["formula"] or "")]
    assert bad == []
    used = sum(c["cells"] for name, c in fn_counts.items() if FUNCS.search(name + "("))
    assert used > 0  # the book does use them


@pytest.mark.parametrize(("formula", "row", "col", "expected"), [
    ("=SINGLE(A1:A5)", 3, 10, 31.0),           # @A1:A5 in row 3: A3
    ("=SINGLE(A2:D2)", 8, 3, 23.0),            # @A2:D2 in column C: C2
    ("=SINGLE(A1:D5)", 4, 10, "#VALUE!"),      # column J is outside A:D
    ("=SINGLE(B:B)", 5, 10, 52.0),
    ("=SINGLE({7,8;9,10})", 1, 10, 7.0),       # an array: its top-left value
    ("=SINGLE(G1)", 1, 10, 0.0),               # a blank cell reads 0
    ("=LCM(6,SINGLE(A1:A5))", 2, 10, 42.0),   # LCM(6, A2)
    ("=N(SINGLE(F3:F5))", 4, 10, 0.0),         # N("x")
])
def test_single_is_implicit_intersection(engine: NodeEngine, formula: str, row: int, col: int, expected: Any) -> None:
    assert one(engine, formula, row, col) == expected


@pytest.mark.parametrize(("formula", "ref", "expected"), [
    # numbers, then text (case-insensitive, ties kept in order), logicals, errors by number; blanks last
    ('=SORT({"b";2;TRUE;"A";1;"a"})', "H10:H15", [1, 2, "A", "a", "b", True]),
    ("=SORT(G1:G4)", "H10:H13", [1, "#DIV/0!", 0, 0]),
    ("=SORT(G1:G4,1,-1)", "H10:H13", ["#DIV/0!", 1, 0, 0]),
    ("=SORT(A1:B3,2,-1)", "H10:I12", [31, 32, 21, 22, 11, 12]),
    ("=SORT(A1:C1,1,-1,TRUE)", "H10:J10", [13, 12, 11]),           # by column
    ("=SORT(A1:B3,3)", "H10", ["#VALUE!"]),                         # no third column
    ("=SORT(A1:B3,1,0)", "H10", ["#VALUE!"]),
    ("=SORT({2,1,2,1},1,{1;-1})", "H10", ["#VALUE!"]),              # one index, two orders
    ("=SORT({1,9;2,8;1,7},{1,2},{1,-1})", "H10:I12", [1, 9, 1, 7, 2, 8]),  # two keys
    ("=SORTBY(A1:B3,{2;3;1})", "H10:I12", [31, 32, 11, 12, 21, 22]),
    ("=SORTBY({1,2,3;4,5,6},{3,2,2},1,{5,1,4},-1)", "H10:J11", [3, 2, 1, 6, 5, 4]),
    ("=SORTBY(A1:B3,{1,2,3})", "H10", ["#VALUE!"]),                 # a row longer than the array is wide
    ("=SORTBY(A1:B3,A1:A3,1,A1:B1,1)", "H10", ["#VALUE!"]),         # a column and a row
    ("=SORTBY(A1:B3,A1:B3)", "H10", ["#VALUE!"]),                   # 2-D
])
def test_sort_sortby(engine: NodeEngine, formula: str, ref: str, expected: list[Any]) -> None:
    assert block(engine, formula, ref, [(1, 7, 1.0), (2, 7, "=1/0")]) == expected
