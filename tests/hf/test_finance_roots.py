"""Roots of the mismatches in the corpus FINANCIAL workbooks (ironcalc/xlsx/tests/calc_tests/FINANCIAL),
through the real engine.

Expected values are Excel's: cached values of those corpus workbooks (book, sheet and cell in the
comment) and Excel's documented argument errors. None is computed by the code under test.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hf.client import NodeEngine
from hf.protocol import EngineBook, EngineSheet

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.conformance import run_book  # noqa: E402

FIN = "ironcalc/xlsx/tests/calc_tests/FINANCIAL/"
S, M, ISS, F = "DATE(2020,3,1)", "DATE(2030,3,1)", "DATE(2020,1,15)", "DATE(2021,3,1)"
S17 = "DATE(2020,3,17)"

CASES: list[tuple[str, object]] = [
    # ODDFPRICE, long odd first period, every basis (PRICE_YIELD.xlsx sheet ODDFPRICE_SHORT J2:J13)
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,0.05,120,1,0)", 131.53696747314225),
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,0.05,120,1,1)", 131.5377155865953),
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,0.05,120,1,2)", 131.44721361650284),
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,0.05,120,1,3)", 131.53759260904138),
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,0.05,120,2,2)", 131.48376704654166),
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,0.05,120,2,3)", 131.53020481001226),
    # settlement inside a quasi-coupon period; frequency and basis truncated (sheet ODDFPRICE_ODDFYIELD J44:J51)
    (f"=ODDFPRICE({S17},{M},{ISS},{F},0.075,0.067,120,1,2)", 115.99277260461348),
    (f"=ODDFPRICE({S17},{M},{ISS},{F},0.075,0.067,120,2.3,2)", 115.85503392508934),
    (f"=ODDFPRICE({S17},{M},{ISS},{F},0.08,0.06,120,2,3.3)", 125.7274306207402),
    (f"=ODDFPRICE({S17},{M},{ISS},{F},0.075,0.03,120,2,4)", 153.2672096539223),
    # ODDFYIELD inverts it (sheet ODDFPRICE_ODDFYIELD K9, K46)
    (f"=ODDFYIELD({S},{M},{ISS},{F},0.075,115.84574814124899,120,2,2)", 0.06699999997811412),
    (f"=ODDFYIELD({S17},{M},{ISS},{F},0.075,153.10925220568438,120,1,4)", 0.029999999998664335),
    # ODDLPRICE / ODDLYIELD, a long odd last period (sheet ODDLPRICE_ODDLYIELD I2:J11)
    (f"=ODDLPRICE({S},{M},{ISS},0.075,0.06,120,2,1)", 121.51937811334447),
    (f"=ODDLPRICE({S},{M},{ISS},0.075,0.0589,120,2,2)", 122.36705839417525),
    (f"=ODDLPRICE({S},{M},{ISS},0.08,0.0711,120,1,3)", 116.47338382128387),
    (f"=ODDLPRICE({S},{M},{ISS},0.075,0.02,120,2,4)", 162.34027777777777),
    (f"=ODDLYIELD({S},{M},{ISS},0.075,122.3689285685928,120,1,2)", 0.0589),
    (f"=ODDLYIELD({S},{M},{ISS},0.075,121.52128858401393,120,1,1)", 0.059999999999999984),
    # PRICE with the actual/360 and actual/365 bases (PRICE_YIELD.xlsx sheet PRICE_YIELD H4, H11, H29)
    ("=PRICE(DATE(2020,3,1),DATE(2030,3,1),0.04,0.05,155,1,2)", 126.04349401555694),
    ("=PRICE(DATE(2020,3,1),DATE(2030,3,1),0.06,0.07,23,2,3)", 54.196225247785335),
    ("=PRICE(DATE(2025,4,1),DATE(2028,3,13),0.22,0.12,15,1,2)", 62.736929069290866),
    # argument errors as Excel documents them (and sheet ODDFPRICE_ODDFYIELD J6: basis 5)
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,0.06,120,1,5)", "#NUM!"),
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,0.06,120,3,1)", "#NUM!"),
    (f"=ODDFPRICE({S},{M},{ISS},{F},-0.075,0.06,120,1,1)", "#NUM!"),
    (f"=ODDFPRICE({S},{M},{ISS},{F},0.075,-0.06,120,1,1)", "#NUM!"),
    (f"=ODDFPRICE({ISS},{M},{S},{F},0.075,0.06,120,1,1)", "#NUM!"),     # issue after settlement
    (f"=ODDFPRICE({S},{F},{ISS},{M},0.075,0.06,120,1,1)", "#NUM!"),     # first coupon after maturity
    (f'=ODDFPRICE("x",{M},{ISS},{F},0.075,0.06,120,1,1)', "#VALUE!"),
    (f"=ODDFYIELD({S},{M},{ISS},{F},0.075,0,120,1,1)", "#NUM!"),
    (f"=ODDLPRICE({S},{M},{ISS},0.075,0.06,120,2,5)", "#NUM!"),
    (f"=ODDLPRICE({ISS},{M},{S},0.075,0.06,120,2,1)", "#NUM!"),          # last interest after settlement
    (f"=ODDLPRICE({S},{M},{ISS},0.075,-0.01,120,2,1)", "#NUM!"),
    (f'=ODDLPRICE({S},"x",{ISS},0.075,0.06,120,2,1)', "#VALUE!"),
    (f"=ODDLYIELD({S},{M},{ISS},-0.075,120,120,2,1)", "#NUM!"),
    (f"=ODDLYIELD({S},{M},{ISS},0.075,0,120,4,1)", "#NUM!"),
    # IPMT/PPMT: per below 1 or from nper+1 on is #NUM!, 3.9 of 3 is not (IPMT_PPMT.xlsx rows 9-27)
    ("=IPMT(0.1,0,36,8000,0,1)", "#NUM!"), ("=PPMT(0.1,-3,36,8000)", "#NUM!"), ("=IPMT(0.01,0.99999,36,8000)", "#NUM!"),
    ("=PPMT(0.1,3,2,8000,0,1)", "#NUM!"), ("=IPMT(0.1,4,3,8000)", "#NUM!"),
    ("=IPMT(0.1,3.9,3,8000,10,1)", -26.866364667656377), ("=PPMT(0.1,3.9,3,8000)", -3186.4035714405527),
    # TBILLEQ beyond 182 days (TBILLs.xlsx D4:D30)
    ("=TBILLEQ(2040,2400,0.8)", 2.5066048253748145), ("=TBILLEQ(14640,15006,0.5)", 0.8522961312491701),
    ("=TBILLEQ(2040,2223,0.8)", 1.364497682211261), ("=TBILLEQ(45332,45650,1)", 4.457435931990497),
    ("=TBILLEQ(2040,2222,0.8)", 1.3619402985074627), ("=TBILLEQ(1000,1366,0.5)", "#NUM!"),
    ("=TBILLEQ(45332,45650,1.19)", "#NUM!"), ("=TBILLEQ(45332,45650,-0.2)", "#NUM!"),
    # MIRR with a finance rate of -1 and without inflows (MIRR.xlsx sheets Two Parameters, Three parameters)
    ("=MIRR({-5,4},-1,0.2)", -0.19999999999999996), ("=MIRR({-5,2,4},-1,0.2)", 0.13137084989847603),
    ("=MIRR({-6,-1,-2},0.1,0.2)", -1.0), ("=MIRR({5,2,4},0.1,0.2)", "#DIV/0!"),
    # DB: fractional life, truncated period and month, salvage above cost, cost 0 (DB_DDB.xlsx rows 10-41)
    ("=DB(100,10,4,3,9.2222)", 16.529375400000003), ("=DB(100,10.233,4.2312,3.2,12)", 14.1733713),
    ("=DB(45,10,4,2,12.7)", 9.676395), ("=DB(12,10,4,4.5,2)", 0.48879979875),
    ("=DB(1,10,4,2,2)", -0.8788806666666666), ("=DB(23.89,34.78,4,3,2)", -2.61264699948),
    ("=DB(0,10,4,1,2)", 0.0), ("=DB(100,10,4,0,2)", "#NUM!"),
    ("=DDB(100,10.233,4.2312,3.2,1.5)", 13.532735530775124), ("=DDB(100,10,4,0,2)", "#NUM!"),
    ("=DDB(12,10,4,4.5,2)", "#NUM!"),
    # CUMIPMT/CUMPRINC: start rounded up, end truncated, end past nper #NUM! (CUMPRINC_CUMIPMT.xlsx rows 6-12)
    ("=CUMIPMT(0.01,36,8000,1.2,8.53,1)", -501.92756475693704),
    ("=CUMPRINC(0.01,36,8000,1.2,8.53,1)", -1339.6579298169904),
    ("=CUMPRINC(0.1,30,8000,1.9,10,1)", -660.4240902144005), ("=CUMIPMT(0.1,2,8000,1,10,1)", "#NUM!"),
    # PMT with a rate of -1 or below, FV of 0 to a negative power (PMT.xlsx rows 8, 24; FV.xlsx Sheet2 A1)
    ("=PMT(-3,5,100,300,1)", "#NUM!"), ("=PMT(-1,1,-100)", "#NUM!"), ("=PMT(-0.9,3,120,300,1)", -2703.783783783783),
    ("=FV(-1,-2,1)", "#DIV/0!"),
    # NOMINAL/EFFECT of a zero rate (NOMINAL_EFFECT.xlsx row 6)
    ("=NOMINAL(0,10)", "#NUM!"), ("=EFFECT(0,10)", "#NUM!"),
    # FinancialPlugin functions not overridden keep working beside the overriding plugin (FVSCHEDULE.xlsx, SLN_SYD.xlsx)
    ("=FVSCHEDULE(1,{0.09,0.11,0.1})", 1.3308900000000004), ("=NPV(1,1)", 0.5),
    # NPV skips empty cells, text and logical values in single-cell references (NPV.xlsx K3, L5 with the
    # data Z1:Z3 = 10, <empty>, 20 and Z4:Z6 = TRUE, FALSE, 7); an error there is the result
    ("=NPV(0.1,Z1,Z2,Z3)", 25.6198347107438), ("=NPV(0.07,Z4,Z5,Z6)", 6.5420560747663545),
    ("=NPV(0.07,TRUE,Z6)", 7.048650537164818), ("=NPV(0.1,Z1,Z7)", "#DIV/0!"),
    # XNPV: an empty cell among the values, a negative rate, an error value (XIRR.xlsx Q7, Q13, Q10)
    ("=XNPV(0.1,Z1:Z3,{45000;45100;45200})", "#NUM!"), ("=XNPV(-0.3,{-100;23},{45000;45100})", "#NUM!"),
    ("=XNPV(0.1,Z7:Z8,{45000;45100})", "#DIV/0!"),
    # DURATION, MDURATION, PRICEMAT, YIELDMAT (formula_stress_test.xlsx Finance B36:B39, Microsoft's examples)
    ("=DURATION(DATE(2008,1,1),DATE(2016,1,1),0.08,0.09,2,1)", 5.993774955545186),
    ("=MDURATION(DATE(2008,1,1),DATE(2016,1,1),0.08,0.09,2,1)", 5.735669813918839),
    ("=PRICEMAT(DATE(2008,2,15),DATE(2008,4,13),DATE(2007,11,11),0.061,0.061,0)", 99.98449887555694),
    ("=YIELDMAT(DATE(2008,3,15),DATE(2008,11,3),DATE(2007,11,8),0.0625,100.0123,0)", 0.06095433369153867),
    ("=DURATION(DATE(2008,1,1),DATE(2016,1,1),0.08,0.09,3,1)", "#NUM!"),
    ("=MDURATION(DATE(2016,1,1),DATE(2008,1,1),0.08,0.09,2,1)", "#NUM!"),
    ("=PRICEMAT(DATE(2008,2,15),DATE(2008,4,13),DATE(2008,3,11),0.061,0.061,0)", "#NUM!"),
    ("=YIELDMAT(DATE(2008,3,15),DATE(2008,11,3),DATE(2007,11,8),0.0625,0,0)", "#NUM!"),
    ("=XNPV(0.1,{-100;23},{45000;45100})", -77.5928111562006),
    # VDB (formula_stress_test.xlsx Finance B60; Microsoft's examples 480 and 315 for a first year)
    ("=VDB(2400,300,3650,5,9)", 5.24156794233124), ("=VDB(2400,300,10,0,1)", 480.0),
    ("=VDB(2400,300,10,0,0.875,1.5)", 315.0), ("=VDB(2400,3000,10,0,1)", "#NUM!"), ("=VDB(2400,300,10,5,4)", "#NUM!"),
    # AMORDEGRC/AMORLINC (formula_stress_test.xlsx Finance B61:B62; Microsoft's example 776 and 360)
    ("=AMORDEGRC(2400,DATE(2008,8,9),DATE(2008,12,31),300,1,0.15)", 767.0),
    ("=AMORLINC(2400,DATE(2008,8,9),DATE(2008,12,31),300,1,0.15)", 360.0),
    ("=AMORDEGRC(2400,DATE(2008,8,19),DATE(2008,12,31),300,1,0.15,1)", 776.0),
    ("=AMORLINC(2400,DATE(2008,8,19),DATE(2008,12,31),300,1,0.15,1)", 360.0),
    ("=AMORDEGRC(2400,DATE(2008,8,19),DATE(2008,12,31),300,1,0.22,1)", "#NUM!"),   # life 4.5 years
    ("=AMORLINC(2400,DATE(2008,8,19),DATE(2008,12,31),300,1,0.15,2)", "#NUM!"),
]


@pytest.fixture(scope="module")
def values() -> Iterator[dict[str, tuple[str, object]]]:
    """Every CASES formula evaluated once, in one workbook: formula -> (kind, value)."""
    cells: list[tuple[int, int, object]] = [(i + 1, 1, f) for i, (f, _) in enumerate(CASES)]
    cells += [(1, 26, 10), (3, 26, 20), (4, 26, True), (5, 26, False), (6, 26, 7), (7, 26, "=1/0"), (8, 26, 5)]
    with NodeEngine(call_timeout=60) as engine:
        engine.load(EngineBook(sheets=[EngineSheet("Data", cells)]))
        got = engine.read([("Data", i + 1, 1) for i in range(len(CASES))])
    yield {f: (v.kind, v.number if v.kind in ("number", "bool") else v.text)
           for (f, _), v in zip(CASES, got, strict=True)}


@pytest.mark.parametrize(("formula", "expected"), CASES, ids=[c[0] for c in CASES])
def test_root(values: dict[str, tuple[str, object]], formula: str, expected: object) -> None:
    kind, got = values[formula]
    if isinstance(expected, float):
        assert kind == "number", (kind, got)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    else:
        assert (kind, got) == ("error", expected)


# Corpus books and the matched cells measured with these fixes (the book's total when all match).
BOOKS = {
    "PRICE_YIELD.xlsx": 352,
    "IPMT_PPMT.xlsx": 128,
    "TBILLs.xlsx": 273,
    "MIRR.xlsx": 225,
    "DB_DDB.xlsx": 80,
    "CUMPRINC_CUMIPMT.xlsx": 70,
    "PMT.xlsx": 309,
    "NOMINAL_EFFECT.xlsx": 90,
    "FV.xlsx": 47,
    "FVSCHEDULE.xlsx": 5,
    "SLN_SYD.xlsx": 43,
    "NPV.xlsx": 34,
    "XNPV.xlsx": 21,
    "XIRR.xlsx": 32,
}


@pytest.mark.corpus
@pytest.mark.parametrize("book", sorted(BOOKS))
def test_financial_book(corpus_dir: Path, tmp_path: Path, book: str) -> None:
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    dump: list[dict[str, Any]] = []
    with NodeEngine(call_timeout=300) as engine:
        result = run_book(engine, corpus_dir, FIN + book, tmp_path, dump, fn_counts)
    assert result.failure is None
    assert result.matched >= BOOKS[book], [(d["cell"], d["formula"], d["cached"], d["calc"]) for d in dump][:10]
