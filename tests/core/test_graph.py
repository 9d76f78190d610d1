"""The graph stage (core.graph.build_to) on parse outputs written directly, and on the corpus."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pytest

from core.addressing import format_cell, parse_cell
from core.errors import StageOutputMissing
from core.graph import analyse, build_to
from core.stage import (
    CELLS_SCHEMA,
    GRAPH,
    GRAPH_CELLS_SCHEMA,
    LINEAGE_SCHEMA,
    PARSE,
    StageDir,
    read_json,
    read_table,
    write_json,
    write_table,
)
from core.workbook import DefinedName, SheetInfo, TableInfo, WorkbookInfo
from tests.conftest import corpus_manifest

Cell = tuple[str, str, object]          # (sheet, 'A1', formula text starting with '=' or a number)


def make_stage(tmp_path: Path, cells: list[Cell], *, sheets: list[str] | None = None,
               names: tuple[DefinedName, ...] = (), tables: tuple[TableInfo, ...] = (),
               arrays: dict[tuple[str, str], str] | None = None) -> StageDir:
    """Write parse/cells.arrow + parse/workbook.json as the reader would (sheet, row, col order)."""
    order = sheets or list(dict.fromkeys(s for s, _, _ in cells))
    rows = sorted(((order.index(s), *parse_cell(a), s, v) for s, a, v in cells))
    cols: dict[str, list[object]] = {f.name: [] for f in CELLS_SCHEMA}
    for _, r, c, s, v in rows:
        is_formula = isinstance(v, str) and v.startswith("=")
        for key, val in (("sheet", s), ("row", r), ("col", c),
                         ("cell_type", "formula" if is_formula else "value"),
                         ("formula", v if is_formula else None),
                         ("array_ref", (arrays or {}).get((s, format_cell(r, c)))),
                         ("raw_type", "number"), ("raw_value", 0.0 if is_formula else float(v)),
                         ("raw_text", None), ("number_format", None)):
            cols[key].append(val)
    info = WorkbookInfo("t.xlsx", tuple(SheetInfo(n, i) for i, n in enumerate(order)),
                        defined_names=names, tables=tables)
    stage = StageDir.for_hash(tmp_path, "h")
    with stage.writing(PARSE) as out:
        write_table(out / "cells.arrow", pa.table(cols, schema=CELLS_SCHEMA))
        write_json(out / "workbook.json", info.to_json())
    return stage


def run(stage: StageDir) -> tuple[dict[str, object], list[dict[str, object]], pa.Table, pa.Table]:
    """Build and read back: summary, groups, graph cells, lineage."""
    build_to(stage)
    return (read_json(stage.path(GRAPH, "summary.json")), read_json(stage.path(GRAPH, "groups.json")),
            read_table(stage.path(GRAPH, "cells.arrow")), read_table(stage.path(GRAPH, "lineage.arrow")))


def by_cell(stage: StageDir, graph_cells: pa.Table) -> dict[str, dict[str, object]]:
    parse = read_table(stage.path(PARSE, "cells.arrow")).to_pylist()
    return {f"{p['sheet']}!{format_cell(p['row'], p['col'])}": g
            for p, g in zip(parse, graph_cells.to_pylist(), strict=True)}


CYCLES = {
    "self-reference": ([("S", "A1", "=A1+1"), ("S", "B1", "=A1")], [["S!A1"]]),
    "two-cell loop": ([("S", "A1", "=B1+1"), ("S", "B1", "=A1*2"), ("S", "C1", 5)], [["S!A1", "S!B1"]]),
    "other sheet": ([("P", "A1", "=Q!B2"), ("Q", "B2", "=P!A1/2")], [["P!A1", "Q!B2"]]),
    "SUM over a range": ([("S", "A1", "=SUM(A2:A40)")] + [("S", f"A{r}", "=$A$1/40") for r in range(2, 41)],
                         [["S!A1"] + [f"S!A{r}" for r in range(2, 41)]]),
    "range holding itself": ([("S", "A1", 1), ("S", "A30", "=SUM(A1:A30)")]
                             + [("S", f"A{r}", "=A1") for r in range(2, 30)], [["S!A30"]]),
    "two disjoint loops": ([("S", "A1", "=B1"), ("S", "B1", "=A1"), ("S", "D5", "=D6"), ("S", "D6", "=D5")],
                           [["S!A1", "S!B1"], ["S!D5", "S!D6"]]),
}


@pytest.mark.parametrize("name", list(CYCLES))
def test_circular_groups(tmp_path: Path, name: str) -> None:
    cells, expected = CYCLES[name]
    stage = make_stage(tmp_path, cells)
    summary, groups, graph_cells, _ = run(stage)
    assert [g["members"] for g in groups] == expected
    assert summary["groups"] == len(expected)
    assert summary["largest_group"] == max(len(m) for m in expected)
    flags = by_cell(stage, graph_cells)
    circular = {k for k, v in flags.items() if v["is_circular"]}
    assert circular == {m for g in expected for m in g}
    for g in groups:
        assert {flags[m]["group_id"] for m in g["members"]} == {g["group_id"]}
        assert g["size"] == len(g["members"])


def test_thousand_cell_ring(tmp_path: Path) -> None:
    cells = [("S", "A1", "=A1000+1")] + [("S", f"A{r}", f"=A{r - 1}+1") for r in range(2, 1001)]
    summary, groups, _, _ = run(make_stage(tmp_path, cells))
    assert summary["groups"] == 1 and groups[0]["size"] == 1000
    assert groups[0]["members"][:2] == ["S!A1", "S!A2"] and groups[0]["sheets"] == ["S"]


def test_loop_through_a_defined_name(tmp_path: Path) -> None:
    cells = [("S", "A1", "=Total*2"), ("S", "B1", "=A1+1")]
    names = (DefinedName("Total", "S!$B$1"),)
    _, groups, _, _ = run(make_stage(tmp_path, cells, names=names))
    assert [g["members"] for g in groups] == [["S!A1", "S!B1"]]


def test_loop_through_a_table_reference(tmp_path: Path) -> None:
    table = TableInfo("Sales", "Sales", "S", "A1:B5", 1, 0, ("Item", "Amount"))
    cells = [("S", f"B{r}", "=$D$1/4") for r in range(2, 6)] + [("S", "D1", "=SUM(Sales[Amount])")]
    _, groups, _, _ = run(make_stage(tmp_path, cells, tables=(table,)))
    assert [g["members"] for g in groups] == [["S!D1", "S!B2", "S!B3", "S!B4", "S!B5"]]


def test_offset_base_is_lineage_but_no_edge(tmp_path: Path) -> None:
    cells = [("S", "D37", 0.0), ("S", "R49", "=OFFSET(R49,$D$37,0)"), ("S", "S49", "=R49+ROW(S49)")]
    stage = make_stage(tmp_path, cells)
    summary, groups, graph_cells, lineage = run(stage)
    assert groups == [] and summary["groups"] == 0
    flags = by_cell(stage, graph_cells)
    assert flags["S!R49"]["has_dynamic_refs"] is True and flags["S!R49"]["is_circular"] is False
    kinds = {(r["row"], r["col"], r["first_row"], r["first_col"], r["kind"]) for r in lineage.to_pylist()}
    assert kinds == {(49, 18, 49, 18, "reference"), (49, 18, 37, 4, "cell"),
                     (49, 19, 49, 18, "cell"), (49, 19, 49, 19, "reference")}
    assert flags["S!R49"]["eval_order"] < flags["S!S49"]["eval_order"]


LOAN_NAMES = tuple(DefinedName(n, f"S!${c}$2:${c}$40") for n, c in
                   (("Pay_Num", "A"), ("Beg_Bal", "D"), ("Sched_Pay", "E"), ("Princ", "H"), ("Int", "I"),
                    ("End_Bal", "J")))


def _loan_schedule() -> list[Cell]:
    """The shape of Excel's loan amortization template: row formulas over whole-column names."""
    cells: list[Cell] = [("S", "B1", 10000.0), ("S", "C1", 0.01), ("S", "F1", 300.0), ("S", "D2", "=B1")]
    for r in range(2, 41):
        if r > 2:
            cells.append(("S", f"D{r}", f'=IF(Pay_Num<>"",J{r - 1},"")'))
        cells += [("S", f"A{r}", float(r - 1)), ("S", f"E{r}", "=IF(Beg_Bal>0,MIN($F$1,Beg_Bal*(1+$C$1)),0)"),
                  ("S", f"H{r}", "=Sched_Pay-Int"), ("S", f"I{r}", "=Beg_Bal*$C$1"),
                  ("S", f"J{r}", "=IF(AND(Beg_Bal>0,Sched_Pay<Beg_Bal),Beg_Bal-Princ,0)"),
                  ("S", f"K{r}", f"=SUM($I$2:I{r})")]
    return cells


