"""The optional X-API-Key (not on /health, /docs, /openapi.json), CORS origins, `capitallens api`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api_readonly.app import create_app
from tests.api.conftest import REPO_ROOT, Backend, keyed_settings, make_settings

ORIGIN = "https://app.example"


@pytest.fixture(scope="module")
def keyed(api_sqlite: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of an app with API keys k-one/k-two and one CORS origin."""
    with TestClient(create_app(keyed_settings(api_sqlite.url, tmp_path_factory.mktemp("k")))) as client:
        yield client


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/api/models", "/api/models/1/cells", "/api/models/999",
                                  "/api/models/1/cells/Inputs/B2", "/api/models/1/stats"])
@pytest.mark.parametrize(("key", "status"), [(None, 401), ("", 401), ("k-on", 401), ("k-one ", 401),
                                             ("K-ONE", 401), ("k-one", None), ("k-two", None)])
def test_key_required_on_the_api(keyed: TestClient, method: str, path: str, key: str | None,
                                 status: int | None) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    response = keyed.request(method, path, headers=headers)
    if method == "HEAD":
        assert response.content == b""
        assert response.status_code in ((200, 404, 422) if status is None else (401,))
    elif status is None:
        assert response.status_code in (200, 404)  # authorised: the route answers for itself
    else:
        assert response.status_code == 401
        assert response.json() == {"status": 401, "error": "unauthorized", "parameter": "X-API-Key",
                                   "message": "X-API-Key: missing or not a valid API key"}


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/health", "/openapi.json", "/docs"])
@pytest.mark.parametrize("key", [None, "wrong", "k-one"])
def test_health_and_docs_need_no_key(keyed: TestClient, method: str, path: str, key: str | None) -> None:
    response = keyed.request(method, path, headers={} if key is None else {"X-API-Key": key})
    assert response.status_code == 200
    assert (response.content == b"") == (method == "HEAD")


def test_openapi_documents_the_key_and_page_cap(keyed: TestClient) -> None:
    schema = keyed.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    params = {p["name"]: p for p in schema["paths"]["/api/models/{model_id}/cells"]["get"]["parameters"]}
    assert params["page_size"]["schema"]["maximum"] == 1000
    assert set(schema["paths"]["/api/models/{model_id}/cells"]["get"]["responses"]) >= {"200", "404", "422"}


def test_cors_allows_configured_origin_only(keyed: TestClient) -> None:
    headers = {"X-API-Key": "k-one"}
    response = keyed.get("/api/models", headers={**headers, "Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    response = keyed.get("/api/models", headers={**headers, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = keyed.options("/api/models", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-API-Key"})
    assert preflight.status_code == 200
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()


def test_no_cors_headers_without_origins(api_sqlite: Backend, tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(api_sqlite.url, tmp_path))) as client:
        response = client.get("/api/models", headers={"Origin": ORIGIN})
        assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_api_command_serves_the_app(api_sqlite: Backend, tmp_path: Path) -> None:
    port = _free_port()
    script = ("import typer\nfrom cli import api_cmd\napp = typer.Typer()\napi_cmd.register(app)\n"
              "app.command('noop')(lambda: None)\napp()\n")
    env = {**os.environ, "DATABASE_URL": api_sqlite.url, "CAPITALLENS_DATA_DIR": str(tmp_path),
           "CAPITALLENS_API__PORT": str(port), "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script, "api", "--host", "127.0.0.1", "--log-level",
                             "warning"], env=env, cwd=tmp_path)
    try:
        body = None
        for _ in range(100):  # the port comes from settings (CAPITALLENS_API__PORT)
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/api/models", timeout=1).json()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert body is not None and body["total"] >= 3
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=2).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=15)
