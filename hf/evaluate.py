"""The evaluate stage: recalculate every formula cell with the formula engine.

Reads parse/ (and graph/ for circular groups), sends the whole workbook to the engine in one load
(formulas as text, constants typed; the cached values of formula cells are never sent), reads every
formula cell back in one call, lets hf.cycles solve circular groups, and writes
evaluate/values.arrow (aligned with parse/cells.arrow) and evaluate/summary.json.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc

from core.addressing import parse_range
from core.stage import (
    EVALUATE,
    GRAPH,
    PARSE,
    StageDir,
    read_json,
    read_table,
    write_json,
    write_table,
)
from core.workbook import WorkbookInfo
from hf.client import NodeEngine, Text
from hf.protocol import CellKey, EngineBook, EngineName, EngineSheet, EngineValue, ErrorValue, FormulaEngine
from hf.wire import CYCLE, array_anchor, encode_grid, engine_values, formula_keys, values_table

CellOutcome = tuple[EngineValue, str, str | None]

# The clock of TODAY()/NOW(): "saved" = the moment the workbook was last saved (WorkbookInfo.saved_at,
# the moment of Excel's cached values, so validation compares like with like; the wall clock when the
# file does not record it), "now" = the wall clock. RAND/RANDBETWEEN stay random either way.
VOLATILE_CLOCK_SAVED = "saved"
VOLATILE_CLOCK_NOW = "now"
VOLATILE_CLOCKS = (VOLATILE_CLOCK_SAVED, VOLATILE_CLOCK_NOW)


@dataclass(frozen=True)
class EvaluateSummary:
    """What the evaluate stage did (also written to evaluate/summary.json)."""

    engine: str
    engine_version: str
    formula_cells: int
    seconds: float
    load_seconds: float
    status_counts: dict[str, int] = field(default_factory=dict)
    unsupported: dict[str, int] = field(default_factory=dict)
    rejected_names: dict[str, str] = field(default_factory=dict)
    rejected_cells: int = 0
    # {"option": "saved" | "now", "source": "workbook save time" | "wall clock", "time": ISO 8601 UTC or None}
    volatile_clock: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(self.__dict__)


def _array_followers(sheets: list[str], rows: list[int], cols: list[int],
                     arrays: list[str | None]) -> set[CellKey]:
    """Cells covered by an array formula other than its anchor: Excel's results, not inputs."""
    out: set[CellKey] = set()
    for s, r, c, ref in zip(sheets, rows, cols, arrays, strict=True):
        if not ref:
            continue
        try:
            r1, c1, r2, c2 = parse_range(ref)
        except ValueError:
            continue
        out.update((s, rr, cc) for rr in range(r1, r2 + 1) for cc in range(c1, c2 + 1)
                   if (rr, cc) != (r, c))
    return out


_array_anchor = array_anchor


def _constant(raw_type: str | None, value: float | None, text: str | None) -> object:
    if raw_type == "number":
        return value
    if raw_type == "bool":
        return bool(value)
    if raw_type == "text":
        return Text(text or "")
    if raw_type == "error":
        return ErrorValue(text or "#VALUE!")
    return None


def _hidden_rows(info: WorkbookInfo) -> dict[str, tuple[int, ...]]:
    """Sheet name -> the 1-based rows it saves hidden, for sheets that have any."""
    return {s.name: s.hidden_rows for s in info.sheets if s.hidden_rows}


def _external_parts(info: WorkbookInfo, external: pa.Table | None) -> tuple[list[EngineSheet], list[EngineName]]:
    """External books' cached values as extra sheets named '[n]Sheet' (after the real sheets; no
    real sheet name can hold '[') and their defined names as '[n]!Name' (see hf/PROTOCOL.md)."""
    cells: dict[str, list[tuple[int, int, object]]] = {}
    for link in info.external_links:
        for sheet in link.sheet_names:
            cells.setdefault(f"[{link.index}]{sheet}", [])
    for r in (external.to_pylist() if external is not None else ()):
        content = _constant(r["raw_type"], r["raw_value"], r["raw_text"])
        if content is not None:
            cells.setdefault(f"[{r['link']}]{r['sheet']}", []).append((r["row"], r["col"], content))
    names = [EngineName(f"[{link.index}]!{n}", expr, None) for link in info.external_links
             for n, expr in link.defined_names]
    return [EngineSheet(name=n, cells=c) for n, c in cells.items()], names