def test_loan_schedule_over_whole_column_names_has_no_group(tmp_path: Path) -> None:
    stage = make_stage(tmp_path, _loan_schedule(), names=LOAN_NAMES)
    summary, groups, graph_cells, lineage = run(stage)
    assert groups == [] and summary["groups"] == 0
    reads = {(r["first_row"], r["first_col"], r["last_row"], r["last_col"], r["kind"])
             for r in lineage.to_pylist() if (r["row"], r["col"]) == (20, 9)}
    assert reads == {(20, 4, 20, 4, "cell"), (1, 3, 1, 3, "cell")}      # I20 reads D20 and C1 only
    order = {k: v["eval_order"] for k, v in by_cell(stage, graph_cells).items()}
    assert order["S!J19"] < order["S!D20"] < order["S!I20"] < order["S!H20"] < order["S!J20"]


def test_loan_schedule_as_array_formulas_still_loops(tmp_path: Path) -> None:
    cells = _loan_schedule()
    arrays = {(s, a): a for s, a, v in cells if a.startswith("I") and isinstance(v, str)}
    _, groups, _, _ = run(make_stage(tmp_path, cells, names=LOAN_NAMES, arrays=arrays))
    assert len(groups) == 1 and groups[0]["size"] > 100   # array formulas read whole columns


