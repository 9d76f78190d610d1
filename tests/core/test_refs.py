"""Reference extraction (core.refs): a formula table, the shape cache, names, tables, bad input."""

from __future__ import annotations

import pytest
from openpyxl.formula.translate import Translator

from core.addressing import format_cell
from core.refs import RangeRef, ShapeCache, WorkbookContext, extract_references, shape_key, to_absolute
from core.workbook import DefinedName, SheetInfo, TableInfo, WorkbookInfo

SHEETS = ["Sheet1", "Q1 Plan", "Bob's", "Jan", "Feb", "Mar", "Dec", "Data"]
INFO = WorkbookInfo(
    filename="refs.xlsx",
    sheets=tuple(SheetInfo(n, i) for i, n in enumerate(SHEETS)),
    defined_names=(
        DefinedName("Rate", "Sheet1!$B$1"),
        DefinedName("Rate", "Jan!$C$3", scope="Jan"),
        DefinedName("Dyn", "OFFSET(Sheet1!$A$1,0,0,COUNTA(Sheet1!$A:$A),1)"),
        DefinedName("Chain", "Rate*2"),
        DefinedName("Loop1", "Loop2"),
        DefinedName("Loop2", "Loop1"),
        DefinedName("Tax", "0.2"),
        DefinedName("Below", "Sheet1!A2"),                      # relative: one row down, same column
        DefinedName("Ext", "[1]Prices!$A$1:$A$9"),
        DefinedName("Dead", "#REF!"),
        DefinedName("GoneName", "Gone!$A$1"),
        DefinedName("Block", "'Q1 Plan'!$A$1:$C$3"),
        DefinedName("Pair", "Sheet1!$A$1,Sheet1!$C$3"),
        DefinedName("Beg", "Sheet1!$D$13:$D$732"),              # a loan schedule's column
        DefinedName("Cum", "Sheet1!$K$13:$K$732"),
        DefinedName("Both", "Beg+Cum"),                          # a named formula
        DefinedName("Hdr", "Sheet1!$C$2:$H$2"),                  # a row range
    ),
    tables=(TableInfo("Sales", "Sales", "Data", "D1:F10", 1, 1, ("Region", "Amount", "Unit Price")),
            TableInfo("NoTot", "NoTot", "Data", "H1:I5", 1, 0, ("K", "V"))),
)
CTX = WorkbookContext.from_info(INFO)
ALL = 1_048_576


def fmt(r: RangeRef) -> str:
    """'Sheet1!A1:B2' (or 'Sheet1!A1' for one cell); zero coordinates print the sheet only."""
    if r.first_row == 0:
        return r.sheet
    a, b = format_cell(r.first_row, r.first_col), format_cell(r.last_row, r.last_col)
    return f"{r.sheet}!{a}" if a == b else f"{r.sheet}!{a}:{b}"


def refs_of(formula: str, sheet: str = "Sheet1", cell: str = "Z100") -> dict[str, object]:
    from core.addressing import parse_cell
    row, col = parse_cell(cell)
    got = extract_references(formula, sheet=sheet, row=row, col=col, names=CTX)
    return {"ranges": {fmt(r) for r in got.ranges}, "ext": {fmt(r) for r in got.externals},
            "broken": {fmt(r) for r in got.broken}, "dynamic": got.has_dynamic_refs,
            "error": got.parse_error is not None, "functions": got.functions}


