"""import-workbook flow: hash → parse → graph → evaluate → insert → validate.

The flow only sequences the six stage tasks and records the outcome. The same sequence also runs
without Prefect (`run_import_direct`), for the CLI on a machine with no Prefect server: Prefect's
ephemeral mode costs 40-50 s per process on our machines (PLATFORM_NOTES).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow

from config.settings import Settings, get_settings
from core.errors import PipelineError, TransientError
from core.stage import StageDir
from flows import progress
from tasks.evaluate import evaluate
from tasks.graph import graph
from tasks.hash import hash_file
from tasks.insert import insert
from tasks.parse import parse
from tasks.summary import import_stats, markdown_summary
from tasks.validate import validate as validate_task

# The flow parameter is called `validate` (the documented interface); pydantic warns that the name
# shadows BaseModel.validate in Prefect's parameter model, which is harmless here.
warnings.filterwarnings("ignore", message='Field name "validate"', category=UserWarning)

Runner = Callable[..., Any]  # runner(stage_name, task, **kwargs) -> task result


@dataclass(frozen=True)
class ImportOutcome:
    """What one import did (small: safe to return from a flow and print as JSON)."""

    path: str
    model_id: int | None = None
    version: int | None = None
    duplicate: bool = False
    sha256: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)  # validation counts, warnings, top mismatches

    def as_json(self) -> dict[str, Any]:
        """The --json shape."""
        return asdict(self)


def run_stages(path: str, name: str | None, do_validate: bool, settings: Settings, run: Runner,
               ui: progress.UIProgress) -> ImportOutcome:
    """Run the six stages through *run*. Raises PipelineError (the caller records it)."""
    seconds: dict[str, float] = {}
    timed = _timed(run, path, seconds, ui)
    db_url = settings.db_url
    hashed = timed("hash", hash_file, path=path, files_dir=str(settings.files_dir),
                   max_bytes=settings.limits.max_file_bytes, database_url=db_url)
    sha = hashed.stored.sha256
    if ui.enabled:
        progress.rename_flow_run(f"import-{Path(path).name}-{sha[:8]}")
    if hashed.existing_model_id is not None:
        ui.finish()
        return ImportOutcome(path, hashed.existing_model_id, hashed.existing_version, True, sha,
                             stage_seconds=seconds)
    stage = StageDir.for_hash(settings.work_dir, sha)
    timed("parse", parse, stage=stage, source=str(hashed.stored.stored_path), filename=Path(path).name,
          max_uncompressed_bytes=settings.limits.max_uncompressed_bytes,
          max_compression_ratio=settings.limits.max_compression_ratio)
    timed("graph", graph, stage=stage)
    hf = settings.hf
    timed("evaluate", evaluate, stage=stage, node_binary=hf.node_binary, call_timeout=hf.call_timeout_seconds,
          startup_timeout=hf.startup_timeout_seconds, max_old_space_mb=hf.max_old_space_mb)
    inserted = timed("insert", insert, stage=stage, database_url=db_url, name=name or Path(path).stem,
                     original_filename=Path(path).name, stored_path=str(hashed.stored.stored_path),
                     file_size=hashed.stored.size, stage_seconds=dict(seconds))
    validation = None
    if do_validate and not inserted.duplicate:
        validation = timed("validate", validate_task, stage=stage, database_url=db_url, model_id=inserted.model_id)
    ui.finish()
    stats = import_stats(stage, validation.match_rate if validation else None)
    extra = {"top_mismatches": list(validation.top_mismatches), "warnings": list(validation.warnings),
             "validation_counts": validation.counts} if validation else {}
    return ImportOutcome(path, inserted.model_id, inserted.version, inserted.duplicate, sha, stats, seconds,
                         details=extra)


def _timed(run: Runner, path: str, seconds: dict[str, float], ui: progress.UIProgress) -> Runner:
    """Wrap *run* so each stage is timed, reported to listeners and to the UI progress artifact."""
    def call(stage_name: str, task_obj: Any, **kwargs: Any) -> Any:
        progress.notify(path, stage_name, "start")
        t0 = time.perf_counter()
        try:
            result = run(stage_name, task_obj, **kwargs)
        except BaseException:
            progress.notify(path, stage_name, "failed", time.perf_counter() - t0)
            raise
        seconds[stage_name] = round(time.perf_counter() - t0, 3)
        progress.notify(path, stage_name, "done", seconds[stage_name])
        ui.stage_done(stage_name)
        return result
    return call


def prefect_runner(settings: Settings) -> Runner:
    """Call tasks as Prefect tasks, with retry counts and delays from settings."""
    opts = {"retries": settings.prefect.task_retries,
            "retry_delay_seconds": settings.prefect.task_retry_delays}

    def run(stage_name: str, task_obj: Any, **kwargs: Any) -> Any:
        return task_obj.with_options(**opts)(**kwargs)
    return run


def direct_runner(settings: Settings, sleep: Callable[[float], None] = time.sleep) -> Runner:
    """Call the task functions directly (no Prefect), retrying TransientError like the tasks do."""
    delays = list(settings.prefect.task_retry_delays)
    retries = settings.prefect.task_retries

    def run(stage_name: str, task_obj: Any, **kwargs: Any) -> Any:
        for attempt in range(retries + 1):
            try:
                return task_obj.fn(**kwargs)
            except TransientError:
                if attempt == retries:
                    raise
                sleep(delays[min(attempt, len(delays) - 1)] if delays else 0)
        raise AssertionError("unreachable")
    return run


def _flow_run_name() -> str:
    from prefect.runtime import flow_run

    return f"import-{Path(str(flow_run.parameters.get('path', 'workbook'))).name}"


@flow(name="import-workbook", flow_run_name=_flow_run_name, persist_result=False)
def import_workbook(path: str, name: str | None = None, validate: bool = True) -> ImportOutcome:
    """Import one workbook file. Fails (no retry) with the PipelineError of a bad workbook."""
    from prefect import get_run_logger
    from prefect.artifacts import create_markdown_artifact

    settings = get_settings()
    ui = progress.UIProgress(enabled=True)
    ui.start(Path(path).name)
    try:
        outcome = run_stages(path, name, validate, settings, prefect_runner(settings), ui)
    except PipelineError as exc:
        get_run_logger().error("import of %s failed: %s", path, exc)
        create_markdown_artifact(f"# Import failed\n\n**{exc.kind}**: {exc}\n", key="import-error",
                                 description=f"import of {Path(path).name} failed")
        raise
    create_markdown_artifact(markdown_summary(outcome.as_json()), key="import-summary",
                             description=f"import of {Path(path).name}")
    return outcome


def run_import_direct(path: str, name: str | None = None, validate: bool = True,
                      settings: Settings | None = None) -> ImportOutcome:
    """The same six stages in this process without Prefect. Raises PipelineError."""
    settings = settings or get_settings()
    return run_stages(path, name, validate, settings, direct_runner(settings),
                      progress.UIProgress(enabled=False))
