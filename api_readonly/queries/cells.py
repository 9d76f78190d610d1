"""Cells: filtered pages, one cell, its lineage (precedents / dependents) and its validation class."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from api_readonly.errors import InvalidParameter, NotFound
from api_readonly.queries.cellcount import POSITIONS
from api_readonly.queries.compiled import compiled, fetch, fetch_all, like_escaped
from api_readonly.queries.models import M, S, require_model, require_sheet
from core.addressing import format_cell
from db.models import Cell, CellPrecedent, ValidationResult, ValidationRun

C = Cell.__table__
P = CellPrecedent.__table__
VR = ValidationResult.__table__
RUNS = ValidationRun.__table__

CELL_COLUMNS = (
    C.c.sheet_name.label("sheet"), C.c.cell.label("address"), C.c.row_num.label("row"),
    C.c.col_num.label("col"), C.c.cell_type, C.c.formula, C.c.array_ref, C.c.raw_type, C.c.raw_value,
    C.c.raw_text, C.c.number_format, C.c.calculated_type, C.c.calculated_value, C.c.calculated_text,
    C.c.eval_status, C.c.eval_detail, C.c.is_circular, C.c.circular_group, C.c.has_dynamic_refs,
    C.c.has_broken_ref, C.c.parse_error, C.c.has_mismatch,
)
CELL_KEYS = tuple(c.key for c in CELL_COLUMNS)
# Primary-key order: a page is an index range scan, never a sort of the whole model.
CELL_ORDER = (C.c.sheet_name, C.c.row_num, C.c.col_num)


@dataclass(frozen=True)
class CellFilters:
    """Filters of GET /cells (None: not filtered); bounds = (first_row, first_col, last_row, last_col)."""

    sheet: str | None = None
    bounds: tuple[int, int, int, int] | None = None
    cell_type: str | None = None
    raw_type: str | None = None
    has_mismatch: bool | None = None
    is_circular: bool | None = None
    formula_contains: str | None = None
    function: str | None = None

    def shape(self) -> tuple[Any, ...]:
        """Which filters are set (the SQL text depends only on this; values are bound)."""
        return (self.sheet is not None, self.bounds is not None, self.cell_type is not None,
                self.raw_type is not None, self.has_mismatch, self.is_circular,
                bool(self.formula_contains), bool(self.function))

    def params(self, model_id: int) -> dict[str, Any]:
        """The bound values of the conditions() placeholders."""
        out: dict[str, Any] = {"model_id": model_id, "sheet": self.sheet, "cell_type": self.cell_type,
                               "raw_type": self.raw_type}
        if self.bounds is not None:
            out.update(zip(("r1", "c1", "r2", "c2"), self.bounds, strict=True))
        if self.formula_contains:
            out["contains"] = like_escaped(self.formula_contains)
        if self.function:
            # `functions` is ' SUM VLOOKUP ': a whole-token match, names upper-case without _xlfn.
            out["function"] = like_escaped(f" {self.function.upper()} ")
        return {k: v for k, v in out.items() if v is not None}

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """WHERE conditions with named placeholders (params() gives their values)."""
        where: list[sa.ColumnElement[bool]] = [C.c.model_id == sa.bindparam("model_id")]
        if self.sheet is not None:
            where.append(C.c.sheet_name == sa.bindparam("sheet"))
        if self.bounds is not None:
            where += [C.c.row_num.between(sa.bindparam("r1"), sa.bindparam("r2")),
                      C.c.col_num.between(sa.bindparam("c1"), sa.bindparam("c2"))]
        if self.cell_type is not None:
            where.append(C.c.cell_type == sa.bindparam("cell_type"))
        if self.raw_type is not None:
            where.append(C.c.raw_type == sa.bindparam("raw_type"))
        if self.has_mismatch is not None:
            where.append(C.c.has_mismatch.is_(True) if self.has_mismatch
                         else sa.or_(C.c.has_mismatch.is_(None), C.c.has_mismatch.is_(False)))
        if self.is_circular is not None:
            where.append(C.c.is_circular.is_(self.is_circular))
        if self.formula_contains:
            where.append(C.c.formula.icontains(sa.bindparam("contains", type_=sa.String), escape="/"))
        if self.function:
            # '_' and '.' occur in names: escaped, so '_' is no LIKE wildcard.
            where.append(C.c.functions.contains(sa.bindparam("function", type_=sa.String), escape="/"))
        return where


def _page_statement(filters: CellFilters) -> sa.Select[Any]:
    # The model's version travels with the page (scalar subqueries, evaluated once): the key of the
    # cached total. Not a window count: that reads and buffers every matching row in full, where the
    # separate count reads index entries only (measured 11 ms against 3 ms for 4,000 of 10,000 rows).
    model_id = sa.bindparam("model_id", type_=sa.Integer)
    version = (sa.select(M.c.uploaded_at).where(M.c.id == model_id).scalar_subquery().label("uploaded_at"),
               sa.select(M.c.updated_at).where(M.c.id == model_id).scalar_subquery().label("updated_at"),
               sa.select(sa.func.max(RUNS.c.id)).where(RUNS.c.model_id == model_id).scalar_subquery()
               .label("run_id"))
    return (sa.select(*version, *CELL_COLUMNS)
            .where(*filters.conditions()).order_by(*CELL_ORDER)
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


def _count_statement(filters: CellFilters) -> sa.Select[Any]:
    return sa.select(sa.func.count()).select_from(C).where(*filters.conditions())


class TotalsCache:
    """Exact totals of GET /cells per (model version, filters), least recently used dropped first.

    A stored model's cells change only in the transaction that records a validation run (has_mismatch),
    which also sets the model's updated_at; a re-import is a new model row (new uploaded_at, even where
    SQLite reuses a deleted model's id). So (model id, uploaded_at, updated_at, latest run id) names one
    unchanging set of cells, and a total cached under it never goes stale; a deleted model's entries are
    never asked for again and age out.
    """

    def __init__(self, size: int = 4096) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._data: OrderedDict[tuple[Any, ...], int] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> int | None:
        """The cached total under *key*, or None."""
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], total: int) -> None:
        """Remember *total* under *key*."""
        with self._lock:
            self._data[key] = total
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget every total."""
        with self._lock:
            self._data.clear()


