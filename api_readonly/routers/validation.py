"""GET /api/models/{id}/validation (runs), its mismatches and unsupported cells, and circular groups."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api_readonly.errors import ERROR_RESPONSES
from api_readonly.params import MAX_ID, ModelId, PageParams, page_params, reading, text_query
from api_readonly.queries import validation as q
from api_readonly.queries.paging import page_dict
from api_readonly.schemas import CircularGroupOut, Page, ResultOut, ValidationOut

router = APIRouter(prefix="/api/models", tags=["validation"], responses=ERROR_RESPONSES)
Paging = Annotated[PageParams, Depends(page_params)]
SheetFilter = Annotated[str | None, text_query("Only this sheet (422 when the model has no such sheet)")]
RunId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="A validation run (default: the latest)")]


@router.get("/{model_id}/validation", response_model=ValidationOut, summary="Validation runs of a model")
def get_validation(request: Request, model_id: ModelId, paging: Paging) -> dict[str, Any]:
    """The latest run with its summary, and a page of all runs (newest first)."""
    with reading(request) as conn:
        return q.validation_overview(conn, model_id, paging.page, paging.page_size)


def _results(request: Request, model_id: int, paging: PageParams, sheet: str | None, run_id: int | None,
             *, unsupported: bool) -> dict[str, Any]:
    with reading(request) as conn:
        total, items = q.list_results(conn, model_id, unsupported=unsupported, sheet=sheet, run_id=run_id,
                                      page=paging.page, page_size=paging.page_size)
    return page_dict(total, items, paging.page, paging.page_size)


@router.get("/{model_id}/validation/mismatches", response_model=Page[ResultOut],
            summary="Cells whose recalculated value differs from Excel's")
def list_mismatches(request: Request, model_id: ModelId, paging: Paging, sheet: SheetFilter = None,
                    run_id: RunId = None) -> dict[str, Any]:
    """Cells of class 'mismatch' in a run, in sheet/row/column order."""
    return _results(request, model_id, paging, sheet, run_id, unsupported=False)


@router.get("/{model_id}/validation/unsupported", response_model=Page[ResultOut],
            summary="Cells the engine could not recalculate (unsupported functions or features)")
def list_unsupported(request: Request, model_id: ModelId, paging: Paging, sheet: SheetFilter = None,
                     run_id: RunId = None) -> dict[str, Any]:
    """Cells whose class starts with 'unsupported' in a run, in sheet/row/column order."""
    return _results(request, model_id, paging, sheet, run_id, unsupported=True)


@router.get("/{model_id}/circular-groups", response_model=Page[CircularGroupOut],
            summary="Circular groups of a model")
def list_circular_groups(request: Request, model_id: ModelId, paging: Paging) -> dict[str, Any]:
    """Circular groups by id, with their members and how iteration went."""
    with reading(request) as conn:
        total, items = q.list_circular_groups(conn, model_id, paging.page, paging.page_size)
    return page_dict(total, items, paging.page, paging.page_size)
