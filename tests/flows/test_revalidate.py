"""The revalidate flow re-evaluates stored models from their stored files and reports changed match rates."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from config.settings import get_settings
from core.stage import EVALUATE, GRAPH, PARSE, StageDir
from flows.import_workbook import import_workbook, run_import_direct
from flows.revalidate import revalidate, run_revalidate_direct
from tests.flows.conftest import artifacts
from tests.flows.workbooks import write_model


def _runs(url: str, model_id: int) -> list[tuple[int, float]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, match_rate FROM validation_runs WHERE model_id = :m ORDER BY id"),
                            {"m": model_id}).all()
    engine.dispose()
    return [(int(r[0]), float(r[1])) for r in rows]


def test_revalidate_from_stored_files_after_the_work_dir_is_gone(sqlite_db: str, tmp_path: Path) -> None:
    a = run_import_direct(str(write_model(tmp_path / "a.xlsx", rows=6, seed=2)))
    b = run_import_direct(str(write_model(tmp_path / "b.xlsx", rows=7, seed=3)))
    shutil.rmtree(get_settings().work_dir)  # only the stored files remain
    # make model a's last run look different, so the new run counts as a change
    engine = sa.create_engine(sqlite_db)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE validation_runs SET match_rate = 0.5 WHERE model_id = :m"), {"m": a.model_id})
    engine.dispose()
    outcome = run_revalidate_direct(None)
    assert set(outcome.results) == {a.model_id, b.model_id}
    assert outcome.results[a.model_id] == {"before": 0.5, "after": 1.0}
    assert outcome.changed == [a.model_id] and outcome.failed == {}
    assert [rate for _, rate in _runs(sqlite_db, b.model_id)] == [1.0, 1.0]
    stage = StageDir.for_hash(get_settings().work_dir, b.sha256)
    assert all(stage.is_done(s) for s in (PARSE, GRAPH, EVALUATE))


def test_revalidate_flow_on_the_server_records_a_new_run_and_an_artifact(prefect_api: str, sqlite_db: str,
                                                                          tmp_path: Path) -> None:
    model = import_workbook(path=str(write_model(tmp_path / "c.xlsx", rows=5, seed=4)))
    state = revalidate(model_ids=[model.model_id], return_state=True)
    assert state.is_completed(), state.message
    assert state.result().results[model.model_id]["after"] == 1.0
    assert len(_runs(sqlite_db, model.model_id)) == 2
    assert "revalidation" in {a.key for a in artifacts(state.state_details.flow_run_id)}


def test_revalidating_an_unknown_model_fails_clearly(sqlite_db: str) -> None:
    import pytest

    with pytest.raises(LookupError, match="999"):
        run_revalidate_direct([999])
