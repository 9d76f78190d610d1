"""evaluate stage: recompute every formula with HyperFormula and solve circular groups."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from core.stage import EVALUATE, StageDir
from hf.evaluate import evaluate_to
from tasks.log import stage_logger
from tasks.resources import formula_engine
from tasks.retry import only_transient


@task(name="evaluate", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=only_transient,
      cache_policy=NO_CACHE)
def evaluate(stage: StageDir, node_binary: str, call_timeout: float, startup_timeout: float,
             max_old_space_mb: int, force: bool = False) -> StageDir:
    """Write evaluate/values.arrow under *stage*. Raises TransientError (Node died/timed out), EngineError."""
    log = stage_logger()
    if stage.is_done(EVALUATE) and not force:
        log.info("evaluate output for %s already present", stage.sha256[:12])
        return stage
    engine = formula_engine(node_binary, call_timeout, startup_timeout, max_old_space_mb)
    summary = evaluate_to(stage, engine)
    log.info("evaluated %s: %s", stage.sha256[:12], summary)
    return stage
