"""Queries and small updates on models and cells (what the CLI, tasks and API need)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.addressing import parse_cell
from db.engine import session_scope, translate_errors
from db.models import Cell, CellPrecedent, Model, utcnow


def find_model_by_hash(engine: Engine, sha256: str) -> Model | None:
    """The model imported from the file with this sha256, or None. Raises TransientError."""
    with session_scope(engine) as session:
        return session.scalars(sa.select(Model).where(Model.file_hash == sha256)).one_or_none()


def get_model(engine: Engine, model_id: int) -> Model | None:
    """The model with this id, or None. Raises TransientError."""
    with session_scope(engine) as session:
        return session.get(Model, model_id)


def list_models(engine: Engine, *, name: str | None = None, limit: int | None = None) -> list[Model]:
    """Models, newest first (optionally one name's versions). Raises TransientError."""
    stmt = sa.select(Model).order_by(Model.id.desc())
    if name is not None:
        stmt = stmt.where(Model.name == name)
    if limit is not None:
        stmt = stmt.limit(limit)
    with session_scope(engine) as session:
        return list(session.scalars(stmt))


def list_cells(engine: Engine, model_id: int, sheet: str | None = None, limit: int | None = None,
               offset: int = 0) -> list[Cell]:
    """A model's cells in sheet/row/column order (sheets by name). Raises TransientError."""
    stmt = sa.select(Cell).where(Cell.model_id == model_id)
    if sheet is not None:
        stmt = stmt.where(Cell.sheet_name == sheet)
    stmt = stmt.order_by(Cell.sheet_name, Cell.row_num, Cell.col_num).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    with session_scope(engine) as session:
        return list(session.scalars(stmt))


def get_cell(engine: Engine, model_id: int, sheet: str, address: str) -> Cell | None:
    """One cell by A1 address ('B7', '$B$7'), via the primary key. Raises ValueError, TransientError."""
    row, col = parse_cell(address)
    with session_scope(engine) as session:
        return session.get(Cell, (model_id, sheet, row, col))


def list_row(engine: Engine, model_id: int, sheet: str, row: int) -> list[Cell]:
    """The cells of one row, left to right (a primary-key prefix scan). Raises TransientError."""
    stmt = (sa.select(Cell).where(Cell.model_id == model_id, Cell.sheet_name == sheet,
                                  Cell.row_num == row).order_by(Cell.col_num))
    with session_scope(engine) as session:
        return list(session.scalars(stmt))


def precedents(engine: Engine, model_id: int, sheet: str, address: str) -> list[CellPrecedent]:
    """What feeds a formula cell: its precedent ranges. Raises ValueError, TransientError."""
    row, col = parse_cell(address)
    stmt = (sa.select(CellPrecedent)
            .where(CellPrecedent.model_id == model_id, CellPrecedent.sheet_name == sheet,
                   CellPrecedent.row_num == row, CellPrecedent.col_num == col)
            .order_by(CellPrecedent.seq))
    with session_scope(engine) as session:
        return list(session.scalars(stmt))


def dependents(engine: Engine, model_id: int, sheet: str, address: str) -> list[CellPrecedent]:
    """What a cell feeds: lineage rows whose range contains it. Raises ValueError, TransientError."""
    row, col = parse_cell(address)
    p = CellPrecedent
    stmt = (sa.select(p)
            .where(p.model_id == model_id, p.ref_sheet == sheet, p.first_row <= row,
                   p.last_row >= row, p.first_col <= col, p.last_col >= col)
            .order_by(p.sheet_name, p.row_num, p.col_num, p.seq))
    with session_scope(engine) as session:
        return list(session.scalars(stmt))


def next_version_on(conn: sa.Connection, name: str) -> int:
    """The version the next import of *name* gets (max + 1), read on *conn*."""
    current = conn.execute(sa.select(sa.func.max(Model.version)).where(Model.name == name)).scalar()
    return (current or 0) + 1


def next_version(engine: Engine, name: str) -> int:
    """The version the next import of *name* would get. Raises TransientError."""
    with translate_errors(), engine.connect() as conn:
        return next_version_on(conn, name)


def set_status(engine: Engine, model_id: int, status: str) -> None:
    """Set a model's status ('imported', 'validated', 'failed', ...). Raises LookupError, TransientError."""
    with translate_errors(), engine.begin() as conn:
        result = conn.execute(sa.update(Model).where(Model.id == model_id)
                              .values(status=status, updated_at=utcnow()))
        if result.rowcount == 0:
            raise LookupError(f"no model with id {model_id}")


def merge_dicts(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """*base* updated with *patch*, nested dicts merged rather than replaced."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_dicts(merged[key], value)
        else:
            merged[key] = value
    return merged


def update_import_summary_on(conn: sa.Connection, model_id: int, patch: dict[str, Any]) -> None:
    """Merge *patch* into a model's import_summary on *conn*. Raises LookupError."""
    current = conn.execute(sa.select(Model.import_summary).where(Model.id == model_id)
                           .with_for_update()).one_or_none()
    if current is None:
        raise LookupError(f"no model with id {model_id}")
    conn.execute(sa.update(Model).where(Model.id == model_id).values(
        import_summary=merge_dicts(current[0] or {}, patch), updated_at=utcnow()))


def update_import_summary(engine: Engine, model_id: int, patch: dict[str, Any]) -> None:
    """Deep-merge *patch* into a model's import_summary. Raises LookupError, TransientError."""
    with translate_errors(), engine.begin() as conn:
        update_import_summary_on(conn, model_id, patch)


def delete_model(engine: Engine, model_id: int) -> bool:
    """Delete a model and everything stored for it; False if absent. Raises TransientError."""
    with translate_errors(), engine.begin() as conn:
        # cells and cell_precedents carry no foreign key (see db.models.Cell); the rest cascade.
        conn.execute(sa.delete(Cell).where(Cell.model_id == model_id))
        conn.execute(sa.delete(CellPrecedent).where(CellPrecedent.model_id == model_id))
        return conn.execute(sa.delete(Model).where(Model.id == model_id)).rowcount > 0


def count_rows(engine: Engine, table: str, model_id: int | None = None) -> int:
    """Rows in one of our tables (optionally one model's). Raises KeyError, TransientError."""
    from db.base import Base

    t: Any = Base.metadata.tables[table]
    stmt = sa.select(sa.func.count()).select_from(t)
    if model_id is not None:
        stmt = stmt.where(t.c.model_id == model_id)
    with translate_errors(), engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


__all__: Sequence[str] = (
    "find_model_by_hash", "get_model", "list_models", "list_cells", "get_cell", "list_row",
    "precedents", "dependents", "next_version", "set_status", "update_import_summary",
    "delete_model", "count_rows",
)