# (formula, sheet, cell, ranges, externals, broken, dynamic)
CASES = [
    # plain A1
    ("=A1", "Sheet1", "B1", {"Sheet1!A1"}, set(), set(), False),
    ("=$A$1", "Sheet1", "B1", {"Sheet1!A1"}, set(), set(), False),
    ("=A$1+$B2", "Sheet1", "C5", {"Sheet1!A1", "Sheet1!B2"}, set(), set(), False),
    ("=a1+b2", "Sheet1", "C5", {"Sheet1!A1", "Sheet1!B2"}, set(), set(), False),
    ("=XFD1048576", "Sheet1", "A1", {"Sheet1!XFD1048576"}, set(), set(), False),
    ("=A1+A2+A3", "Sheet1", "B9", {"Sheet1!A1:A3"}, set(), set(), False),
    ("=A1*B1", "Sheet1", "C1", {"Sheet1!A1:B1"}, set(), set(), False),
    ("=A1+A1", "Sheet1", "C1", {"Sheet1!A1"}, set(), set(), False),
    ("=A5+SUM(A1:A10)", "Sheet1", "C1", {"Sheet1!A1:A10"}, set(), set(), False),
    ("=-A1%", "Sheet1", "C1", {"Sheet1!A1"}, set(), set(), False),
    ("=A1^2&\"x\"", "Sheet1", "C1", {"Sheet1!A1"}, set(), set(), False),
    ("=1+2", "Sheet1", "C1", set(), set(), set(), False),
    ('="A1"&"B2"', "Sheet1", "C1", set(), set(), set(), False),
    ('="say ""A1"""', "Sheet1", "C1", set(), set(), set(), False),
    ("=TRUE", "Sheet1", "C1", set(), set(), set(), False),
    ("=1E+5*A1", "Sheet1", "C1", {"Sheet1!A1"}, set(), set(), False),
    ("=LOG10(A1)", "Sheet1", "C1", {"Sheet1!A1"}, set(), set(), False),
    ("=ATAN2(A1,B1)", "Sheet1", "C1", {"Sheet1!A1:B1"}, set(), set(), False),
    ("=DAYS360(A1,A2)", "Sheet1", "C1", {"Sheet1!A1:A2"}, set(), set(), False),
    # ranges
    ("=SUM(A1:B3)", "Sheet1", "C9", {"Sheet1!A1:B3"}, set(), set(), False),
    ("=SUM(B3:A1)", "Sheet1", "C9", {"Sheet1!A1:B3"}, set(), set(), False),
    ("=SUM($A$1:A5)", "Sheet1", "C9", {"Sheet1!A1:A5"}, set(), set(), False),
    ("=SUM(A:A)", "Sheet1", "C1", {f"Sheet1!A1:A{ALL}"}, set(), set(), False),
    ("=SUM($A:$C)", "Sheet1", "D1", {f"Sheet1!A1:C{ALL}"}, set(), set(), False),
    ("=SUM(3:3)", "Sheet1", "A1", {"Sheet1!A3:XFD3"}, set(), set(), False),
    ("=SUM($3:$5)", "Sheet1", "A1", {"Sheet1!A3:XFD5"}, set(), set(), False),
    ("=SUM(A1:A10048576)", "Sheet1", "C1", {"Sheet1!A1"}, set(), {"#REF!"}, False),
    ("=SUM(A1:B2 B2:C3)", "Sheet1", "D9", {"Sheet1!A1:B2", "Sheet1!B2:C3"}, set(), set(), False),
    ("=SUM((A1,C3))", "Sheet1", "D9", {"Sheet1!A1", "Sheet1!C3"}, set(), set(), False),
    ("=SUM(A1:A3,B1:B3)", "Sheet1", "D9", {"Sheet1!A1:B3"}, set(), set(), False),
    ("=SUM(A1:INDEX(B:B,5))", "Sheet1", "D9", {"Sheet1!A1", f"Sheet1!B1:B{ALL}"}, set(), set(), False),
    ("=SUM(INDEX(B:B,2):C7)", "Sheet1", "D9", {f"Sheet1!B1:B{ALL}", "Sheet1!C7"}, set(), set(), False),
    ("=INDEX(A1:C3,2,2)", "Sheet1", "D9", {"Sheet1!A1:C3"}, set(), set(), False),
    ("=VLOOKUP(A1,Data!$A$1:$B$100,2,FALSE)", "Sheet1", "D9", {"Sheet1!A1", "Data!A1:B100"},
     set(), set(), False),
    # other sheets
    ("=Jan!B2", "Sheet1", "A1", {"Jan!B2"}, set(), set(), False),
    ("=jan!B2", "Sheet1", "A1", {"Jan!B2"}, set(), set(), False),
    ("='Q1 Plan'!B2", "Sheet1", "A1", {"Q1 Plan!B2"}, set(), set(), False),
    ("='Bob''s'!C3*2", "Sheet1", "A1", {"Bob's!C3"}, set(), set(), False),
    ("=SUM('Q1 Plan'!A1:B2)+Sheet1!A1", "Jan", "A1", {"Q1 Plan!A1:B2", "Sheet1!A1"}, set(), set(), False),
    ("=Jan!A1:Jan!B2", "Sheet1", "C1", {"Jan!A1:B2"}, set(), set(), False),
    ("=Sheet1!A1+A1", "Sheet1", "C1", {"Sheet1!A1"}, set(), set(), False),
    ("=SUM(Data!A:A)", "Sheet1", "C1", {f"Data!A1:A{ALL}"}, set(), set(), False),
    # 3-D
    ("=SUM(Jan:Mar!B2)", "Sheet1", "A1", {"Jan!B2", "Feb!B2", "Mar!B2"}, set(), set(), False),
    ("=SUM(Mar:Jan!B2)", "Sheet1", "A1", {"Jan!B2", "Feb!B2", "Mar!B2"}, set(), set(), False),
    ("=SUM('Jan:Dec'!A1:A3)", "Sheet1", "A1", {"Jan!A1:A3", "Feb!A1:A3", "Mar!A1:A3", "Dec!A1:A3"},
     set(), set(), False),
    ("=SUM(Jan:Nope!B2)", "Sheet1", "A1", set(), set(), {"Jan:Nope!B2"}, False),
    # names
    ("=Rate", "Sheet1", "A1", {"Sheet1!B1"}, set(), set(), False),
    ("=rate*2", "Sheet1", "A1", {"Sheet1!B1"}, set(), set(), False),
    ("=Rate", "Jan", "A1", {"Jan!C3"}, set(), set(), False),
    ("=Jan!Rate", "Sheet1", "A1", {"Jan!C3"}, set(), set(), False),
    ("=Chain", "Sheet1", "A1", {"Sheet1!B1"}, set(), set(), False),
    ("=Chain", "Jan", "A1", {"Jan!C3"}, set(), set(), False),
    ("=Dyn", "Sheet1", "C1", {f"Sheet1!A1:A{ALL}"}, set(), set(), True),
    ("=SUM(Dyn)*Tax", "Sheet1", "C1", {f"Sheet1!A1:A{ALL}"}, set(), set(), True),
    ("=Tax*A1", "Sheet1", "C1", {"Sheet1!A1"}, set(), set(), False),
    ("=Loop1", "Sheet1", "C1", set(), set(), {"#NAME?"}, False),
    ("=Below", "Sheet1", "C5", {"Sheet1!C6"}, set(), set(), False),
    ("=Block", "Sheet1", "D9", {"Q1 Plan!A1:C3"}, set(), set(), False),
    ("=SUM(Pair)", "Sheet1", "D9", {"Sheet1!A1", "Sheet1!C3"}, set(), set(), False),
    ("=SUM(Ext)", "Sheet1", "D9", set(), {"[1]Prices!A1:A9"}, set(), False),
    ("=Dead+1", "Sheet1", "D9", set(), set(), {"#REF!"}, False),
    ("=GoneName", "Sheet1", "D9", set(), set(), {"Gone!A1"}, False),
    ("=NoSuchName+1", "Sheet1", "D9", set(), set(), {"#NAME?"}, False),
    ("=_xlfn.LET(_xlpm.x,A1,_xlpm.x*2)", "Sheet1", "D9", {"Sheet1!A1"}, set(), set(), False),
    ("=_xlfn.LAMBDA(_xlpm.y,_xlpm.y+1)(B2)", "Sheet1", "D9", {"Sheet1!B2"}, set(), set(), False),
    # tables
    ("=SUM(Sales[Amount])", "Sheet1", "A1", {"Data!E2:E9"}, set(), set(), False),
    ("=SUM(sales[amount])", "Sheet1", "A1", {"Data!E2:E9"}, set(), set(), False),
    ("=Sales[[#Totals],[Amount]]", "Sheet1", "A1", {"Data!E10"}, set(), set(), False),
    ("=Sales[[#Headers],[Region]]", "Sheet1", "A1", {"Data!D1"}, set(), set(), False),
    ("=SUM(Sales[#All])", "Sheet1", "A1", {"Data!D1:F10"}, set(), set(), False),
    ("=SUM(Sales[#Data])", "Sheet1", "A1", {"Data!D2:F9"}, set(), set(), False),
    ("=SUM(Sales[])", "Sheet1", "A1", {"Data!D2:F9"}, set(), set(), False),
    ("=SUM(Sales)", "Sheet1", "A1", {"Data!D2:F9"}, set(), set(), False),
    ("=SUM(Sales[[Amount]:[Unit Price]])", "Sheet1", "A1", {"Data!E2:F9"}, set(), set(), False),
    ("=SUM(Sales[[#Headers],[#Data],[Amount]])", "Sheet1", "A1", {"Data!E1:E9"}, set(), set(), False),
    ("=SUM(Sales[[#All],[Unit Price]])", "Sheet1", "A1", {"Data!F1:F10"}, set(), set(), False),
    ("=Sales[[#This Row],[Amount]]*2", "Data", "G4", {"Data!E4"}, set(), set(), False),
    ("=Sales[@Amount]*2", "Data", "G4", {"Data!E4"}, set(), set(), False),
    ("=[@Amount]*[@[Unit Price]]", "Data", "F4", {"Data!E4", "Data!F4"}, set(), set(), False),
    ("=[@Amount]", "Data", "F1", set(), set(), set(), False),
    ("=SUM([Amount])", "Data", "F4", {"Data!E2:E9"}, set(), set(), False),
    ("=[@Amount]", "Sheet1", "A1", set(), set(), {"#NAME?"}, False),
    ("=Sales[Nope]", "Sheet1", "A1", set(), set(), {"#REF!"}, False),
    ("=NoTot[[#Totals],[V]]", "Sheet1", "A1", set(), set(), {"#REF!"}, False),
    ("=Missing[Col]", "Sheet1", "A1", set(), set(), {"#NAME?"}, False),
    # arrays
    ("{=SUM(A1:A3*B1:B3)}", "Sheet1", "D1", {"Sheet1!A1:B3"}, set(), set(), False),
    ("=SUMPRODUCT(A1:A3*{1;2;3})", "Sheet1", "D1", {"Sheet1!A1:A3"}, set(), set(), False),
    ("={1,2;3,4}", "Sheet1", "D1", set(), set(), set(), False),
    # external workbooks
    ("=[1]Sheet1!A1", "Sheet1", "D1", set(), {"[1]Sheet1!A1"}, set(), False),
    ("='[2]My Data'!$B$2:$B$9+A1", "Sheet1", "D1", {"Sheet1!A1"}, {"[2]My Data!B2:B9"}, set(), False),
    ("=[1]!ExtName*2", "Sheet1", "D1", set(), {"[1]!ExtName"}, set(), False),
    # dynamic references
    ('=INDIRECT("A"&B1)', "Sheet1", "D1", {"Sheet1!B1"}, set(), set(), True),
    ("=SUM(OFFSET(A1:A2,1,B1,3,1))", "Sheet1", "D1", {"Sheet1!B1"}, set(), set(), True),
    ("=_xlfn.SINGLE(INDIRECT(Data!A1))", "Sheet1", "D1", {"Data!A1"}, set(), set(), True),
    # broken
    ("=Gone!A1+1", "Sheet1", "D1", set(), set(), {"Gone!A1"}, False),
    ("='No Sheet'!A1:B2", "Sheet1", "D1", set(), set(), {"No Sheet!A1:B2"}, False),
    ("=#REF!+1", "Sheet1", "D1", set(), set(), {"#REF!"}, False),
    ("=Sheet1!#REF!", "Sheet1", "D1", set(), set(), {"#REF!"}, False),
    ("=SUM(A1,#REF!)", "Sheet1", "D1", {"Sheet1!A1"}, set(), {"#REF!"}, False),
]