@pytest.mark.parametrize(("cells", "names", "expected"), [
    ([("S", "A2", "=Col*2")], (DefinedName("Col", "S!$A$1:$A$3"),), [["S!A2"]]),
    ([("S", "B5", "=SUM(Col)")], (DefinedName("Col", "S!$B$1:$B$9"),), [["S!B5"]]),
    ([("S", "C2", "=Row*2"), ("S", "C9", "=C2")], (DefinedName("Row", "S!$A$9:$F$9"),), [["S!C2", "S!C9"]]),
    ([("S", "A1", "=B1+ROW(A1)"), ("S", "B1", "=A1")], (), [["S!A1", "S!B1"]]),
], ids=["intersection hits itself", "range name summed", "row name loop", "loop beside ROW()"])
def test_real_loops_through_names_and_ranges_remain(tmp_path: Path, cells: list[Cell],
                                                    names: tuple[DefinedName, ...],
                                                    expected: list[list[str]]) -> None:
    _, groups, _, _ = run(make_stage(tmp_path, cells, names=names))
    assert [g["members"] for g in groups] == expected


def test_evaluation_order_respects_every_edge(tmp_path: Path) -> None:
    cells = [("S", "A1", 3), ("S", "B1", "=A1*2"), ("S", "C9", "=SUM(B:B)"), ("S", "B2", "=D1+1"),
             ("S", "D1", "=T!A1"), ("T", "A1", "=S!A1"), ("S", "E1", "=C9+B2")]
    stage = make_stage(tmp_path, cells)
    _, groups, graph_cells, lineage = run(stage)
    assert groups == []
    order = {k: v["eval_order"] for k, v in by_cell(stage, graph_cells).items()}
    assert order["S!A1"] is None
    for row in lineage.to_pylist():
        dependent = f"{row['sheet']}!{format_cell(row['row'], row['col'])}"
        for precedent, pos in order.items():
            sheet, addr = precedent.split("!")
            r, c = parse_cell(addr)
            if pos is not None and sheet == row["ref_sheet"] and \
                    row["first_row"] <= r <= row["last_row"] and row["first_col"] <= c <= row["last_col"]:
                assert pos < order[dependent], (precedent, dependent)


