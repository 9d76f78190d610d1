"""FastRoute (the hot cell endpoints) answers exactly like FastAPI's own handler of the same routes."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api_readonly.app import create_app
from api_readonly.fastroute import FastRoute
from tests.api.conftest import Backend, keyed_settings, make_settings
from tests.api.seed import CALC, INPUTS, ODD, Seeded

QUERIES = [
    "", "?sheet={calc}", "?sheet={calc}&range=B2:D4&page_size=2&page=2", "?function=vlookup&cell_type=formula",
    "?has_mismatch=false&is_circular=true", "?formula_contains=%25&raw_type=number", "?page=9999",
    "?page=0", "?page_size=51", "?page_size=abc", "?range=Q", "?cell_type=nope&raw_type=nope",
    "?function=SUM(", "?sheet=Nope", "?has_mismatch=maybe&page=-1", "?sheet={calc}&sheet={inputs}",
    "?formula_contains=" + "x" * 1001,
]
CELLS = ["{calc}/B2", "{calc}/A1?limit=1", "{inputs}/A1", "{odd}/A1", "{calc}/Z99", "{calc}/B0", "Nope/A1",
         "{calc}/B2?limit=0", "{calc}/B2?limit=x"]


@pytest.fixture(scope="module")
def pair(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    """Clients of the app with FastRoute, and of the same app served by FastAPI's handler."""
    fast = create_app(make_settings(backend.url, tmp_path_factory.mktemp("f"), max_page_size=50))
    patch = pytest.MonkeyPatch()
    patch.setattr(FastRoute, "get_route_handler", APIRoute.get_route_handler)
    try:
        reference = create_app(make_settings(backend.url, tmp_path_factory.mktemp("r"), max_page_size=50))
    finally:
        patch.undo()
    with TestClient(fast) as a, TestClient(reference) as b:
        yield a, b


def _urls(data: Seeded, model_id: int) -> list[str]:
    names = {"calc": quote(CALC, safe=""), "inputs": quote(INPUTS, safe=""), "odd": quote(ODD, safe="")}
    base = f"/api/models/{model_id}/cells"
    return ([base + q.format(**names) for q in QUERIES]
            + [f"{base}/{c.format(**names)}" for c in CELLS])


@pytest.mark.parametrize("which", ["v2", "other", "missing", "bad"])
def test_same_answers_as_fastapi(pair: tuple[TestClient, TestClient], data: Seeded, which: str) -> None:
    model_id = {"v2": data.v2, "other": data.other, "missing": 987654321, "bad": "x1"}[which]
    fast, reference = pair
    for url in _urls(data, model_id):  # type: ignore[arg-type]
        got, want = fast.get(url), reference.get(url)
        assert (got.status_code, got.json()) == (want.status_code, want.json()), url


def test_hot_routes_use_fastroute(pair: tuple[TestClient, TestClient]) -> None:
    hot = {r.path for r in pair[0].app.routes if isinstance(r, FastRoute)}  # type: ignore[attr-defined]
    assert hot == {"/api/models/{model_id}/cells", "/api/models/{model_id}/cells/{sheet:path}/{address}"}


def test_api_key_still_required(api_sqlite: Backend, tmp_path_factory: pytest.TempPathFactory) -> None:
    app = create_app(keyed_settings(api_sqlite.url, tmp_path_factory.mktemp("k")))
    with TestClient(app) as client:
        for url in ("/api/models/1/cells", "/api/models/1/cells/Inputs/A1"):
            assert client.get(url).status_code == 401
            assert client.get(url, headers={"X-API-Key": "k-one"}).status_code in (200, 404, 422)
