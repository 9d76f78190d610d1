"""GET /api/models, one model, its versions, sheets, defined names and stats."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request

from api_readonly.errors import ERROR_RESPONSES
from api_readonly.params import ModelId, PageParams, page_params, reading, text_query
from api_readonly.queries import models as q
from api_readonly.queries.paging import page_dict
from api_readonly.queries.stats import model_stats
from api_readonly.schemas import ModelDetail, ModelOut, NameOut, Page, SheetOut, StatsOut, VersionOut

router = APIRouter(prefix="/api/models", tags=["models"], responses=ERROR_RESPONSES)
Paging = Annotated[PageParams, Depends(page_params)]
Sort = Literal["-uploaded_at", "uploaded_at", "name", "-name"]


@router.get("", response_model=Page[ModelOut], summary="List models")
def list_models(
    request: Request,
    paging: Paging,
    # `q` on the wire; `search` here so it does not shadow the queries module.
    search: Annotated[str | None, text_query("Name contains this text (case-insensitive)", alias="q")]
    = None,
    status: Annotated[str | None, text_query("Only models with this status (imported, validated, "
                                             "failed, ...)", 32)] = None,
    sort: Sort = "-uploaded_at",
) -> dict[str, Any]:
    """Models, newest upload first unless *sort* says otherwise."""
    with reading(request) as conn:
        total, items = q.list_models(conn, q=search, status=status, sort=sort, page=paging.page,
                                     page_size=paging.page_size)
    return page_dict(total, items, paging.page, paging.page_size)


@router.get("/{model_id}", response_model=ModelDetail, summary="One model")
def get_model(request: Request, model_id: ModelId) -> dict[str, Any]:
    """A model with its workbook metadata and import summary. 404 when unknown."""
    with reading(request) as conn:
        return q.get_model(conn, model_id)


@router.get("/{model_id}/versions", response_model=Page[VersionOut], summary="Versions of a model")
def list_versions(request: Request, model_id: ModelId, paging: Paging) -> dict[str, Any]:
    """Every version of the model's name, oldest first, with counts and changes from the previous one."""
    with reading(request) as conn:
        total, items = q.list_versions(conn, model_id, paging.page, paging.page_size)
    return page_dict(total, items, paging.page, paging.page_size)


@router.get("/{model_id}/sheets", response_model=Page[SheetOut], summary="Sheets of a model")
def list_sheets(request: Request, model_id: ModelId, paging: Paging) -> dict[str, Any]:
    """Sheets in workbook order."""
    with reading(request) as conn:
        total, items = q.list_sheets(conn, model_id, paging.page, paging.page_size)
    return page_dict(total, items, paging.page, paging.page_size)


@router.get("/{model_id}/names", response_model=Page[NameOut], summary="Defined names of a model")
def list_names(request: Request, model_id: ModelId, paging: Paging) -> dict[str, Any]:
    """Defined names by name then scope."""
    with reading(request) as conn:
        total, items = q.list_names(conn, model_id, paging.page, paging.page_size)
    return page_dict(total, items, paging.page, paging.page_size)


@router.get("/{model_id}/stats", response_model=StatsOut, summary="Cell counts of a model")
def get_stats(request: Request, model_id: ModelId) -> dict[str, Any]:
    """Counts by sheet, cell type, cached-value type, evaluation status and function."""
    with reading(request) as conn:
        return model_stats(conn, model_id)