def test_outputs_are_row_aligned_with_parse_and_use_the_schemas(tmp_path: Path) -> None:
    cells = [("S", "A1", 1), ("S", "A2", "=A1+Gone!B2"), ("S", "A3", "=SUM((A1"), ("S", "A4", 7),
             ("S", "B1", '=INDIRECT("A1")+[1]Ext!C3'), ("S", "B2", "=VLOOKUP(A1,A1:A3,1,FALSE)")]
    stage = make_stage(tmp_path, cells)
    summary, _, graph_cells, lineage = run(stage)
    assert graph_cells.schema == GRAPH_CELLS_SCHEMA and lineage.schema == LINEAGE_SCHEMA
    assert graph_cells.num_rows == read_table(stage.path(PARSE, "cells.arrow")).num_rows
    flags = by_cell(stage, graph_cells)
    assert flags["S!A1"] == {"is_circular": False, "group_id": None, "eval_order": None,
                             "has_dynamic_refs": None, "has_broken_ref": None, "parse_error": None,
                             "functions": None}
    assert flags["S!A2"]["has_broken_ref"] is True
    assert flags["S!A3"]["parse_error"] and flags["S!A3"]["eval_order"] is not None
    assert flags["S!B1"]["has_dynamic_refs"] is True
    assert flags["S!B2"]["functions"] == " VLOOKUP "
    assert (summary["parse_errors"], summary["broken_ref_cells"], summary["dynamic_ref_cells"],
            summary["external_refs"], summary["formula_cells"]) == (1, 1, 1, 1, 4)
    kinds = {(r["sheet"], r["row"], r["col"], r["kind"], r["ref_sheet"]) for r in lineage.to_pylist()}
    assert ("S", 2, 1, "broken", "Gone") in kinds and ("S", 1, 2, "external", "[1]Ext") in kinds
    assert ("S", 2, 2, "range", "S") in kinds


def test_lineage_rows_are_merged_ranges_not_cells(tmp_path: Path) -> None:
    cells = [("S", "A1", 1), ("S", "B9", "=A1+A2+A3+SUM(A1:A2)+SUM(C:C)")]
    _, _, _, lineage = run(make_stage(tmp_path, cells))
    rows = {(r["first_row"], r["first_col"], r["last_row"], r["last_col"], r["kind"])
            for r in lineage.to_pylist()}
    assert rows == {(1, 1, 3, 1, "range"), (1, 3, 1_048_576, 3, "range")}


def test_whole_column_sum_links_only_formula_cells(tmp_path: Path) -> None:
    cells = [("S", f"A{r}", float(r)) for r in range(1, 50)] + [("S", "A50", "=A49*2"),
                                                                 ("S", "B1", "=SUM(A:A)")]
    summary, _, _, _ = run(make_stage(tmp_path, cells))
    assert summary["edges"] == 1


def test_array_formula_output_cells_depend_on_the_anchor(tmp_path: Path) -> None:
    cells = [("S", "A1", 1), ("S", "A2", 2), ("S", "C1", "=A1:A2*2"), ("S", "C2", 0.0), ("S", "D2", "=C2+1")]
    stage = make_stage(tmp_path, cells, arrays={("S", "C1"): "C1:C2"})
    summary, _, graph_cells, _ = run(stage)
    order = {k: v["eval_order"] for k, v in by_cell(stage, graph_cells).items()}
    assert summary["edges"] == 1 and order["S!C1"] < order["S!D2"]


def test_graph_stage_needs_parse_output(tmp_path: Path) -> None:
    with pytest.raises(StageOutputMissing):
        build_to(StageDir.for_hash(tmp_path, "nothing"))


