"""Circular groups: solve them the way Excel's iterative calculation would, via hf/circular.js.

The graph stage lists each circular group (members in Excel's calculation order) in
``graph/groups.json``. ``solve_circular`` sends them, in that order, to the engine's
``solve_cycles``; the engine leaves each member as a constant holding its solved value, so the caller
must re-read every formula cell afterwards (everything downstream of a group changed) and then apply
the statuses returned here, which cover the members and, with iteration off, the cells Excel leaves at
0 because they depend on a live loop.

This module also owns the ``solve_cycles`` wire format (``encode_solve_message`` /
``decode_solve_reply``), so the engine client only forwards it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from core.addressing import parse_cell
from core.stage import GRAPH, PARSE, StageDir, read_json, read_table, write_json
from core.workbook import WorkbookInfo
from hf.protocol import CellKey, CycleGroup, CycleResult, EngineValue, FormulaEngine

OK = "ok"
NOT_CONVERGED = "circular_not_converged"
NO_ITERATION = "circular_no_iteration"
ZERO = EngineValue(kind="number", number=0.0)
# After Excel's own stopping rule is met, keep sweeping until values change by less than this
# (relative): Excel resumes iterating from its current values on every recalculation, so a saved
# workbook is nearer the fixed point than one pass from 0 gets (measured on Wine_Bottle_Holder.xlsx:
# 24 downstream cells matched only with polishing).
POLISH_CHANGE = 1e-12
CYCLE_ERROR = "#CYCLE!"

CellOutcome = tuple[EngineValue, str, str | None]   # value, eval_status, eval_detail


@dataclass(frozen=True)
class CircularOutcome:
    """What solving produced: per-cell overrides and the per-group results (for summaries)."""

    cells: dict[CellKey, CellOutcome]
    groups: tuple[CycleResult, ...]
    iterate: bool


def encode_solve_message(groups: Sequence[CycleGroup], *, max_iterations: int, max_change: float,
                         start: Sequence[Sequence[float]] | None = None,
                         iterate: bool = True,
                         polish_change: float | None = POLISH_CHANGE) -> dict[str, Any]:
    """The JSON body of a solve_cycles request (see hf/circular.js). Raises nothing."""
    return {
        "groups": [{"group_id": g.group_id, "members": [list(m) for m in g.members],
                    "formulas": list(g.formulas)} for g in groups],
        "max_iterations": int(max_iterations), "max_change": float(max_change),
        "start": [list(s) for s in start] if start is not None else None,
        "iterate": bool(iterate), "polish_change": polish_change,
    }


def _decode_value(raw: Mapping[str, Any]) -> EngineValue:
    number = raw.get("number")
    return EngineValue(kind=str(raw["kind"]), number=None if number is None else float(number),
                       text=raw.get("text"), detail=raw.get("detail"))


def decode_solve_reply(reply: Mapping[str, Any]) -> list[CycleResult]:
    """CycleResults from circular.js's reply. Raises KeyError/TypeError on a malformed reply."""
    out = []
    for r in reply["results"]:
        change = r.get("max_change")
        out.append(CycleResult(
            group_id=int(r["group_id"]), values=[_decode_value(v) for v in r["values"]],
            converged=bool(r["converged"]), iterations=int(r["iterations"]),
            max_change=math.inf if change is None else float(change),
            circular=tuple(bool(c) for c in r.get("circular", ())),
            tainted=tuple((str(s), int(row), int(col)) for s, row, col in r.get("tainted", ())),
        ))
    return out


def _member(raw: Any) -> CellKey:
    """'Sheet!B7' (as graph/groups.json writes members; the sheet name may contain '!'), or
    [sheet, row, col] / {sheet, row, col}."""
    if isinstance(raw, str):
        sheet, _, address = raw.rpartition("!")
        row, col = parse_cell(address)
        return (sheet, row, col)
    if isinstance(raw, Mapping):
        return (str(raw["sheet"]), int(raw["row"]), int(raw["col"]))
    sheet, row, col = raw
    return (str(sheet), int(row), int(col))