TOTALS = TotalsCache()
_VERSION_COLUMNS = 3  # uploaded_at, updated_at, run_id in front of CELL_COLUMNS


def list_cells(conn: sa.Connection, model_id: int, filters: CellFilters, page: int,
               page_size: int) -> tuple[int, list[dict[str, Any]]]:
    """One page of a model's cells matching *filters*, and the exact number of matching cells.
    Raises NotFound, InvalidParameter (unknown sheet)."""
    params = filters.params(model_id)
    shape = filters.shape()
    offset = (page - 1) * page_size
    stmt = compiled(conn, ("cells_page", shape), lambda: _page_statement(filters))
    rows = fetch(conn, stmt, {**params, "limit": page_size, "offset": offset})
    count = compiled(conn, ("cells_count", shape), lambda: _count_statement(filters))
    if not rows:  # cells exist only for a stored model's sheets: no existence check needed otherwise
        if filters.sheet is not None:
            require_sheet(conn, model_id, filters.sheet)
        else:
            require_model(conn, model_id)
        return int(fetch(conn, count, params)[0][0]), []
    items = [dict(zip(CELL_KEYS, row[_VERSION_COLUMNS:], strict=True)) for row in rows]
    if len(rows) < page_size:  # the last page: nothing follows it
        return offset + len(rows), items
    version = (model_id, *rows[0][:_VERSION_COLUMNS])
    key = (*version, shape, tuple(sorted(params.items())))
    total = TOTALS.get(key)
    if total is None:
        total = _indexed_count(conn, version, filters)
        if total is None:
            total = int(fetch(conn, count, params)[0][0])
        TOTALS.put(key, total)
    return total, items


def _indexed_count(conn: sa.Connection, version: tuple[Any, ...], filters: CellFilters) -> int | None:
    """The count from the sheet's position index (cellcount.py), or None where the database must count.

    The positions are read after the page, in a statement of their own: should a validation run commit
    in between, they belong to the next version but are filed under the one this request saw, which
    only requests that read the page before that commit ask for.
    """
    if filters.sheet is None or filters.formula_contains or filters.function:
        return None
    whole = replace(filters, bounds=None)
    key = (*version, filters.sheet, filters.cell_type, filters.raw_type, filters.has_mismatch,
           filters.is_circular)

    def load() -> list[tuple[Any, ...]]:  # (row, col) pairs in row, column order
        stmt = compiled(conn, ("cells_positions", whole.shape()), lambda: _positions_statement(whole))
        return fetch(conn, stmt, whole.params(version[0]))

    return POSITIONS.count(key, filters.bounds, load)


def _positions_statement(filters: CellFilters) -> sa.Select[Any]:
    return sa.select(C.c.row_num, C.c.col_num).where(*filters.conditions()).order_by(*CELL_ORDER)


@dataclass(frozen=True)
class LocatedCell:
    """A model's file hash, and the cell at an address (None when nothing is stored there)."""

    file_hash: str
    cell: dict[str, Any] | None
    validation_class: str | None
    validation_run_id: int | None


