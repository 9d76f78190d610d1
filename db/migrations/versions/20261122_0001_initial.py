"""Initial schema: models, sheets, defined names, cells, lineage, circular groups, validation.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:11:25.878519
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# JSONB on PostgreSQL, JSON text elsewhere (db.base.JSONType).
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # cells and cell_precedents have no foreign key to models on purpose (COPY speed, see db.models.Cell).
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("original_filename", sa.String(length=1024), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("stored_path", sa.String(length=4096), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("workbook_metadata", JSON_TYPE, nullable=False),
        sa.Column("import_summary", JSON_TYPE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("file_hash", name=op.f("uq_models_file_hash")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_models_name_version")),
    )
    op.create_table(
        "cell_precedents",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("sheet_name", sa.String(length=255), nullable=False),
        sa.Column("row_num", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("col_num", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ref_sheet", sa.String(length=1024), nullable=False),
        sa.Column("first_row", sa.Integer(), nullable=False),
        sa.Column("first_col", sa.Integer(), nullable=False),
        sa.Column("last_row", sa.Integer(), nullable=False),
        sa.Column("last_col", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint(
            "model_id", "sheet_name", "row_num", "col_num", "seq", name=op.f("pk_cell_precedents")
        ),
    )
    with op.batch_alter_table("cell_precedents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cell_precedents_ref",
            ["model_id", "ref_sheet", "first_row", "last_row", "first_col", "last_col"],
            unique=False,
        )

    op.create_table(
        "cells",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("sheet_name", sa.String(length=255), nullable=False),
        sa.Column("row_num", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("col_num", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cell", sa.String(length=10), nullable=False),
        sa.Column("col_letter", sa.String(length=3), nullable=False),
        sa.Column("cell_type", sa.String(length=8), nullable=False),
        sa.Column("formula", sa.Text(), nullable=True),
        sa.Column("array_ref", sa.String(length=32), nullable=True),
        sa.Column("raw_type", sa.String(length=8), nullable=False),
        sa.Column("raw_value", sa.Double(), nullable=True),
        sa.Column("raw_text", sa.Text(), nullable=True),
        sa.Column("number_format", sa.Text(), nullable=True),
        sa.Column("calculated_type", sa.String(length=8), nullable=True),
        sa.Column("calculated_value", sa.Double(), nullable=True),
        sa.Column("calculated_text", sa.Text(), nullable=True),
        sa.Column("eval_status", sa.String(length=32), nullable=True),
        sa.Column("eval_detail", sa.Text(), nullable=True),
        sa.Column("is_circular", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("circular_group", sa.Integer(), nullable=True),
        sa.Column("has_dynamic_refs", sa.Boolean(), nullable=True),
        sa.Column("has_broken_ref", sa.Boolean(), nullable=True),
        sa.Column("parse_error", sa.Text(), nullable=True),
        sa.Column("has_mismatch", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("model_id", "sheet_name", "row_num", "col_num", name=op.f("pk_cells")),
    )
    op.create_table(
        "circular_groups",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("members", JSON_TYPE, nullable=False),
        sa.Column("sheets", JSON_TYPE, nullable=False),
        sa.Column("converged", sa.Boolean(), nullable=True),
        sa.Column("iterations", sa.Integer(), nullable=True),
        sa.Column("max_change", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_circular_groups_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "group_id", name=op.f("pk_circular_groups")),
    )
    op.create_table(
        "defined_names",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=True),
        sa.Column("refers_to", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_defined_names_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defined_names")),
    )
    with op.batch_alter_table("defined_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_defined_names_model_id"), ["model_id"], unique=False)

    op.create_table(
        "sheets",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("dimension", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_sheets_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "position", name=op.f("pk_sheets")),
    )
    op.create_table(
        "validation_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.Column("engine_version", sa.String(length=64), nullable=True),
        sa.Column("formula_cells", sa.Integer(), nullable=False),
        sa.Column("counts", JSON_TYPE, nullable=False),
        sa.Column("match_rate", sa.Double(), nullable=True),
        sa.Column("summary", JSON_TYPE, nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_validation_runs_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_runs")),
    )
    with op.batch_alter_table("validation_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_validation_runs_model_id"), ["model_id"], unique=False)

    op.create_table(
        "validation_results",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("sheet_name", sa.String(length=255), nullable=False),
        sa.Column("row_num", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("col_num", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cell", sa.String(length=10), nullable=False),
        sa.Column("class", sa.String(length=32), nullable=False),
        sa.Column("expected_type", sa.String(length=8), nullable=True),
        sa.Column("expected_value", sa.Double(), nullable=True),
        sa.Column("expected_text", sa.Text(), nullable=True),
        sa.Column("calculated_type", sa.String(length=8), nullable=True),
        sa.Column("calculated_value", sa.Double(), nullable=True),
        sa.Column("calculated_text", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_validation_results_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["validation_runs.id"],
            name=op.f("fk_validation_results_run_id_validation_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "sheet_name", "row_num", "col_num", name=op.f("pk_validation_results")
        ),
    )
    with op.batch_alter_table("validation_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_validation_results_model_id"), ["model_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("validation_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_validation_results_model_id"))

    op.drop_table("validation_results")
    with op.batch_alter_table("validation_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_validation_runs_model_id"))

    op.drop_table("validation_runs")
    op.drop_table("sheets")
    with op.batch_alter_table("defined_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_defined_names_model_id"))

    op.drop_table("defined_names")
    op.drop_table("circular_groups")
    op.drop_table("cells")
    with op.batch_alter_table("cell_precedents", schema=None) as batch_op:
        batch_op.drop_index("ix_cell_precedents_ref")

    op.drop_table("cell_precedents")
    op.drop_table("models")