def read_groups(stage: StageDir) -> list[tuple[int, list[CellKey]]]:
    """(group_id, members) as graph/groups.json lists them (members in calculation order).

    Raises StageOutputMissing before the graph stage, KeyError/ValueError on a malformed file.
    """
    stage.require(GRAPH)
    data = read_json(stage.path(GRAPH, "groups.json"))
    groups = data["groups"] if isinstance(data, Mapping) else data
    return [(int(g.get("group_id", g.get("id"))), [_member(m) for m in g["members"]]) for g in groups]


@dataclass(frozen=True)
class _MemberFacts:
    formula: str
    eval_order: int


def _member_facts(stage: StageDir, cells: Iterable[CellKey]) -> dict[CellKey, _MemberFacts]:
    """Stored formula and topological position of *cells* (only those rows become Python objects;
    position 0 for all without the graph stage)."""
    wanted = set(cells)
    table = read_table(stage.path(PARSE, "cells.arrow")).select(["sheet", "row", "col", "formula"])
    order = (read_table(stage.path(GRAPH, "cells.arrow"))["eval_order"] if stage.is_done(GRAPH)
             else pa.nulls(table.num_rows, pa.int32()))
    table = table.append_column("eval_order", order)
    sheets = pa.array(sorted({s for s, _, _ in wanted}), pa.string())
    rows = pa.array(sorted({r for _, r, _ in wanted}), pa.int32())
    mask = pc.and_kleene(pc.is_in(table["sheet"], value_set=sheets),
                         pc.is_in(table["row"], value_set=rows))
    found = {}
    for rec in table.filter(mask).to_pylist():
        key = (rec["sheet"], rec["row"], rec["col"])
        if key in wanted:
            found[key] = _MemberFacts(rec["formula"] or "", rec["eval_order"] or 0)
    return found


def _live(members: Sequence[CellKey], values: Mapping[CellKey, EngineValue]) -> bool:
    """True unless the engine already computed every member (it then saw no cycle, e.g. a loop the
    graph found only through a dynamic reference's static arguments)."""
    for m in members:
        v = values.get(m)
        if v is None or (v.kind == "error" and v.text == CYCLE_ERROR):
            return True
    return False


def _member_outcomes(group: CycleGroup, result: CycleResult, iterate: bool,
                     delta: float) -> dict[CellKey, CellOutcome]:
    out: dict[CellKey, CellOutcome] = {}
    live = result.circular or (False,) * len(group.members)
    for key, value, is_live in zip(group.members, result.values, live, strict=True):
        if iterate and not result.converged:
            detail = (f"group {group.group_id} did not converge in {result.iterations} iterations "
                      f"(last change {result.max_change:g} > {delta:g})")
            out[key] = (value, NOT_CONVERGED, detail)
        elif not iterate and is_live:
            out[key] = (ZERO, NO_ITERATION,
                        f"group {group.group_id}: circular reference with iterative calculation off "
                        "(Excel shows 0)")
        else:
            out[key] = (value, OK, None)
    return out


def _tainted_outcomes(engine: FormulaEngine, groups: Sequence[CycleGroup],
                      results: Sequence[CycleResult], iterate: bool) -> dict[CellKey, CellOutcome]:
    """Cells downstream of a live loop (iteration off: Excel shows 0) or of a group that did not
    converge (iteration on: their value is the engine's, re-read now, flagged)."""
    out: dict[CellKey, CellOutcome] = {}
    if not iterate:
        for group, result in zip(groups, results, strict=True):
            for key in result.tainted:
                out.setdefault(key, (ZERO, NO_ITERATION, f"depends on circular group "
                                     f"{group.group_id} with iterative calculation off (Excel shows 0)"))
        return out
    owner = {key: g.group_id for g, r in zip(groups, results, strict=True) for key in r.tainted}
    keys = list(owner)
    for key, value in zip(keys, engine.read(keys) if keys else [], strict=True):
        out[key] = (value, NOT_CONVERGED, f"depends on circular group {owner[key]}, which did not "
                                          "converge")
    return out