@pytest.mark.parametrize(("formula", "sheet", "cell", "ranges", "ext", "broken", "dynamic"), CASES,
                         ids=[c[0] for c in CASES])
def test_references_table(formula: str, sheet: str, cell: str, ranges: set[str], ext: set[str],
                          broken: set[str], dynamic: bool) -> None:
    got = refs_of(formula, sheet, cell)
    assert got["error"] is False
    assert got["ranges"] == ranges
    assert got["ext"] == ext
    assert got["broken"] == broken
    assert got["dynamic"] is dynamic


def test_table_has_at_least_80_formulas() -> None:
    assert len({c[0] for c in CASES}) >= 80


@pytest.mark.parametrize("formula", ["=SUM((A1)", "=SUM(A1))", "=A1+\"open", "='Q1 Plan!A1",
                                     "=SUM([x)", "=1+#BOGUS!", "={1,2"])
def test_untokenizable_formulas_are_recorded_not_raised(formula: str) -> None:
    got = extract_references(formula, sheet="Sheet1", row=1, col=1, names=INFO)
    assert got.parse_error
    assert got.ranges == () and not got.has_dynamic_refs


@pytest.mark.parametrize(("formula", "functions"), [
    ("=SUM(A1)+sum(B1)", {"SUM"}),
    ("=_xlfn.STDEV.S(A1:A3)+_xlfn._xlws.SORT(B1:B3)", {"STDEV.S", "SORT"}),
    ("=IF(A1,VLOOKUP(B1,C:D,2,FALSE),IFERROR(1/0,0))", {"IF", "VLOOKUP", "IFERROR"}),
    ("=SUM(A1:INDEX(B:B,5))", {"SUM", "INDEX"}),
    ("=Dyn", {"OFFSET", "COUNTA"}),
    ("=(A1+1)*2", set()),
])
def test_functions_used(formula: str, functions: set[str]) -> None:
    got = extract_references(formula, sheet="Sheet1", row=9, col=9, names=CTX)
    assert got.functions == frozenset(functions)


