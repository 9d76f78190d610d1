"""Read-only lookups the flows need: which stored models to revalidate, and their last match rate."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE

from db.repo import get_model, list_models
from db.validation_store import list_runs
from tasks.resources import database
from tasks.retry import only_transient


@dataclass(frozen=True)
class StoredModel:
    """Enough about a stored model to re-run its stages from the stored file."""

    model_id: int
    sha256: str
    stored_path: str
    original_filename: str
    last_match_rate: float | None


@task(name="select-models", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=only_transient,
      cache_policy=NO_CACHE)
def select_models(database_url: str, model_ids: list[int] | None) -> list[StoredModel]:
    """The models to revalidate (all when *model_ids* is None). Raises TransientError, LookupError."""
    engine = database(database_url)
    rows = [get_model(engine, i) for i in model_ids] if model_ids else list_models(engine)
    out = []
    for row in rows:
        if row is None:
            raise LookupError(f"no model with id in {model_ids}")
        runs = list_runs(engine, row.id)
        out.append(StoredModel(row.id, row.file_hash, row.stored_path, row.original_filename,
                               runs[-1].match_rate if runs else None))
    return out
