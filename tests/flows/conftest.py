"""Fixtures for flow tests: a migrated database per test and a helper to read runs from the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture()
def sqlite_db(app_settings: Path) -> Iterator[str]:
    """The default embedded database of this test's data dir, migrated."""
    from config.settings import get_settings
    from db.migrate import upgrade

    url = get_settings().db_url
    upgrade(url)
    yield url


def task_runs(flow_run_id: Any) -> list[Any]:
    """Task runs of one flow run, as the Prefect server recorded them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    with get_client(sync_client=True) as client:
        return list(client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
            sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=200))


def artifacts(flow_run_id: Any) -> list[Any]:
    """Artifacts created by one flow run (plain REST: the 3.8 sync client sends nulls the server refuses)."""
    from types import SimpleNamespace

    import httpx
    from prefect.settings import PREFECT_API_URL

    body = {"artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}}, "limit": 200, "offset": 0,
            "sort": "CREATED_DESC"}
    reply = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body, timeout=30)
    reply.raise_for_status()
    return [SimpleNamespace(**a) for a in reply.json()]


def flow_run(flow_run_id: Any) -> Any:
    """One flow run from the server."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run_id)