# How ranges are read (issue 3): not at all (reference_only), or by implicit intersection.
# (formula, sheet, cell, array formula?, ranges read, reference-only ranges)
READS = [
    # reference-only arguments: position or shape, never the value
    ("=OFFSET(R49,$D$37,0)", "Sheet1", "R49", False, {"Sheet1!D37"}, {"Sheet1!R49"}),
    ("=ROW(A5)", "Sheet1", "A5", False, set(), {"Sheet1!A5"}),
    ("=ROWS(A1:A10)+COLUMNS(B1:D1)", "Sheet1", "A5", False, set(), {"Sheet1!A1:A10", "Sheet1!B1:D1"}),
    ("=COLUMN()+ROW()", "Sheet1", "A5", False, set(), set()),
    ('=CELL("address",B2)', "Sheet1", "B2", False, set(), {"Sheet1!B2"}),
    ('=CELL("row",B2:B9)', "Sheet1", "B5", False, set(), {"Sheet1!B2:B9"}),
    ('=CELL("contents",B2)', "Sheet1", "B2", False, {"Sheet1!B2"}, set()),
    ("=CELL(C1,B2)", "Sheet1", "B2", False, {"Sheet1!C1", "Sheet1!B2"}, set()),
    ('=FORMULATEXT(A1)&ISFORMULA(B1)', "Sheet1", "A1", False, set(), {"Sheet1!A1", "Sheet1!B1"}),
    ("=ISREF(A1:A3)", "Sheet1", "A2", False, set(), {"Sheet1!A1:A3"}),
    ("=SHEET(Data!A1)+AREAS((A1,B2))", "Sheet1", "A1", False, set(),
     {"Data!A1", "Sheet1!A1", "Sheet1!B2"}),
    ("=ROWS(Sales[#Data])", "Sheet1", "A1", False, set(), {"Data!D2:F9"}),
    ("=ROW(Rate)", "Sheet1", "B1", False, set(), {"Sheet1!B1"}),
    ("=OFFSET(Dyn,1,0)", "Sheet1", "A1", False, {f"Sheet1!A1:A{ALL}"}, {"Sheet1!A1"}),
    ("=ROW(A1:INDEX(B:B,C1))", "Sheet1", "A1", False, {f"Sheet1!B1:B{ALL}", "Sheet1!C1"}, {"Sheet1!A1"}),
    ("=ROWS(A1:A3*2)", "Sheet1", "B2", False, {"Sheet1!A2"}, set()),     # an expression is read
    ("=INDIRECT(A1)", "Sheet1", "A2", False, {"Sheet1!A1"}, set()),      # its text is read
    # implicit intersection: a range in a value position reads the cell in the formula's row/column
    ("=Beg*2", "Sheet1", "E20", False, {"Sheet1!D20"}, set()),
    ("=Beg", "Sheet1", "E20", False, {"Sheet1!D20"}, set()),
    ("=Beg", "Sheet1", "E5", False, set(), set()),                      # no intersection: #VALUE!
    ("=Beg*2", "Sheet1", "E20", True, {"Sheet1!D13:D732"}, set()),       # array formula: all
    ("{=Beg*2}", "Sheet1", "E20", False, {"Sheet1!D13:D732"}, set()),
    ("=_xlfn.SINGLE(Beg)", "Sheet1", "E20", True, {"Sheet1!D20"}, set()),
    ("=@Beg", "Sheet1", "E20", True, {"Sheet1!D20"}, set()),
    ("=SUM(Beg)", "Sheet1", "E20", False, {"Sheet1!D13:D732"}, set()),
    ('=IF(Beg<>"",Beg*2,"")', "Sheet1", "E20", False, {"Sheet1!D20"}, set()),
    ("=IF(A1,Beg,0)", "Sheet1", "E20", False, {"Sheet1!A1", "Sheet1!D20"}, set()),
    ("=SUM(IF(A1,Beg,0))", "Sheet1", "E20", False, {"Sheet1!A1", "Sheet1!D13:D732"}, set()),
    ("=AND(Beg>0,Cum>0)", "Sheet1", "E20", False, {"Sheet1!D20", "Sheet1!K20"}, set()),
    ("=AND(Beg)", "Sheet1", "E20", False, {"Sheet1!D13:D732"}, set()),
    ("=MAX(Beg*2)", "Sheet1", "E20", False, {"Sheet1!D20"}, set()),
    ("=SUMPRODUCT(Beg*Cum)", "Sheet1", "E20", False, {"Sheet1!D13:D732", "Sheet1!K13:K732"}, set()),
    ("=VLOOKUP(Beg,A1:B9,2,FALSE)", "Sheet1", "E20", False, {"Sheet1!D20", "Sheet1!A1:B9"}, set()),
    ("=INDEX(Beg,3)", "Sheet1", "E20", False, {"Sheet1!D13:D732"}, set()),
    ("=MATCH(1,Beg,0)", "Sheet1", "E20", False, {"Sheet1!D13:D732"}, set()),
    ('=SUMIF(Beg,">0",Cum)', "Sheet1", "E20", False, {"Sheet1!D13:D732", "Sheet1!K13:K732"}, set()),
    ("=Both", "Sheet1", "E20", False, {"Sheet1!D13:D732", "Sheet1!K13:K732"}, set()),  # named formula
    ("=A:A*2", "Sheet1", "C7", False, {"Sheet1!A7"}, set()),
    ("=Hdr*2", "Sheet1", "E20", False, {"Sheet1!E2"}, set()),          # a row range: the column
    ("=Hdr*2", "Sheet1", "Z20", False, set(), set()),
    ("=ABS(A1:A9)", "Sheet1", "B5", False, {"Sheet1!A5"}, set()),
    ("=A1:B9*2", "Sheet1", "C5", False, {"Sheet1!A1:B9"}, set()),      # 2-D: kept whole
    ("=A1:A3 A2:C2", "Sheet1", "E2", False, {"Sheet1!A1:A3", "Sheet1!A2:C2"}, set()),
    ("=NOSUCHFN(A1:A9*2)", "Sheet1", "B5", False, {"Sheet1!A1:A9"}, set()),   # unknown: all
    ("=Jan:Mar!B1:B9*2", "Sheet1", "C5", False, {"Jan!B1:B9", "Feb!B1:B9", "Mar!B1:B9"}, set()),
    ("=Sheet1!B1:B9+1", "Data", "C5", False, {"Sheet1!B5"}, set()),
    ("=Sales[Amount]*2", "Data", "G4", False, {"Data!E4"}, set()),
    ("=Beg*2+SUM(Beg)", "Sheet1", "E20", False, {"Sheet1!D13:D732"}, set()),
]


