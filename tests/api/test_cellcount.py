"""Range counts of GET /cells from the in-memory position index: equal to the database's count."""

from __future__ import annotations

import itertools
import random
import threading

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api_readonly.queries.cellcount import MAX_COLUMNS_SEARCHED, POSITIONS, PositionIndex, SheetPositions
from db.engine import make_engine
from db.models import Cell
from tests.api.conftest import Backend
from tests.api.seed import CALC, INPUTS, Seeded


def _brute(cells: set[tuple[int, int]], bounds: tuple[int, int, int, int] | None) -> int:
    if bounds is None:
        return len(cells)
    r1, c1, r2, c2 = bounds
    return sum(1 for r, c in cells if r1 <= r <= r2 and c1 <= c <= c2)


def test_sheet_positions_count_like_a_scan() -> None:
    rnd = random.Random(7)
    cells = {(rnd.randint(1, 300), rnd.randint(1, 40)) for _ in range(3000)}
    positions = SheetPositions.from_rows(sorted(cells))
    assert positions.size == len(cells)
    for _ in range(300):
        r1, r2 = sorted((rnd.randint(1, 320), rnd.randint(1, 320)))
        c1, c2 = sorted((rnd.randint(1, 45), rnd.randint(1, 45)))
        assert positions.count((r1, c1, r2, c2)) == _brute(cells, (r1, c1, r2, c2))
    assert positions.count(None) == len(cells)
    assert positions.count((500, 1, 600, 40)) == 0  # below every cell


def test_too_many_columns_are_left_to_the_database() -> None:
    wide = SheetPositions.from_rows([(1, c) for c in range(1, MAX_COLUMNS_SEARCHED + 2)])
    assert wide.count((1, 1, 1, MAX_COLUMNS_SEARCHED + 1)) is None
    assert wide.count((1, 1, 1, MAX_COLUMNS_SEARCHED)) == MAX_COLUMNS_SEARCHED


def test_index_is_built_on_the_second_miss_and_loaded_once() -> None:
    index = PositionIndex(build_on=2)
    loads = []

    def load() -> list[tuple[int, int]]:
        loads.append(1)
        return [(1, 1), (2, 1), (2, 3)]

    assert index.count(("k",), None, load) is None and loads == []  # the caller counts the first time
    assert index.count(("k",), (2, 1, 2, 5), load) == 2 and len(loads) == 1
    assert index.count(("k",), None, load) == 3 and len(loads) == 1


def test_requests_during_a_build_count_themselves() -> None:
    index = PositionIndex(build_on=1)
    started, release = threading.Event(), threading.Event()

    def slow_load() -> list[tuple[int, int]]:
        started.set()
        release.wait(10)
        return [(1, 1)]

    results: list[int | None] = []
    builder = threading.Thread(target=lambda: results.append(index.count(("k",), None, slow_load)))
    builder.start()
    assert started.wait(10)
    assert index.count(("k",), None, slow_load) is None  # not blocked behind the build
    release.set()
    builder.join(10)
    assert results == [1] and index.count(("k",), None, slow_load) == 1


def test_least_recently_used_indexes_go_beyond_the_position_budget() -> None:
    index = PositionIndex(max_positions=4, build_on=1)
    three = [(1, 1), (2, 1), (3, 1)]
    assert index.count(("a",), None, lambda: three) == 3
    assert index.count(("b",), None, lambda: [(1, 1)]) == 1
    assert len(index) == 2
    assert index.count(("c",), None, lambda: [(1, 1), (1, 2)]) == 2  # over budget: "a" goes
    assert len(index) == 2
    loads = []

    def huge() -> list[tuple[int, int]]:
        loads.append(1)
        return [(r, 1) for r in range(1, 10)]

    assert index.count(("huge",), None, huge) == 9  # answered, but never stored
    assert len(index) == 2
    assert [index.count(("huge",), None, huge) for _ in range(3)] == [None] * 3  # nor read again
    assert len(loads) == 1
    index.clear()
    assert len(index) == 0


FILTERS = [{}, {"cell_type": "formula"}, {"cell_type": "value"}, {"raw_type": "number"},
           {"has_mismatch": "false"}, {"has_mismatch": "true"}, {"is_circular": "true"},
           {"cell_type": "formula", "is_circular": "false"}]
RANGES = [None, "A1:Z99", "A1:A3", "B2:E6", "A2:B3", "C1:C9", "E5", "A4:F99"]


def _sql_count(backend: Backend, model_id: int, sheet: str, flt: dict, cell_range: str | None) -> int:
    from core.addressing import parse_range

    where = [Cell.model_id == model_id, Cell.sheet_name == sheet]
    if cell_range:
        r1, c1, r2, c2 = parse_range(cell_range)
        where += [Cell.row_num.between(r1, r2), Cell.col_num.between(c1, c2)]
    if "cell_type" in flt:
        where.append(Cell.cell_type == flt["cell_type"])
    if "raw_type" in flt:
        where.append(Cell.raw_type == flt["raw_type"])
    if flt.get("has_mismatch") == "true":
        where.append(Cell.has_mismatch.is_(True))
    elif flt.get("has_mismatch") == "false":
        where.append(sa.or_(Cell.has_mismatch.is_(None), Cell.has_mismatch.is_(False)))
    if "is_circular" in flt:
        where.append(Cell.is_circular.is_(flt["is_circular"] == "true"))
    engine = make_engine(backend.url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(Cell).where(*where)).scalar_one())
    finally:
        engine.dispose()


def test_api_totals_match_the_database_before_and_after_indexing(client: TestClient, backend: Backend,
                                                                 data: Seeded) -> None:
    for sheet, flt, cell_range in itertools.product((INPUTS, CALC), FILTERS, RANGES):
        expected = _sql_count(backend, data.v2, sheet, flt, cell_range)
        params = {"sheet": sheet, "page_size": 1, **flt, **({"range": cell_range} if cell_range else {})}
        response = client.get(f"/api/models/{data.v2}/cells", params=params)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == expected, (sheet, flt, cell_range)
    # Every (sheet, filters) was counted for 8 ranges: the full pages built an index for most of them.
    assert any(key[0] == data.v2 for key in list(POSITIONS._data))
