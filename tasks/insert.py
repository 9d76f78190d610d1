"""insert stage: load every stage output into the database in one transaction."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from core.stage import StageDir
from db.loader import InsertResult, insert_workbook
from db.repo import update_import_summary
from tasks.log import stage_logger
from tasks.resources import database
from tasks.retry import only_transient


@task(name="insert", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=only_transient,
      cache_policy=NO_CACHE)
def insert(stage: StageDir, database_url: str, name: str, original_filename: str, stored_path: str,
           file_size: int, stage_seconds: dict[str, float] | None = None) -> InsertResult:
    """Insert the workbook as a new model (or find the existing one). Raises TransientError."""
    engine = database(database_url)
    result = insert_workbook(engine, stage, name=name, original_filename=original_filename,
                             stored_path=stored_path, file_size=file_size)
    if stage_seconds and not result.duplicate:
        update_import_summary(engine, result.model_id, {"stage_seconds": stage_seconds})
    stage_logger().info("model %s version %s%s", result.model_id, result.version,
                        " (duplicate)" if result.duplicate else "")
    return result
