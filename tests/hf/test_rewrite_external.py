"""External workbook references and array-member cells, through the real engine.

The external values are the link cache Excel saved (sent as '[n]Sheet' sheets and '[n]!Name' names,
hf/PROTOCOL.md); the corpus test compares whole workbooks with Excel's cached results.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.reader import parse_to
from core.stage import PARSE, StageDir, read_table
from hf.client import NodeEngine, Text
from hf.evaluate import evaluate_to
from hf.protocol import EngineBook, EngineName, EngineSheet

LIMITS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 1000.0}


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


EXTERNAL_SHEETS = [EngineSheet("[1]Sheet1", [(1, 1, 5.0), (2, 1, Text("x")), (3, 1, 7.0)]),
                   EngineSheet("[1]Sheet 2", [(1, 1, 1.0), (2, 2, 2.0)]),
                   EngineSheet("[2]Data", [(4, 3, 40.0)])]
EXTERNAL_NAMES = [EngineName("Own", "Local!$A$1"), EngineName("[1]!Rate", "Sheet1!$A$3"),
                  EngineName("[1]!Lost", "#REF!"), EngineName("[2]!Cell", "'Data'!$C$4")]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=[1]Sheet1!A1+1", ("number", 6.0)),
    ("=[1]sheet1!$A$1*2", ("number", 10.0)),                 # sheet names are case-insensitive
    ("=[1]Sheet1!A2", ("text", "x")),
    ("=SUM([1]Sheet1!A1:A3)", ("number", 12.0)),
    ("=SUM('[1]Sheet 2'!A1:B2)", ("number", 3.0)),
    ("=[1]!Rate*2", ("number", 14.0)),
    ("=[2]!Cell", ("number", 40.0)),
    ("=[2]Data!C4+Local!A1", ("number", 41.0)),
    ("=[1]!Lost", ("error", "#REF!")),                        # the cache lost the name's target
    ("=[1]!Missing", ("error", "#REF!")),                     # a name the cache does not hold
    ("=[1]NoSheet!A1", ("error", "#REF!")),                   # a sheet the cache does not hold
    ("=SUM([3]Sheet1!A1:B2)", ("error", "#REF!")),            # a book the workbook does not link
    ("=IFERROR([1]NoSheet!A1:B3,0)+1", ("number", 1.0)),
    ("=_xlfn.SHEETS()", ("number", 1.0)),
    ("=[0]!Own*2", ("number", 2.0)),                          # [0] is the workbook itself
    ("=SUM([0]!Unknown)", ("error", "#NAME?")),                     # the cache sheets are not the workbook's
])
def test_external_reference_reads_link_cache(engine: NodeEngine, formula: str, expected: tuple[str, object]) -> None:
    book = EngineBook(sheets=[EngineSheet("Local", [(1, 1, 1.0), (1, 2, formula)]), *EXTERNAL_SHEETS],
                      names=EXTERNAL_NAMES)
    engine.load(book)
    v = engine.read([("Local", 1, 2)])[0]
    assert (v.kind, v.number if v.kind == "number" else v.text) == expected


@pytest.mark.parametrize(("follower", "expected"), [("=", 4.0), ("{=}", 4.0)])
def test_empty_formula_of_array_member_takes_the_spill(engine: NodeEngine, follower: str, expected: float) -> None:
    """Excel stores the volatile members of an array range as <f ca="1"/> (no text): the anchor's spill."""
    cells = [(1, 1, 1.0), (2, 1, 2.0), (3, 1, 3.0), (1, 2, "{=+(A1:A3*2)}"), (2, 2, follower), (3, 2, "=")]
    engine.load(EngineBook(sheets=[EngineSheet("S", cells)]))
    got = engine.read([("S", 2, 2), ("S", 3, 2)])
    assert [v.number for v in got] == [expected, 6.0]


@pytest.mark.parametrize("rel", ["tidyxl/tests/testthat/lu-performance-data-almanac.xlsx",
                                 "times-nz/PREPARE-TIMES-NZ/data_raw/archive/TIMES-NZ/VT_SI_OTH_V4.xlsx"])
def test_corpus_external_references_match_excel(corpus_dir: Path, tmp_path: Path, engine: NodeEngine,
                                                rel: str) -> None:
    """Every formula cell that reads an external book equals Excel's cached value."""
    stage = StageDir.for_hash(tmp_path, "e" * 64)
    parse_to(stage, corpus_dir / rel, **LIMITS)
    evaluate_to(stage, engine)
    cells = read_table(stage.path(PARSE, "cells.arrow")).to_pylist()
    values = read_table(stage.path("evaluate", "values.arrow")).to_pylist()
    checked = 0
    for cell, value in zip(cells, values, strict=True):
        if cell["cell_type"] != "formula" or "[" not in (cell["formula"] or "") or cell["raw_type"] != "number":
            continue
        checked += 1
        assert value["calculated_type"] == "number", (cell, value)
        assert value["calculated_value"] == pytest.approx(cell["raw_value"], rel=1e-9, abs=1e-9), cell
    assert checked > 0
