"""parse stage: one pass over the workbook XML into parse/cells.arrow + parse/workbook.json."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from core.reader import parse_to
from core.stage import PARSE, StageDir
from tasks.log import stage_logger
from tasks.retry import only_transient


@task(name="parse", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=only_transient,
      cache_policy=NO_CACHE)
def parse(stage: StageDir, source: str, filename: str, max_uncompressed_bytes: int,
          max_compression_ratio: float) -> StageDir:
    """Parse the stored workbook into *stage* (skipped when already done). Raises WorkbookUnreadable."""
    log = stage_logger()
    if stage.is_done(PARSE):
        log.info("parse output for %s already present", stage.sha256[:12])
        return stage
    info = parse_to(stage, Path(source), max_uncompressed_bytes=max_uncompressed_bytes,
                    max_compression_ratio=max_compression_ratio, filename=filename)
    log.info("parsed %s: %s", filename, info.counts)
    return stage
