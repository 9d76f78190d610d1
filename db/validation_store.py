"""Validation runs: store a core.validate report, list a model's runs, compare two runs.

A run's non-matching cells go to validation_results (matching cells are not stored: a cell absent
from a run matched). cells.has_mismatch is set for every formula cell of the model: false for a
match, true for mismatch / unsupported_function / engine_error / circular_not_converged, and NULL for
no_cached_value (there was nothing to compare, so we cannot say).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.addressing import format_cell
from core.validate import MATCH, NO_CACHED_VALUE, ValidationReport
from db.bulk import write_batches
from db.engine import SQLITE_IMMEDIATE, translate_errors
from db.models import Cell, Model, ValidationResult, ValidationRun

RESULT_COLUMNS: tuple[str, ...] = (
    "run_id", "model_id", "sheet_name", "row_num", "col_num", "cell", "class", "expected_type",
    "expected_value", "expected_text", "calculated_type", "calculated_value", "calculated_text",
    "detail",
)
_BATCH_ROWS = 50_000


@dataclass(frozen=True)
class RunInfo:
    """One validation run as listed."""

    id: int
    model_id: int
    started_at: datetime
    finished_at: datetime | None
    engine: str
    engine_version: str | None
    formula_cells: int
    counts: dict[str, int]
    match_rate: float | None
    summary: dict[str, Any]


@dataclass(frozen=True)
class ClassChange:
    """A cell whose class differs between two runs ('match' when absent from a run)."""

    sheet: str
    row: int
    col: int
    before: str
    after: str


@dataclass(frozen=True)
class RunComparison:
    """Two runs of the same model side by side."""

    run_a: int
    run_b: int
    counts_a: dict[str, int]
    counts_b: dict[str, int]
    changes: tuple[ClassChange, ...]


def _table(model: Any) -> sa.Table:
    table: sa.Table = model.__table__
    return table


def _results_table(run_id: int, model_id: int, report: ValidationReport) -> pa.Table:
    cells = report.non_matches
    cols: dict[str, list[Any]] = {
        "run_id": [run_id] * len(cells), "model_id": [model_id] * len(cells),
        "sheet_name": [c.sheet for c in cells], "row_num": [c.row for c in cells],
        "col_num": [c.col for c in cells], "cell": [format_cell(c.row, c.col) for c in cells],
        "class": [c.cls for c in cells], "expected_type": [c.expected_type for c in cells],
        "expected_value": [c.expected_value for c in cells],
        "expected_text": [c.expected_text for c in cells],
        "calculated_type": [c.calculated_type for c in cells],
        "calculated_value": [c.calculated_value for c in cells],
        "calculated_text": [c.calculated_text for c in cells], "detail": [c.detail for c in cells],
    }
    types = {"run_id": pa.int64(), "model_id": pa.int64(), "row_num": pa.int32(), "col_num": pa.int32(),
             "expected_value": pa.float64(), "calculated_value": pa.float64()}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()})


def _set_has_mismatch(conn: sa.Connection, model_id: int, run_id: int) -> None:
    """false on every formula cell, then true / NULL from the run's stored non-matches."""
    cells, results = _table(Cell), _table(ValidationResult)
    conn.execute(sa.update(cells).where(cells.c.model_id == model_id, cells.c.cell_type == "formula")
                 .values(has_mismatch=False))
    same_cell = sa.and_(results.c.run_id == run_id, results.c.sheet_name == cells.c.sheet_name,
                        results.c.row_num == cells.c.row_num, results.c.col_num == cells.c.col_num)
    for flag, condition in ((True, results.c["class"] != NO_CACHED_VALUE),
                            (None, results.c["class"] == NO_CACHED_VALUE)):
        exists = sa.exists().where(same_cell, condition)
        conn.execute(sa.update(cells).where(cells.c.model_id == model_id, exists)
                     .values(has_mismatch=flag))


def record_run(engine: Engine, model_id: int, report: ValidationReport, *, engine_name: str,
               engine_version: str | None, started_at: datetime, finished_at: datetime) -> int:
    """Store *report* as a new run of *model_id* in one transaction; returns the run id.
    Raises TransientError (database unreachable or busy); other database errors propagate."""
    runs = _table(ValidationRun)
    with translate_errors(), engine.connect().execution_options(**{SQLITE_IMMEDIATE: True}) as conn, \
            conn.begin():
        run_id = conn.execute(sa.insert(runs).values(
            model_id=model_id, started_at=started_at, finished_at=finished_at, engine=engine_name,
            engine_version=engine_version, formula_cells=report.formula_cells,
            counts=dict(report.counts), match_rate=report.match_rate, summary=report.summary(),
        ).returning(runs.c.id)).scalar_one()
        table = _results_table(run_id, model_id, report)
        if table.num_rows:
            batches = (table.slice(o, _BATCH_ROWS) for o in range(0, table.num_rows, _BATCH_ROWS))
            write_batches(conn, "validation_results", RESULT_COLUMNS, batches)
        _set_has_mismatch(conn, model_id, run_id)
        models = _table(Model)
        conn.execute(sa.update(models).where(models.c.id == model_id)
                     .values(status="validated", updated_at=finished_at))
    return int(run_id)


def _run_info(row: sa.Row[Any]) -> RunInfo:
    return RunInfo(id=row.id, model_id=row.model_id, started_at=row.started_at,
                   finished_at=row.finished_at, engine=row.engine, engine_version=row.engine_version,
                   formula_cells=row.formula_cells, counts=dict(row.counts or {}),
                   match_rate=row.match_rate, summary=dict(row.summary or {}))


def list_runs(engine: Engine, model_id: int) -> list[RunInfo]:
    """The model's runs, oldest first. Raises TransientError."""
    runs = _table(ValidationRun)
    with translate_errors(), engine.connect() as conn:
        rows = conn.execute(sa.select(runs).where(runs.c.model_id == model_id)
                            .order_by(runs.c.started_at, runs.c.id)).all()
    return [_run_info(r) for r in rows]


def _classes(conn: sa.Connection, run_id: int) -> dict[tuple[str, int, int], str]:
    results = _table(ValidationResult)
    rows = conn.execute(sa.select(results.c.sheet_name, results.c.row_num, results.c.col_num,
                                  results.c["class"]).where(results.c.run_id == run_id))
    return {(s, r, c): cls for s, r, c, cls in rows}


def compare_runs(engine: Engine, run_a: int, run_b: int) -> RunComparison:
    """Cells whose class changed from *run_a* to *run_b* (sheet, row, col order).
    Raises LookupError when a run does not exist, ValueError when they belong to different models,
    TransientError."""
    runs = _table(ValidationRun)
    with translate_errors(), engine.connect() as conn:
        found = {r.id: r for r in conn.execute(sa.select(runs).where(runs.c.id.in_([run_a, run_b])))}
        for run in (run_a, run_b):
            if run not in found:
                raise LookupError(f"validation run {run} does not exist")
        if found[run_a].model_id != found[run_b].model_id:
            raise ValueError(f"runs {run_a} and {run_b} belong to different models")
        before, after = _classes(conn, run_a), _classes(conn, run_b)
    changes = [ClassChange(s, r, c, before.get((s, r, c), MATCH), after.get((s, r, c), MATCH))
               for s, r, c in sorted(before.keys() | after.keys())
               if before.get((s, r, c), MATCH) != after.get((s, r, c), MATCH)]
    return RunComparison(run_a, run_b, dict(found[run_a].counts or {}),
                         dict(found[run_b].counts or {}), tuple(changes))
