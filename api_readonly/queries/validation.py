"""Validation runs, their non-matching cells, and circular groups."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from api_readonly.errors import NotFound
from api_readonly.queries.models import require_model, require_sheet
from api_readonly.queries.paging import page_of
from db.models import Cell, CircularGroup, ValidationResult, ValidationRun

RUNS = ValidationRun.__table__
VR = ValidationResult.__table__
C = Cell.__table__
G = CircularGroup.__table__

_RUN_COLUMNS = (RUNS.c.id, RUNS.c.started_at, RUNS.c.finished_at, RUNS.c.engine, RUNS.c.engine_version,
                RUNS.c.formula_cells, RUNS.c.counts, RUNS.c.match_rate)
# Classes served by /validation/unsupported: anything the engine could not compute by design
# ('unsupported_function', 'unsupported_feature', ...), as opposed to a wrong value ('mismatch').
UNSUPPORTED_PREFIX = "unsupported"


def latest_run_id(conn: sa.Connection, model_id: int) -> int | None:
    """The newest validation run of a model, or None."""
    return conn.execute(sa.select(sa.func.max(RUNS.c.id)).where(RUNS.c.model_id == model_id)).scalar()


def validation_overview(conn: sa.Connection, model_id: int, page: int,
                        page_size: int) -> dict[str, Any]:
    """The latest run (with summary) and a page of the run history, newest first. Raises NotFound."""
    require_model(conn, model_id)
    where = [RUNS.c.model_id == model_id]
    total, history = page_of(conn, sa.select(*_RUN_COLUMNS), RUNS, where, [RUNS.c.id.desc()], page,
                             page_size)
    latest = conn.execute(sa.select(*_RUN_COLUMNS, RUNS.c.summary).where(*where)
                          .order_by(RUNS.c.id.desc()).limit(1)).mappings().first()
    return {"model_id": model_id, "latest": dict(latest) if latest else None,
            "history": {"total": total, "page": page, "page_size": page_size, "items": history}}


def list_results(conn: sa.Connection, model_id: int, *, unsupported: bool, sheet: str | None,
                 run_id: int | None, page: int, page_size: int) -> tuple[int, list[dict[str, Any]]]:
    """Mismatching (or unsupported) cells of a run (default: latest). Raises NotFound, InvalidParameter."""
    if sheet is not None:
        require_sheet(conn, model_id, sheet)
    else:
        require_model(conn, model_id)
    if run_id is None:
        run_id = latest_run_id(conn, model_id)
        if run_id is None:
            return 0, []
    elif conn.execute(sa.select(RUNS.c.id).where(RUNS.c.id == run_id,
                                                 RUNS.c.model_id == model_id)).first() is None:
        raise NotFound(f"model {model_id} has no validation run {run_id}", "run_id")
    where = [VR.c.run_id == run_id, VR.c.model_id == model_id,
             VR.c["class"].startswith(UNSUPPORTED_PREFIX) if unsupported else VR.c["class"] == "mismatch"]
    if sheet is not None:
        where.append(VR.c.sheet_name == sheet)
    joined = VR.outerjoin(C, sa.and_(C.c.model_id == VR.c.model_id, C.c.sheet_name == VR.c.sheet_name,
                                     C.c.row_num == VR.c.row_num, C.c.col_num == VR.c.col_num))
    select = sa.select(VR.c.run_id, VR.c.sheet_name.label("sheet"), VR.c.cell.label("address"),
                       VR.c.row_num.label("row"), VR.c.col_num.label("col"), VR.c["class"], C.c.formula,
                       VR.c.expected_type, VR.c.expected_value, VR.c.expected_text, VR.c.calculated_type,
                       VR.c.calculated_value, VR.c.calculated_text, VR.c.detail).select_from(joined)
    return page_of(conn, select, VR, where, [VR.c.sheet_name, VR.c.row_num, VR.c.col_num], page, page_size)


def list_circular_groups(conn: sa.Connection, model_id: int, page: int,
                         page_size: int) -> tuple[int, list[dict[str, Any]]]:
    """A model's circular groups by id. Raises NotFound."""
    require_model(conn, model_id)
    cols = (G.c.group_id, G.c.size, G.c.members, G.c.sheets, G.c.converged, G.c.iterations, G.c.max_change)
    return page_of(conn, sa.select(*cols), G, [G.c.model_id == model_id], [G.c.group_id], page, page_size)
