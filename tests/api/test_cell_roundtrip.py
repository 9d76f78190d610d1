"""One cell with its lineage in one round trip (pipelined on PostgreSQL), and the cached range heights
that make that possible: used only for the model they were read for."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api_readonly.queries.cells import RANGE_HEIGHTS, _HeightCache
from api_readonly.queries.compiled import Compiled, fetch_all
from db.engine import make_engine
from tests.api.conftest import Backend
from tests.api.seed import CALC, INPUTS, Seeded


def _dependents(client: TestClient, model_id: int, sheet: str, address: str) -> list[tuple[str, str]]:
    response = client.get(f"/api/models/{model_id}/cells/{quote(sheet, safe='')}/{address}")
    assert response.status_code == 200, response.text
    return sorted((d["address"], d["via"]) for d in response.json()["dependents"])


FED_BY_TALL_RANGES = [("A1", "A1:A3"), ("B2", "A1:B3"), ("C3", "A1:A3")]


def test_heights_cached_for_another_model_are_not_used(client: TestClient, data: Seeded) -> None:
    # What a deleted model whose id SQLite handed to a new import would leave: a height of 0 under the
    # same id and sheet, with the old model's file hash. Trusting it would lose every dependent through a
    # range starting above the cell.
    with RANGE_HEIGHTS._lock:
        RANGE_HEIGHTS._data[(data.v2, INPUTS)] = ("0" * 64, 0)
    assert _dependents(client, data.v2, INPUTS, "A3") == FED_BY_TALL_RANGES
    found = RANGE_HEIGHTS.peek(data.v2, INPUTS)
    assert found is not None and found[1] == 2 and found[0] != "0" * 64
    # The corrected entry serves the next request (the pipelined path) with the same answer.
    assert _dependents(client, data.v2, INPUTS, "A3") == FED_BY_TALL_RANGES


def test_first_and_later_requests_agree(client: TestClient, data: Seeded) -> None:
    with RANGE_HEIGHTS._lock:
        RANGE_HEIGHTS._data.pop((data.v2, INPUTS), None)
    first = _dependents(client, data.v2, INPUTS, "A2")  # height read, then dependents
    assert RANGE_HEIGHTS.peek(data.v2, INPUTS) is not None
    assert _dependents(client, data.v2, INPUTS, "A2") == first == FED_BY_TALL_RANGES


def test_unknown_sheet_and_empty_cell_on_the_pipelined_path(client: TestClient, data: Seeded) -> None:
    _dependents(client, data.v2, CALC, "A1")  # heights of CALC cached: the next requests pipeline
    missing = client.get(f"/api/models/{data.v2}/cells/{quote(CALC)}/Z99")
    assert missing.status_code == 404 and missing.json()["parameter"] == "address"
    unknown = client.get(f"/api/models/{data.v2}/cells/Nope/A1")
    assert unknown.status_code == 422 and unknown.json()["parameter"] == "sheet"


def test_height_cache_keeps_the_most_recent(backend: Backend, data: Seeded) -> None:
    cache = _HeightCache(size=1)
    engine = make_engine(backend.url)
    try:
        with engine.connect() as conn:
            assert cache.get(conn, data.v2, "h1", INPUTS) == 2
            assert cache.get(conn, data.v2, "h1", CALC) == 0
    finally:
        engine.dispose()
    assert cache.peek(data.v2, INPUTS) is None and cache.peek(data.v2, CALC) == ("h1", 0)


def test_fetch_all_returns_each_statements_rows_in_order(backend: Backend) -> None:
    engine = make_engine(backend.url)
    named = backend.name == "postgresql"
    one = Compiled("SELECT %(a)s + 1" if named else "SELECT ? + 1", None if named else ("a",), (), {})
    two = Compiled("SELECT %(a)s * 10 UNION ALL SELECT %(a)s * 20" if named
                   else "SELECT ? * 10 UNION ALL SELECT ? * 20", None if named else ("a", "a"), (), {})
    try:
        with engine.connect() as conn:
            assert fetch_all(conn, [(one, {"a": 1}), (two, {"a": 2}), (one, {"a": 5})]) == [
                [(2,)], [(20,), (40,)], [(6,)]]
            bad = Compiled("SELECT no_such_column FROM models", None if named else (), (), {})
            with pytest.raises(sa.exc.DBAPIError):
                fetch_all(conn, [(one, {"a": 1}), (bad, {})])
    finally:
        engine.dispose()
