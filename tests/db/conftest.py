"""Fixtures for tests/db: a migrated database on each backend, and stage directories written by hand.

Every `db_engine` test runs on SQLite and on PostgreSQL. Both databases are migrated once per session;
tests stay isolated by using their own model names and file hashes (the loader commits its own
transactions, so a rolled-back outer transaction cannot contain it).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy.engine import Engine

from core.stage import (
    CELLS_SCHEMA,
    EVALUATE,
    GRAPH,
    GRAPH_CELLS_SCHEMA,
    LINEAGE_SCHEMA,
    PARSE,
    VALUES_SCHEMA,
    StageDir,
    write_json,
    write_table,
)
from core.workbook import DefinedName, SheetInfo, WorkbookInfo
from db.engine import make_engine
from db.migrate import upgrade

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database file for the session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'nested' / 'capitallens.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def pg_url(pg_database: str) -> str:
    """The session's PostgreSQL database, migrated once."""
    upgrade(pg_database)
    return pg_database


@pytest.fixture(params=BACKENDS)
def db_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated engine on each backend."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def unique_name(prefix: str = "model") -> str:
    """A model name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def cell_row(sheet: str, row: int, col: int, value: Any = None, *, formula: str | None = None,
             number_format: str | None = None, array_ref: str | None = None) -> dict[str, Any]:
    """One parse/cells.arrow row; the cached value's type is inferred from *value*."""
    raw: dict[str, Any] = {"raw_type": "empty", "raw_value": None, "raw_text": None}
    if isinstance(value, bool):
        raw = {"raw_type": "bool", "raw_value": float(value), "raw_text": None}
    elif isinstance(value, int | float):
        raw = {"raw_type": "number", "raw_value": float(value), "raw_text": None}
    elif isinstance(value, str) and value.startswith("#"):
        raw = {"raw_type": "error", "raw_value": None, "raw_text": value}
    elif isinstance(value, str):
        raw = {"raw_type": "text", "raw_value": None, "raw_text": value}
    return {"sheet": sheet, "row": row, "col": col,
            "cell_type": "formula" if formula else "value", "formula": formula,
            "array_ref": array_ref, "number_format": number_format, **raw}


def write_stage(root: Path, cells: Sequence[dict[str, Any]], *,
                sheets: Sequence[SheetInfo] | None = None,
                names: Sequence[DefinedName] = (),
                graph: Sequence[dict[str, Any]] | None = None,
                lineage: Sequence[dict[str, Any]] | None = None,
                groups: Sequence[dict[str, Any]] | None = None,
                values: Sequence[dict[str, Any]] | None = None,
                seed: str | None = None) -> StageDir:
    """A stage directory with parse outputs (and graph/evaluate outputs when given) for a fresh hash."""
    sha = hashlib.sha256((seed or uuid.uuid4().hex).encode()).hexdigest()
    stage = StageDir.for_hash(root, sha)
    if sheets is None:
        order = list(dict.fromkeys(c["sheet"] for c in cells)) or ["Sheet1"]
        sheets = [SheetInfo(name=n, position=i) for i, n in enumerate(order)]
    info = WorkbookInfo(filename="book.xlsx", sheets=tuple(sheets), defined_names=tuple(names),
                        counts={"cells": len(cells)})
    with stage.writing(PARSE) as out:
        write_table(out / "cells.arrow", pa.Table.from_pylist(list(cells), schema=CELLS_SCHEMA))
        write_json(out / "workbook.json", info.to_json())
    if graph is not None:
        with stage.writing(GRAPH) as out:
            write_table(out / "cells.arrow", pa.Table.from_pylist(list(graph), schema=GRAPH_CELLS_SCHEMA))
            write_table(out / "lineage.arrow", pa.Table.from_pylist(list(lineage or []),
                                                                    schema=LINEAGE_SCHEMA))
            write_json(out / "groups.json", list(groups or []))
            write_json(out / "summary.json", {"formula_cells": sum(c["cell_type"] == "formula"
                                                                   for c in cells),
                                              "circular_groups": len(groups or [])})
    if values is not None:
        with stage.writing(EVALUATE) as out:
            write_table(out / "values.arrow", pa.Table.from_pylist(list(values), schema=VALUES_SCHEMA))
            write_json(out / "summary.json", {"counts": {"ok": len(values)}})
    return stage


def graph_row(*, circular: bool = False, group: int | None = None, dynamic: bool = False,
              broken: bool = False, parse_error: str | None = None) -> dict[str, Any]:
    """One graph/cells.arrow row."""
    return {"is_circular": circular, "group_id": group, "eval_order": None, "has_dynamic_refs": dynamic,
            "has_broken_ref": broken, "parse_error": parse_error}


def value_row(kind: str | None = None, number: float | None = None, text: str | None = None,
              status: str | None = None, detail: str | None = None) -> dict[str, Any]:
    """One evaluate/values.arrow row (all NULL for value cells)."""
    return {"calculated_type": kind, "calculated_value": number, "calculated_text": text,
            "eval_status": status, "eval_detail": detail}
