"""GET /api/models/{id}/cells (filtered pages) and one cell with its lineage."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from api_readonly.errors import ERROR_RESPONSES, NotFound
from api_readonly.fastroute import FastRoute
from api_readonly.params import (
    NO_NUL,
    ModelId,
    PageParams,
    page_params,
    parse_address,
    parse_bounds,
    reading,
    text_query,
)
from api_readonly.queries import cells as q
from api_readonly.queries.paging import page_dict
from api_readonly.responses import json_response
from api_readonly.schemas import CellDetail, CellOut, Page

# FastRoute: the two hottest endpoints (api_readonly/fastroute.py says why).
router = APIRouter(prefix="/api/models", tags=["cells"], responses=ERROR_RESPONSES, route_class=FastRoute)
Paging = Annotated[PageParams, Depends(page_params)]
FUNCTION_NAME = r"^[A-Za-z][A-Za-z0-9_.]{0,63}$"
MAX_LINEAGE = 1000


async def cell_filters(
    sheet: Annotated[str | None, text_query("Only this sheet (422 when the model has no such sheet)")]
    = None,
    cell_range: Annotated[str | None, Query(alias="range", max_length=32, pattern=NO_NUL,
                                            description="Address range like B2:F40 (or one cell)")]
    = None,
    cell_type: Literal["formula", "value"] | None = None,
    raw_type: Annotated[Literal["number", "text", "bool", "error", "empty"] | None,
                        Query(description="Type of Excel's cached value")] = None,
    has_mismatch: Annotated[bool | None, Query(description="Recalculated value differs from Excel's")]
    = None,
    is_circular: bool | None = None,
    formula_contains: Annotated[str | None, text_query("Formula contains this text (case-insensitive)",
                                                       1000)] = None,
    function: Annotated[str | None, Query(pattern=FUNCTION_NAME, max_length=64,
                                          description="Formula calls this function, e.g. VLOOKUP")]
    = None,
) -> q.CellFilters:
    """The filters of GET /cells. Raises InvalidParameter for a malformed range."""
    bounds = parse_bounds(cell_range) if cell_range is not None else None
    return q.CellFilters(sheet=sheet, bounds=bounds, cell_type=cell_type, raw_type=raw_type,
                         has_mismatch=has_mismatch, is_circular=is_circular,
                         formula_contains=formula_contains or None, function=function)


@router.get("/{model_id}/cells", response_model=Page[CellOut], summary="Cells of a model")
def list_cells(request: Request, model_id: ModelId, paging: Paging,
               filters: Annotated[q.CellFilters, Depends(cell_filters)]) -> Response:
    """A page of cells in sheet/row/column order, filtered. The function filter matches a whole name in
    the functions the import found in each formula (case-insensitive, `_xlfn.` prefixes dropped)."""
    with reading(request) as conn:
        total, items = q.list_cells(conn, model_id, filters, paging.page, paging.page_size)
    return json_response(page_dict(total, items, paging.page, paging.page_size))


@router.get("/{model_id}/cells/{sheet:path}/{address}", response_model=CellDetail,
            summary="One cell with its precedents, dependents and validation class")
def get_cell(
    request: Request,
    model_id: ModelId,
    sheet: Annotated[str, Path(max_length=255, pattern=NO_NUL,
                               description="Sheet name, URL-encoded (spaces, quotes and slashes allowed)")],
    address: Annotated[str, Path(max_length=16, description="Cell address like B7")],
    limit: Annotated[int, Query(ge=1, le=MAX_LINEAGE, description="At most this many precedents and "
                                                                  "dependents each")] = 100,
) -> Response:
    """One cell. 422 for a bad address or unknown sheet, 404 for an unknown model or an empty cell."""
    row, col = parse_address(address)
    with reading(request) as conn:
        got = q.cell_with_lineage(conn, model_id, sheet, row, col, limit)
    found = got.located
    if found.cell is None:
        raise NotFound(f"no cell stored at {sheet[:100]}!{address} in model {model_id}", "address")
    cell = found.cell
    cell["precedents"], cell["precedents_truncated"] = got.precedents, got.precedents_truncated
    cell["dependents"], cell["dependents_truncated"] = got.dependents, got.dependents_truncated
    cell["validation_class"], cell["validation_run_id"] = found.validation_class, found.validation_run_id
    return json_response(cell)