def build_book(cells: pa.Table, info: WorkbookInfo,
               external: pa.Table | None = None) -> tuple[EngineBook, list[CellKey]]:
    """The EngineBook of a parsed workbook (with its external links' cached cells when given)
    and its formula cells in row order. Raises nothing."""
    col = {name: cells.column(name).to_pylist() for name in
           ("sheet", "row", "col", "cell_type", "formula", "array_ref", "raw_type", "raw_value", "raw_text")}
    skip = _array_followers(col["sheet"], col["row"], col["col"], col["array_ref"])
    per_sheet: dict[str, list[tuple[int, int, object]]] = {name: [] for name in info.sheet_names()}
    formulas: list[CellKey] = []
    for i, sheet in enumerate(col["sheet"]):
        key = (sheet, col["row"][i], col["col"][i])
        if col["cell_type"][i] == "formula":
            formulas.append(key)
            content: object = _array_anchor(col["formula"][i], col["array_ref"][i])
        elif key in skip:
            continue
        else:
            content = _constant(col["raw_type"][i], col["raw_value"][i], col["raw_text"][i])
        if content is not None:
            per_sheet.setdefault(sheet, []).append((key[1], key[2], content))
    ext_sheets, ext_names = _external_parts(info, external)
    book = EngineBook(
        sheets=[EngineSheet(name=n, cells=c) for n, c in per_sheet.items()] + ext_sheets,
        names=[EngineName(d.name, d.refers_to, d.scope) for d in info.defined_names] + ext_names,
        date1904=info.date1904, tables=info.tables, charset=info.charset, hidden_rows=_hidden_rows(info))
    return book, formulas


def _solve_circular(engine: NodeEngine, stage: StageDir, info: WorkbookInfo,
                    values: dict[CellKey, EngineValue], out_dir: Any) -> dict[CellKey, CellOutcome] | None:
    """Run hf.cycles when the graph stage found circular groups; None when there is nothing to do."""
    if not stage.is_done(GRAPH) or not any(v.kind == "error" and v.text == "#CYCLE!" for v in values.values()):
        return None
    try:
        from hf.cycles import solve_circular
    except ImportError:
        return None
    outcome = solve_circular(cast(FormulaEngine, engine), stage, info, values, report_path=out_dir / "cycles.json")
    return dict(outcome.cells)


def _cycle_positions(reply: dict[str, Any]) -> list[int]:
    """Formula positions the engine reports as #CYCLE!."""
    return [i for i, t in zip(reply["xi"], reply["xtext"], strict=True) if t == CYCLE and reply["kind"][i] == "e"]


def _circular_overrides(engine: NodeEngine, stage: StageDir, info: WorkbookInfo, cells: pa.Table,
                        is_formula: pa.Array, reply: dict[str, Any],
                        out_dir: Any) -> tuple[dict[str, Any], dict[int, CellOutcome] | None]:
    """Solve circular groups when the engine left #CYCLE! cells: first the graph's groups, then any
    #CYCLE! cell still left as one more group (hf.cycles.solve_ungrouped). Returns the re-read reply
    and overrides by formula position. Only then are per-cell Python keys built."""
    if CYCLE not in reply["xtext"]:
        return reply, None
    keys = formula_keys(cells, is_formula)
    position = {k: i for i, k in enumerate(keys)}
    overrides: dict[int, CellOutcome] = {}
    solved = _solve_circular(engine, stage, info, dict(zip(keys, engine_values(reply), strict=True)), out_dir)
    if solved is not None:
        reply = engine.read_formulas()
        overrides.update((position[k], o) for k, o in solved.items() if k in position)
    left = [keys[i] for i in _cycle_positions(reply) if i not in overrides]
    if left:
        from hf.cycles import solve_ungrouped
        outcome = solve_ungrouped(cast(FormulaEngine, engine), stage, info, left, group_id=0,
                                  report_path=out_dir / "cycles_ungrouped.json")
        reply = engine.read_formulas()
        overrides.update((position[k], o) for k, o in outcome.cells.items() if k in position)
    return reply, overrides


