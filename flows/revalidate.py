"""revalidate flow: re-evaluate and re-validate stored models from their stored files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prefect import flow

from config.settings import Settings, get_settings
from core.errors import PipelineError
from core.stage import StageDir
from tasks.catalog import StoredModel, select_models
from tasks.evaluate import evaluate
from tasks.graph import graph
from tasks.parse import parse
from tasks.validate import validate as validate_task


@dataclass(frozen=True)
class RevalidationOutcome:
    """Match rates before and after, per model; which changed; which failed and why."""

    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    changed: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def revalidate_one(model: StoredModel, settings: Settings, call: Any) -> float | None:
    """Re-run parse/graph (if their outputs are gone), evaluate (always) and validate for one model."""
    stage = StageDir.for_hash(settings.work_dir, model.sha256)
    call(parse, stage=stage, source=model.stored_path, filename=model.original_filename,
         max_uncompressed_bytes=settings.limits.max_uncompressed_bytes,
         max_compression_ratio=settings.limits.max_compression_ratio)
    call(graph, stage=stage)
    hf = settings.hf
    call(evaluate, stage=stage, node_binary=hf.node_binary, call_timeout=hf.call_timeout_seconds,
         startup_timeout=hf.startup_timeout_seconds, max_old_space_mb=hf.max_old_space_mb, force=True)
    return call(validate_task, stage=stage, database_url=settings.db_url,  # type: ignore[no-any-return]
                model_id=model.model_id).match_rate


def revalidate_models(model_ids: list[int] | None, settings: Settings, call: Any) -> RevalidationOutcome:
    """Revalidate each model; one failing model does not stop the others."""
    outcome = RevalidationOutcome()
    for model in call(select_models, database_url=settings.db_url, model_ids=model_ids):
        try:
            rate = revalidate_one(model, settings, call)
        except PipelineError as exc:
            outcome.failed[model.model_id] = str(exc)
            continue
        outcome.results[model.model_id] = {"before": model.last_match_rate, "after": rate}
        if rate != model.last_match_rate:
            outcome.changed.append(model.model_id)
    return outcome


@flow(name="revalidate", persist_result=False)
def revalidate(model_ids: list[int] | None = None) -> RevalidationOutcome:
    """Re-evaluate and re-validate stored models (all when none given); report match-rate changes."""
    from prefect import get_run_logger
    from prefect.artifacts import create_markdown_artifact

    settings = get_settings()
    opts = {"retries": settings.prefect.task_retries,
            "retry_delay_seconds": settings.prefect.task_retry_delays}
    outcome = revalidate_models(model_ids, settings, lambda t, **kw: t.with_options(**opts)(**kw))
    lines = ["# Revalidation", "", "| model | before | after | changed |", "|---|---|---|---|"]
    lines += [f"| {m} | {r['before']} | {r['after']} | {'yes' if m in outcome.changed else ''} |"
              for m, r in outcome.results.items()]
    lines += [f"| {m} | failed: {why} | | |" for m, why in outcome.failed.items()]
    create_markdown_artifact("\n".join(lines) + "\n", key="revalidation")
    get_run_logger().info("revalidated %d models, %d changed, %d failed", len(outcome.results),
                          len(outcome.changed), len(outcome.failed))
    if outcome.failed:
        raise PipelineError(f"revalidation failed for models {sorted(outcome.failed)}")
    return outcome


def run_revalidate_direct(model_ids: list[int] | None, settings: Settings | None = None) -> RevalidationOutcome:
    """The same without Prefect (CLI on a machine with no server)."""
    return revalidate_models(model_ids, settings or get_settings(), lambda t, **kw: t.fn(**kw))