def solve_circular(engine: FormulaEngine, stage: StageDir, info: WorkbookInfo,
                   values: Mapping[CellKey, EngineValue], *,
                   report_path: Path | None = None) -> CircularOutcome:
    """Solve graph/groups.json's groups on the loaded *engine* with *info*'s calc settings; *values*
    are the engine's values before solving. The caller re-reads all formula cells afterwards, then
    applies ``outcome.cells``. Writes the per-group report to *report_path* when given.
    Raises StageOutputMissing, TransientError, EngineError.
    """
    calc = info.calc
    listed = [(gid, members) for gid, members in read_groups(stage) if _live(members, values)]
    facts = _member_facts(stage, (m for _, members in listed for m in members)) if listed else {}
    # Solve upstream groups first: a group reads the final values of the groups it depends on.
    listed.sort(key=lambda g: min((facts[m].eval_order for m in g[1] if m in facts), default=0))
    groups = [CycleGroup(group_id=gid, members=tuple(members),
                         formulas=tuple(facts[m].formula if m in facts else "" for m in members))
              for gid, members in listed]
    results: list[CycleResult] = []
    if groups:
        results = engine.solve_cycles(groups, max_iterations=max(1, calc.iterate_count),
                                      max_change=calc.iterate_delta, iterate=calc.iterate)
    cells: dict[CellKey, CellOutcome] = {}
    if groups:
        cells.update(_tainted_outcomes(engine, groups, results, calc.iterate))
    for group, result in zip(groups, results, strict=True):
        cells.update(_member_outcomes(group, result, calc.iterate, calc.iterate_delta))
    outcome = CircularOutcome(cells=cells, groups=tuple(results), iterate=calc.iterate)
    if report_path is not None:
        write_cycle_report(report_path, outcome, groups, info)
    return outcome


def solve_ungrouped(engine: FormulaEngine, stage: StageDir, info: WorkbookInfo,
                    cycle_cells: Sequence[CellKey], *, group_id: int = 0,
                    report_path: Path | None = None) -> CircularOutcome:
    """Solve, as one extra group, the cells the engine still reports #CYCLE! after the graph's groups
    were solved (or without a graph stage). The graph can leave out loops HyperFormula sees: it drops
    reference-only arguments (ROW(A1), CELL("col", A1:C1), OFFSET's base) and narrows implicitly
    intersected ranges, HyperFormula keeps whole-range edges. Members go in the graph's evaluation
    order, then sheet/row/col; cells merely downstream of a loop iterate along harmlessly. The
    caller re-reads all formula cells afterwards. Raises TransientError, EngineError."""
    facts = _member_facts(stage, cycle_cells)
    sheet_pos = {name: i for i, name in enumerate(info.sheet_names())}
    members = sorted(cycle_cells, key=lambda k: (facts[k].eval_order if k in facts else 0,
                                                 sheet_pos.get(k[0], len(sheet_pos)), k[1], k[2]))
    group = CycleGroup(group_id=group_id, members=tuple(members),
                       formulas=tuple(facts[m].formula if m in facts else "" for m in members))
    calc = info.calc
    results = engine.solve_cycles([group], max_iterations=max(1, calc.iterate_count),
                                  max_change=calc.iterate_delta, iterate=calc.iterate)
    cells = _tainted_outcomes(engine, [group], results, calc.iterate)
    cells.update(_member_outcomes(group, results[0], calc.iterate, calc.iterate_delta))
    outcome = CircularOutcome(cells=cells, groups=tuple(results), iterate=calc.iterate)
    if report_path is not None:
        write_cycle_report(report_path, outcome, [group], info)
    return outcome


def write_cycle_report(path: Path, outcome: CircularOutcome, groups: Sequence[CycleGroup],
                       info: WorkbookInfo) -> None:
    """evaluate/cycles.json: calc settings and, per group, size, converged, iterations, max_change.
    Raises OSError."""
    calc = info.calc
    rows = []
    for group, r in zip(groups, outcome.groups, strict=True):
        rows.append({
            "group_id": r.group_id, "size": len(group.members), "converged": r.converged,
            "iterations": r.iterations,
            "max_change": None if math.isinf(r.max_change) else r.max_change,
            "live_members": sum(1 for c in r.circular if c), "tainted_cells": len(r.tainted),
        })
    write_json(path, {"iterate": calc.iterate, "iterate_count": calc.iterate_count,
                      "iterate_delta": calc.iterate_delta, "groups": rows})


def read_cycle_report(path: Path) -> dict[str, Any]:
    """The dict written by write_cycle_report. Raises OSError, ValueError."""
    data: dict[str, Any] = read_json(path)
    return data
