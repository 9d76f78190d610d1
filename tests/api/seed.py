"""A small, fully known data set inserted with SQLAlchemy Core into a migrated database.

Two versions of one model name (the second with three sheets, lineage, a circular group, defined names
and two validation runs) and a second model with no cells. Names carry a random suffix so the data can
share a database with other tests.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.addressing import col_letter, parse_cell
from db.models import (
    Cell,
    CellPrecedent,
    CircularGroup,
    DefinedNameRow,
    Model,
    Sheet,
    ValidationResult,
    ValidationRun,
)

CALC = "Calc Sheet"
ODD = "Q1/Q2 'x'"  # Excel forbids '/', but the API must not care what a sheet name contains
INPUTS = "Inputs"


@dataclass(frozen=True)
class Seeded:
    """Ids and names of the seeded rows."""

    tag: str
    v1: int
    v2: int
    other: int
    old_run: int
    new_run: int


def _cell(model_id: int, sheet: str, address: str, value: Any = None, formula: str | None = None,
          **extra: Any) -> dict[str, Any]:
    row, col = parse_cell(address)
    raw: dict[str, Any] = {"raw_type": "empty", "raw_value": None, "raw_text": None}
    if isinstance(value, int | float):
        raw = {"raw_type": "number", "raw_value": float(value), "raw_text": None}
    elif isinstance(value, str):
        raw = {"raw_type": "error" if value.startswith("#") else "text", "raw_value": None, "raw_text": value}
    base = {"model_id": model_id, "sheet_name": sheet, "row_num": row, "col_num": col, "cell": address,
            "col_letter": col_letter(col), "cell_type": "formula" if formula else "value", "formula": formula,
            "array_ref": None, "number_format": None, "calculated_type": None, "calculated_value": None,
            "calculated_text": None, "eval_status": None, "eval_detail": None, "is_circular": False,
            "circular_group": None, "has_dynamic_refs": None, "has_broken_ref": None, "parse_error": None,
            "has_mismatch": None, "functions": None, **raw}
    if formula:
        base.update(calculated_type=raw["raw_type"], calculated_value=raw["raw_value"], eval_status="ok",
                    has_dynamic_refs=False, has_broken_ref=False, has_mismatch=False)
    base.update(extra)
    return base


def v2_cells(mid: int) -> list[dict[str, Any]]:
    """The cells of version 2 (13 cells, 7 formulas)."""
    return [
        _cell(mid, INPUTS, "A1", 10), _cell(mid, INPUTS, "A2", 20), _cell(mid, INPUTS, "A3", 30),
        _cell(mid, INPUTS, "B1", "Rate"), _cell(mid, INPUTS, "C1", "#N/A"),
        _cell(mid, CALC, "A1", 60, "=SUM(Inputs!A1:A3)", functions=" SUM "),
        _cell(mid, CALC, "B2", 20, "=VLOOKUP(A1,Inputs!A1:B3,2,FALSE)", has_mismatch=True,
              calculated_value=99.0, functions=" VLOOKUP "),
        _cell(mid, CALC, "C3", 60, "=DSUM(Inputs!A1:A3,1,Inputs!A1)", functions=" DSUM "),
        _cell(mid, CALC, "D4", "a60", '=_xlfn.CONCAT("a",A1)', calculated_type=None, eval_status=
              "unsupported_function", eval_detail="CONCAT", has_mismatch=None, functions=" CONCAT "),
        _cell(mid, CALC, "E5", 2, "=E6+1", is_circular=True, circular_group=1, functions=""),
        _cell(mid, CALC, "E6", 1, "=E5/2", is_circular=True, circular_group=1, functions=""),
        _cell(mid, ODD, "A1", 20, "=Inputs!A1*2", functions=""),
        _cell(mid, ODD, "B2", 5),
    ]


def _lineage(mid: int) -> list[dict[str, Any]]:
    edges = [  # (formula sheet, cell, ref sheet, range, kind)
        (CALC, "A1", INPUTS, "A1:A3", "range"), (CALC, "B2", CALC, "A1", "cell"),
        (CALC, "B2", INPUTS, "A1:B3", "range"), (CALC, "C3", INPUTS, "A1:A3", "range"),
        (CALC, "C3", INPUTS, "A1", "cell"), (CALC, "D4", CALC, "A1", "cell"),
        (CALC, "E5", CALC, "E6", "cell"), (CALC, "E6", CALC, "E5", "cell"), (ODD, "A1", INPUTS, "A1", "cell"),
    ]
    rows = []
    for seq, (sheet, cell, ref_sheet, ref, kind) in enumerate(edges):
        row, col = parse_cell(cell)
        first, _, last = ref.partition(":")
        r1, c1 = parse_cell(first)
        r2, c2 = parse_cell(last or first)
        rows.append({"model_id": mid, "sheet_name": sheet, "row_num": row, "col_num": col, "seq": seq,
                     "ref_sheet": ref_sheet, "first_row": r1, "first_col": c1, "last_row": r2,
                     "last_col": c2, "kind": kind})
    return rows


def _model(conn: sa.Connection, name: str, version: int, uploaded: datetime, status: str,
           summary: dict[str, Any]) -> int:
    digest = hashlib.sha256(f"{name}/{version}".encode()).hexdigest()
    return conn.execute(sa.insert(Model).values(
        name=name, version=version, original_filename=f"{name}.xlsx", file_hash=digest,
        stored_path=f"/files/{digest}.xlsx", file_size=1000 * version, uploaded_at=uploaded,
        updated_at=uploaded, status=status, workbook_metadata={"filename": f"{name}.xlsx"},
        import_summary=summary).returning(Model.id)).scalar_one()


def _runs(conn: sa.Connection, mid: int, start: datetime) -> tuple[int, int]:
    ids = []
    for i, rate in enumerate((0.5, 0.75)):
        ids.append(conn.execute(sa.insert(ValidationRun).values(
            model_id=mid, started_at=start + timedelta(hours=i),
            finished_at=start + timedelta(hours=i, minutes=1),
            engine="hyperformula", engine_version="3.5.0", formula_cells=7,
            counts={"match": 5, "mismatch": 1, "unsupported_function": 1}, match_rate=rate,
            summary={"by_sheet": {CALC: {"mismatch": 1}}}).returning(ValidationRun.id)).scalar_one())
    results = [(ids[0], "A1", "mismatch"), (ids[1], "B2", "mismatch"), (ids[1], "D4", "unsupported_function")]
    for run_id, address, klass in results:
        row, col = parse_cell(address)
        conn.execute(sa.insert(ValidationResult).values(
            run_id=run_id, model_id=mid, sheet_name=CALC, row_num=row, col_num=col, cell=address,
            class_=klass, expected_type="number", expected_value=20.0, calculated_type="number",
            calculated_value=99.0, detail=f"{klass} at {address}"))
    return ids[0], ids[1]


def seed(engine: Engine) -> Seeded:
    """Insert the data set; returns its ids."""
    tag = uuid.uuid4().hex[:8]
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        v1 = _model(conn, f"budget-{tag}", 1, t0, "validated", {})
        conn.execute(sa.insert(Sheet), [{"model_id": v1, "position": 0, "name": INPUTS, "state": "visible",
                                         "dimension": "A1:A2", "kind": "worksheet"}])
        conn.execute(sa.insert(Cell), [_cell(v1, INPUTS, "A1", 10), _cell(v1, INPUTS, "A2", 20)])
        counts = {"cells": 13, "formula_cells": 7, "value_cells": 6, "sheets": 3, "defined_names": 2,
                  "circular_groups": 1}
        v2 = _model(conn, f"budget-{tag}", 2, t0 + timedelta(days=1), "validated", counts)
        conn.execute(sa.insert(Sheet), [
            {"model_id": v2, "position": i, "name": n, "state": "visible", "dimension": None,
             "kind": "worksheet"} for i, n in enumerate((INPUTS, CALC, ODD))])
        conn.execute(sa.insert(Cell), v2_cells(v2))
        conn.execute(sa.insert(CellPrecedent), _lineage(v2))
        conn.execute(sa.insert(DefinedNameRow), [
            {"model_id": v2, "name": "TaxRate", "scope": None, "refers_to": "Inputs!$A$1", "hidden": False},
            {"model_id": v2, "name": "Local", "scope": CALC, "refers_to": "'Calc Sheet'!$A$1",
             "hidden": True}])
        conn.execute(sa.insert(CircularGroup).values(
            model_id=v2, group_id=1, size=2, members=[f"{CALC}!E5", f"{CALC}!E6"], sheets=[CALC],
            converged=True, iterations=12, max_change=0.0005))
        old_run, new_run = _runs(conn, v2, t0 + timedelta(days=2))
        other = _model(conn, f"forecast-{tag}", 1, t0 + timedelta(days=3), "failed", {})
        conn.execute(sa.insert(Sheet), [{"model_id": other, "position": 0, "name": "Only", "state": "hidden",
                                         "dimension": None, "kind": "worksheet"}])
    return Seeded(tag, v1, v2, other, old_run, new_run)
