"""`capitallens models` and `capitallens cells`: tables (rich) or JSON lines."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from config.settings import Settings

MODEL_COLUMNS = ("id", "name", "version", "status", "original_filename", "uploaded_at")
CELL_COLUMNS = ("sheet_name", "cell", "cell_type", "formula", "raw_type", "raw_value", "raw_text",
                "calculated_type", "calculated_value", "calculated_text", "is_circular", "has_mismatch")


def _engine(settings: Settings) -> Any:
    from db.engine import make_engine
    from db.migrate import ensure_current

    engine = make_engine(settings.db_url)
    ensure_current(engine)
    return engine


def _print(rows: list[dict[str, Any]], columns: tuple[str, ...], title: str, as_json: bool) -> None:
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, default=str) + "\n")
        return
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    Console().print(table)


def print_models(settings: Settings, *, as_json: bool) -> None:
    """Every stored model, newest first. Raises DatabaseNotMigrated."""
    from db.repo import list_models

    models = list_models(_engine(settings))
    rows = [{c: getattr(m, c) for c in MODEL_COLUMNS} | {"cells": (m.import_summary or {}).get("cells")}
            for m in models]
    _print(rows, (*MODEL_COLUMNS, "cells"), "models", as_json)


def print_cells(settings: Settings, model_id: int, *, sheet: str | None, limit: int, as_json: bool) -> None:
    """The first *limit* cells of a model (optionally one sheet). Raises DatabaseNotMigrated."""
    from db.repo import get_model, list_cells

    engine = _engine(settings)
    if get_model(engine, model_id) is None:
        Console(stderr=True).print(f"[red]no model with id {model_id}[/red]")
        raise SystemExit(1)
    cells = list_cells(engine, model_id, sheet=sheet, limit=limit)
    rows = [{c: getattr(cell, c) for c in CELL_COLUMNS} for cell in cells]
    _print(rows, CELL_COLUMNS, f"model {model_id}" + (f", sheet {sheet}" if sheet else ""), as_json)