@pytest.mark.parametrize(("formula", "sheet", "cell", "array", "ranges", "refonly"), READS,
                         ids=[f"{c[0]}@{c[2]}{'{}' if c[3] else ''}" for c in READS])
def test_how_ranges_are_read(formula: str, sheet: str, cell: str, array: bool, ranges: set[str],
                             refonly: set[str]) -> None:
    from core.addressing import parse_cell
    row, col = parse_cell(cell)
    got = extract_references(formula, sheet=sheet, row=row, col=col, names=CTX, array=array)
    assert got.parse_error is None
    assert {fmt(r) for r in got.ranges} == ranges
    assert {fmt(r) for r in got.reference_only} == refonly


def test_reads_table_has_at_least_40_formulas() -> None:
    assert len(READS) >= 40


COPIED = ["=A1*B1", "=A1+$B$1+C$1+$D1", "=SUM($A$1:A1)", "=SUM(A1:A10)/COUNT(B:B)",
          "=IF(A1>0,'Q1 Plan'!B1,Jan!C1)", "=VLOOKUP(A1,Data!$A$1:$B$9,2,FALSE)+Rate",
          "=A1&\"x1\"&B1", "=SUM(1:1)+SUM($2:2)", "=OFFSET(A1,1,1)+Below", "=Jan:Mar!A1+A1",
          "=Beg*A1+ROW(B1)", "=IF(Beg>0,Hdr,C:C*2)"]


