"""Names used as range ends and as OFFSET bases (enron-nested.xlsx patterns), through the real engine.

Expected values follow Excel: a name that is one cell may end a range (Deals!$C$2:EndOfList), in
another name too, and OFFSET(name, r, c) offsets the name's reference.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hf.client import NodeEngine
from hf.protocol import EngineBook, EngineName, EngineSheet


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


# Deals!A1:A4 = 1, 2, 3, 4; B1:B4 = 10, 20, 30, 40.
DEALS = [(r, 1, float(r)) for r in range(1, 5)] + [(r, 2, 10.0 * r) for r in range(1, 5)]
# Alphabetical order puts AList (which uses EndOfList) before EndOfList, as in enron-nested.xlsx.
NAMES = [EngineName("AList", "Deals!$A$1:EndOfList"), EngineName("Base", "Deals!$A$2"),
         EngineName("EndOfList", "Deals!$A$3")]


@pytest.mark.parametrize(("formula", "expected"), [
    ("=SUM(AList)", 6.0),                        # a name whose range ends in another name
    ("=SUM(Deals!$A$1:EndOfList)", 6.0),         # a one-cell name as a range end in a formula
    ("=SUM(Base:EndOfList)", 5.0),               # names at both ends
    ("=OFFSET(Base,1,1)", 30.0),                 # a one-cell name as OFFSET's base
    ("=SUMIF(OFFSET(Base,0,1),\">0\")", 20.0),
    ("=SUM(OFFSET(AList,1,1))", 90.0),           # a range name as OFFSET's base
    ("=ROWS(AList)", 3.0),
])
def test_name_as_range_end_or_offset_base(engine: NodeEngine, formula: str, expected: float) -> None:
    engine.load(EngineBook(sheets=[EngineSheet("Deals", [*DEALS, (6, 3, formula)])], names=NAMES))
    v = engine.read([("Deals", 6, 3)])[0]
    assert (v.kind, v.number) == ("number", expected)