def _locate_statement() -> sa.Select[Any]:
    sheet = sa.bindparam("sheet", type_=sa.String)
    row, col = sa.bindparam("row", type_=sa.Integer), sa.bindparam("col", type_=sa.Integer)
    # correlate(M) explicitly: inside the class subquery, auto-correlation would only look one level
    # up and turn this into the newest run of any model.
    latest = (sa.select(sa.func.max(RUNS.c.id)).where(RUNS.c.model_id == M.c.id).correlate(M)
              .scalar_subquery())
    klass = (sa.select(VR.c["class"]).where(VR.c.run_id == latest, VR.c.sheet_name == sheet,
                                            VR.c.row_num == row, VR.c.col_num == col)
             .scalar_subquery())
    joined = (M.outerjoin(S, sa.and_(S.c.model_id == M.c.id, S.c.name == sheet))
              .outerjoin(C, sa.and_(C.c.model_id == M.c.id, C.c.sheet_name == sheet, C.c.row_num == row,
                                    C.c.col_num == col)))
    return (sa.select(M.c.file_hash, S.c.name.label("sheet_found"), latest.label("run_id"),
                      klass.label("klass"), *CELL_COLUMNS)
            .select_from(joined).where(M.c.id == sa.bindparam("model_id")))


def _located(rows: list[tuple[Any, ...]], model_id: int, sheet: str) -> LocatedCell:
    """The locate statement's answer. Raises NotFound (no model), InvalidParameter (no such sheet)."""
    if not rows:
        raise NotFound(f"no model with id {model_id}", "model_id")
    file_hash, sheet_found, run_id, klass, *values = rows[0]
    if sheet_found is None:
        raise InvalidParameter(f"sheet: model {model_id} has no sheet named {sheet[:100]!r}", "sheet")
    cell = dict(zip(CELL_KEYS, values, strict=True))
    if cell["address"] is None:
        return LocatedCell(file_hash, None, None, None)
    if cell["cell_type"] != "formula" or run_id is None:
        return LocatedCell(file_hash, cell, None, None)
    # Only non-matching cells are stored in a run: a formula cell absent from it matched.
    return LocatedCell(file_hash, cell, klass or "match", run_id)


def locate_cell(conn: sa.Connection, model_id: int, sheet: str, row: int, col: int) -> LocatedCell:
    """Model, sheet, cell and latest validation class in one round trip. Raises NotFound, InvalidParameter."""
    rows = fetch(conn, compiled(conn, "locate_cell", _locate_statement),
                 {"model_id": model_id, "sheet": sheet, "row": row, "col": col})
    return _located(rows, model_id, sheet)


@dataclass(frozen=True)
class CellLineage:
    """One cell (as located) with its precedents and dependents, each capped, and whether more exist."""

    located: LocatedCell
    precedents: list[dict[str, Any]]
    precedents_truncated: bool
    dependents: list[dict[str, Any]]
    dependents_truncated: bool


def cell_with_lineage(conn: sa.Connection, model_id: int, sheet: str, row: int, col: int,
                      limit: int) -> CellLineage:
    """locate_cell, precedents and dependents, in one round trip once the sheet's tallest lineage range
    is known (cached per model and sheet). Raises NotFound, InvalidParameter."""
    params = {"model_id": model_id, "sheet": sheet, "row": row, "col": col}
    lineage = {**params, "limit": limit + 1}
    statements = [(compiled(conn, "locate_cell", _locate_statement), params),
                  (compiled(conn, "precedents", _precedents_statement), lineage)]
    known = RANGE_HEIGHTS.peek(model_id, sheet)
    if known is not None:
        statements.append((compiled(conn, "dependents", _dependents_statement),
                           {**lineage, "lowest": row - known[1]}))
    results = fetch_all(conn, statements)
    located = _located(results[0], model_id, sheet)
    if located.cell is None:
        return CellLineage(located, [], False, [], False)
    if known is not None and known[0] == located.file_hash:
        dependent_rows = results[2]
    else:  # first request for the sheet, or a model id reused since (SQLite): what the cache holds is stale
        height = RANGE_HEIGHTS.get(conn, model_id, located.file_hash, sheet)
        dependent_rows = fetch(conn, compiled(conn, "dependents", _dependents_statement),
                               {**lineage, "lowest": row - height})
    return CellLineage(located, *_precedent_items(results[1], limit), *_dependent_items(dependent_rows, limit))


def _range_text(r1: int, c1: int, r2: int, c2: int) -> str | None:
    try:
        first = format_cell(r1, c1)
        return first if (r1, c1) == (r2, c2) else f"{first}:{format_cell(r2, c2)}"
    except ValueError:  # external / broken references may carry bounds outside the sheet grid
        return None


