"""cells.functions: the functions a formula calls (' SUM VLOOKUP '), from graph/cells.arrow.

Existing rows keep NULL (their formulas were stored before the graph output was loaded into the
column); re-importing a workbook fills it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # A nullable column without default: PostgreSQL adds it without rewriting the table, SQLite with a
    # plain ALTER TABLE ADD COLUMN (no batch copy needed).
    op.add_column("cells", sa.Column("functions", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("cells", schema=None) as batch_op:
        batch_op.drop_column("functions")
