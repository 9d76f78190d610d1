"""The insert stage: one workbook's stage outputs into the database, in one transaction."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Engine

from core.errors import PipelineError
from core.stage import EVALUATE, GRAPH, PARSE, StageDir, read_json, read_table
from core.workbook import WorkbookInfo
from db import repo
from db.bulk import CELL_COLUMNS, LINEAGE_COLUMNS, CellShaper, shape_lineage, slices, write_batches
from db.engine import SQLITE_IMMEDIATE, translate_errors
from db.models import CircularGroup, DefinedNameRow, Model, Sheet

DEFAULT_BATCH_ROWS = 50_000
_VERSION_ATTEMPTS = 5


@dataclass(frozen=True)
class InsertResult:
    """The model a workbook was stored as; duplicate means the same bytes were already imported."""

    model_id: int
    version: int
    duplicate: bool


@dataclass
class StageInputs:
    """The stage outputs the insert reads; graph/evaluate parts are None when those stages did not run."""

    workbook: WorkbookInfo
    cells: pa.Table
    graph_cells: pa.Table | None = None
    lineage: pa.Table | None = None
    groups: list[dict[str, Any]] | None = None
    graph_summary: dict[str, Any] | None = None
    values: pa.Table | None = None
    eval_summary: dict[str, Any] | None = None

    @classmethod
    def read(cls, stage: StageDir) -> StageInputs:
        """Open (memory-map) the outputs. Raises StageOutputMissing, PipelineError when misaligned."""
        stage.require(PARSE)
        inputs = cls(WorkbookInfo.from_json(read_json(stage.path(PARSE, "workbook.json"))),
                     read_table(stage.path(PARSE, "cells.arrow")))
        if stage.is_done(GRAPH):
            inputs.graph_cells = read_table(stage.path(GRAPH, "cells.arrow"))
            inputs.lineage = _optional_table(stage, GRAPH, "lineage.arrow")
            inputs.groups = _optional_json(stage, GRAPH, "groups.json")
            inputs.graph_summary = _optional_json(stage, GRAPH, "summary.json")
        if stage.is_done(EVALUATE):
            inputs.values = read_table(stage.path(EVALUATE, "values.arrow"))
            inputs.eval_summary = _optional_json(stage, EVALUATE, "summary.json")
        for label, table in (("graph/cells.arrow", inputs.graph_cells),
                             ("evaluate/values.arrow", inputs.values)):
            if table is not None and table.num_rows != inputs.cells.num_rows:
                raise PipelineError(f"{label} has {table.num_rows} rows, parse/cells.arrow has "
                                    f"{inputs.cells.num_rows} (not aligned) under {stage.root}",
                                    path=str(stage.root))
        return inputs


def _optional_table(stage: StageDir, step: str, name: str) -> pa.Table | None:
    path = stage.path(step, name)
    return read_table(path) if path.is_file() else None


def _optional_json(stage: StageDir, step: str, name: str) -> Any:
    path = stage.path(step, name)
    return read_json(path) if path.is_file() else None


class _VersionTaken(Exception):
    """Another import took this (name, version) or this file hash between our read and our insert."""


def insert_workbook(engine: Engine, stage: StageDir, *, name: str, original_filename: str,
                    stored_path: str, file_size: int,
                    batch_rows: int = DEFAULT_BATCH_ROWS) -> InsertResult:
    """Store the stage outputs as a new model version (or return the existing model of the same bytes).

    Raises StageOutputMissing, PipelineError (misaligned outputs), TransientError (database
    unreachable or busy); any other database error propagates. Nothing is stored on failure.
    """
    inputs = StageInputs.read(stage)
    with translate_errors():
        for _attempt in range(_VERSION_ATTEMPTS):
            existing = repo.find_model_by_hash(engine, stage.sha256)
            if existing is not None:
                return InsertResult(existing.id, existing.version, duplicate=True)
            try:
                return _insert_once(engine, stage, inputs, batch_rows, name=name,
                                    original_filename=original_filename, stored_path=stored_path,
                                    file_size=file_size)
            except _VersionTaken:
                continue
    raise PipelineError(f"could not allocate a version of {name!r} after {_VERSION_ATTEMPTS} attempts",
                        path=original_filename)


def _insert_once(engine: Engine, stage: StageDir, inputs: StageInputs, batch_rows: int,
                 **model: Any) -> InsertResult:
    started = time.perf_counter()
    conn = engine.connect().execution_options(**{SQLITE_IMMEDIATE: True})
    with conn, conn.begin():
        model_id, version = _insert_model_row(conn, stage.sha256, inputs, **model)
        _insert_workbook_facts(conn, model_id, inputs)
        counts = _load_bulk(conn, model_id, inputs, batch_rows)
        counts["stage_seconds"] = {"insert": round(time.perf_counter() - started, 3)}
        _merge_summary(conn, model_id, counts)
    return InsertResult(model_id, version, duplicate=False)


def _insert_model_row(conn: sa.Connection, sha256: str, inputs: StageInputs, *, name: str,
                      original_filename: str, stored_path: str, file_size: int) -> tuple[int, int]:
    version = repo.next_version_on(conn, name)
    stmt = sa.insert(Model).values(
        name=name, version=version, original_filename=original_filename, file_hash=sha256,
        stored_path=stored_path, file_size=file_size, status="imported",
        workbook_metadata=inputs.workbook.to_json(), import_summary={},
    ).returning(Model.id)
    try:
        model_id = conn.execute(stmt).scalar_one()
    except exc.IntegrityError as error:
        # unique(name, version) or unique(file_hash): a concurrent import committed first.
        raise _VersionTaken() from error
    return model_id, version


def _insert_workbook_facts(conn: sa.Connection, model_id: int, inputs: StageInputs) -> None:
    book = inputs.workbook
    if book.sheets:
        conn.execute(sa.insert(Sheet), [
            {"model_id": model_id, "position": s.position, "name": s.name, "state": s.state,
             "dimension": s.dimension, "kind": s.kind} for s in book.sheets])
    if book.defined_names:
        conn.execute(sa.insert(DefinedNameRow), [
            {"model_id": model_id, "name": d.name, "scope": d.scope, "refers_to": d.refers_to,
             "hidden": d.hidden} for d in book.defined_names])
    groups = _circular_groups(inputs)
    if groups:
        conn.execute(sa.insert(CircularGroup), [{"model_id": model_id, **g} for g in groups])


def _circular_groups(inputs: StageInputs) -> list[dict[str, Any]]:
    """graph/groups.json rows, with converged/iterations/max_change when the evaluate stage reports them
    (in the group entries or as evaluate/summary.json "circular_groups": [{group_id, ...}])."""
    outcomes = {int(o["group_id"]): o for o in (inputs.eval_summary or {}).get("circular_groups", [])
                if isinstance(o, dict) and "group_id" in o}
    rows = []
    for g in inputs.groups or []:
        outcome = {**g, **outcomes.get(int(g["group_id"]), {})}
        rows.append({"group_id": int(g["group_id"]), "size": int(g.get("size", len(g["members"]))),
                     "members": list(g["members"]), "sheets": list(g.get("sheets", [])),
                     "converged": outcome.get("converged"), "iterations": outcome.get("iterations"),
                     "max_change": outcome.get("max_change")})
    return rows


def _cell_batches(model_id: int, inputs: StageInputs, batch_rows: int) -> Iterator[pa.Table]:
    shaper = CellShaper.for_table(model_id, inputs.cells)
    for offset, parse in slices(inputs.cells, batch_rows):
        graph = inputs.graph_cells.slice(offset, batch_rows) if inputs.graph_cells is not None else None
        values = inputs.values.slice(offset, batch_rows) if inputs.values is not None else None
        yield shaper.shape(parse, graph, values)


def _lineage_batches(model_id: int, lineage: pa.Table, batch_rows: int) -> Iterator[pa.Table]:
    for offset, part in slices(lineage, batch_rows):
        yield shape_lineage(model_id, part, offset)


def _load_bulk(conn: sa.Connection, model_id: int, inputs: StageInputs,
               batch_rows: int) -> dict[str, Any]:
    cells = inputs.cells.num_rows and write_batches(
        conn, "cells", CELL_COLUMNS, _cell_batches(model_id, inputs, batch_rows))
    lineage = 0
    if inputs.lineage is not None and inputs.lineage.num_rows:
        lineage = write_batches(conn, "cell_precedents", LINEAGE_COLUMNS,
                                _lineage_batches(model_id, inputs.lineage, batch_rows))
    formulas = pc.sum(pc.equal(inputs.cells["cell_type"], "formula")).as_py() or 0
    return {"cells": cells, "formula_cells": formulas, "value_cells": cells - formulas,
            "lineage_rows": lineage, "circular_groups": len(inputs.groups or []),
            "sheets": len(inputs.workbook.sheets), "defined_names": len(inputs.workbook.defined_names),
            "graph": inputs.graph_summary, "evaluate": inputs.eval_summary}


def _merge_summary(conn: sa.Connection, model_id: int, patch: dict[str, Any]) -> None:
    repo.update_import_summary_on(conn, model_id, patch)
