"""Tables: imported models, their sheets, names, cells, lineage, circular groups and validation runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, JSONType

SHEET_NAME = 255    # Excel allows 31 characters; room for odd writers
REF_SHEET = 1024    # lineage may name external workbooks ('[1]Sheet1' or a path)


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def _model_fk() -> sa.ForeignKey:
    return sa.ForeignKey("models.id", ondelete="CASCADE")


class Model(Base):
    """One imported workbook file; a name has versions 1, 2, ... (one per distinct content)."""

    __tablename__ = "models"
    __table_args__ = (sa.UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    version: Mapped[int] = mapped_column(sa.Integer)
    original_filename: Mapped[str] = mapped_column(sa.String(1024))
    file_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    stored_path: Mapped[str] = mapped_column(sa.String(4096))
    file_size: Mapped[int] = mapped_column(sa.BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
    status: Mapped[str] = mapped_column(sa.String(32), default="imported")
    workbook_metadata: Mapped[dict[str, Any]] = mapped_column(JSONType)
    import_summary: Mapped[dict[str, Any]] = mapped_column(JSONType)


class Sheet(Base):
    """A sheet of a model, in workbook order."""

    __tablename__ = "sheets"

    model_id: Mapped[int] = mapped_column(_model_fk(), primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(SHEET_NAME))
    state: Mapped[str] = mapped_column(sa.String(16), default="visible")
    dimension: Mapped[str | None] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16), default="worksheet")


class Cell(Base):
    """One non-empty cell.

    The primary key (model_id, sheet_name, row_num, col_num) is the only index, on purpose: it serves
    lookups by address (an A1 address maps to row/col, see db.repo.get_cell) and by row (its prefix),
    and cascade deletes by model. An index on the `cell` text would duplicate it and slows the bulk
    COPY of every import (see bench/bench_insert.py --cell-index), so `cell` is stored for display only.
    """

    __tablename__ = "cells"

    # No FOREIGN KEY to models, on purpose (also on cell_precedents): PostgreSQL checks a foreign key
    # with one trigger query per inserted row, which measured at more than half of the COPY time
    # (bench/bench_insert.py). The loader takes model_id from the models row it inserts in the same
    # transaction, and db.repo.delete_model deletes these rows with their model.
    model_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    sheet_name: Mapped[str] = mapped_column(sa.String(SHEET_NAME), primary_key=True)
    row_num: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    col_num: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    cell: Mapped[str] = mapped_column(sa.String(10))          # 'XFD1048576' is the longest
    col_letter: Mapped[str] = mapped_column(sa.String(3))
    cell_type: Mapped[str] = mapped_column(sa.String(8))      # 'formula' | 'value'
    formula: Mapped[str | None] = mapped_column(sa.Text)
    array_ref: Mapped[str | None] = mapped_column(sa.String(32))
    raw_type: Mapped[str] = mapped_column(sa.String(8))
    raw_value: Mapped[float | None] = mapped_column(sa.Double)
    raw_text: Mapped[str | None] = mapped_column(sa.Text)
    number_format: Mapped[str | None] = mapped_column(sa.Text)
    calculated_type: Mapped[str | None] = mapped_column(sa.String(8))
    calculated_value: Mapped[float | None] = mapped_column(sa.Double)
    calculated_text: Mapped[str | None] = mapped_column(sa.Text)
    eval_status: Mapped[str | None] = mapped_column(sa.String(32))
    eval_detail: Mapped[str | None] = mapped_column(sa.Text)
    is_circular: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                              server_default=sa.false())
    circular_group: Mapped[int | None] = mapped_column(sa.Integer)
    has_dynamic_refs: Mapped[bool | None] = mapped_column(sa.Boolean)
    has_broken_ref: Mapped[bool | None] = mapped_column(sa.Boolean)
    parse_error: Mapped[str | None] = mapped_column(sa.Text)
    has_mismatch: Mapped[bool | None] = mapped_column(sa.Boolean)
    # The functions a formula calls, upper-case and space-delimited on both sides (' SUM VLOOKUP ', ''
    # for a formula calling none), from graph/cells.arrow; NULL for values and before the graph stage.
    # Matching ' NAME ' finds calls without re-reading formulas (the API's function filter and stats).
    functions: Mapped[str | None] = mapped_column(sa.Text)


class DefinedNameRow(Base):
    """A defined name; scope NULL means workbook scope, else the sheet's name."""

    __tablename__ = "defined_names"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(_model_fk(), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    scope: Mapped[str | None] = mapped_column(sa.String(SHEET_NAME))
    refers_to: Mapped[str] = mapped_column(sa.Text)
    hidden: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class CircularGroup(Base):
    """A strongly connected component of the formula graph and how its iteration went."""

    __tablename__ = "circular_groups"

    model_id: Mapped[int] = mapped_column(_model_fk(), primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(sa.Integer)
    members: Mapped[list[str]] = mapped_column(JSONType)      # ['Sheet!A1', ...]
    sheets: Mapped[list[str]] = mapped_column(JSONType)
    converged: Mapped[bool | None] = mapped_column(sa.Boolean)
    iterations: Mapped[int | None] = mapped_column(sa.Integer)
    max_change: Mapped[float | None] = mapped_column(sa.Double)


class CellPrecedent(Base):
    """One precedent range of a formula cell (lineage).

    "What feeds B7" is a prefix scan of the primary key (formula cell first; `seq`, the row's position
    in graph/lineage.arrow, only makes it unique). "What does B7 feed" uses ix_cell_precedents_ref:
    ranges on the sheet whose first_row <= 7, filtered on last_row / columns inside the index.
    """

    __tablename__ = "cell_precedents"
    __table_args__ = (
        sa.Index("ix_cell_precedents_ref", "model_id", "ref_sheet", "first_row", "last_row",
                 "first_col", "last_col"),
    )

    model_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)  # no FK (Cell)
    sheet_name: Mapped[str] = mapped_column(sa.String(SHEET_NAME), primary_key=True)
    row_num: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    col_num: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    ref_sheet: Mapped[str] = mapped_column(sa.String(REF_SHEET))
    first_row: Mapped[int] = mapped_column(sa.Integer)
    first_col: Mapped[int] = mapped_column(sa.Integer)
    last_row: Mapped[int] = mapped_column(sa.Integer)
    last_col: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(16))         # 'cell' | 'range' | 'external' | 'broken'