def _precedents_statement() -> sa.Select[Any]:
    return (sa.select(P.c.ref_sheet, P.c.first_row, P.c.first_col, P.c.last_row, P.c.last_col, P.c.kind)
            .where(P.c.model_id == sa.bindparam("model_id"), P.c.sheet_name == sa.bindparam("sheet"),
                   P.c.row_num == sa.bindparam("row"), P.c.col_num == sa.bindparam("col"))
            .order_by(P.c.seq).limit(sa.bindparam("limit")))


def _precedent_items(rows: list[tuple[Any, ...]], limit: int) -> tuple[list[dict[str, Any]], bool]:
    items = [{"sheet": ref, "range": _range_text(r1, c1, r2, c2), "first_row": r1, "first_col": c1,
              "last_row": r2, "last_col": c2, "kind": kind} for ref, r1, c1, r2, c2, kind in rows[:limit]]
    return items, len(rows) > limit


def precedents(conn: sa.Connection, model_id: int, sheet: str, row: int, col: int,
               limit: int) -> tuple[list[dict[str, Any]], bool]:
    """What feeds the cell: its lineage rows (primary-key prefix scan), and whether more exist."""
    rows = fetch(conn, compiled(conn, "precedents", _precedents_statement),
                 {"model_id": model_id, "sheet": sheet, "row": row, "col": col, "limit": limit + 1})
    return _precedent_items(rows, limit)


class _HeightCache:
    """Tallest lineage range per (model, referenced sheet), with the model's file hash. A stored model's
    lineage never changes; the hash guards against a reused id (SQLite can reuse a deleted model's id)."""

    def __init__(self, size: int = 1024) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._data: OrderedDict[tuple[int, str], tuple[str, int]] = OrderedDict()

    def peek(self, model_id: int, sheet: str) -> tuple[str, int] | None:
        """(file hash, height) cached for the model id and sheet, or None."""
        with self._lock:
            found = self._data.get((model_id, sheet))
            if found is not None:
                self._data.move_to_end((model_id, sheet))
            return found

    def get(self, conn: sa.Connection, model_id: int, file_hash: str, sheet: str) -> int:
        """The height for the model with *file_hash*, read from the database unless cached for it."""
        found = self.peek(model_id, sheet)
        if found is not None and found[0] == file_hash:
            return found[1]
        height = int(conn.execute(sa.select(sa.func.max(P.c.last_row - P.c.first_row))
                                  .where(P.c.model_id == model_id, P.c.ref_sheet == sheet)).scalar() or 0)
        with self._lock:
            self._data[(model_id, sheet)] = (file_hash, height)
            self._data.move_to_end((model_id, sheet))
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return height


RANGE_HEIGHTS = _HeightCache()


def _dependents_statement() -> sa.Select[Any]:
    row, col = sa.bindparam("row", type_=sa.Integer), sa.bindparam("col", type_=sa.Integer)
    return (sa.select(P.c.sheet_name, P.c.row_num, P.c.col_num, P.c.first_row, P.c.first_col, P.c.last_row,
                      P.c.last_col, P.c.kind)
            .where(P.c.model_id == sa.bindparam("model_id"), P.c.ref_sheet == sa.bindparam("sheet"),
                   P.c.first_row.between(sa.bindparam("lowest"), row), P.c.last_row >= row,
                   P.c.first_col <= col, P.c.last_col >= col)
            .order_by(P.c.first_row, P.c.last_row, P.c.first_col, P.c.last_col)
            .limit(sa.bindparam("limit")))


def dependents(conn: sa.Connection, model_id: int, file_hash: str, sheet: str, row: int, col: int,
               limit: int) -> tuple[list[dict[str, Any]], bool]:
    """What the cell feeds: formula cells with a lineage range containing it, and whether more exist.

    Ordered by the referenced range (the order of ix_cell_precedents_ref, so a cell feeding 100k
    formulas stops after `limit` rows instead of sorting them all); equal ranges in storage order.
    The tallest range on the sheet bounds first_row from below, so the index scan reads only ranges
    starting within that distance above the cell, not every range above it.
    """
    height = RANGE_HEIGHTS.get(conn, model_id, file_hash, sheet)
    rows = fetch(conn, compiled(conn, "dependents", _dependents_statement),
                 {"model_id": model_id, "sheet": sheet, "row": row, "col": col, "lowest": row - height,
                  "limit": limit + 1})
    return _dependent_items(rows, limit)


def _dependent_items(rows: list[tuple[Any, ...]], limit: int) -> tuple[list[dict[str, Any]], bool]:
    items = [{"sheet": s, "address": format_cell(r, c), "row": r, "col": c,
              "via": _range_text(r1, c1, r2, c2), "kind": kind} for s, r, c, r1, c1, r2, c2, kind in rows[:limit]]
    return items, len(rows) > limit
