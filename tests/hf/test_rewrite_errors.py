"""Ranges with a #REF! end (issue_216.xlsx patterns), through the real engine.

Excel gives #REF! for a range one of whose ends is #REF! (#REF!:#REF!, OFFSET(#REF!,-1,0):#REF!,
A1:#REF!); HyperFormula cannot parse those, so the rewriter collapses the range to #REF!. The
#REF! then propagates as in Excel (IFERROR catches it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hf.client import NodeEngine
from hf.protocol import EngineBook, EngineSheet


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


@pytest.mark.parametrize(("formula", "expected"), [
    ("=SUM(#REF!)+SUM(OFFSET(#REF!,-1,0):#REF!)+#REF!", ("error", "#REF!")),
    ("=INDEX(#REF!:#REF!,COUNTA(#REF!:#REF!),1)", ("error", "#REF!")),
    ("=SUM(A1:#REF!)", ("error", "#REF!")),
    ("=SUM('Data'!A1:#REF!)", ("error", "#REF!")),
    ("=IFERROR(SUM(#REF!:B2),-1)", ("number", -1.0)),
    ("=COUNTA(A1:A2)", ("number", 2.0)),                  # an ordinary range is left alone
    ("=SUM(OFFSET(A1,0,0):OFFSET(A1,1,0))", ("number", 3.0)),  # HyperFormula's static OFFSET is a reference
])
def test_ref_error_range(engine: NodeEngine, formula: str, expected: tuple[str, object]) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("Data", [(1, 1, 1.0), (2, 1, 2.0), (5, 3, formula)])]))
    v = engine.read([("Data", 5, 3)])[0]
    assert (v.kind, v.number if v.kind == "number" else v.text) == expected


@pytest.mark.parametrize("formula", ['=SUM(INDIRECT("A1"):INDIRECT("A2"))', "=SUM(A1:INDEX(A:A,2))",
                                     "=SUM(CHOOSE(1,A1,A2):A2)"])
def test_range_on_function_result(engine: NodeEngine, formula: str) -> None:
    """A range between function results is the bounding reference (XLRANGE, tests/hf/test_rangeop.py)."""
    engine.load(EngineBook(sheets=[EngineSheet("Data", [(1, 1, 1.0), (2, 1, 2.0), (5, 3, formula)])]))
    v = engine.read([("Data", 5, 3)])[0]
    assert (v.kind, v.number) == ("number", 3.0)
