"""Counts of a model's cells by sheet, type, evaluation status and function."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from typing import Any

import sqlalchemy as sa

from api_readonly.errors import NotFound
from db.models import Cell, Model, Sheet

C = Cell.__table__
M = Model.__table__
S = Sheet.__table__

_CACHE_SIZE = 32


class _FunctionCountCache:
    """Function counts per (model id, file hash): a stored model's cells never change, and counting
    them means a GROUP BY over every formula cell of the model."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[tuple[int, str], list[tuple[str, int]]] = OrderedDict()

    def get(self, key: tuple[int, str]) -> list[tuple[str, int]] | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: tuple[int, str], value: list[tuple[str, int]]) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > _CACHE_SIZE:
                self._data.popitem(last=False)


FUNCTION_COUNTS = _FunctionCountCache()


def _count_functions(conn: sa.Connection, model_id: int) -> list[tuple[str, int]]:
    # The database groups by the whole `functions` text (' SUM VLOOKUP '): a model has few distinct
    # combinations, so splitting them here is cheap and works the same on SQLite and PostgreSQL.
    counts: Counter[str] = Counter()
    rows = conn.execute(sa.select(C.c.functions, sa.func.count())
                        .where(C.c.model_id == model_id, C.c.functions.is_not(None), C.c.functions != "")
                        .group_by(C.c.functions))
    for text, n in rows:
        for name in set(text.split()):
            counts[name] += n
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _grouped(conn: sa.Connection, model_id: int, column: sa.ColumnElement[Any]) -> dict[str, int]:
    rows = conn.execute(sa.select(column, sa.func.count()).where(C.c.model_id == model_id)
                        .group_by(column))
    return {str(key) if key is not None else "none": int(n) for key, n in rows}


def _by_sheet(conn: sa.Connection, model_id: int) -> list[dict[str, Any]]:
    per: dict[str, Counter[str]] = {}
    for sheet, ctype, n in conn.execute(
            sa.select(C.c.sheet_name, C.c.cell_type, sa.func.count()).where(C.c.model_id == model_id)
            .group_by(C.c.sheet_name, C.c.cell_type)):
        per.setdefault(sheet, Counter())[ctype] += n
    order = [name for (name,) in conn.execute(sa.select(S.c.name).where(S.c.model_id == model_id)
                                                .order_by(S.c.position))]
    order += sorted(set(per) - set(order))
    out = []
    for name in order:
        kinds = per.get(name, Counter())
        total = sum(kinds.values())
        out.append({"sheet": name, "cells": total, "formula_cells": kinds["formula"],
                    "value_cells": total - kinds["formula"]})
    return out


def model_stats(conn: sa.Connection, model_id: int) -> dict[str, Any]:
    """Counts by sheet (workbook order), cell type, cached type, eval status, function. Raises NotFound."""
    file_hash = conn.execute(sa.select(M.c.file_hash).where(M.c.id == model_id)).scalar()
    if file_hash is None:
        raise NotFound(f"no model with id {model_id}", "model_id")
    by_sheet = _by_sheet(conn, model_id)
    key = (model_id, file_hash)
    functions = FUNCTION_COUNTS.get(key)
    if functions is None:
        functions = _count_functions(conn, model_id)
        FUNCTION_COUNTS.put(key, functions)
    return {"total_cells": sum(s["cells"] for s in by_sheet), "by_sheet": by_sheet,
            "by_cell_type": _grouped(conn, model_id, C.c.cell_type),
            "by_raw_type": _grouped(conn, model_id, C.c.raw_type),
            "by_eval_status": _grouped(conn, model_id, C.c.eval_status),
            "by_function": [{"function": f, "cells": n} for f, n in functions]}