def volatile_clock(info: WorkbookInfo, option: str = VOLATILE_CLOCK_SAVED) -> dict[str, Any]:
    """What TODAY()/NOW() read under *option* ("saved" or "now"): {"option", "source", "time"};
    time is None for the wall clock. Raises ValueError on an unknown option."""
    if option not in VOLATILE_CLOCKS:
        raise ValueError(f"volatile clock must be one of {VOLATILE_CLOCKS}, not {option!r}")
    if option == VOLATILE_CLOCK_SAVED and info.saved_at:
        return {"option": option, "source": "workbook save time", "time": info.saved_at}
    return {"option": option, "source": "wall clock", "time": None}


def evaluate_to(stage: StageDir, engine: NodeEngine, *, clock: str = VOLATILE_CLOCK_SAVED) -> EvaluateSummary:
    """Recalculate the parsed workbook of *stage* into evaluate/; *clock* says what TODAY()/NOW() read
    (VOLATILE_CLOCKS; the default is the workbook's save time). Raises StageOutputMissing,
    TransientError (engine died or timed out), EngineError (engine rejected the workbook), ValueError
    (unknown clock)."""
    stage.require(PARSE)
    t0 = time.perf_counter()
    cells = read_table(stage.path(PARSE, "cells.arrow"))
    info = WorkbookInfo.from_json(read_json(stage.path(PARSE, "workbook.json")))
    ext_path = stage.path(PARSE, "external.arrow")
    ext_sheets, ext_names = _external_parts(info, read_table(ext_path) if ext_path.exists() else None)
    clock_used = volatile_clock(info, clock)
    grid, is_formula, followers = encode_grid(cells, info)
    extras = EngineBook(sheets=ext_sheets, date1904=info.date1904, tables=info.tables,
                        names=[EngineName(d.name, d.refers_to, d.scope) for d in info.defined_names] + ext_names,
                        clock=clock_used["time"], charset=info.charset, hidden_rows=_hidden_rows(info))
    report = engine.load_grid(grid, extras)
    del grid
    reply = engine.read_formulas()
    with stage.writing(EVALUATE) as out:
        reply, overrides = _circular_overrides(engine, stage, info, cells, is_formula, reply, out)
        table = values_table(reply, is_formula, overrides, followers)
        write_table(out / "values.arrow", table)
        summary = _summarise(engine, table.filter(is_formula), report, time.perf_counter() - t0, clock_used)
        write_json(out / "summary.json", summary.to_json())
    return summary


def _summarise(engine: NodeEngine, values: pa.Table, report: Any, seconds: float,
               clock: dict[str, Any]) -> EvaluateSummary:
    statuses = {r["values"]: r["counts"] for r in pc.value_counts(values["eval_status"]).to_pylist()}
    unsupported = values.filter(pc.equal(values["eval_status"], "unsupported_function"))["eval_detail"]
    counts = Counter(pc.fill_null(unsupported, "?").to_pylist())
    return EvaluateSummary(
        engine=engine.name, engine_version=engine.version, formula_cells=values.num_rows,
        seconds=round(seconds, 3), load_seconds=round(report.seconds, 3), status_counts=statuses,
        unsupported=dict(counts.most_common()), rejected_names=dict(report.rejected_names),
        rejected_cells=len(report.rejected_cells), volatile_clock=clock)
