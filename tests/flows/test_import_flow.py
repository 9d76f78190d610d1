"""The import-workbook flow against one real Prefect server: stages, names, artifacts, failures, retries."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from config.settings import get_settings
from core.errors import WorkbookUnreadable
from flows.import_workbook import import_workbook
from tests.flows.conftest import artifacts, flow_run, task_runs
from tests.flows.workbooks import write_model

STAGES = ["evaluate", "graph", "hash", "insert", "parse", "validate"]


def _stage(task_run: object) -> str:
    return str(getattr(task_run, "name", "")).rsplit("-", 1)[0]


def count_cells(url: str, model_id: int) -> int:
    from db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM cells WHERE model_id = :m"),
                                    {"m": model_id}).scalar_one())
    finally:
        engine.dispose()


def test_import_runs_six_stages_names_the_run_and_leaves_artifacts(prefect_api: str, sqlite_db: str,
                                                                    tmp_path: Path) -> None:
    wb = write_model(tmp_path / "plan.xlsx", rows=40)
    state = import_workbook(path=str(wb), name="Plan", return_state=True)
    assert state.is_completed(), state.message
    outcome = state.result()
    run_id = state.state_details.flow_run_id
    assert flow_run(run_id).name == f"import-plan.xlsx-{outcome.sha256[:8]}"
    runs = task_runs(run_id)
    assert sorted(_stage(t) for t in runs) == STAGES
    assert all(t.state.is_completed() for t in runs)
    kinds = {a.type for a in artifacts(run_id)}
    assert {"progress", "markdown"} <= kinds
    assert outcome.model_id and outcome.version == 1 and not outcome.duplicate
    assert count_cells(sqlite_db, outcome.model_id) == 40 * 4 + 4 + 1
    assert outcome.stats["formula_cells"] == 81
    assert outcome.stats["match_rate"] == pytest.approx(1.0)
    assert set(outcome.stage_seconds) == set(STAGES)


def test_same_bytes_again_is_a_duplicate_and_stores_nothing_new(prefect_api: str, sqlite_db: str,
                                                                 tmp_path: Path) -> None:
    wb = write_model(tmp_path / "dup.xlsx", rows=10, seed=3)
    first = import_workbook(path=str(wb))
    again = import_workbook(path=str(wb), name="other name")
    assert again.duplicate and again.model_id == first.model_id
    from db.engine import make_engine

    engine = make_engine(sqlite_db)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM models")).scalar_one() == 1
    engine.dispose()


def test_bad_workbook_fails_at_once_without_retries(prefect_api: str, sqlite_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(bytes(range(256)) * 8)  # random-looking binary, not a zip
    state = import_workbook(path=str(bad), return_state=True)
    assert state.is_failed()
    with pytest.raises(WorkbookUnreadable, match="broken.xlsx"):
        state.result()
    runs = {_stage(t): t for t in task_runs(state.state_details.flow_run_id)}
    assert runs["parse"].state.is_failed() and runs["parse"].run_count == 1
    assert "insert" not in runs
    assert {a.key for a in artifacts(state.state_details.flow_run_id)} >= {"import-error"}
    from db.engine import make_engine

    engine = make_engine(sqlite_db)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM models")).scalar_one() == 0
    engine.dispose()


def test_settings_reach_the_flow(prefect_api: str, sqlite_db: str) -> None:
    assert get_settings().db_url == sqlite_db
