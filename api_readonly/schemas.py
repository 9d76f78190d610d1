"""Response bodies. Routers return plain dicts/rows; FastAPI validates them against these models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, Field

T = TypeVar("T")


def _as_utc(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive; every stored time is UTC (db.models.utcnow).
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Timestamp = Annotated[datetime, AfterValidator(_as_utc)]


class Page(BaseModel, Generic[T]):
    """One page of a list: `total` items match, this is page `page` of size `page_size`."""

    total: int
    page: int
    page_size: int
    items: list[T]


class HealthOut(BaseModel):
    """What /health checked. `ok` needs the database and current migrations, not Prefect."""

    ok: bool
    database: str  # 'ok' | 'unreachable'
    migrations: str  # 'current' | 'outdated' | 'unknown'
    prefect: str  # 'reachable' | 'unreachable'
    detail: list[str] = Field(default_factory=list)


class ModelOut(BaseModel):
    """An imported workbook version."""

    id: int
    name: str
    version: int
    original_filename: str
    file_hash: str
    file_size: int
    uploaded_at: Timestamp
    updated_at: Timestamp
    status: str


class ModelDetail(ModelOut):
    """A model with its stored workbook facts and import summary."""

    workbook_metadata: dict[str, Any] | None = None
    import_summary: dict[str, Any] | None = None


class VersionCounts(BaseModel):
    """Sizes of one version (what a version-to-version change is measured in)."""

    cells: int
    formula_cells: int
    value_cells: int
    sheets: int
    defined_names: int
    circular_groups: int


class VersionOut(BaseModel):
    """One version of a model name, with its counts and how they changed from the previous version."""

    id: int
    version: int
    uploaded_at: Timestamp
    status: str
    file_hash: str
    counts: VersionCounts
    match_rate: float | None = None
    changes: dict[str, int] | None = None  # counts minus the previous version's; None for version 1


class SheetOut(BaseModel):
    """A sheet, in workbook order."""

    position: int
    name: str
    state: str
    dimension: str | None = None
    kind: str


class NameOut(BaseModel):
    """A defined name; scope None is workbook scope."""

    name: str
    scope: str | None = None
    refers_to: str
    hidden: bool


class CellOut(BaseModel):
    """One stored cell: Excel's cached value (raw_*) and our recalculated value (calculated_*)."""

    sheet: str
    address: str
    row: int
    col: int
    cell_type: str
    formula: str | None = None
    array_ref: str | None = None
    raw_type: str
    raw_value: float | None = None
    raw_text: str | None = None
    number_format: str | None = None
    calculated_type: str | None = None
    calculated_value: float | None = None
    calculated_text: str | None = None
    eval_status: str | None = None
    eval_detail: str | None = None
    is_circular: bool
    circular_group: int | None = None
    has_dynamic_refs: bool | None = None
    has_broken_ref: bool | None = None
    parse_error: str | None = None
    has_mismatch: bool | None = None


class PrecedentOut(BaseModel):
    """A range a formula reads."""

    sheet: str
    range: str | None  # 'B2:C5' / 'B2'; None when the stored bounds are not a valid address
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    kind: str


class DependentOut(BaseModel):
    """A formula cell that reads this cell, and the range through which it does."""

    sheet: str
    address: str
    row: int
    col: int
    via: str | None
    kind: str


class CellDetail(CellOut):
    """A cell with its lineage and its class in the latest validation run."""

    precedents: list[PrecedentOut]
    precedents_truncated: bool
    dependents: list[DependentOut]
    dependents_truncated: bool
    validation_class: str | None = None  # None: not a formula cell, or never validated
    validation_run_id: int | None = None


class SheetStats(BaseModel):
    """Cell counts of one sheet."""

    sheet: str
    cells: int
    formula_cells: int
    value_cells: int


class FunctionCount(BaseModel):
    """How many formula cells call a function (a cell counts once per function)."""

    function: str
    cells: int


class StatsOut(BaseModel):
    """Counts by sheet, by type and by function."""

    total_cells: int
    by_sheet: list[SheetStats]
    by_cell_type: dict[str, int]
    by_raw_type: dict[str, int]
    by_eval_status: dict[str, int]
    by_function: list[FunctionCount]


class RunOut(BaseModel):
    """A validation run."""

    id: int
    started_at: Timestamp
    finished_at: Timestamp | None = None
    engine: str
    engine_version: str | None = None
    formula_cells: int
    counts: dict[str, Any] | None = None
    match_rate: float | None = None


class RunDetail(RunOut):
    """A validation run with its summary (by sheet, by function, warnings)."""

    summary: dict[str, Any] | None = None


class ValidationOut(BaseModel):
    """The latest run of a model and the history of its runs (newest first)."""

    model_id: int
    latest: RunDetail | None
    history: Page[RunOut]


class ResultOut(BaseModel):
    """A formula cell whose recalculated value did not match Excel's."""

    run_id: int
    sheet: str
    address: str
    row: int
    col: int
    class_: str = Field(alias="class", serialization_alias="class")
    formula: str | None = None
    expected_type: str | None = None
    expected_value: float | None = None
    expected_text: str | None = None
    calculated_type: str | None = None
    calculated_value: float | None = None
    calculated_text: str | None = None
    detail: str | None = None

    model_config = {"populate_by_name": True}


class CircularGroupOut(BaseModel):
    """A circular group and how its iteration went."""

    group_id: int
    size: int
    members: list[str]
    sheets: list[str]
    converged: bool | None = None
    iterations: int | None = None
    max_change: float | None = None
