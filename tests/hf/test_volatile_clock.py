"""TODAY()/NOW() read the workbook's save time (hf/lib/clock.js, hf.evaluate volatile clock option).

Expected serial numbers are Excel's date serials (days since 1899-12-30, the time as a fraction of a
day), computed here with Python's datetime, not by the code under test; the corpus case compares with
Excel's cached values.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.reader import parse_to
from core.stage import EVALUATE, StageDir, read_json
from core.validate import compare
from core.workbook import SheetInfo, WorkbookInfo
from hf.client import EngineError, NodeEngine
from hf.evaluate import evaluate_to, volatile_clock
from hf.protocol import EngineBook, EngineSheet

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.conformance import run_book  # noqa: E402

EPOCH = dt.datetime(1899, 12, 30)
SAVED = "2022-01-19T18:06:06Z"
SAVED_SERIAL = (dt.datetime(2022, 1, 19, 18, 6, 6) - EPOCH) / dt.timedelta(days=1)
LIMITS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 1000.0}
CELLMATCHER = "phpspreadsheet/tests/data/Style/ConditionalFormatting/CellMatcher.xlsx"


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


def _today_now(engine: NodeEngine, clock: str | None, date1904: bool = False) -> tuple[float, float, float]:
    cells = [(1, 1, "=TODAY()"), (1, 2, "=NOW()"), (1, 3, "=YEAR(TODAY())*10000+MONTH(TODAY())*100+DAY(TODAY())")]
    engine.load(EngineBook(sheets=[EngineSheet("S", cells)], clock=clock, date1904=date1904))
    a, b, c = engine.read([("S", 1, 1), ("S", 1, 2), ("S", 1, 3)])
    assert a.number is not None and b.number is not None and c.number is not None
    return a.number, b.number, c.number


def test_today_and_now_read_the_clock(engine: NodeEngine) -> None:
    today, now, ymd = _today_now(engine, SAVED)
    assert today == float(int(SAVED_SERIAL))
    assert now == pytest.approx(SAVED_SERIAL, abs=1e-9)
    assert ymd == 20220119.0


def test_clock_in_the_1904_date_system(engine: NodeEngine) -> None:
    today, _now, ymd = _today_now(engine, SAVED, date1904=True)
    assert today == float(int(SAVED_SERIAL) - 1462)      # Excel's 1904 serials are 1462 days smaller
    assert ymd == 20220119.0


def test_clock_with_a_zone_is_taken_in_utc(engine: NodeEngine) -> None:
    today, now, _ = _today_now(engine, "2022-01-20T01:06:06+07:00")
    assert (today, now) == (float(int(SAVED_SERIAL)), pytest.approx(SAVED_SERIAL, abs=1e-9))


def test_without_a_clock_the_wall_clock(engine: NodeEngine) -> None:
    _today_now(engine, SAVED)
    today, _now, _ = _today_now(engine, None)   # a later load without a clock forgets it
    wall = (dt.datetime.now() - EPOCH).days
    assert wall - 1 <= today <= wall + 1


def test_bad_clock_is_refused(engine: NodeEngine) -> None:
    with pytest.raises(EngineError, match="bad clock"):
        engine.load(EngineBook(sheets=[EngineSheet("S", [(1, 1, "=TODAY()")])], clock="not a time"))


def test_volatile_clock_option() -> None:
    saved = WorkbookInfo(filename="a.xlsx", sheets=(SheetInfo("S", 0),), saved_at=SAVED)
    unknown = WorkbookInfo(filename="a.xlsx", sheets=(SheetInfo("S", 0),))
    assert volatile_clock(saved) == {"option": "saved", "source": "workbook save time", "time": SAVED}
    assert volatile_clock(unknown) == {"option": "saved", "source": "wall clock", "time": None}
    assert volatile_clock(saved, "now") == {"option": "now", "source": "wall clock", "time": None}
    with pytest.raises(ValueError, match="volatile clock"):
        volatile_clock(saved, "yesterday")


@pytest.mark.corpus
def test_corpus_today_cells_match_at_save_time(corpus_dir: Path, tmp_path: Path, engine: NodeEngine) -> None:
    """CellMatcher.xlsx: 183 cells downstream of TODAY() differed at the wall clock; at the save time every
    formula equals Excel's cached value, and the evaluate and validate summaries say which clock was used."""
    stage = StageDir.for_hash(tmp_path, "c" * 64)
    parse_to(stage, corpus_dir / CELLMATCHER, **LIMITS)
    evaluate_to(stage, engine)
    clock = {"option": "saved", "source": "workbook save time", "time": SAVED}
    assert read_json(stage.path(EVALUATE, "summary.json"))["volatile_clock"] == clock
    report = compare(stage)
    assert report.summary()["volatile_clock"] == clock
    assert report.counts["match"] == report.formula_cells == 197


@pytest.mark.corpus
def test_corpus_wall_clock_option_differs(corpus_dir: Path, tmp_path: Path) -> None:
    """The "now" option keeps the wall clock (CellMatcher.xlsx's TODAY() cells then differ from 2022's)."""
    stage = StageDir.for_hash(tmp_path, "d" * 64)
    parse_to(stage, corpus_dir / CELLMATCHER, **LIMITS)
    with NodeEngine(call_timeout=60) as eng:
        summary = evaluate_to(stage, eng, clock="now")
    assert summary.volatile_clock == {"option": "now", "source": "wall clock", "time": None}
    assert compare(stage).counts["match"] < 197


@pytest.mark.corpus
def test_conformance_run_uses_the_save_time(corpus_dir: Path, tmp_path: Path) -> None:
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    with NodeEngine(call_timeout=300) as eng:
        result = run_book(eng, corpus_dir, CELLMATCHER, tmp_path, None, fn_counts)
    assert (result.matched, result.compared) == (197, 197)   # 14 / 197 at the wall clock
