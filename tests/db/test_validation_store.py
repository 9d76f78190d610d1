"""db.validation_store on SQLite and PostgreSQL: runs, results, has_mismatch, listing, comparison."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.stage import EVALUATE, VALUES_SCHEMA, StageDir, write_table
from core.validate import compare
from db.loader import insert_workbook
from db.models import Cell, Model, ValidationResult, ValidationRun
from db.validation_store import compare_runs, list_runs, record_run
from tests.db.conftest import cell_row, graph_row, unique_name, value_row, write_stage

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def make_model(db_engine: Engine, root: Path, calculated: list[dict[str, Any]]) -> tuple[int, StageDir]:
    """A stored model: A1 = 2 (value), B1..B4 formulas with cached values 4, 'x', 7, (none)."""
    cells = [cell_row("S", 1, 1, 2), cell_row("S", 1, 2, 4, formula="=A1*2"),
             cell_row("S", 1, 3, "x", formula='="x"'), cell_row("S", 1, 4, 7, formula="=SUM(A1)"),
             cell_row("S", 1, 5, None, formula="=A1")]
    stage = write_stage(root, cells, graph=[graph_row() for _ in cells],
                        values=[value_row(), *calculated])
    model = insert_workbook(db_engine, stage, name=unique_name(), original_filename="book.xlsx",
                            stored_path="/x", file_size=1)
    return model.model_id, stage


def with_values(stage: StageDir, calculated: list[dict[str, Any]]) -> StageDir:
    """The same parse/graph outputs with a different evaluate/ (a re-validation)."""
    stage.discard(EVALUATE)
    with stage.writing(EVALUATE) as out:
        write_table(out / "values.arrow", pa.Table.from_pylist([value_row(), *calculated],
                                                               schema=VALUES_SCHEMA))
    return stage


FIRST = [value_row("number", 4.0, status="ok"), value_row("text", text="x", status="ok"),
         value_row("error", text="#NAME?", status="unsupported_function", detail="SUM"),
         value_row("number", 2.0, status="ok")]
SECOND = [value_row("number", 5.0, status="ok"), value_row("text", text="x", status="ok"),
          value_row("number", 7.0, status="ok"), value_row("number", 2.0, status="ok")]


def cells_flags(db_engine: Engine, model_id: int) -> dict[int, bool | None]:
    with db_engine.connect() as conn:
        rows = conn.execute(sa.select(Cell.col_num, Cell.has_mismatch).where(Cell.model_id == model_id))
        return dict(rows.tuples().all())


def test_record_run_stores_run_results_and_flags(db_engine: Engine, tmp_path: Path) -> None:
    model_id, stage = make_model(db_engine, tmp_path, FIRST)
    report = compare(stage)
    run_id = record_run(db_engine, model_id, report, engine_name="hyperformula",
                        engine_version="3.5.0", started_at=T0, finished_at=T0 + timedelta(seconds=2))
    with db_engine.connect() as conn:
        run_row = conn.execute(sa.select(ValidationRun.__table__)
                               .where(ValidationRun.id == run_id)).one()
        results = conn.execute(sa.select(ValidationResult.col_num, ValidationResult.class_,
                                         ValidationResult.cell, ValidationResult.detail)
                               .where(ValidationResult.run_id == run_id)
                               .order_by(ValidationResult.col_num)).all()
        status = conn.execute(sa.select(Model.status).where(Model.id == model_id)).scalar_one()
    assert run_row.counts == report.counts
    assert run_row.counts["match"] == 2 and run_row.formula_cells == 4
    assert run_row.match_rate == pytest.approx(2 / 3)
    assert run_row.engine == "hyperformula" and run_row.engine_version == "3.5.0"
    assert run_row.summary["by_sheet"] == {"S": {"unsupported_function": 1, "no_cached_value": 1}}
    assert [(r[0], r[1], r[2]) for r in results] == [
        (4, "unsupported_function", "D1"), (5, "no_cached_value", "E1")]
    assert results[0].detail == "SUM"
    assert cells_flags(db_engine, model_id) == {1: None, 2: False, 3: False, 4: True, 5: None}
    assert status == "validated"


def test_list_and_compare_runs(db_engine: Engine, tmp_path: Path) -> None:
    model_id, stage = make_model(db_engine, tmp_path, FIRST)
    first = record_run(db_engine, model_id, compare(stage), engine_name="hyperformula",
                       engine_version="3.5.0", started_at=T0, finished_at=T0)
    later = T0 + timedelta(days=1)
    second = record_run(db_engine, model_id, compare(with_values(stage, SECOND)),
                        engine_name="hyperformula", engine_version="3.5.1", started_at=later,
                        finished_at=later)
    runs = list_runs(db_engine, model_id)
    assert [r.id for r in runs] == [first, second]
    assert [r.engine_version for r in runs] == ["3.5.0", "3.5.1"]
    diff = compare_runs(db_engine, first, second)
    assert [(c.col, c.before, c.after) for c in diff.changes] == [
        (2, "match", "mismatch"), (4, "unsupported_function", "match")]
    assert diff.counts_a["unsupported_function"] == 1 and diff.counts_b["mismatch"] == 1
    # has_mismatch follows the latest run.
    assert cells_flags(db_engine, model_id) == {1: None, 2: True, 3: False, 4: False, 5: None}


def test_compare_runs_rejects_unknown_and_foreign_runs(db_engine: Engine, tmp_path: Path) -> None:
    a, stage_a = make_model(db_engine, tmp_path / "a", FIRST)
    b, stage_b = make_model(db_engine, tmp_path / "b", FIRST)
    run_a = record_run(db_engine, a, compare(stage_a), engine_name="hf", engine_version=None,
                       started_at=T0, finished_at=T0)
    run_b = record_run(db_engine, b, compare(stage_b), engine_name="hf", engine_version=None,
                       started_at=T0, finished_at=T0)
    with pytest.raises(ValueError, match="different models"):
        compare_runs(db_engine, run_a, run_b)
    with pytest.raises(LookupError):
        compare_runs(db_engine, run_a, 10**9)
    assert list_runs(db_engine, 10**9) == []
