"""Bad requests (422 naming the parameter), injection-shaped values, methods (405), failures (503/500)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api_readonly.app import create_app
from db.engine import make_engine
from tests.api.conftest import Backend, make_settings
from tests.api.seed import CALC, INPUTS, Seeded

LEAKS = ("select ", "traceback", "sqlalchemy", "psycopg", "sqlite3", "file \"")


def _assert_clean_error(body: dict, status: int, echoed: str = "") -> None:
    """The error shape, with no SQL, driver names or traces (besides the client's own *echoed* value)."""
    assert set(body) == {"status", "error", "message", "parameter"} and body["status"] == status
    message = body["message"].replace(echoed, "").lower() if echoed else body["message"].lower()
    assert not any(leak in message for leak in LEAKS), body["message"]


@pytest.mark.parametrize(("path", "params", "parameter", "says"), [
    ("cells", {"range": "B2:ZZZZ1"}, "range", "'B2:ZZZZ1' is not an address range like B2:F40"),
    ("cells", {"range": "B2:C3:D4"}, "range", "is not an address range"),
    ("cells", {"range": "A0"}, "range", "is not an address range"),
    ("cells/Inputs/B0", {}, "address", "'B0' is not a cell address like B7"),
    ("cells/Inputs/XFE1", {}, "address", "is not a cell address"),
    ("cells", {"sheet": "Nope"}, "sheet", "has no sheet named 'Nope'"),
    ("validation/mismatches", {"sheet": "Nope"}, "sheet", "has no sheet named 'Nope'"),
    ("cells", {"page_size": 51}, "page_size", "page_size: 51 is larger than the maximum page size 50"),
    ("cells", {"page_size": 0}, "page_size", "page_size: Input should be greater than or equal to 1"),
    ("cells", {"page": 0}, "page", "page: Input should be greater than or equal to 1"),
    ("cells", {"page": "two"}, "page", "page: Input should be a valid integer"),
    ("cells", {"cell_type": "bogus"}, "cell_type", "cell_type: Input should be 'formula' or 'value'"),
    ("cells", {"has_mismatch": "maybe"}, "has_mismatch", "has_mismatch: Input should be a valid boolean"),
    ("cells", {"function": "SUM("}, "function", "function: String should match pattern"),
    ("cells", {"formula_contains": "a\x00b"}, "formula_contains", "should match pattern"),
    ("cells/Inputs/A1", {"limit": 5000}, "limit", "limit: Input should be less than or equal to 1000"),
    ("validation/mismatches", {"run_id": -1}, "run_id", "run_id: Input should be greater than or equal"),
])
def test_bad_parameters_are_422_naming_the_parameter(client: TestClient, data: Seeded, path: str,
                                                     params: dict, parameter: str, says: str) -> None:
    response = client.get(f"/api/models/{data.v2}/{path}", params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    _assert_clean_error(body, 422)
    assert body["parameter"] == parameter and body["error"] == "invalid_parameter"
    assert says in body["message"]


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/models/abc", "model_id"), ("/api/models/0", "model_id"), ("/api/models/99999999999", "model_id"),
    ("/api/models?sort=size", "sort"), ("/api/models?q=a%00b", "q"),
])
def test_bad_ids_and_list_parameters(client: TestClient, url: str, parameter: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    _assert_clean_error(response.json(), 422)
    assert response.json()["parameter"] == parameter


INJECTIONS = ["x' OR '1'='1", "'; DROP TABLE cells; --", "\" OR 1=1 --", "1; DELETE FROM models",
              "Inputs' --", "%' OR sheet_name LIKE '%", "A1') UNION SELECT * FROM models --"]


def _counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()  # type: ignore[return-value]
                         for t in ("models", "cells", "cell_precedents"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_shaped_values_are_just_text(client: TestClient, backend: Backend, value: str) -> None:
    data = backend.data
    before = _counts(backend.url)
    assert client.get("/api/models", params={"q": value}).json()["total"] == 0
    assert client.get("/api/models", params={"status": value[:32]}).json()["total"] == 0  # max length 32
    base = f"/api/models/{data.v2}/cells"
    assert client.get(base, params={"formula_contains": value}).json()["total"] == 0
    response = client.get(base, params={"sheet": value})
    assert response.status_code == 422 and response.json()["parameter"] == "sheet"
    assert client.get(base, params={"range": value}).status_code == 422
    assert client.get(base, params={"function": value}).status_code == 422
    response = client.get(f"{base}/{value.replace('/', '%2F')}/A1")
    assert response.status_code in (404, 422)  # an unknown sheet, or no route for '?'/'#' cut URLs
    _assert_clean_error(response.json(), response.status_code, echoed=value)
    assert _counts(backend.url) == before


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", ["/api/models", "/api/models/1/cells", "/health", "/docs", "/no/such/path"])
def test_only_get_and_head(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    _assert_clean_error(response.json(), 405)


@pytest.mark.parametrize("path", ["/api/models", "/api/models/{v2}/cells?cell_type=formula",
                                  "/api/models/{v2}/stats", "/api/models/999999", "/api/models/{v2}/cells?range=Q",
                                  "/no/such/path", "/openapi.json"])
def test_head_is_get_without_the_body(client: TestClient, data: Seeded, path: str) -> None:
    url = path.format(v2=data.v2)
    got, head = client.get(url), client.head(url)
    assert head.status_code == got.status_code
    assert head.content == b"" and got.content != b""
    for name in ("content-type", "content-length"):
        assert head.headers[name] == got.headers[name]


def test_unknown_path_is_404_in_the_error_shape(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    _assert_clean_error(response.json(), 404)


def test_database_down_is_503_everywhere_but_reported_by_health(tmp_path: Path) -> None:
    settings = make_settings("postgresql://postgres@127.0.0.1:9/none", tmp_path)  # nothing listens on 9
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/models")
        assert response.status_code == 503
        _assert_clean_error(response.json(), 503)
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["database"] == "unreachable" and health.json()["ok"] is False


def test_unmigrated_database(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        health = client.get("/health").json()
        assert (health["ok"], health["database"], health["migrations"]) == (False, "ok", "outdated")
        assert "capitallens db upgrade" in health["detail"][0]
        response = client.get("/api/models")  # no tables: an unexpected error, reported without detail
        assert response.status_code == 500
        assert response.json() == {"status": 500, "error": "internal_error",
                                   "message": "internal server error", "parameter": None}


def test_health_of_a_good_database(client: TestClient) -> None:
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200 and body["ok"] is True
    assert (body["database"], body["migrations"]) == ("ok", "current")
    assert body["prefect"] in ("reachable", "unreachable")  # reported, never required


def test_sheet_names_in_messages_are_quoted_not_interpreted(client: TestClient, data: Seeded) -> None:
    response = client.get(f"/api/models/{data.v2}/cells", params={"sheet": CALC.lower()})
    assert response.status_code == 422  # sheet names are matched exactly
    assert client.get(f"/api/models/{data.v2}/cells", params={"sheet": INPUTS}).status_code == 200
