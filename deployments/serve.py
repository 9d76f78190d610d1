"""Serve the import and revalidation deployments from this process (`capitallens serve-deployments`).

import-workbook/import: on demand (UI, REST API, `run_deployment`) and on every `inbox.file.dropped`
event; revalidate/nightly: on a cron schedule from settings. Served runs start a process per run.
"""

from __future__ import annotations

from typing import Any

from config.settings import Settings

IMPORT_DEPLOYMENT = "import-workbook/import"
REVALIDATE_DEPLOYMENT = "revalidate/nightly"
DROPPED_EVENT = "inbox.file.dropped"


def build_deployments(settings: Settings) -> list[Any]:
    """The two RunnerDeployments with their triggers and schedule."""
    from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger

    from flows.import_workbook import import_workbook
    from flows.revalidate import revalidate

    trigger = DeploymentEventTrigger(
        name="import dropped file", expect={DROPPED_EVENT},
        parameters={"path": "{{ event.payload.path }}"},
    )
    return [
        import_workbook.to_deployment(
            name="import", triggers=[trigger], tags=["capitallens"],
            description="Import one workbook: hash, parse, graph, evaluate, insert, validate."),
        revalidate.to_deployment(
            name="nightly", cron=settings.prefect.revalidate_cron, tags=["capitallens"],
            description="Re-evaluate and re-validate every stored model."),
    ]


def serve_deployments(settings: Settings) -> None:
    """Register and serve both deployments until interrupted."""
    from prefect import serve

    serve(*build_deployments(settings), limit=settings.watcher.max_concurrent_imports)
