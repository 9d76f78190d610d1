"""graph stage: references, dependency graph, circular groups, evaluation order, lineage."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from core.graph import build_to
from core.stage import GRAPH, StageDir
from tasks.log import stage_logger
from tasks.retry import only_transient


@task(name="graph", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=only_transient,
      cache_policy=NO_CACHE)
def graph(stage: StageDir) -> StageDir:
    """Build the graph outputs under *stage* (skipped when already done). Raises StageOutputMissing."""
    log = stage_logger()
    if stage.is_done(GRAPH):
        log.info("graph output for %s already present", stage.sha256[:12])
        return stage
    summary = build_to(stage)
    log.info("graph of %s: %s", stage.sha256[:12], summary)
    return stage
