"""Circular groups through the real pipeline: reader -> graph -> HyperFormula (NodeEngine) -> validate.

Synthetic workbooks (written with openpyxl, so without cached values) are checked against closed
forms; the corpus's circular workbooks against Excel's cached values.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from core.addressing import format_cell
from core.graph.build import build_to
from core.reader.workbook_reader import parse_to
from core.stage import EVALUATE, PARSE, StageDir, read_json, read_table
from core.validate import compare
from hf.client import NodeEngine
from tests.conftest import corpus_manifest, missing

CIRCULAR_CORPUS = sorted(r["path"] for r in corpus_manifest() if r.get("has_circular") == "yes")
# Cells where Excel's cached values cannot be reproduced, and why (checked by hand):
KNOWN: dict[str, set[str]] = {
    # A 250-iteration stepping search that has not settled: Excel's cached values come from several
    # recalculations (each continues from the last), ours from one pass from 0. Flagged, not hidden.
    "magic-wine-bottle-holder/Wine_Bottle_Holder.xlsx": {"circular_not_converged"},
    # Rows 8-9 loop through the array formula D8:D9 = IF(A8:A9, B8:B9, 1): Excel evaluates array IF
    # eagerly and shows 0 (iteration off); HyperFormula's element-wise IF does not read B8:B9 there.
    # D11 is inside the array D10:D12 and is stored as an empty formula ('=').
    "formulas/test/test_files/circular.xlsx": {
        f"mismatch DATA!{c}{r}" for c in "BCDE" for r in (8, 9)} | {"mismatch DATA!D11"},
}


def known(relpath: str, cls: str, sheet: str, row: int, col: int) -> bool:
    allowed = KNOWN.get(relpath, set())
    return cls in allowed or f"{cls} {sheet}!{format_cell(row, col)}" in allowed


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    if shutil.which("node") is None:
        missing("node is not installed")
    with NodeEngine() as eng:
        yield eng


def run_pipeline(engine: NodeEngine, source: Path, root: Path) -> StageDir:
    stage = StageDir.for_hash(root, "c" * 64)
    parse_to(stage, source, max_uncompressed_bytes=1 << 30, max_compression_ratio=200.0)
    build_to(stage)
    from hf.evaluate import evaluate_to
    evaluate_to(stage, engine)
    return stage


def values_by_cell(stage: StageDir) -> dict[str, tuple[Any, str | None]]:
    """'Sheet!A1' -> (calculated value or text, eval_status)."""
    parse = read_table(stage.path(PARSE, "cells.arrow")).to_pylist()
    values = read_table(stage.path(EVALUATE, "values.arrow")).to_pylist()
    out = {}
    for p, v in zip(parse, values, strict=True):
        shown = v["calculated_value"] if v["calculated_type"] in ("number", "bool") else v["calculated_text"]
        out[f"{p['sheet']}!{format_cell(p['row'], p['col'])}"] = (shown, v["eval_status"])
    return out


def workbook(path: Path, sheets: dict[str, dict[str, Any]], *, iterate: bool, count: int = 100,
             delta: float = 0.001) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, cells in sheets.items():
        ws = wb.create_sheet(name)
        for address, content in cells.items():
            ws[address] = content
    wb.calculation.iterate = iterate
    wb.calculation.iterateCount = count
    wb.calculation.iterateDelta = delta
    wb.save(path)
    return path


def test_interest_on_average_debt_and_a_two_sheet_loop(engine: NodeEngine, tmp_path: Path) -> None:
    o, d, r, rate = 1000.0, 200.0, 50.0, 0.08
    src = workbook(tmp_path / "debt.xlsx", {
        "Debt": {"B1": o, "B2": d, "B3": r, "B4": rate, "B5": "=B4*(B1+B6)/2", "B6": "=B1+B2-B3+B5",
                 "B7": "=B6*2", "C1": "=Other!A1*0.5+10"},
        "Other": {"A1": "=Debt!C1*0.5", "A2": "=SUM(A3:A4)", "A3": "=A2*0.1+1"},
    }, iterate=True)
    vals = values_by_cell(run_pipeline(engine, src, tmp_path))
    interest = rate * (2 * o + d - r) / (2 - rate)
    assert vals["Debt!B5"][0] == pytest.approx(interest, abs=1e-6)
    assert vals["Debt!B7"] == (pytest.approx(2 * (o + d - r + interest), abs=1e-6), "ok")
    assert vals["Debt!C1"][0] == pytest.approx(40 / 3, abs=1e-6)
    assert vals["Other!A1"][0] == pytest.approx(20 / 3, abs=1e-6)
    # A2 = SUM(A3:A4) with A3 = A2 * 0.1 + 1: A2 = 1 / 0.9.
    assert vals["Other!A2"][0] == pytest.approx(1 / 0.9, abs=1e-6)


def test_oscillator_is_not_converged_and_flags_its_dependents(engine: NodeEngine,
                                                              tmp_path: Path) -> None:
    src = workbook(tmp_path / "osc.xlsx", {"S": {"A1": "=1-A1", "B1": "=A1+10", "C1": 5,
                                                 "D1": "=C1+1"}}, iterate=True, count=7)
    stage = run_pipeline(engine, src, tmp_path)
    vals = values_by_cell(stage)
    assert vals["S!A1"] == (1.0, "circular_not_converged")     # 7 sweeps from 0: 1,0,...,1
    assert vals["S!B1"] == (11.0, "circular_not_converged")
    assert vals["S!D1"] == (6.0, "ok")
    cycles = read_json(stage.path(EVALUATE, "cycles.json"))
    assert cycles["groups"][0]["converged"] is False and cycles["groups"][0]["iterations"] == 7


@pytest.mark.parametrize("iterate", [True, False])
def test_unexecuted_branch_and_iteration_off(engine: NodeEngine, tmp_path: Path, iterate: bool) -> None:
    src = workbook(tmp_path / "branch.xlsx", {"S": {
        "A1": "=IF(B1>0,1,A1)", "B1": 5, "C1": "=A1*3",           # a loop that never runs
        "A2": "=B2", "B2": "=A2+1", "C2": "=B2*2", "D2": "=IF(TRUE,4,B2)",   # a live loop
    }}, iterate=iterate, count=3)
    stage = run_pipeline(engine, src, tmp_path)
    vals = values_by_cell(stage)
    assert vals["S!A1"] == (1.0, "ok") and vals["S!C1"] == (3.0, "ok")
    if iterate:   # B2 = A2 + 1 grows by 1 per sweep: 3 sweeps from 0
        assert vals["S!B2"] == (3.0, "circular_not_converged")
        # Downstream of a non-converged group is flagged by static dependency (conservative).
        assert vals["S!D2"] == (4.0, "circular_not_converged")
    else:         # Excel: warning, 0 in the loop and in what depends on it
        assert vals["S!A2"] == (0.0, "circular_no_iteration")
        assert vals["S!B2"] == (0.0, "circular_no_iteration")
        assert vals["S!C2"] == (0.0, "circular_no_iteration")
        assert vals["S!D2"] == (4.0, "ok")          # its value never depends on the loop
        assert any("iterative calculation off" in w for w in compare(stage).warnings)


@pytest.mark.parametrize("iterate", [True, False])
def test_cycles_the_graph_did_not_group_are_solved(engine: NodeEngine, tmp_path: Path,
                                                   iterate: bool) -> None:
    """Every #CYCLE! the engine reports is solved even when graph/groups.json does not list it (here:
    no graph stage at all; in the corpus: loops through reference-only arguments the graph drops)."""
    o, d, r, rate = 1000.0, 200.0, 50.0, 0.08
    src = workbook(tmp_path / "debt.xlsx", {"S": {
        "B1": o, "B2": d, "B3": r, "B4": rate, "B5": "=B4*(B1+B6)/2", "B6": "=B1+B2-B3+B5",
        "B7": "=B6*2", "B8": "=B2+1"}}, iterate=iterate)
    stage = StageDir.for_hash(tmp_path, "d" * 64)
    parse_to(stage, src, max_uncompressed_bytes=1 << 30, max_compression_ratio=200.0)
    from hf.evaluate import evaluate_to
    evaluate_to(stage, engine)
    vals = values_by_cell(stage)
    interest = rate * (2 * o + d - r) / (2 - rate)
    if iterate:
        assert vals["S!B5"] == (pytest.approx(interest, abs=1e-6), "ok")
        assert vals["S!B7"] == (pytest.approx(2 * (o + d - r + interest), abs=1e-6), "ok")
    else:
        assert vals["S!B5"] == (0.0, "circular_no_iteration")
        assert vals["S!B7"] == (0.0, "circular_no_iteration")
    assert vals["S!B8"] == (201.0, "ok")
    group = read_json(stage.path(EVALUATE, "cycles_ungrouped.json"))["groups"][0]
    assert group["size"] == 3 and group["converged"] is iterate     # B5, B6 and B7 downstream


@pytest.mark.parametrize("relpath", CIRCULAR_CORPUS)
def test_corpus_circular_workbooks_match_excel(engine: NodeEngine, corpus_dir: Path, tmp_path: Path,
                                               relpath: str) -> None:
    stage = run_pipeline(engine, corpus_dir / relpath, tmp_path)
    report = compare(stage)
    bad = [c for c in report.non_matches if not known(relpath, c.cls, c.sheet, c.row, c.col)]
    assert bad == [], [(c.sheet, c.row, c.col, c.cls, c.formula, c.expected_value,
                        c.calculated_value, c.calculated_text) for c in bad[:10]]
    assert report.counts["match"] > 0
    assert (stage.root / EVALUATE / "cycles.json").is_file()


def test_corpus_circular_workbooks_are_listed() -> None:
    if not CIRCULAR_CORPUS:
        missing("corpus MANIFEST.tsv not found")
    assert len(CIRCULAR_CORPUS) == 6
