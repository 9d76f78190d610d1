"""GET /cells totals: exact on every page, counted once per model version and filter, never stale after a
validation run; and the fixed per-worker connection pool the hot endpoints run on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api_readonly.app import CONCURRENT_REQUESTS, _engine_options, create_app
from api_readonly.queries.cells import TotalsCache
from db.engine import make_engine
from db.models import Cell, Model, ValidationRun
from tests.api.conftest import Backend, make_settings
from tests.api.seed import CALC, INPUTS, Seeded, seed


@pytest.fixture()
def fresh(backend: Backend) -> Iterator[tuple[sa.Engine, Seeded]]:
    """A newly seeded data set of its own in *backend*'s database (these tests change its rows)."""
    engine = make_engine(backend.url)
    try:
        yield engine, seed(engine)
    finally:
        engine.dispose()


def _body(client: TestClient, model_id: int, **params: object) -> dict:
    response = client.get(f"/api/models/{model_id}/cells", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _record_run(engine: sa.Engine, model_id: int, address_row: int, address_col: int) -> None:
    """What db.validation_store.record_run changes, in one transaction: a new run, a cell's has_mismatch
    and the model's updated_at."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(ValidationRun).values(model_id=model_id, engine="hyperformula", formula_cells=7,
                                                      counts={}, summary={}, started_at=now, finished_at=now))
        conn.execute(sa.update(Cell).where(Cell.model_id == model_id, Cell.sheet_name == CALC,
                                           Cell.row_num == address_row, Cell.col_num == address_col)
                     .values(has_mismatch=True))
        conn.execute(sa.update(Model).where(Model.id == model_id).values(updated_at=now))


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 5, 6])
def test_total_is_exact_on_every_page(client: TestClient, data: Seeded, page_size: int) -> None:
    # 6 formula cells on CALC: full pages (counted), a partial last page, and the empty page after it.
    seen = []
    for page in range(1, 8):
        body = _body(client, data.v2, sheet=CALC, cell_type="formula", page=page, page_size=page_size)
        assert body["total"] == 6, (page, body)
        seen += [c["address"] for c in body["items"]]
    assert seen == ["A1", "B2", "C3", "D4", "E5", "E6"]


def test_cached_total_follows_a_new_validation_run(client: TestClient, fresh: tuple[sa.Engine, Seeded]) -> None:
    engine, data = fresh
    assert _body(client, data.v2, sheet=CALC, has_mismatch="true", page_size=1)["total"] == 1
    _record_run(engine, data.v2, 3, 3)  # C3 mismatches now
    body = _body(client, data.v2, sheet=CALC, has_mismatch="true", page_size=1)
    assert body["total"] == 2 and [c["address"] for c in body["items"]] == ["B2"]
    assert [c["address"] for c in _body(client, data.v2, sheet=CALC, has_mismatch="true", page=2,
                                        page_size=1)["items"]] == ["C3"]


def test_total_is_counted_once_per_model_version(client: TestClient, fresh: tuple[sa.Engine, Seeded]) -> None:
    engine, data = fresh
    assert _body(client, data.v2, sheet=INPUTS, page_size=2)["total"] == 5
    # Rows changed behind the model's back (no import or validation run does that) keep the cached total:
    # proof that the total was not counted again. The page itself is always read fresh.
    with engine.begin() as conn:
        conn.execute(sa.delete(Cell).where(Cell.model_id == data.v2, Cell.sheet_name == INPUTS,
                                           Cell.row_num == 3))
    body = _body(client, data.v2, sheet=INPUTS, page_size=2)
    assert body["total"] == 5 and [c["address"] for c in body["items"]] == ["A1", "B1"]
    # Another filter, or the same filter after the model's version moves on, is counted afresh.
    assert _body(client, data.v2, sheet=INPUTS, raw_type="number", page_size=1)["total"] == 2
    with engine.begin() as conn:
        conn.execute(sa.update(Model).where(Model.id == data.v2).values(updated_at=datetime.now(UTC)))
    assert _body(client, data.v2, sheet=INPUTS, page_size=2)["total"] == 4


def test_totals_cache_drops_the_least_recently_used() -> None:
    cache = TotalsCache(size=2)
    cache.put(("a",), 1)
    cache.put(("b",), 2)
    assert cache.get(("a",)) == 1  # "a" is now the most recently used
    cache.put(("c",), 3)
    assert (cache.get(("a",)), cache.get(("b",)), cache.get(("c",))) == (1, None, 3)
    cache.clear()
    assert cache.get(("a",)) is None


def test_postgres_pool_is_fixed_and_matches_the_thread_limit(api_postgres: Backend, tmp_path: Path) -> None:
    options = _engine_options(api_postgres.url)
    assert (options["pool_size"], options["max_overflow"]) == (CONCURRENT_REQUESTS, 0)
    app = create_app(make_settings(api_postgres.url, tmp_path))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        assert app.state.engine.pool.size() == CONCURRENT_REQUESTS
        assert app.state.engine.pool._max_overflow == 0

        async def tokens() -> float:
            return anyio.to_thread.current_default_thread_limiter().total_tokens

        assert client.portal is not None
        assert client.portal.call(tokens) == CONCURRENT_REQUESTS
