"""hash stage: stream the file's sha256, keep it in the content-addressed store, spot duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from core.filestore import StoredFile, store_file
from db.repo import find_model_by_hash
from tasks.log import stage_logger
from tasks.resources import database
from tasks.retry import only_transient


@dataclass(frozen=True)
class HashResult:
    """The stored file, and the model already holding the same bytes (if any)."""

    stored: StoredFile
    existing_model_id: int | None = None
    existing_version: int | None = None


@task(name="hash", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=only_transient,
      cache_policy=NO_CACHE)
def hash_file(path: str, files_dir: str, max_bytes: int, database_url: str) -> HashResult:
    """Store *path* under its sha256. Raises WorkbookUnreadable, TransientError (file locked, db down)."""
    stored = store_file(Path(path), Path(files_dir), max_bytes=max_bytes)
    existing = find_model_by_hash(database(database_url), stored.sha256)
    stage_logger().info("stored %s as %s (%d bytes)%s", Path(path).name, stored.sha256[:12], stored.size,
                        f"; same bytes as model {existing.id}" if existing else "")
    if existing is None:
        return HashResult(stored)
    return HashResult(stored, existing.id, existing.version)
