"""Stage progress: a Prefect progress artifact in the UI, and local listeners (the CLI's progress bar)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

STAGES = ("hash", "parse", "graph", "evaluate", "insert", "validate")

# (file path, stage, event 'start'|'done'|'failed'|'skipped', seconds) -> None
Listener = Callable[[str, str, str, float], None]
_listeners: list[Listener] = []
log = logging.getLogger("capitallens.flows")


def add_listener(listener: Listener) -> None:
    """Receive stage events of imports run in this process."""
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    """Stop receiving stage events."""
    if listener in _listeners:
        _listeners.remove(listener)


def notify(path: str, stage: str, event: str, seconds: float = 0.0) -> None:
    """Tell every listener; a failing listener never fails an import."""
    for listener in list(_listeners):
        try:
            listener(path, stage, event, seconds)
        except Exception:  # a broken progress bar must not break an import
            log.exception("progress listener failed")


class UIProgress:
    """A Prefect progress artifact that moves through the six stages (no-op outside a flow run)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.artifact_id: UUID | None = None

    def start(self, label: str) -> None:
        """Create the artifact at 0 %."""
        if not self.enabled:
            return
        from prefect.artifacts import create_progress_artifact

        created = create_progress_artifact(0.0, description=f"import {label}: starting")
        self.artifact_id = created if isinstance(created, UUID) else None  # sync context: always a UUID

    def stage_done(self, stage: str) -> None:
        """Move the artifact to the end of *stage*."""
        if not self.enabled or self.artifact_id is None:
            return
        from prefect.artifacts import update_progress_artifact

        done = STAGES.index(stage) + 1
        update_progress_artifact(self.artifact_id, 100.0 * done / len(STAGES),
                                 description=f"{stage} done ({done}/{len(STAGES)})")

    def finish(self) -> None:
        """Mark all stages done (duplicates and validate=False skip some)."""
        if self.enabled and self.artifact_id is not None:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(self.artifact_id, 100.0, description="finished")


def rename_flow_run(name: str) -> None:
    """Rename the current flow run (its name should say which file; the hash is known after stage 1)."""
    from prefect.client.orchestration import get_client
    from prefect.runtime import flow_run

    run_id: Any = flow_run.id
    if not run_id:
        return
    with get_client(sync_client=True) as client:
        client.update_flow_run(run_id, name=name)
