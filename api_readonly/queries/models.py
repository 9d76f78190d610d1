"""Models, their versions, sheets and defined names."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from api_readonly.errors import InvalidParameter, NotFound
from api_readonly.queries.paging import page_of
from db.models import Cell, CircularGroup, DefinedNameRow, Model, Sheet, ValidationRun

M = Model.__table__
S = Sheet.__table__
N = DefinedNameRow.__table__

_MODEL_COLUMNS = (M.c.id, M.c.name, M.c.version, M.c.original_filename, M.c.file_hash, M.c.file_size,
                  M.c.uploaded_at, M.c.updated_at, M.c.status)
SORTS = {
    "uploaded_at": (M.c.uploaded_at.asc(), M.c.id.asc()),
    "-uploaded_at": (M.c.uploaded_at.desc(), M.c.id.desc()),
    "name": (M.c.name.asc(), M.c.version.asc()),
    "-name": (M.c.name.desc(), M.c.version.desc()),
}
COUNT_KEYS = ("cells", "formula_cells", "value_cells", "sheets", "defined_names", "circular_groups")


def require_model(conn: sa.Connection, model_id: int) -> None:
    """Raise NotFound unless the model exists."""
    if conn.execute(sa.select(M.c.id).where(M.c.id == model_id)).first() is None:
        raise NotFound(f"no model with id {model_id}", "model_id")


def require_sheet(conn: sa.Connection, model_id: int, sheet: str, parameter: str = "sheet") -> str:
    """The model's file hash. Raises NotFound (unknown model), InvalidParameter (no such sheet)."""
    row = conn.execute(
        sa.select(M.c.file_hash, S.c.name)
        .select_from(M.outerjoin(S, sa.and_(S.c.model_id == M.c.id, S.c.name == sheet)))
        .where(M.c.id == model_id)).first()
    if row is None:
        raise NotFound(f"no model with id {model_id}", "model_id")
    if row.name is None:
        raise InvalidParameter(f"{parameter}: model {model_id} has no sheet named {sheet[:100]!r}",
                               parameter)
    return str(row.file_hash)


def get_model(conn: sa.Connection, model_id: int) -> dict[str, Any]:
    """One model with its metadata. Raises NotFound."""
    row = conn.execute(sa.select(*_MODEL_COLUMNS, M.c.workbook_metadata, M.c.import_summary)
                       .where(M.c.id == model_id)).mappings().first()
    if row is None:
        raise NotFound(f"no model with id {model_id}", "model_id")
    return dict(row)


def list_models(conn: sa.Connection, *, q: str | None, status: str | None, sort: str, page: int,
                page_size: int) -> tuple[int, list[dict[str, Any]]]:
    """Models whose name contains *q* (case-insensitive) with *status*, sorted. Raises SQLAlchemyError."""
    where: list[sa.ColumnElement[bool]] = []
    if q:
        where.append(M.c.name.icontains(q, autoescape=True))
    if status:
        where.append(M.c.status == status)
    return page_of(conn, sa.select(*_MODEL_COLUMNS), M, where, SORTS[sort], page, page_size)


def list_sheets(conn: sa.Connection, model_id: int, page: int,
                page_size: int) -> tuple[int, list[dict[str, Any]]]:
    """A model's sheets in workbook order. Raises NotFound."""
    require_model(conn, model_id)
    cols = (S.c.position, S.c.name, S.c.state, S.c.dimension, S.c.kind)
    return page_of(conn, sa.select(*cols), S, [S.c.model_id == model_id], [S.c.position], page, page_size)


def list_names(conn: sa.Connection, model_id: int, page: int,
               page_size: int) -> tuple[int, list[dict[str, Any]]]:
    """A model's defined names, by name then scope. Raises NotFound."""
    require_model(conn, model_id)
    cols = (N.c.name, N.c.scope, N.c.refers_to, N.c.hidden)
    return page_of(conn, sa.select(*cols), N, [N.c.model_id == model_id], [N.c.name, N.c.scope, N.c.id],
                   page, page_size)


def _counted(conn: sa.Connection, model_ids: list[int]) -> dict[int, dict[str, int]]:
    """Counts computed from the tables (for models whose import summary lacks them)."""
    counts: dict[int, dict[str, int]] = {i: dict.fromkeys(COUNT_KEYS, 0) for i in model_ids}
    C = Cell.__table__
    for mid, ctype, n in conn.execute(sa.select(C.c.model_id, C.c.cell_type, sa.func.count())
                                      .where(C.c.model_id.in_(model_ids))
                                      .group_by(C.c.model_id, C.c.cell_type)):
        key = "formula_cells" if ctype == "formula" else "value_cells"
        counts[mid][key] += n
        counts[mid]["cells"] += n
    for table, key in ((S, "sheets"), (N, "defined_names"), (CircularGroup.__table__, "circular_groups")):
        for mid, n in conn.execute(sa.select(table.c.model_id, sa.func.count())
                                   .where(table.c.model_id.in_(model_ids)).group_by(table.c.model_id)):
            counts[mid][key] = n
    return counts


def _version_counts(conn: sa.Connection, rows: list[Any]) -> dict[int, dict[str, int]]:
    """Counts per model id: from the import summary the loader wrote, else from the tables."""
    out: dict[int, dict[str, int]] = {}
    for row in rows:
        summary = row.import_summary if isinstance(row.import_summary, dict) else {}
        if all(isinstance(summary.get(k), int) for k in COUNT_KEYS):
            out[row.id] = {k: int(summary[k]) for k in COUNT_KEYS}
    missing = [row.id for row in rows if row.id not in out]
    if missing:
        out.update(_counted(conn, missing))
    return out


def _latest_match_rates(conn: sa.Connection, model_ids: list[int]) -> dict[int, float | None]:
    R = ValidationRun.__table__
    latest = (sa.select(sa.func.max(R.c.id)).where(R.c.model_id.in_(model_ids))
              .group_by(R.c.model_id).scalar_subquery())
    rows = conn.execute(sa.select(R.c.model_id, R.c.match_rate).where(R.c.id.in_(latest)))
    return {mid: rate for mid, rate in rows}


def list_versions(conn: sa.Connection, model_id: int, page: int,
                  page_size: int) -> tuple[int, list[dict[str, Any]]]:
    """Every version of the model's name (oldest first) with counts and changes. Raises NotFound."""
    name = conn.execute(sa.select(M.c.name).where(M.c.id == model_id)).scalar()
    if name is None:
        raise NotFound(f"no model with id {model_id}", "model_id")
    rows = list(conn.execute(sa.select(M.c.id, M.c.version, M.c.uploaded_at, M.c.status, M.c.file_hash,
                                       M.c.import_summary)
                             .where(M.c.name == name).order_by(M.c.version)))
    first = (page - 1) * page_size
    if first >= len(rows):
        return len(rows), []
    # The version before the page is read too: its counts are what the page's first item changed from.
    start = max(first - 1, 0)
    window = rows[start:first + page_size]
    ids = [r.id for r in window]
    counts = _version_counts(conn, window)
    rates = _latest_match_rates(conn, ids)
    items = []
    for i in range(first - start, len(window)):
        row, prev = window[i], (window[i - 1] if i > 0 else None)
        changes = None if prev is None else {k: counts[row.id][k] - counts[prev.id][k] for k in COUNT_KEYS}
        items.append({"id": row.id, "version": row.version, "uploaded_at": row.uploaded_at,
                      "status": row.status, "file_hash": row.file_hash, "counts": counts[row.id],
                      "match_rate": rates.get(row.id), "changes": changes})
    return len(rows), items
