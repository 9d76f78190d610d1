"""Function plugins (hf/lib/plugins/*.js) through the real engine.

Expected values are Excel's: the examples of Microsoft's function documentation (quoted to the
digits the documentation shows, hence the tolerance) or cached values of the corpus workbook named
in the comment. None is computed by the plugin under test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hf.client import Text
from hf.protocol import ErrorValue
from tests.hf.formula_cases import check_value, evaluate_cases

# Sheet Data, column A: AGGREGATE's documentation data (A1:A11) and B1:B11 its second column;
# D1:D4 = 1, 2, 3, SUBTOTAL(9, D1:D3).
AGG_A = [ErrorValue("#DIV/0!"), 72, 30, ErrorValue("#NUM!"), 31, 96, 32, 81, 33, 53, 34]
AGG_B = [82, 65, 95, 63, 53, 71, 55, 83, 100, 91, 89]
DATA = ([(r, 1, v) for r, v in enumerate(AGG_A, 1)] + [(r, 2, v) for r, v in enumerate(AGG_B, 1)]
        + [(1, 4, 1), (2, 4, 2), (3, 4, 3), (4, 4, "=SUBTOTAL(9,D1:D3)"),
           (1, 5, Text("Little red riding hood's red hood"))])
T = "E1"  # the TEXTBEFORE/TEXTAFTER documentation text

CASES: list[tuple[str, object]] = [
    # FLOOR / CEILING family (documentation examples)
    ("=FLOOR(3.7,2)", 2.0), ("=FLOOR(-2.5,-2)", -2.0), ("=FLOOR(2.5,-2)", "#NUM!"),
    ("=FLOOR(1.58,0.1)", 1.5), ("=FLOOR(0.234,0.01)", 0.23),
    ("=CEILING(2.5,1)", 3.0), ("=CEILING(-2.5,-2)", -4.0), ("=CEILING(-2.5,2)", -2.0),
    ("=CEILING(1.5,0.1)", 1.5), ("=CEILING(0.234,0.01)", 0.24),
    ("=_xlfn.FLOOR.MATH(24.3,5)", 20.0), ("=_xlfn.FLOOR.MATH(6.7)", 6.0),
    ("=_xlfn.FLOOR.MATH(-8.1,2)", -10.0), ("=_xlfn.FLOOR.MATH(-5.5,2,-1)", -4.0),
    ("=_xlfn.CEILING.MATH(24.3,5)", 25.0), ("=_xlfn.CEILING.MATH(6.7)", 7.0),
    ("=_xlfn.CEILING.MATH(-8.1,2)", -8.0), ("=_xlfn.CEILING.MATH(-5.5,2,-1)", -6.0),
    ("=_xlfn.CEILING.PRECISE(4.3,-2)", 6.0), ("=_xlfn.CEILING.PRECISE(-4.3,2)", -4.0),
    ("=_xlfn.FLOOR.PRECISE(-3.2,-1)", -4.0), ("=_xlfn.FLOOR.PRECISE(3.2,-1)", 3.0),
    ("=ISO.CEILING(4.3,-2)", 6.0), ("=ISO.CEILING(-4.3)", -4.0),
    # corpus FLOOR_CEILING.xlsx: significance 0, a quotient within rounding noise, empty text
    ("=CEILING(10,0)", 0.0), ("=CEILING(-7.1,0.1)", -7.1000000000000005),
    ("=FLOOR(10,0)", "#DIV/0!"), ("=FLOOR(-0.000000000001,1)", -1.0), ('=CEILING("",1)', "#VALUE!"),
    ('=CEILING(" 2024-01-10 ",1)', "#VALUE!"), ('=CEILING("2024-01-10",1)', 45301.0), ('=CEILING(" 10 ",1)', 10.0),
    # corpus TEXT/CHAR.xlsx (Windows code page 1252)
    ("=CHAR(149)", "\u2022"), ("=CHAR(154)", "\u0161"), ("=CHAR(65)", "A"),
    # ROMAN (documentation examples; 0 and 4000 from corpus ARABIC_ROMAN.xlsx)
    ("=ROMAN(499,0)", "CDXCIX"), ("=ROMAN(499,1)", "LDVLIV"), ("=ROMAN(499,2)", "XDIX"),
    ("=ROMAN(499,3)", "VDIV"), ("=ROMAN(499,4)", "ID"), ("=ROMAN(0)", ""), ("=ROMAN(4000)", "#VALUE!"),
    # corpus issue_216.xlsx: OFFSET passes its base's error through
    ("=OFFSET(#REF!,-1,0)", "#REF!"),
    # bonds (documentation examples)
    ("=ACCRINT(DATE(2008,3,1),DATE(2008,8,31),DATE(2008,5,1),0.1,1000,2,0)", 16.666666667),
    ("=ACCRINT(DATE(2008,3,5),DATE(2008,8,31),DATE(2008,5,1),0.1,1000,2,0,TRUE)", 15.55555556),
    ("=ACCRINT(DATE(2008,4,5),DATE(2008,8,31),DATE(2008,5,1),0.1,1000,2,0,TRUE)", 7.2222222),
    ("=ACCRINTM(DATE(2008,4,1),DATE(2008,6,15),0.1,1000,3)", 20.54794521),
    ("=COUPDAYBS(DATE(2011,1,25),DATE(2011,11,15),2,1)", 71.0),
    ("=COUPDAYS(DATE(2011,1,25),DATE(2011,11,15),2,1)", 181.0),
    ("=COUPDAYSNC(DATE(2011,1,25),DATE(2011,11,15),2,1)", 110.0),
    ("=COUPNCD(DATE(2011,1,25),DATE(2011,11,15),2,1)", 40678.0),
    ("=COUPPCD(DATE(2011,1,25),DATE(2011,11,15),2,1)", 40497.0),
    ("=COUPNUM(DATE(2007,1,25),DATE(2008,11,15),2,1)", 4.0),
    ("=COUPNUM(DATE(2011,11,15),DATE(2011,1,25),2,1)", "#NUM!"),
    ("=PRICE(DATE(2008,2,15),DATE(2017,11,15),0.0575,0.065,100,2,0)", 94.63436162),
    # the documentation's price is rounded to 7 digits, so is the yield it implies
    ("=YIELD(DATE(2008,2,15),DATE(2016,11,15),0.0575,95.04287,100,2,0)", pytest.approx(0.065, rel=1e-6)),
    ("=INTRATE(DATE(2008,2,15),DATE(2008,5,15),1000000,1014420,2)", 0.05768),
    ("=RECEIVED(DATE(2008,2,15),DATE(2008,5,15),1000000,0.0575,2)", 1014584.654),
    ("=PRICEDISC(DATE(2008,2,16),DATE(2008,3,1),0.0525,100,2)", 99.79583333),
    # text (documentation examples; REGEXREPLACE from corpus TEXT/REGEX.xlsx)
    ('=_xlfn.REGEXTEST("alpine","^a")', True), ('=_xlfn.REGEXTEST("Alpine","^a")', False),
    ('=_xlfn.REGEXTEST("Alpine","^a",1)', True),
    ('=_xlfn.REGEXEXTRACT("DylanWilliams","[A-Z][a-z]+")', "Dylan"),
    ('=_xlfn.REGEXREPLACE("JamesBond","([A-Z][a-z]+)([A-Z][a-z]+)","$2, $1 $2")', "Bond, James Bond"),
    (f'=_xlfn.TEXTBEFORE({T},"hood")', "Little red riding "),
    (f'=_xlfn.TEXTBEFORE({T},"red",2)', "Little red riding hood's "),
    (f'=_xlfn.TEXTBEFORE({T},"red",-2)', "Little "),
    (f'=_xlfn.TEXTAFTER({T},"hood")', "'s red hood"),
    (f'=_xlfn.TEXTAFTER({T},"red",-2)', " riding hood's red hood"),
    (f'=_xlfn.TEXTAFTER({T},"Red")', "#N/A"),
    (f'=_xlfn.TEXTAFTER({T},"basket",1,0,0,"Not found")', "Not found"),
    # corpus TEXTBEFORE_TEXTAFTER.xlsx: fractional negative instance
    ('=_xlfn.TEXTAFTER("123 the 456 the 891","the",-1.6,1,0,"Not found")', " 456 the 891"),
    # engineering (documentation examples; sg from corpus ENGINEERING/CONVERT.xlsx)
    ('=CONVERT(1,"lbm","kg")', 0.45359237), ('=CONVERT(68,"F","C")', 20.0),
    ('=CONVERT(2.5,"ft","sec")', "#N/A"), ('=CONVERT(CONVERT(100,"ft","m"),"ft","m")', 9.290304),
    ('=CONVERT(1,"sg","g")', 14593.902937206363),
    ("=GESTEP(5,4)", 1.0), ("=GESTEP(5,5)", 1.0), ("=GESTEP(-4,-5)", 1.0), ("=GESTEP(-1)", 0.0),
    ("=_xlfn.ERF.PRECISE(0.745)", 0.70792892), ("=_xlfn.ERF.PRECISE(1)", 0.84270079),
    ("=_xlfn.ERFC.PRECISE(1)", 0.15729921),
    # complex numbers (documentation examples; the rest from corpus ENGINEERING/COMPLEXs.xlsx)
    ("=COMPLEX(3,4)", "3+4i"), ('=COMPLEX(3,4,"j")', "3+4j"), ("=COMPLEX(0,1)", "i"), ("=COMPLEX(1,0)", "1"),
    ('=COMPLEX(1.23,9.5121,"")', "1.23+9.5121i"), ("=COMPLEX(1.2E-45,-3)", "1.2E-45-3i"),
    ("=COMPLEX(1E-16,0)", "0.0000000000000001"), ("=COMPLEX(1E-20,0)", "1E-20"),
    ('=IMREAL(IMSINH(COMPLEX(0.00012,1.23456789)))', 3.95914884818528e-05),
    # statistics and information (documentation examples)
    ("=PERMUT(100,3)", 970200.0), ("=_xlfn.PERMUTATIONA(3,2)", 9.0), ("=PERMUT(3,4)", "#NUM!"),
    ("=TRIMMEAN({4,5,6,7,2,3,4,5,1,2,3},0.2)", 3.777777778),
    ("=_xlfn.BINOM.DIST.RANGE(60,0.75,48)", 0.083974967), ("=_xlfn.BINOM.DIST.RANGE(60,0.75,45,50)", 0.523629793),
    ("=PROB({0,1,2,3},{0.2,0.3,0.1,0.4},2)", 0.1), ("=PROB({0,1,2,3},{0.2,0.3,0.1,0.4},1,3)", 0.8),
    # TREND: Excel's documented least-squares line, one new x
    ("=TREND({2,4,6,8},{1,2,3,4},5)", 10.0), ("=TREND({3,5,7},,4)", 9.0), ("=TREND({2,4,6},{1,2,3},4,FALSE)", 8.0),
    ("=ERROR.TYPE(1/0)", 2.0), ("=ERROR.TYPE(NA())", 7.0), ("=ERROR.TYPE(1)", "#N/A"),
    ("=TYPE(2)", 1.0), ('=TYPE("Smith")', 2.0), ("=TYPE(1/0)", 16.0),
    ("=DOLLAR(1234.567,2)", "$1,234.57"), ("=DOLLAR(-1234.567,-2)", "($1,200)"),
    ("=DOLLAR(-0.123,4)", "($0.1230)"), ("=DOLLAR(99.888)", "$99.89"),
    ("=FIXED(1234.567,1)", "1,234.6"), ("=FIXED(1234.567,-1)", "1,230"), ("=FIXED(-1234.567,-1,TRUE)", "-1230"),
    ('=VALUE("16:48:00")-VALUE("12:00:00")', 0.2),
    ('=_xlfn.VALUETOTEXT("Hello",1)', '"Hello"'), ("=_xlfn.VALUETOTEXT(1234.01234)", "1234.01234"),
    # TEXT format codes (documentation examples)
    ('=TEXT(1234.567,"$#,##0.00")', "$1,234.57"), ('=TEXT(0.285,"0.0%")', "28.5%"),
    ('=TEXT(4.34,"# ?/?")', "4 1/3"), ('=TEXT(12200000,"0.00E+00")', "1.22E+07"),
    ('=TEXT(1234567898,"[<=9999999]###-####;(###) ###-####")', "(123) 456-7898"),
    ('=TEXT(1234,"0000000")', "0001234"), ('=TEXT(DATE(2012,3,14),"MM/DD/YY")', "03/14/12"),
    ('=TEXT(DATE(2012,3,14),"dddd")', "Wednesday"), ('=TEXT(TIME(13,29,0),"H:MM AM/PM")', "1:29 PM"),
    ('=TEXT(1.5,"[h]:mm")', "36:00"),
    # corpus TEXT/TEXT.xlsx: a negative value shown as zeros has no minus sign
    ('=TEXT(-0.001,"0.00")', "0.00"),
    # XMATCH (documentation example 4500; wildcard semantics as documented; 3.1 from corpus
    # formulas/test/test_files/test.xlsx)
    ('=_xlfn.XMATCH("Gr?pe",{"Apple","Grape","Pear","Banana","Cherry"},2)', 2.0),
    ("=_xlfn.XMATCH(4500,{5000,7500,9000,12000},1)", 1.0), ("=_xlfn.XMATCH(3.1,{-1.1,2.1,3.1,4.1},1)", 3.0),
    ("=_xlfn.XMATCH(5,{1,2,3})", "#N/A"),
    # AGGREGATE (documentation example) and nested subtotals
    ("=_xlfn.AGGREGATE(4,6,A1:A11)", 96.0), ("=_xlfn.AGGREGATE(14,6,A1:A11,3)", 72.0),
    ("=_xlfn.AGGREGATE(15,6,A1:A11)", "#VALUE!"), ("=_xlfn.AGGREGATE(12,6,A1:A11,B1:B11)", 68.0),
    ("=_xlfn.AGGREGATE(4,4,A1:A11)", "#DIV/0!"),
    ("=SUBTOTAL(9,D1:D4)", 6.0), ("=_xlfn.AGGREGATE(9,0,D1:D4)", 6.0),
]

FIRST_ROW = 20


@pytest.fixture(scope="module")
def values() -> Iterator[dict[str, tuple[str, object]]]:
    """Every CASES formula evaluated once, in one workbook: formula -> (kind, value)."""
    yield evaluate_cases(DATA, CASES, FIRST_ROW, 3)


@pytest.mark.parametrize(("formula", "expected"), CASES, ids=[c[0] for c in CASES])
def test_function(values: dict[str, tuple[str, object]], formula: str, expected: object) -> None:
    kind, got = values[formula]
    check_value(kind, got, expected, rel=1e-7)
