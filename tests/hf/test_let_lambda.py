"""LET and LAMBDA (hf/lib/let.js): static substitution before the build, through the real engine.

Expected values follow Excel: LET binds left to right with the innermost binding winning, names are
case-insensitive and written `_xlpm.` in files, a LAMBDA called with the wrong number of arguments is
#VALUE!, and a defined name whose value is LAMBDA(...) is called like a function. What the
substitution cannot reproduce exactly (recursion, a LAMBDA as a value, a random value used twice)
is an explicit #NAME? with its reason, never a value.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.addressing import parse_range
from core.reader import parse_to
from core.stage import PARSE, StageDir, read_json, read_table
from core.workbook import WorkbookInfo
from hf.client import NodeEngine, split_status
from hf.evaluate import build_book
from hf.protocol import EngineBook, EngineName, EngineSheet, EngineValue


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


# S!A1:A3 = 1, 2, 3; B1 = 10; D1 = 6; E1 = 7.
INPUTS = [(1, 1, 1.0), (2, 1, 2.0), (3, 1, 3.0), (1, 2, 10.0), (1, 4, 6.0), (1, 5, 7.0)]
NAMES = [
    EngineName("Temperature", "_xlfn.LAMBDA(_xlpm.temp, (5/9) * (_xlpm.temp-32))"),
    EngineName("Hyp", "_xlfn.LAMBDA(_xlpm.x,_xlpm.y,SQRT(_xlpm.x^2+_xlpm.y^2))"),
    EngineName("Twice", "_xlfn.LAMBDA(_xlpm.x,Hyp(_xlpm.x,_xlpm.x)*1)"),         # a LAMBDA calling another
    EngineName("Tens", "_xlfn.LAMBDA(_xlfn.SEQUENCE(1,3)*10)"),                   # no parameter
    EngineName("Grid", "_xlfn.LAMBDA(_xlpm.n,_xlfn.LET(_xlpm.g,_xlfn.SEQUENCE(_xlpm.n,_xlpm.n),_xlpm.g*Base))"),
    EngineName("Base", "S!$B$1"),
    EngineName("Inputs", "S!$A$1:$A$3"),
    EngineName("Local", "_xlfn.LAMBDA(_xlpm.x,_xlpm.x+1)", "S"),                  # sheet-scoped
    EngineName("Local", "_xlfn.LAMBDA(_xlpm.x,_xlpm.x+2)"),                       # the workbook one
    EngineName("Fact", "_xlfn.LAMBDA(_xlpm.n,IF(_xlpm.n<=1,1,_xlpm.n*Fact(_xlpm.n-1)))"),
    EngineName("Scaled", "_xlfn.LET(_xlpm.k,3,_xlpm.k*S!$B$1)"),                  # a plain name holding LET
    EngineName("Nearby", "_xlfn.LAMBDA(_xlpm.x,_xlpm.x+S!B1)"),                   # relative reference
]


def calc(engine: NodeEngine, formula: str, extra: list[tuple[int, int, object]] | None = None) -> EngineValue:
    """Evaluate *formula* in S!Z100 next to INPUTS, with NAMES defined."""
    cells = [*INPUTS, *(extra or []), (100, 26, formula)]
    engine.load(EngineBook(sheets=[EngineSheet("S", cells), EngineSheet("T", [])], names=NAMES))
    return engine.read([("S", 100, 26)])[0]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=_xlfn.LET(_xlpm.x,1,SUM(_xlpm.x,3))", 4.0),
    ("=_xlfn.LET(_xlpm.x,A1,_xlpm.y,34, _xlpm.x+_xlpm.y)", 35.0),             # spaces, a cell as value
    ("=1+_xlfn.LET(_xlpm.x,1,_xlpm.x*8)", 9.0),
    ("=2+_xlfn.LET(_xlpm.x,8,_xlfn.LET(_xlpm.x,2, _xlpm.x+_xlpm.x)*_xlpm.x)", 34.0),  # inner x shadows
    ("=LET(x,1,y,x+1,x,y*10,x)", 20.0),               # later values see earlier names, then rebind
    ("=LET(x,-2,x^2)", 4.0),                          # values go in parenthesised: (-2)^2
    ("=LET(x,1+1,x*x)", 4.0),                         # not 1+1*1+1
    ("=LET(Abc,2,aBC*3)", 6.0),                       # case-insensitive
    ("=LET(sum,1,SUM(sum,2))", 3.0),                  # a name spelled like a function: the call stays SUM
    ("=LET(Base,5,Base+1)", 6.0),                     # a LET name shadows the defined name Base
    ("=Base+LET(Base,5,Base)", 15.0),                 # ... only inside the LET
    ("=LET(s,5,s+S!A1)", 6.0),                        # S!A1 is a sheet reference, not the LET name s
    # Excel writes LET/LAMBDA names as _xlpm.x in files: only that spelling is the name there.
    ("=_xlfn.LET(_xlpm.sum,1,SUM(_xlpm.sum,2))", 3.0),
    ("=_xlfn.LET(_xlpm.a,5,SUM(A:A)+_xlpm.a)", 11.0),     # A:A is the column, not the name a
    ("=_xlfn.LET(_xlpm.base,5,Base+_xlpm.base)", 15.0),   # Base is the defined name
    ("=LET(r,A1:A3,SUM(r)*ROWS(r))", 18.0),           # a range value stays a reference
    ("=LET(r,A1:A3,INDEX(r,2))", 2.0),
    ("=LET(c,A1,OFFSET(c,2,0))", 3.0),                # OFFSET still gets a reference
    ('=LET(t,"ab",t&UPPER(t))', "abAB"),
    ("=LET(x,1/0,5)", 5.0),                           # an unused value does not matter
    ("=LET(x,RAND(),x<1)", True),                     # a random value used once is exact
    ("=_xlfn.LAMBDA(_xlpm.x, _xlpm.x+1)(5)", 6.0),
    ("=_xlfn.LAMBDA(_xlpm.x,_xlpm.y, SQRT(_xlpm.x*_xlpm.x+_xlpm.y*_xlpm.y))(3,4)", 5.0),
    ("=_xlfn.LAMBDA(D1+E1)()", 13.0),
    ("=_xlfn.LET(_xlpm.area, _xlfn.LAMBDA(_xlpm.x,_xlpm.y,_xlpm.x*_xlpm.y), _xlpm.area(D1,E1))", 42.0),
    ("=LET(k,2,f,LAMBDA(x,x*k),k,100,f(3))", 6.0),     # a LAMBDA sees the names where it was written
    ("=LET(x,5,LAMBDA(x,x*2)(x+1))", 12.0),            # a parameter shadows the LET name
    ("=LAMBDA(x,y,x+y)(1)", "#VALUE!"),               # wrong number of arguments
    ("=LAMBDA(x,x)(1,2)", "#VALUE!"),
    ("=Temperature(A1)", (1 - 32) * 5 / 9),
    ("=temperature(212)", 100.0),                     # defined names are case-insensitive too
    ("=Hyp(3,4)+Twice(0)", 5.0),
    ("=Local(1)", 2.0),                               # the sheet-scoped name wins on its sheet
    ("=Scaled+1", 31.0),
    ("=Nearby(0)", 0.0),                              # S!B1 moves with the cell (Z100 -> AA100, empty)
    ("=LET(Temperature,LAMBDA(x,x),Temperature(7))", 7.0),  # a LET name shadows a LAMBDA name
])
def test_let_and_lambda_values(engine: NodeEngine, formula: str, expected: object) -> None:
    v = calc(engine, formula)
    if isinstance(expected, bool):
        assert (v.kind, v.number) == ("bool", float(expected))
    elif isinstance(expected, float):
        assert v.kind == "number" and v.number is not None and math.isclose(v.number, expected, abs_tol=1e-12), v
    elif isinstance(expected, str) and expected.startswith("#"):
        assert (v.kind, v.text, split_status(v)[0]) == ("error", expected, "ok")
    else:
        assert (v.kind, v.text) == ("text", expected)


def test_let_name_out_of_scope_is_name_error(engine: NodeEngine) -> None:
    v = calc(engine, "=x+_xlfn.LET(_xlpm.x,1,_xlpm.x)")    # LET.xlsx D5: Excel gives #NAME?
    assert (v.kind, v.text) == ("error", "#NAME?")


def test_scoped_lambda_on_another_sheet_uses_the_workbook_one(engine: NodeEngine) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("S", []), EngineSheet("T", [(1, 1, "=Local(1)")])], names=NAMES))
    assert engine.read([("T", 1, 1)])[0].number == 3.0


def test_arrays_spill_from_let_and_lambda(engine: NodeEngine) -> None:
    cells = [*INPUTS, (5, 1, "{=_xlfn.LET(_xlpm.g,_xlfn.SEQUENCE(2,2),_xlpm.g*10)}"), (8, 1, "{=Tens()}"),
             (10, 1, "{=Grid(2)}")]
    engine.load(EngineBook(sheets=[EngineSheet("S", cells)], names=NAMES))
    got = [v.number for v in engine.read([("S", r, c) for r in (5, 6) for c in (1, 2)])]
    assert got == [10.0, 20.0, 30.0, 40.0]
    assert [v.number for v in engine.read([("S", 8, c) for c in (1, 2, 3)])] == [10.0, 20.0, 30.0]
    assert [v.number for v in engine.read([("S", r, c) for r in (10, 11) for c in (1, 2)])] == [
        10.0, 20.0, 30.0, 40.0]


@pytest.mark.parametrize(("formula", "reason"), [
    ("=Fact(3)", "recursive LAMBDA"),
    ("=Temperature", "used as a value"),
    ("=LET(f,LAMBDA(x,x),f)", "used as a value"),
    ("=LET(x,RAND(),x-x)", "random function used more than once"),
    ("=LAMBDA(x,y,x+y)(1,)", "omitted"),
    ("=_xlpm.q+1", "unbound LAMBDA parameter"),
    ("=LET(x,1,_xlpm.x(2))", "not a LAMBDA"),
    ("=LAMBDA(x,x)(1)(2)", "call of a LAMBDA result"),
    ("=" + "LET(a,1," * 300 + "a" + ")" * 300, "nesting too deep"),
    ("=LET(" + ",".join(f"a{k},a{k - 1}+a{k - 1}" if k else "a0,1" for k in range(40)) + ",a39)", "too large"),
])
def test_what_substitution_cannot_do_fails_loudly(engine: NodeEngine, formula: str, reason: str) -> None:
    v = calc(engine, formula)
    status, detail = split_status(v)
    assert (v.kind, v.text, status) == ("error", "#NAME?", "unsupported_function")
    assert detail is not None and reason in detail


def spill(engine: NodeEngine, formula: str, rows: int, cols: int) -> list[object]:
    """Values of the rows x cols block an array formula in S!A10 fills (numbers, or error codes)."""
    engine.load(EngineBook(sheets=[EngineSheet("S", [*INPUTS, (10, 1, "{" + formula + "}")])], names=NAMES))
    got = engine.read([("S", 10 + i, 1 + j) for i in range(rows) for j in range(cols)])
    return [v.number if v.kind == "number" else v.text for v in got]


@pytest.mark.parametrize(("formula", "rows", "cols", "expected"), [
    ("=_xlfn.LET(_xlpm.k,2,_xlfn.MAP(A1:A3,_xlfn.LAMBDA(_xlpm.x,_xlpm.x*_xlpm.k)))", 3, 1, [2.0, 4.0, 6.0]),
    ("=MAP({1,2},{10,20},LAMBDA(a,b,a+b))", 1, 2, [11.0, 22.0]),
    ("=MAP({1;0},LAMBDA(x,1/x))", 2, 1, [1.0, "#DIV/0!"]),         # each element on its own
    ("=MAP(D1:E1,Temperature)", 1, 2, [(6 - 32) * 5 / 9, (7 - 32) * 5 / 9]),  # a defined LAMBDA name
    ("=LET(f,LAMBDA(x,x+1),MAP(S!A1:A2,f))", 2, 1, [2.0, 3.0]),     # a LET-bound LAMBDA
    ("=MAP(Inputs,LAMBDA(x,x*3))", 3, 1, [3.0, 6.0, 9.0]),          # a name of an absolute range
    ("=BYROW(A1:B3,LAMBDA(r,SUM(r)))", 3, 1, [11.0, 2.0, 3.0]),
    ("=BYCOL(A1:B3,LAMBDA(c,SUM(c)))", 1, 2, [6.0, 10.0]),
    ("=BYROW({1,2;3,4},LAMBDA(r,MAX(r)))", 2, 1, [2.0, 4.0]),
    ("=REDUCE(0,A1:A3,LAMBDA(a,b,a+b^2))", 1, 1, [14.0]),
    ("=REDUCE(A1:A2,{1,2},LAMBDA(a,b,a*10+b))", 2, 1, [112.0, 212.0]),  # an array accumulator
    ("=SCAN(0,{1,2,3},LAMBDA(a,b,a+b))", 1, 3, [1.0, 3.0, 6.0]),
    ("=SCAN(B1,A1:A3,LAMBDA(a,b,a-b))", 3, 1, [9.0, 7.0, 4.0]),
    ("=MAKEARRAY(2,3,LAMBDA(r,c,r*10+c))", 2, 3, [11.0, 12.0, 13.0, 21.0, 22.0, 23.0]),
    ("=MAP(A1:A4,LAMBDA(x,x))", 4, 1, [1.0, 2.0, 3.0, 0.0]),       # an empty cell's element is 0
    ("=BYROW(A1:B2,LAMBDA(r,r*2))", 2, 1, ["#CALC!", "#CALC!"]),   # an array per element: nested arrays
    ("=MAP({1,2},LAMBDA(x,A1:A2))", 1, 2, ["#CALC!", "#CALC!"]),
    ("=MAP(A1:A3,LAMBDA(a,b,a))", 1, 1, ["#VALUE!"]),               # wrong number of parameters
    ("=BYROW(A1:A3,LAMBDA(a,b,a))", 1, 1, ["#VALUE!"]),
])
def test_lambda_helper_functions_unrolled(engine: NodeEngine, formula: str, rows: int, cols: int,
                                          expected: list[object]) -> None:
    assert spill(engine, formula, rows, cols) == pytest.approx(expected)


@pytest.mark.parametrize(("formula", "function"), [
    ("=_xlfn.MAP(OFFSET(A1,0,0,B1),_xlfn.LAMBDA(_xlpm.x,_xlpm.x))", "MAP"),   # size known only when computed
    ("=_xlfn.MAKEARRAY(A1,2,_xlfn.LAMBDA(_xlpm.r,_xlpm.c,_xlpm.r))", "MAKEARRAY"),
    ("=_xlfn.REDUCE(,A1:A3,_xlfn.LAMBDA(_xlpm.a,_xlpm.b,_xlpm.a+_xlpm.b))", "REDUCE"),  # omitted initial value
])
def test_helper_function_we_cannot_unroll_still_fails_on_that_function(engine: NodeEngine, formula: str,
                                                                       function: str) -> None:
    v = calc(engine, formula)
    status, detail = split_status(v)
    assert (v.kind, v.text, status) == ("error", "#NAME?", "unsupported_function")
    assert detail is not None and function in detail


def test_lambda_names_are_not_given_to_hyperformula(engine: NodeEngine) -> None:
    report = engine.load(EngineBook(sheets=[EngineSheet("S", INPUTS)], names=NAMES))
    assert not any(k.lower() in ("temperature", "fact", "hyp") for k in report.rejected_names)


CALENDARS = ["ironcalc/xlsx/tests/templates/event_calendar.xlsx",
             "ironcalc/xlsx/tests/templates/yearly_calendar.xlsx"]


@pytest.mark.corpus
@pytest.mark.parametrize("rel", CALENDARS)
def test_calendars_match_excel(corpus_dir: Path, tmp_path: Path, engine: NodeEngine, rel: str) -> None:
    """The month grids (LET / a named LAMBDA, spilled by SEQUENCE) and the weekday rows (a named LAMBDA
    without parameters). The year cell is =YEAR(TODAY()): it is pinned to the year Excel computed, so
    the test does not depend on the day it runs; every other formula is recalculated."""
    stage = StageDir.for_hash(tmp_path, "cal")
    parse_to(stage, corpus_dir / rel, max_uncompressed_bytes=1 << 28, max_compression_ratio=1000.0)
    cells = read_table(stage.path(PARSE, "cells.arrow"))
    info = WorkbookInfo.from_json(read_json(stage.path(PARSE, "workbook.json")))
    book, formulas = build_book(cells, info)
    rows = {(r["sheet"], r["row"], r["col"]): r for r in cells.to_pylist()}
    volatile = {k for k in formulas if "TODAY()" in rows[k]["formula"] or "NOW()" in rows[k]["formula"]}
    assert len(volatile) == 2
    pinned = [EngineSheet(s.name, [(r, c, rows[(s.name, r, c)]["raw_value"]) if (s.name, r, c) in volatile
                                   else (r, c, v) for r, c, v in s.cells]) for s in book.sheets]
    engine.load(EngineBook(sheets=pinned, names=book.names, date1904=book.date1904, tables=book.tables))
    # Every formula cell, and every cell an array formula spills into (value cells in the file).
    spilled: set[tuple[str, int, int]] = set()
    for (sheet, _row, _col), r in rows.items():
        if r["array_ref"] and any(f in r["formula"].upper() for f in ("LET(", "CAL_MONTH(", "WEEK(")):
            r1, c1, r2, c2 = parse_range(r["array_ref"])
            spilled.update((sheet, rr, cc) for rr in range(r1, r2 + 1) for cc in range(c1, c2 + 1))
    keys = sorted((set(formulas) - volatile) | spilled)
    assert len(spilled) >= 500 and spilled <= set(keys)
    wrong = []
    for k, v in zip(keys, engine.read(keys), strict=True):
        r = rows[k]
        want = r["raw_text"] if r["raw_type"] in ("text", "error") else r["raw_value"]
        got = v.text if v.kind in ("text", "error") else v.number
        if (v.kind, got) != (r["raw_type"], want):
            wrong.append((k, r["formula"], (v.kind, got), (r["raw_type"], want)))
    assert wrong == []
