"""Request parameters shared by the routers: paging, ids, addresses, and the per-request connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Path, Query, Request

from api_readonly.errors import InvalidParameter
from api_readonly.queries.paging import MAX_PAGE
from core.addressing import parse_cell, parse_range
from db.engine import translate_errors

DEFAULT_PAGE_SIZE = 100
MAX_ID = 2**31 - 1  # ids are 32-bit integers in every backend
# PostgreSQL refuses NUL in text parameters; refusing it here keeps that a 422, not a driver error.
NO_NUL = r"^[^\x00]*$"

ModelId = Annotated[int, Path(ge=1, le=MAX_ID, description="Model id")]


def text_query(description: str, max_length: int = 255, alias: str | None = None) -> Any:
    """A Query() for an optional free-text parameter (no NUL characters, bounded length)."""
    return Query(description=description, max_length=max_length, pattern=NO_NUL, alias=alias)


@dataclass(frozen=True)
class PageParams:
    """Which page of a list: 1-based page number and its size."""

    page: int
    page_size: int


async def page_params(
    request: Request,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, description="Items per page (capped by the server)")]
    = DEFAULT_PAGE_SIZE,
) -> PageParams:
    """Paging parameters; page_size above the configured maximum raises InvalidParameter (422)."""
    limit: int = request.app.state.max_page_size
    if "page_size" not in request.query_params:
        page_size = min(page_size, limit)  # a configured maximum below the default lowers the default
    if page_size > limit:
        raise InvalidParameter(f"page_size: {page_size} is larger than the maximum page size {limit}",
                               "page_size")
    return PageParams(page, page_size)


def parse_address(value: str, parameter: str = "address") -> tuple[int, int]:
    """'B7' / '$B$7' -> (row, col). Raises InvalidParameter naming *parameter*."""
    try:
        return parse_cell(value)
    except ValueError:
        raise InvalidParameter(f"{parameter}: {value[:40]!r} is not a cell address like B7 "
                               f"(columns A..XFD, rows 1..1048576)", parameter) from None


def parse_bounds(value: str, parameter: str = "range") -> tuple[int, int, int, int]:
    """'B2:F40' (or one cell) -> (first_row, first_col, last_row, last_col). Raises InvalidParameter."""
    try:
        return parse_range(value)
    except ValueError:
        raise InvalidParameter(f"{parameter}: {value[:40]!r} is not an address range like B2:F40",
                               parameter) from None


@contextmanager
def reading(request: Request) -> Iterator[sa.Connection]:
    """A connection of the app's engine for one request. Raises TransientError when the database is down."""
    engine: sa.Engine = request.app.state.engine
    with translate_errors(), engine.connect() as conn:
        yield conn