@pytest.mark.parametrize("seed", range(6))
def test_peeled_and_networkx_methods_agree(seed: int) -> None:
    rnd = random.Random(seed)
    n_real, n_total = 300, 340
    edges = {(rnd.randrange(n_total), rnd.randrange(n_total)) for _ in range(420)}
    edges |= {(rnd.randrange(n_real), rnd.randrange(n_real)) for _ in range(3)}
    src, dst = [u for u, _ in edges], [v for _, v in edges]
    a = analyse(n_real, n_total, src, dst, "peeled")
    b = analyse(n_real, n_total, src, dst, "networkx")
    assert a.groups == b.groups
    in_group = {v for g in a.groups for v in g}
    for result in (a, b):
        for u, v in edges:   # order is consistent along real-to-real edges outside cycles
            if u < n_real and v < n_real and u != v and not (u in in_group and v in in_group):
                assert result.eval_order[u] <= result.eval_order[v]


def _iterating_corpus() -> list[str]:
    rows = corpus_manifest()
    return [r["path"] for r in rows if "iterative calc ON" in r.get("notes", "")]


@pytest.mark.corpus
def test_corpus_workbooks_with_iteration_have_groups(corpus_dir: Path, tmp_path: Path) -> None:
    from core.reader import parse_to
    found: dict[str, int] = {}
    for path in _iterating_corpus():
        stage = StageDir.for_hash(tmp_path, path.replace("/", "_"))
        info = parse_to(stage, corpus_dir / path, max_uncompressed_bytes=1 << 30, max_compression_ratio=200.0)
        assert info.calc.iterate, path
        found[path] = build_to(stage).groups
    assert found, "the manifest lists workbooks with iterative calculation"
    no_cycle = {p for p, n in found.items() if n == 0}
    # calamine/tests/formula.issue.xlsx: iterate flag set, but the manifest says no circular formula
    assert no_cycle <= {"calamine/tests/formula.issue.xlsx"}, found


FALSE_GROUPS = ["nvidia-dcf/Nvidia DCF.xlsx",             # OFFSET(R49,$D$37,0) in R49 (22 cells)
                "ironcalc/xlsx/tests/calc_tests/INFORMATION/CELL.xlsx",
                "ironcalc/xlsx/tests/calc_tests/INFORMATION/FORMULATEXT.xlsx",
                "aspose-cells-net/Examples/Data/Fonts/GetListOfFontsUsedInSpreadsheetOrWorkbook/"
                "sampleGetFonts.xlsx"]                     # a loan schedule over names (4,318 cells)


@pytest.mark.corpus
@pytest.mark.parametrize("path", FALSE_GROUPS, ids=[p.rsplit("/", 1)[-1] for p in FALSE_GROUPS])
def test_corpus_workbooks_excel_does_not_find_circular(corpus_dir: Path, tmp_path: Path, path: str) -> None:
    from core.reader import parse_to
    row = next(r for r in corpus_manifest() if r["path"] == path)
    assert row["has_circular"] == "no"
    stage = StageDir.for_hash(tmp_path, "w")
    parse_to(stage, corpus_dir / path, max_uncompressed_bytes=1 << 30, max_compression_ratio=200.0)
    summary = build_to(stage)
    assert summary.formula_cells > 0 and summary.groups == 0, read_json(stage.path(GRAPH, "groups.json"))


@pytest.mark.corpus
@pytest.mark.slow      # ~60 s of CPU: the reader and the graph stage over all 368 workbooks
def test_graph_stage_runs_on_every_corpus_workbook(corpus_dir: Path, tmp_path: Path) -> None:
    from core.errors import PipelineError
    from core.reader import parse_to
    failures = {}
    for i, row in enumerate(corpus_manifest()):
        stage = StageDir.for_hash(tmp_path, f"w{i}")
        try:
            parse_to(stage, corpus_dir / row["path"], max_uncompressed_bytes=1 << 30,
                     max_compression_ratio=200.0)
        except PipelineError:
            continue        # the reader's business, tested there
        summary = build_to(stage)
        if summary.formula_cells == 0 < int(row["formula_cells"]):
            failures[row["path"]] = "no formula cells"
        if row["has_circular"] == "yes" and summary.groups == 0:
            failures[row["path"]] = "manifest says circular, no group found"
        if row["has_circular"] == "no" and summary.groups:
            failures[row["path"]] = f"manifest says not circular, {summary.groups} groups found"
        stage.discard(GRAPH)
        stage.discard(PARSE)
    assert not failures, failures
