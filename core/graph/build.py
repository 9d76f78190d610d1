"""The graph stage: parse/ -> graph/ (references, dependency graph, cycles, order, lineage)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pyarrow as pa
import pyarrow.compute as pc

from core.addressing import format_cell, parse_range
from core.graph.cycles import analyse
from core.graph.index import FormulaIndex
from core.graph.lineage import LineageRows
from core.refs import ShapeCache, Template, WorkbookContext, instantiate
from core.stage import (
    GRAPH,
    GRAPH_CELLS_SCHEMA,
    PARSE,
    StageDir,
    read_json,
    read_table,
    write_json,
    write_table,
)
from core.workbook import WorkbookInfo


@dataclass(frozen=True)
class GraphSummary:
    """The graph stage's counts (graph/summary.json, merged into the model's import summary)."""

    formula_cells: int
    edges: int                # precedent formula cell -> dependent pairs, per merged range
    graph_edges: int          # edges networkx held (virtual range nodes included)
    virtual_nodes: int
    groups: int
    largest_group: int
    circular_cells: int
    dynamic_ref_cells: int
    external_refs: int
    external_ref_cells: int
    broken_ref_cells: int
    parse_errors: int
    lineage_rows: int
    shapes: int               # distinct formula shapes tokenized
    seconds: float


@dataclass
class _Cells:
    """Per formula cell results, indexed by node id (= position among the formula cells)."""

    dynamic: list[bool]
    broken: list[bool]
    errors: list[str | None]
    functions: list[str | None]


def _function_text(tmpl: Template, memo: dict[int, str]) -> str:
    text = memo.get(id(tmpl))
    if text is None:
        text = memo[id(tmpl)] = " " + " ".join(sorted(tmpl.functions)) + " " if tmpl.functions else ""
    return text


def _read_formulas(stage: StageDir) -> tuple[int, list[int], list[str], list[int], list[int],
                                             list[str], list[str | None]]:
    """Parse rows of the formula cells: (row count, positions, sheets, rows, cols, formulas, arrays)."""
    table = read_table(stage.path(PARSE, "cells.arrow"))
    is_formula = pc.fill_null(pc.equal(table.column("cell_type"), "formula"), False)
    positions = pc.indices_nonzero(is_formula)
    sub = table.filter(is_formula)
    return (table.num_rows, positions.to_pylist(), sub.column("sheet").to_pylist(),
            sub.column("row").to_pylist(), sub.column("col").to_pylist(),
            [f or "" for f in sub.column("formula").to_pylist()], sub.column("array_ref").to_pylist())


def _index(sheets: list[str], rows: list[int], cols: list[int], arrays: list[str | None]) -> FormulaIndex:
    index = FormulaIndex(first_virtual=len(sheets))
    for node, (sheet, row, col) in enumerate(zip(sheets, rows, cols, strict=True)):
        index.add(sheet, row, col, node)
        ref = arrays[node]
        if ref:
            try:
                box = parse_range(ref)
            except ValueError:
                continue
            if box[0] != box[2] or box[1] != box[3]:
                index.add_array(sheet, box, node)
    index.freeze()
    return index


def _references(ctx: WorkbookContext, sheets: list[str], rows: list[int], cols: list[int],
                formulas: list[str], arrays: list[str | None],
                index: FormulaIndex) -> tuple[_Cells, LineageRows, dict[str, int]]:
    """Extract every formula's references, link the graph, collect lineage rows and counts.

    Ranges read become edges and lineage rows; reference-only ranges (ROW(A1), OFFSET's base)
    become lineage rows of kind 'reference' and no edge.
    """
    cache = ShapeCache(ctx)
    n = len(formulas)
    cells = _Cells([False] * n, [False] * n, [None] * n, [None] * n)
    lineage = LineageRows()
    memo: dict[int, str] = {}
    counts = {"edges": 0, "external_refs": 0, "external_ref_cells": 0}
    link = index.link
    for node in range(n):
        sheet, row, col = sheets[node], rows[node], cols[node]
        tmpl, inst = cache.template(formulas[node], sheet, row, col, arrays[node] is not None)
        ranges, ext, broken, refonly = inst if inst is not None else instantiate(tmpl, sheet, row, col)
        cells.functions[node] = _function_text(tmpl, memo)
        if tmpl.parse_error is not None:
            cells.errors[node] = tmpl.parse_error
            continue
        cells.dynamic[node] = tmpl.dynamic
        for rng in ranges:
            counts["edges"] += link(rng, node)
        lineage.add(sheet, row, col, ranges, None)
        if refonly:
            lineage.add(sheet, row, col, refonly, "reference")
        if ext:
            counts["external_refs"] += len(ext)
            counts["external_ref_cells"] += 1
            lineage.add(sheet, row, col, ext, "external")
        if broken:
            cells.broken[node] = True
            lineage.add(sheet, row, col, broken, "broken")
    counts["shapes"] = cache.tokenized
    return cells, lineage, counts


def _cells_table(n_rows: int, positions: list[int], cells: _Cells, group_of: dict[int, int],
                 eval_order: list[int]) -> pa.Table:
    """graph/cells.arrow, aligned with parse/cells.arrow (value cells: not circular, nulls)."""
    n = len(positions)
    slot = [n] * n_rows          # parse row -> node, or n (a trailing null) for value cells
    for node, pos in enumerate(positions):
        slot[pos] = node
    take = pa.array(slot, pa.int32())
    group_ids = [group_of.get(v) for v in range(n)]
    values: dict[str, Sequence[object]] = {
        "is_circular": [g is not None for g in group_ids], "group_id": group_ids,
        "eval_order": eval_order, "has_dynamic_refs": cells.dynamic,
        "has_broken_ref": cells.broken, "parse_error": cells.errors, "functions": cells.functions}
    arrays = [pa.array([*values[f.name], None], f.type).take(take) for f in GRAPH_CELLS_SCHEMA]
    arrays[0] = pc.fill_null(arrays[0], False)
    return pa.table(arrays, schema=GRAPH_CELLS_SCHEMA)


def build_to(stage: StageDir, *, cycle_method: str = "peeled") -> GraphSummary:
    """Run the graph stage on *stage*'s parse output. Raises StageOutputMissing before parse.

    cycle_method: 'peeled' (default) or 'networkx' (whole graph in networkx; slower, same result).
    """
    started = time.perf_counter()
    stage.require(PARSE)
    info = WorkbookInfo.from_json(read_json(stage.path(PARSE, "workbook.json")))
    n_rows, positions, sheets, rows, cols, formulas, arrays = _read_formulas(stage)
    index = _index(sheets, rows, cols, arrays)
    cells, lineage, counts = _references(WorkbookContext.from_info(info), sheets, rows, cols,
                                         formulas, arrays, index)
    n = len(formulas)
    analysis = analyse(n, index.next_id, index.src, index.dst, cycle_method)
    group_of = {v: gid for gid, members in enumerate(analysis.groups, 1) for v in members}
    groups_json = [{"group_id": gid, "size": len(m),
                    "members": [f"{sheets[v]}!{format_cell(rows[v], cols[v])}" for v in m],
                    "sheets": list(dict.fromkeys(sheets[v] for v in m))}
                   for gid, m in enumerate(analysis.groups, 1)]
    summary = GraphSummary(
        formula_cells=n, edges=counts["edges"], graph_edges=len(index.src),
        virtual_nodes=index.virtual_nodes, groups=len(analysis.groups),
        largest_group=max((len(g) for g in analysis.groups), default=0),
        circular_cells=len(group_of), dynamic_ref_cells=sum(cells.dynamic),
        external_refs=counts["external_refs"], external_ref_cells=counts["external_ref_cells"],
        broken_ref_cells=sum(cells.broken), parse_errors=sum(e is not None for e in cells.errors),
        lineage_rows=len(lineage), shapes=counts["shapes"], seconds=0.0)
    with stage.writing(GRAPH) as out:
        write_table(out / "cells.arrow", _cells_table(n_rows, positions, cells, group_of,
                                                      analysis.eval_order))
        write_table(out / "lineage.arrow", lineage.table())
        write_json(out / "groups.json", groups_json)
        summary = GraphSummary(**{**asdict(summary),
                                  "seconds": round(time.perf_counter() - started, 3)})
        write_json(out / "summary.json", asdict(summary))
    return summary