@pytest.mark.parametrize("origin", COPIED)
def test_shape_cache_matches_fresh_extraction_when_copied(origin: str) -> None:
    cache = ShapeCache(CTX)
    for row in range(2, 40, 3):
        for col in (5, 6, 9):
            formula = Translator(origin, origin="E2").translate_formula(format_cell(row, col))
            cached = cache.refs(formula, "Sheet1", row, col)
            fresh = extract_references(formula, sheet="Sheet1", row=row, col=col, names=CTX)
            assert cached == fresh, (formula, row, col)
    assert cache.tokenized <= 3   # one shape per column at most... and usually one in all


def test_shape_key_is_equal_for_copies_and_differs_otherwise() -> None:
    assert shape_key("=A1+$B$1", 1, 3) == shape_key("=A7+$B$1", 7, 3)
    assert shape_key("=A1+$B$1", 1, 3) != shape_key("=A1+$B$1", 7, 3)
    assert shape_key('="A1"', 1, 1) == shape_key('="A1"', 2, 1)
    assert shape_key("=S1!A1", 1, 1) == shape_key("=S1!A2", 2, 1)   # a sheet name is not a cell


def test_digit_fast_path_does_not_confuse_look_alikes() -> None:
    cache = ShapeCache(CTX)
    first = cache.refs("=A1+B1", "Sheet1", 1, 3)
    second = cache.refs("=A2+B1", "Sheet1", 2, 3)       # same digit skeleton, not a copy
    assert {fmt(r) for r in first.ranges} == {"Sheet1!A1:B1"}
    assert {fmt(r) for r in second.ranges} == {"Sheet1!A2", "Sheet1!B1"}


@pytest.mark.parametrize(("formula", "expected"), [
    ("=A1+B$2", "=$A$1+$B$2"),
    ("=SUM(A:B)+SUM(3:4)", "=SUM($A:$B)+SUM($3:$4)"),
    ("='Q1 Plan'!C3*\"A1\"", "='Q1 Plan'!$C$3*\"A1\""),
    ("=LOG10(A1)+Rate", "=LOG10($A$1)+Rate"),
    ("=SUM(A1:INDEX(B:B,C2))", "=SUM($A$1:INDEX($B:$B,$C$2))"),
])
def test_to_absolute(formula: str, expected: str) -> None:
    assert to_absolute(formula, 5, 5) == expected


def test_to_absolute_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        to_absolute("=SUM((A1", 1, 1)
    with pytest.raises(ValueError):
        to_absolute("=A1", 0, 1)
