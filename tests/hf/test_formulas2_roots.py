"""Analysis ToolPak functions given a reference to several cells, evaluated by the real engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hf.client import NodeEngine, Text
from hf.protocol import EngineBook, EngineSheet


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


# Data!A1:D5: (row r, column c) = 10 * r + c; F1 = 40000 (a date serial).
DATA = [(r, c, 10 * r + c) for r in range(1, 6) for c in range(1, 5)] + [(1, 6, 40000)]


def calc_block(engine: NodeEngine, cells: list[tuple[int, int, object]],
               read: list[tuple[int, int]]) -> list[object]:
    engine.load(EngineBook(sheets=[EngineSheet("Data", DATA + cells)]))
    out: list[object] = []
    for v in engine.read([("Data", r, c) for r, c in read]):
        out.append(v.number if v.kind in ("number", "bool") else (v.kind, v.text))
    return out


@pytest.mark.parametrize("formula", [
    "{=EDATE(F1,A1:D1)}",                 # formulas test.xlsx: {=EDATE(E9:I9,C9:G9)} is #VALUE! in every cell
    "{=EOMONTH(A1:D1,1)}",
    "{=ISEVEN(A1:D1)}",
    "{=WEEKNUM(A1:D1,1)}",
    "{=IMABS(A1:D1)}",
    "{=_xlfn.IMTAN(A1:D1)}",
    "{=ERF(A1:D1)}",                      # SCALAR parameters too
    "{=_xlfn.ERF.PRECISE(A1:D1)}",
    "{=MROUND(A1:D1,2)}",
    "{=CONVERT(A1:D1,\"C\",\"F\")}",
    "{=CUMIPMT(A1:D1,5,125000,3,5,1)}",
    "{=HEX2DEC(A1:D1)}",
])
def test_multi_cell_reference_is_value_error(engine: NodeEngine, formula: str) -> None:
    cells: list[tuple[int, int, object]] = [(8, 8, formula)]
    assert calc_block(engine, cells, [(8, 8), (8, 9)]) == [("error", "#VALUE!"), ("error", "#VALUE!")]


def test_plain_formula_with_multi_cell_reference(engine: NodeEngine) -> None:
    # EDATE and CONVERT are not intersected: the function gets the whole reference.
    assert calc_block(engine, [(1, 8, "=EDATE(F1,A1:D1)"), (1, 9, '=CONVERT(A1:D1,"C","F")')],
                      [(1, 8), (1, 9)]) == [("error", "#VALUE!"), ("error", "#VALUE!")]


def test_arrays_and_one_cell_ranges_still_lift(engine: NodeEngine) -> None:
    cells = [(8, 8, "{=ISEVEN(A1:D1+0)}"), (9, 8, "=EDATE(F1,B1:B1)"), (10, 8, "{=ISODD({1,2})}")]
    assert calc_block(engine, cells, [(8, 8), (8, 9), (9, 8), (10, 8), (10, 9)]) == [
        0.0, 1.0, 40365.0, 1.0, 0.0]          # ISEVEN(11), ISEVEN(12); EDATE(40000, 12); ISODD 1, 2


@pytest.mark.parametrize(("formula", "expected"), [
    ("=GCD(A1:B1)", 1.0),                 # GCD, LCM, MULTINOMIAL, IMSUM, IMPRODUCT take ranges
    ("=LCM(A1:B1)", 132.0),
    ("=IMSUM(A1:B1)", ("text", "23")),
    ("=SERIESSUM(1,0,1,A1:B1)", 23.0),    # range parameters keep their range
    ("=FVSCHEDULE(1,{0,0})", 1.0),
])
def test_range_taking_functions_unchanged(engine: NodeEngine, formula: str, expected: object) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [expected]


@pytest.mark.parametrize(("formula", "expected"), [
    ('=IMTAN("7+25j")', "3.82126757337684E-22+j"),           # formulas test.xlsx, Excel's cached texts
    ('=IMTAN("13+5j")', "0.0000692361330972509+0.999941259144671j"),
    ('=IMTAN("-3+2i")', "0.00988437503832249+0.965385879022133i"),
    ('=IMCOT("13+5j")', "0.0000692442674613868-1.00005873951153j"),
    ('=IMCOT("7+25j")', "3.82126757337684E-22-j"),
    ('=IMCSC("3.1+2j")', "0.0118908807944521+0.275445903842597j"),
    ("=IMCOT(0)", "#NUM!"),
    ("=IMCOT(1E-16)", "1E+16"),                                # ironcalc COMPLEXs.xlsx: no cancellation
    ("=IMCSC(1E-20)", "1E+20"),
])
def test_complex_trigonometry(engine: NodeEngine, formula: str, expected: str) -> None:
    [(_, value)] = calc_block(engine, [(8, 8, formula.replace("=IM", "=_xlfn.IM", 1))], [(8, 8)])
    assert value == expected


@pytest.mark.parametrize(("formula", "expected"), [
    ("=ISEVEN(2.3)", 1.0),                # the number is truncated first
    ("=ISEVEN(-2.9)", 1.0),
    ("=ISODD(-1)", 1.0),
    ("=ISODD(-2)", 0.0),
    ("=ISODD(3.99)", 1.0),
    ("=ISEVEN(0)", 1.0),
])
def test_parity_truncates(engine: NodeEngine, formula: str, expected: float) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [expected]


@pytest.mark.parametrize(("formula", "expected"), [
    ('=SUMX2MY2({1,"a"},{"b",2})', ("error", "#DIV/0!")),   # no pair of numbers
    ("=SUMX2PY2(A1:A2,E1:E2)", ("error", "#DIV/0!")),        # E is empty
    ('=SUMXMY2({1,2,"x"},{3,5,1})', 13.0),                   # (1-3)^2 + (2-5)^2
    ("=SUMX2MY2(A1:A2,B1:B2)", 11.0 ** 2 - 12.0 ** 2 + 21.0 ** 2 - 22.0 ** 2),
    ("=SUMX2PY2(A1:A2,B1:B3)", ("error", "#N/A")),
])
def test_sum_of_pairs(engine: NodeEngine, formula: str, expected: object) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [expected]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=BAHTTEXT(0)", ("text", "ศูนย์บาทถ้วน")),                    # formulas test.xlsx, Excel's cached texts
    ("=BAHTTEXT(157)", ("text", "หนึ่งร้อยห้าสิบเจ็ดบาทถ้วน")),
    ("=BAHTTEXT(65.8)", ("text", "หกสิบห้าบาทแปดสิบสตางค์")),
    ("=BAHTTEXT(-1)", ("text", "ลบหนึ่งบาทถ้วน")),
    ("=BAHTTEXT(TRUE)", ("text", "หนึ่งบาทถ้วน")),
    ('=BAHTTEXT("ciao")', ("error", "#VALUE!")),
    ("=BAHTTEXT(21)", ("text", "ยี่สิบเอ็ดบาทถ้วน")),                  # twenty; a one after a ten
    ("=BAHTTEXT(0.5)", ("text", "ห้าสิบสตางค์")),                     # satang only
    ("=BAHTTEXT(2000000)", ("text", "สองล้านบาทถ้วน")),
    ("=BAHTTEXT(12345678.905)", ("text", "สิบสองล้านสามแสนสี่หมื่นห้าพันหกร้อยเจ็ดสิบแปดบาทเก้าสิบเอ็ดสตางค์")),
])
def test_bahttext(engine: NodeEngine, formula: str, expected: object) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [expected]


# Row 7: 1, 2, #N/A; row 6: 1, #DIV/0!, 3.
ERRORS: list[tuple[int, int, object]] = [(7, 1, 1), (7, 2, 2), (7, 3, "=NA()"), (6, 1, 1), (6, 2, "=1/0"), (6, 3, 3)]


@pytest.mark.parametrize("formula", [
    "=INDEX(LINEST(A7:C7,A1:C1),1)",                 # formulas test.xlsx: an error in known_y
    "=INDEX(LINEST(A1:C1,A6:C6,TRUE,FALSE),1)",      # ... in known_x
    "=INDEX(LINEST(A1:C1,A2:C2,C7,FALSE),1)",        # ... in const
    "=INDEX(TREND(A1:C1,A2:C2,A7:C7),1)",            # ... in new_x
    "=INDEX(GROWTH(A1:C1,A2:C2,A6:C6),1)",
    "=INDEX(LOGEST(A7:C7),1)",
])
def test_regression_error_arguments_are_value_errors(engine: NodeEngine, formula: str) -> None:
    assert calc_block(engine, ERRORS + [(9, 8, formula)], [(9, 8)]) == [("error", "#VALUE!")]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=GCD(-0.4,TRUE)", "#VALUE!"),       # formulas test.xlsx: the logical's #VALUE! beats the #NUM!
    ("=LCM(-0.4,TRUE)", "#VALUE!"),
    ('=GCD(-1,"x")', "#VALUE!"),
    ("=GCD(-1,NA())", "#N/A"),
    ("=GCD(-1,4)", "#NUM!"),
    ("=_xlfn.IMCOSH(TRUE)", "#VALUE!"),   # the Excel 2013 complex functions take no logical
    ("=_xlfn.IMSECH(TRUE)", "#VALUE!"),
    ("=_xlfn.IMTAN(TRUE)", "#VALUE!"),
])
def test_argument_errors_first(engine: NodeEngine, formula: str, expected: str) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [("error", expected)]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=INDEX(MMULT(A6:B6,A1:A2),1)", ("error", "#DIV/0!")),   # the first error (row 6: 1, #DIV/0!)
    ("=INDEX(MMULT(A1:B1,B6:C7),1,1)", ("error", "#DIV/0!")),  # ... of the right array
    ("=INDEX(MMULT(A1:B1,A2:B3),1,2)", 11 * 22 + 12 * 32.0),
    ('=INDEX(MMULT({1,"a"},A1:A2),1)', ("error", "#VALUE!")),
    ("=INDEX(MMULT(A1:C1,A1:A2),1)", ("error", "#VALUE!")),    # 1x3 by 2x1
])
def test_mmult_errors(engine: NodeEngine, formula: str, expected: object) -> None:
    assert calc_block(engine, ERRORS + [(9, 8, formula)], [(9, 8)]) == [expected]


@pytest.mark.parametrize(("formula", "expected"), [
    ('=IMSUB("3.1+2j","-3+2i")', "#NUM!"),       # formulas test.xlsx: mixed units
    ('=IMDIV("-3+2i","-13+25j")', "#NUM!"),
    ('=IMSUM("3.1+2j","-3+2i")', "#VALUE!"),
    ('=IMPRODUCT("3.1+2j","-3+2i")', "#VALUE!"),
])
def test_mixed_complex_units(engine: NodeEngine, formula: str, expected: str) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [("error", expected)]


def test_countblank_counts_empty_text(engine: NodeEngine) -> None:
    cells: list[tuple[int, int, object]] = [(7, 1, Text("")), (7, 2, '=""'), (7, 3, 0),
                                            (9, 8, "=COUNTBLANK(A7:E7)")]
    assert calc_block(engine, cells, [(9, 8)]) == [4.0]      # "", ="", two empty cells; not the 0


@pytest.mark.parametrize(("formula", "expected"), [
    ("=IMPRODUCT(A7,G7)", "0"),           # ironcalc COMPLEXs.xlsx Sheet2: a reference to an empty cell is 0
    ("=IMPRODUCT(G7,H7)", "0"),
    ('=IMPRODUCT(G7,"3+4i")', "0"),
    ('=IMSUM(G7,"3+4i")', "3+4i"),
])
def test_complex_empty_reference(engine: NodeEngine, formula: str, expected: str) -> None:
    assert calc_block(engine, [(7, 1, 7), (9, 8, formula)], [(9, 8)]) == [("text", expected)]


def test_mmult_of_dates(engine: NodeEngine) -> None:
    cells: list[tuple[int, int, object]] = [(7, 1, "=DATE(2024,1,10)"), (7, 2, "=DATE(2024,1,20)"),
                                            (9, 8, "=INDEX(MMULT(A7:B7,A1:A2),1)")]
    assert calc_block(engine, cells, [(9, 8)]) == [45301 * 11 + 45311 * 21.0]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=EDATE(DATE(1987,12,1),-235.5)", 24959.0),      # ironcalc DATE_DAY_MONTH_YEAR.xlsx: 1968-05-01
    ("=EDATE(DATE(1987,12,2),-11.2)", 31779.0),       # 1987-01-02
    ("=EDATE(32112.5,82.9)", 34608.0),                # 1994-10-01
    ("=EOMONTH(DATE(2023,3,2),4.5)", 45138.0),        # ironcalc EOMONTH.xlsx: 2023-07-31
    ("=EOMONTH(DATE(2023,3,2),-4.7)", 44895.0),       # 2022-11-30
    ("=EOMONTH(DATE(2023,3,2),-1240.333)", 7274.0),   # 1919-11-30
])
def test_edate_eomonth_whole_months(engine: NodeEngine, formula: str, expected: float) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [expected]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=BESSELI(-10,0)", 2815.7166648041534),          # ironcalc BESSEL.xlsx (Excel's cached values)
    ("=BESSELI(-10,1)", -2670.988320559247),
    ("=BESSELI(-10,10)", 21.8917064462442),
    ("=BESSELI(-32,0)", 5590908218797.506),
    ("=BESSELI(10,1)", 2670.988320559247),
])
def test_besseli_negative_x(engine: NodeEngine, formula: str, expected: float) -> None:
    [value] = calc_block(engine, [(8, 8, formula)], [(8, 8)])
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("formula", "expected"), [
    ("=_xlfn.ACOT(-1)", 2.356194490192345),             # formulas test.xlsx: in (0, pi)
    ("=_xlfn.ACOT(1)", 0.7853981633974483),
    ("=_xlfn.ACOT(0)", 1.5707963267948966),
])
def test_acot_range(engine: NodeEngine, formula: str, expected: float) -> None:
    [value] = calc_block(engine, [(8, 8, formula)], [(8, 8)])
    assert value == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(("formula", "expected"), [
    ('=_xlfn.ARABIC("IIIIIIV")', -1.0),              # formulas test.xlsx, Excel's cached values
    ('=_xlfn.ARABIC("IILmIIC")', 1046.0),
    ('=_xlfn.ARABIC("IL")', 49.0),
    ('=_xlfn.ARABIC(" -mcmxcix ")', -1999.0),
    ('=_xlfn.ARABIC("")', 0.0),
    ('=_xlfn.ARABIC("Vh")', ("error", "#VALUE!")),
    ("=FACTDOUBLE(-1)", 1.0),
    ("=FACTDOUBLE(-1.1)", ("error", "#NUM!")),
    ("=FACTDOUBLE(5)", 15.0),
    ('=FACTDOUBLE("2.3")', 2.0),
    ("=POWER(0,0)", ("error", "#NUM!")),
    ("=POWER(0,-1)", ("error", "#DIV/0!")),
    ("=POWER(-1,0)", 1.0),
    ("=POWER(10,2.3)", 10 ** 2.3),
])
def test_arabic_factdouble_power(engine: NodeEngine, formula: str, expected: object) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [expected]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=AVEDEV(G1:G3)", ("error", "#NUM!")),           # no number: apache-poi FormulaEvalTestData_Copy.xlsx
    ("=DEVSQ(G1:G3)", ("error", "#NUM!")),
    ('=AVEDEV(G1,"x"&"")', ("error", "#VALUE!")),
    ("=AVEDEV(A1:B1)", 0.5),
    ("=DEVSQ(A1:B1)", 0.5),
    ("=AVEDEV(1/0)", ("error", "#DIV/0!")),
])
def test_avedev_devsq_without_numbers(engine: NodeEngine, formula: str, expected: object) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [expected]


@pytest.mark.parametrize(("formula", "expected"), [
    ('=REPLACE("ABCDEFG", 2.3, 3.9, "xx")', "AxxEFG"),   # apache-poi FormulaEvalTestData_Copy.xlsx
    ('=REPLACE("ABCDEFG", 2, 3, "xx")', "AxxEFG"),
    ('=SUBSTITUTE("teststr","t","T",1.9)', "Teststr"),
    ('=SUBSTITUTE("testblankmatch", "", "!", 1)', "testblankmatch"),
    ('=SUBSTITUTE("testblankmatch", "", "!")', "testblankmatch"),
    ('=SUBSTITUTE("teststr","t","T")', "TesTsTr"),
    ('=SUBSTITUTE("teststr","t","T",3)', "tesTsTr".replace("T", "t", 1)),
    ('=SUBSTITUTE("aaaa","aa","b",2)', "aab"),            # instances do not overlap
    ('=SUBSTITUTE("a.b.c",".","-",2)', "a.b-c"),
])
def test_replace_substitute(engine: NodeEngine, formula: str, expected: str) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [("text", expected)]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=EOMONTH(0,0)", 31.0),                  # formulas test.xlsx: day 0 is January 0, 1900
    ("=EDATE(0,0)", 0.0),
    ("=EDATE(0.7,31778)", 967223.0),
    ("=EOMONTH(0.7,31778)", 967254.0),
    ("=EDATE(1,0)", 1.0),
    ("=EDATE(0,1)", 31.0),                    # day 0 of February: January 31
])
def test_edate_eomonth_day_zero(engine: NodeEngine, formula: str, expected: float) -> None:
    assert calc_block(engine, [(8, 8, formula)], [(8, 8)]) == [expected]
