"""validate stage: compare every calculated value with Excel's cached one and record the run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from core.addressing import format_cell
from core.stage import EVALUATE, StageDir, read_json
from core.validate import ValidationReport, compare
from db.validation_store import record_run
from tasks.log import stage_logger
from tasks.resources import database
from tasks.retry import only_transient

TOP = 10


@dataclass(frozen=True)
class ValidationOutcome:
    """What the flow needs of a validation run (small: never the full list of cells)."""

    run_id: int
    match_rate: float | None
    counts: dict[str, int]
    warnings: tuple[str, ...]
    top_mismatches: tuple[dict[str, Any], ...]


def summarize(run_id: int, report: ValidationReport) -> ValidationOutcome:
    """The run id, rates, counts and the first few non-matching cells."""
    top = tuple({"cell": f"{c.sheet}!{format_cell(c.row, c.col)}", "class": c.cls, "formula": c.formula,
                 "expected": c.expected_text if c.expected_value is None else c.expected_value,
                 "calculated": c.calculated_text if c.calculated_value is None else c.calculated_value,
                 "detail": c.detail} for c in report.non_matches[:TOP])
    return ValidationOutcome(run_id, report.match_rate, dict(report.counts), tuple(report.warnings), top)


@task(name="validate", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=only_transient,
      cache_policy=NO_CACHE)
def validate(stage: StageDir, database_url: str, model_id: int) -> ValidationOutcome:
    """Classify every formula cell and store a validation run. Raises TransientError, StageOutputMissing."""
    started = datetime.now(UTC)
    report = compare(stage)
    summary = read_json(stage.path(EVALUATE, "summary.json"))
    run_id = record_run(database(database_url), model_id, report,
                        engine_name=str(summary.get("engine", "hyperformula")),
                        engine_version=str(summary.get("engine_version", "")),
                        started_at=started, finished_at=datetime.now(UTC))
    for warning in report.warnings:
        stage_logger().warning("model %s: %s", model_id, warning)
    stage_logger().info("validation run %s for model %s: match rate %s, %s", run_id, model_id,
                        report.match_rate, report.counts)
    return summarize(run_id, report)
