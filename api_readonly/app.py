"""The read-only HTTP API: `create_app(settings)`, and `app_factory` for `uvicorn --factory`.

Nothing is created at import time: the lifespan makes the database engine, and settings reach the
app only through create_app's argument (app_factory is the entry point that loads them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.engine import make_url

from api_readonly.access import install_access, require_api_key
from api_readonly.errors import install_error_handlers
from api_readonly.params import DEFAULT_PAGE_SIZE
from api_readonly.routers import cells, health, models, validation
from config.prefect_env import server_url
from config.settings import Settings, get_settings
from db.engine import make_engine
from db.migrate import head_revisions

TITLE = "capitallens read-only API"
VERSION = "1"
DESCRIPTION = ("Imported Excel models, their cells, lineage and validation results. GET only. "
               "Lists are `{total, page, page_size, items}`; "
               "errors are `{status, error, message, parameter}`.")
# Per worker process: at most this many requests run their (synchronous) database work at once, in as
# many threads, each on its own pooled connection. A fixed pool, no overflow: an overflow connection is
# closed when it comes back to a full pool, so a burst above the pool size used to open and close a
# PostgreSQL connection (a backend process) per request. More waiting requests queue in the event loop,
# not on the pool. PostgreSQL's default max_connections is 100: a few workers x 10 stay well below it.
CONCURRENT_REQUESTS = 10
PG_POOL = {"pool_size": CONCURRENT_REQUESTS, "max_overflow": 0, "pool_timeout": 10}
PG_STATEMENT_TIMEOUT_MS = 30_000


def _engine_options(url: str) -> dict[str, Any]:
    if make_url(url).get_backend_name() != "postgresql":
        return {}
    # Read-only sessions at the database too, and no query may run away with a connection.
    options = f"-c default_transaction_read_only=on -c statement_timeout={PG_STATEMENT_TIMEOUT_MS}"
    # Autocommit: no BEGIN/ROLLBACK round trips around a request's few reads of immutable model rows,
    # hence nothing to reset on return either. No pre-ping (a SELECT 1 round trip per request): a
    # connection lost to a server restart fails its request with 503 and SQLAlchemy then drops every
    # older pooled connection, so one request per worker sees it.
    return {**PG_POOL, "connect_args": {"options": options}, "isolation_level": "AUTOCOMMIT",
            "pool_pre_ping": False, "pool_reset_on_return": None}


def _lifespan(settings: Settings) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.db_url, **_engine_options(settings.db_url))
        # The thread pool that runs sync endpoints (run_in_threadpool), sized to the connection pool.
        anyio.to_thread.current_default_thread_limiter().total_tokens = CONCURRENT_REQUESTS
        app.state.engine = engine
        app.state.migration_heads = head_revisions()
        app.state.prefect_url = server_url(settings)
        try:
            yield
        finally:
            engine.dispose()

    return lifespan


def _openapi(app: FastAPI, max_page_size: int) -> dict[str, Any]:
    """The generated schema, with the configured page-size cap written into every page_size parameter."""
    if app.openapi_schema is None:
        schema = get_openapi(title=TITLE, version=VERSION, description=DESCRIPTION, routes=app.routes)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for param in operation.get("parameters", []):
                    if param.get("name") == "page_size":
                        param["schema"]["maximum"] = max_page_size
                        param["schema"]["default"] = min(DEFAULT_PAGE_SIZE, max_page_size)
        app.openapi_schema = schema
    return app.openapi_schema


def _add_docs(app: FastAPI) -> None:
    """/openapi.json and /docs, open like /health: the schema is no secret, and a client needs it to
    learn that the other paths want an API key."""

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_json() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{TITLE} - docs")


def _add_routes(app: FastAPI, router: APIRouter, *dependencies: Callable[..., Any]) -> None:
    """The router's routes, with *dependencies* in front of their own, as routes of the app itself.

    Not app.include_router: FastAPI 0.139 resolves an included route through an "effective route
    context" and builds its request handler anew on every request, which measured at about 1 ms of
    CPU per request (bench/bench_api.py --in-process --profile).
    """
    for route in router.routes:
        assert isinstance(route, APIRoute), route
        app.router.add_api_route(
            route.path, route.endpoint, methods=sorted(route.methods or ()), name=route.name,
            response_model=route.response_model, summary=route.summary, description=route.description,
            tags=route.tags, responses=route.responses, status_code=route.status_code,
            include_in_schema=route.include_in_schema, response_class=route.response_class,
            dependencies=[*(Depends(d) for d in dependencies), *route.dependencies],
            response_description=route.response_description, operation_id=route.operation_id,
            route_class_override=type(route))


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI application for *settings* (the engine is created when the app starts)."""
    if settings.api.max_page_size < 1:
        raise ValueError("api.max_page_size must be at least 1")
    app = FastAPI(title=TITLE, version=VERSION, description=DESCRIPTION, lifespan=_lifespan(settings),
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.max_page_size = settings.api.max_page_size
    app.state.api_keys = [k.get_secret_value().encode("utf-8") for k in settings.api.api_keys
                          if k.get_secret_value()]
    install_error_handlers(app)
    _add_routes(app, health.router)
    # The two hot endpoints first: routing tries the routes in order (the paths do not overlap).
    for router in (cells.router, models.router, validation.router):
        _add_routes(app, router, require_api_key)
    _add_docs(app)
    app.openapi = lambda: _openapi(app, settings.api.max_page_size)  # type: ignore[method-assign]
    install_access(app, settings.api.cors_origins)
    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory api_readonly.app:app_factory`: settings from the environment."""
    return create_app(get_settings())
