"""Excel's (en-US) reading of number-like text in arithmetic (hf/lib/coerce.js), through the real engine.

Expected values are Excel's: the corpus workbook nvidia-dcf/Nvidia DCF.xlsx multiplies text cells such
as "1,389" (its Balance Sheet!L8) and Excel computed with 1389; the other cases are Excel's number
entry grammar (thousands separators with groups of three digits after the first, the accounting
format's parentheses for negatives, a leading currency symbol with the sign before or after it,
a trailing percent sign, mixed fractions) and the date forms of Excel's DATEVALUE documentation written
with month names (serials computed here with datetime). None is computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from hf.client import NodeEngine, Text
from hf.protocol import EngineBook, EngineSheet
from tests.hf.formula_cases import check_value, evaluate_cases

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.conformance import run_book  # noqa: E402

DATA: list[tuple[int, int, object]] = [(1, 1, Text("1,389")), (2, 1, Text(" 5,661 ")), (3, 1, Text("(2,032)")),
                                       (4, 1, Text("1,38"))]

CASES: list[tuple[str, object]] = [
    ("=A1*2", 2778.0),                      # a text cell with a thousands separator
    ("=A2+0", 5661.0),                      # surrounding spaces
    ("=A3+0", -2032.0),                     # accounting negative
    ("=A4+0", "#VALUE!"),                   # a group after ',' has three digits
    ('="1,234,567.5"+0', 1234567.5),
    ('="1234,567"+0', 1234567.0),           # the first group may be longer
    ('="1,234,56"+0', "#VALUE!"),
    ('="1,234.5,6"+0', "#VALUE!"),          # no ',' after the decimal point
    ('="$1,000"+0', 1000.0),
    ('="($1,000.50)"+0', -1000.5),
    ('="-$5"+0', -5.0),
    ('="$-5"+0', -5.0),
    ('="--5"+0', "#VALUE!"),
    ('="-(5)"+0', "#VALUE!"),
    ('="12.5%"*2', 0.25),
    ('="1,000%"+0', 10.0),
    ('="1 1/2"+0', 1.5),
    ('="1E3"+0', 1000.0),
    ('=".5"+0', 0.5),
    ('="1,389"&""', "1,389"),               # text stays text where no number is wanted
    ('=VALUE("1,389")', 1389.0),
    ('=SUM("1,389",1)', 1390.0),            # text typed as an argument is coerced
    ('=SUM(A1,1)', 1.0),                    # text in a referenced cell is not
    ('=ABS("(7)")', 7.0),
]

FIRST_ROW = 20


@pytest.fixture(scope="module")
def values() -> Iterator[dict[str, tuple[str, object]]]:
    """Every CASES formula evaluated once, in one workbook: formula -> (kind, value)."""
    yield evaluate_cases(DATA, CASES, FIRST_ROW, 3)


@pytest.mark.parametrize(("formula", "expected"), CASES, ids=[c[0] for c in CASES])
def test_text_coerces_as_excel(values: dict[str, tuple[str, object]], formula: str, expected: object) -> None:
    kind, got = values[formula]
    check_value(kind, got, expected, rel=1e-12)


def _serial(y: int, m: int, d: int, hours: float = 0.0) -> float:
    """Excel's 1900-system serial of a date after February 1900 (days since 1899-12-30)."""
    return float((dt.date(y, m, d) - dt.date(1899, 12, 30)).days) + hours / 24


# Excel's DATEVALUE date forms with month names; "this year" is the load's clock year (2022).
DATE_CASES: list[tuple[str, object]] = [
    ('="Jan 2, 2020"+0', _serial(2020, 1, 2)), ('="January 2, 2020"+0', _serial(2020, 1, 2)),
    ('="2-Jan-2020"+0', _serial(2020, 1, 2)), ('="2 January 2020"+0', _serial(2020, 1, 2)),
    ('="Sept 3, 2021"+0', _serial(2021, 9, 3)), ('="2-jan-99"+0', _serial(1999, 1, 2)),
    ('="Jan-2020"+0', _serial(2020, 1, 1)),        # month and year: the 1st
    ('="Jan-45"+0', _serial(1945, 1, 1)),          # 45 cannot be a day: a year
    ('="Jan-20"+0', _serial(2022, 1, 20)),         # a possible day: this year's
    ('="2-Jan"+0', _serial(2022, 1, 2)), ('="1/2"+0', _serial(2022, 1, 2)),
    ('="2-Jan-2020 13:30"+0', _serial(2020, 1, 2, 13.5)), ('="Jan 2, 2020 1:30 PM"+0', _serial(2020, 1, 2, 13.5)),
    ('=DATEVALUE("Jan 2, 2020 1:30 PM")', _serial(2020, 1, 2)),
    ('="30-Feb-2020"+0', "#VALUE!"), ('="May"+0', "#VALUE!"), ('="Mayo 2, 2020"+0', "#VALUE!"),
    ('="13/2"+0', "#VALUE!"), ('=DATEVALUE("2 Foo 2020")', "#VALUE!"),
]


def test_month_name_dates_as_excel() -> None:
    cells = [(i + 1, 1, f) for i, (f, _) in enumerate(DATE_CASES)]
    with NodeEngine(call_timeout=60) as engine:
        engine.load(EngineBook(sheets=[EngineSheet("D", cells)], clock="2022-01-19T18:06:06Z"))
        got = engine.read([("D", i + 1, 1) for i in range(len(DATE_CASES))])
    for (formula, expected), v in zip(DATE_CASES, got, strict=True):
        if isinstance(expected, float):
            assert v.kind == "number" and v.number == pytest.approx(expected, abs=1e-9), (formula, v)
        else:
            assert (v.kind, v.text) == ("error", expected), (formula, v)


@pytest.mark.corpus
def test_nvidia_dcf_matches_excel(corpus_dir: Path, tmp_path: Path) -> None:
    """Every formula of the DCF model (471 of them read thousands-separated text) equals Excel's value."""
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    with NodeEngine(call_timeout=300) as engine:
        result = run_book(engine, corpus_dir, "nvidia-dcf/Nvidia DCF.xlsx", tmp_path, None, fn_counts)
    assert result.failure is None
    assert result.compared > 1900
    assert result.matched == result.compared, (result.matched, result.compared)
