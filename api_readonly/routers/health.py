"""GET /health: database reachable, migrations current (both required), Prefect API (reported only)."""

from __future__ import annotations

import logging

import httpx
import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api_readonly.schemas import HealthOut
from db.migrate import current_revisions

router = APIRouter(tags=["health"])
log = logging.getLogger("capitallens.api")
PREFECT_TIMEOUT_SECONDS = 1.0


def _database_state(engine: sa.Engine, heads: set[str]) -> tuple[str, str, list[str]]:
    """('ok' | 'unreachable', 'current' | 'outdated' | 'unknown', problems)."""
    try:
        current = current_revisions(engine)
    except Exception as exc:  # any failure to connect or read the version table means "unreachable"
        log.warning("health: database check failed: %s", exc)
        return "unreachable", "unknown", ["database unreachable"]
    if current != heads:
        at = ", ".join(sorted(current)) or "no schema"
        return "ok", "outdated", [f"database schema at {at}, expected {', '.join(sorted(heads))}: "
                                  "run `capitallens db upgrade`"]
    return "ok", "current", []


async def _prefect_state(url: str | None) -> str:
    if not url:
        return "unreachable"
    try:
        async with httpx.AsyncClient(timeout=PREFECT_TIMEOUT_SECONDS) as client:
            response = await client.get(f"{url.rstrip('/')}/health")
        return "reachable" if response.status_code == 200 else "unreachable"
    except httpx.HTTPError:
        return "unreachable"


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}},
            summary="Service health")
async def health(request: Request) -> JSONResponse:
    """200 when the database answers and its schema is current, else 503; Prefect is only reported."""
    database, migrations, detail = await run_in_threadpool(
        _database_state, request.app.state.engine, request.app.state.migration_heads)
    prefect = await _prefect_state(request.app.state.prefect_url)
    if prefect != "reachable":
        detail.append("Prefect API unreachable (imports need it; the API does not)")
    body = HealthOut(ok=database == "ok" and migrations == "current", database=database,
                     migrations=migrations, prefect=prefect, detail=detail)
    return JSONResponse(body.model_dump(), status_code=200 if body.ok else 503)
