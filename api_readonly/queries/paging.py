"""Counting and slicing a filtered query into one page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

# OFFSET beyond this is refused before it reaches the database (it would only scan and return nothing).
MAX_PAGE = 1_000_000


def page_of(conn: sa.Connection, select: sa.Select[Any], count_from: sa.FromClause,
            where: Sequence[sa.ColumnElement[bool]], order_by: Sequence[Any], page: int,
            page_size: int) -> tuple[int, list[dict[str, Any]]]:
    """(total rows matching *where*, the rows of page *page*) of *select*. Raises SQLAlchemyError."""
    total = conn.execute(sa.select(sa.func.count()).select_from(count_from).where(*where)).scalar_one()
    if total <= (page - 1) * page_size:
        return int(total), []
    stmt = select.where(*where).order_by(*order_by).limit(page_size).offset((page - 1) * page_size)
    result = conn.execute(stmt)
    keys = tuple(result.keys())
    # fetchall + zip: about half the CPU of iterating RowMapping objects for a 100-row page.
    return int(total), [dict(zip(keys, row, strict=True)) for row in result.all()]


def page_dict(total: int, items: list[Any], page: int, page_size: int) -> dict[str, Any]:
    """The JSON shape of every list: total, page, page_size, items."""
    return {"total": total, "page": page, "page_size": page_size, "items": items}