class ValidationRun(Base):
    """One comparison of recalculated values against Excel's cached values."""

    __tablename__ = "validation_runs"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(_model_fk(), index=True)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    engine: Mapped[str] = mapped_column(sa.String(64))
    engine_version: Mapped[str | None] = mapped_column(sa.String(64))
    formula_cells: Mapped[int] = mapped_column(sa.Integer, default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSONType)  # per class: match, mismatch, ...
    match_rate: Mapped[float | None] = mapped_column(sa.Double)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType)  # by sheet, by function, warnings


class ValidationResult(Base):
    """A formula cell whose recalculated value did not match (matching cells are not stored)."""

    __tablename__ = "validation_results"

    run_id: Mapped[int] = mapped_column(sa.ForeignKey("validation_runs.id", ondelete="CASCADE"),
                                        primary_key=True)
    model_id: Mapped[int] = mapped_column(_model_fk(), index=True)
    sheet_name: Mapped[str] = mapped_column(sa.String(SHEET_NAME), primary_key=True)
    row_num: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    col_num: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    cell: Mapped[str] = mapped_column(sa.String(10))
    class_: Mapped[str] = mapped_column("class", sa.String(32))  # mismatch, engine_error, ...
    expected_type: Mapped[str | None] = mapped_column(sa.String(8))
    expected_value: Mapped[float | None] = mapped_column(sa.Double)
    expected_text: Mapped[str | None] = mapped_column(sa.Text)
    calculated_type: Mapped[str | None] = mapped_column(sa.String(8))
    calculated_value: Mapped[float | None] = mapped_column(sa.Double)
    calculated_text: Mapped[str | None] = mapped_column(sa.Text)
    detail: Mapped[str | None] = mapped_column(sa.Text)
