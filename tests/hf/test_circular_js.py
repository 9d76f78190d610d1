"""hf/circular.js against a real HyperFormula instance (built directly by a small Node script).

Expected values come from closed forms (fixed points) or from Excel's rules for iteration, not from
earlier runs of the solver.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, missing

HF_DIR = REPO_ROOT / "hf"

# Builds a workbook with the Excel-compatibility options the engine uses, solves, prints the reply and
# every sheet's values (errors as their code).
HARNESS = r"""
const {HyperFormula} = require(process.argv[1] + '/node_modules/hyperformula');
const {solveCycles} = require(process.argv[1] + '/circular.js');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const hf = HyperFormula.buildFromSheets(input.sheets, {
  licenseKey: 'gpl-v3', evaluateNullToZero: true, useArrayArithmetic: true,
  leapYear1900: true, nullDate: {year: 1899, month: 12, day: 30}, ignoreWhiteSpace: 'any',
}, [{name: 'TRUE', expression: '=TRUE()'}, {name: 'FALSE', expression: '=FALSE()'}]);
const before = hf.getAllSheetsValues();
const reply = solveCycles(hf, input.msg);
const plain = (all) => Object.fromEntries(Object.entries(all).map(([k, rows]) =>
  [k, rows.map((r) => r.map((v) => (v !== null && typeof v === 'object' ? v.value : v)))]));
console.log(JSON.stringify({reply, before: plain(before), after: plain(hf.getAllSheetsValues())}));
"""


def solve(sheets: dict[str, list[list[Any]]], groups: list[tuple[int, list[tuple[str, int, int]]]],
          *, max_iterations: int = 100, max_change: float = 0.001, iterate: bool = True,
          start: list[list[float]] | None = None) -> dict[str, Any]:
    """Run circular.js on *sheets*; groups are (id, members in calc order, 1-based)."""
    node = shutil.which("node")
    if node is None or not (HF_DIR / "node_modules" / "hyperformula").is_dir():
        missing("node or hf/node_modules/hyperformula not installed")
    msg = {"groups": [{"group_id": gid, "members": [list(m) for m in members],
                       "formulas": [None] * len(members)} for gid, members in groups],
           "max_iterations": max_iterations, "max_change": max_change, "iterate": iterate,
           "start": start}
    proc = subprocess.run([str(node), "-e", HARNESS, str(HF_DIR)], input=json.dumps(
        {"sheets": sheets, "msg": msg}), capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def numbers(result: dict[str, Any]) -> list[float | None]:
    return [v["number"] for v in result["values"]]


def test_interest_on_average_debt_converges_to_the_fixed_point() -> None:
    # B1 opening, B2 draw, B3 repay, B4 rate; B5 interest = rate * (opening + closing) / 2,
    # B6 closing = opening + draw - repay + interest; B7 downstream of the loop.
    o, d, r, rate = 1000.0, 200.0, 50.0, 0.08
    sheets = {"Debt": [[None, o], [None, d], [None, r], [None, rate],
                       [None, "=B4*(B1+B6)/2"], [None, "=B1+B2-B3+B5"], [None, "=B6*2"]]}
    out = solve(sheets, [(1, [("Debt", 5, 2), ("Debt", 6, 2)])])
    assert out["before"]["Debt"][4][1] == "#CYCLE!"
    interest = rate * (2 * o + d - r) / (2 - rate)
    res = out["reply"]["results"][0]
    assert res["converged"] is True
    assert res["max_change"] < 0.001
    assert 1 < res["iterations"] < 100
    assert numbers(res)[0] == pytest.approx(interest, abs=0.001)
    assert numbers(res)[1] == pytest.approx(o + d - r + interest, abs=0.001)
    # The loop's cells are constants now, and the downstream cell recomputed from them.
    assert out["after"]["Debt"][6][1] == pytest.approx(2 * numbers(res)[1])


def test_loop_across_two_sheets() -> None:
    sheets = {"One": [["=Two!A1*0.5+10"]], "Two Words": [[1]], "Two": [["=One!A1*0.5"]]}
    out = solve(sheets, [(7, [("One", 1, 1), ("Two", 1, 1)])], max_change=1e-9)
    res = out["reply"]["results"][0]
    assert res["group_id"] == 7 and res["converged"]
    assert numbers(res) == pytest.approx([40 / 3, 20 / 3], abs=1e-8)
    assert out["after"]["One"][0][0] == pytest.approx(40 / 3, abs=1e-8)


def test_loop_through_a_range() -> None:
    # A4 = 10 % of SUM(A1:A5) where A5 = A4 + 1: 0.1 * (6 + 2 A4 + 1) = A4  ->  A4 = 0.875.
    sheets = {"S": [[1], [2], [3], ["=SUM(A1:A5)*0.1"], ["=A4+1"], ["=A5*10"]]}
    out = solve(sheets, [(1, [("S", 4, 1), ("S", 5, 1)])], max_change=1e-12, max_iterations=1000)
    res = out["reply"]["results"][0]
    assert res["converged"]
    assert numbers(res) == pytest.approx([0.875, 1.875], abs=1e-10)
    assert out["after"]["S"][5][0] == pytest.approx(18.75, abs=1e-9)


@pytest.mark.parametrize(("count", "last"), [(100, 0.0), (7, 1.0), (1, 1.0)])
def test_oscillator_does_not_converge_and_keeps_its_last_value(count: int, last: float) -> None:
    # A1 = 1 - A1 from 0 alternates 1, 0, 1, ...: after n sweeps the value is n mod 2.
    out = solve({"S": [["=1-A1"], ["=A1+100"]]}, [(3, [("S", 1, 1)])], max_iterations=count)
    res = out["reply"]["results"][0]
    assert res["converged"] is False
    assert res["iterations"] == count
    assert res["max_change"] == 1
    assert numbers(res) == [last]
    assert res["circular"] == [True]
    assert out["after"]["S"][1][0] == last + 100


def test_start_values_are_used() -> None:
    # A1 = A1 keeps whatever it starts from; converged at once.
    out = solve({"S": [["=A1"]]}, [(1, [("S", 1, 1)])], start=[[42.0]])
    res = out["reply"]["results"][0]
    assert numbers(res) == [42.0] and res["converged"] and res["iterations"] == 1


@pytest.mark.parametrize("iterate", [True, False])
def test_self_reference_in_a_branch_that_never_runs(iterate: bool) -> None:
    # HyperFormula says #CYCLE! for IF(TRUE, 1, A1) in A1; Excel shows 1 with iteration on or off.
    out = solve({"S": [["=IF(B1>0,1,A1)", 5, "=A1*3"]]}, [(1, [("S", 1, 1)])], iterate=iterate)
    assert out["before"]["S"][0][0] == "#CYCLE!"
    res = out["reply"]["results"][0]
    assert numbers(res) == [1.0]
    assert res["circular"] == [False] and res["converged"]
    assert out["after"]["S"][0][2] == 3


# Iteration off, formulas/test/test_files/circular.xlsx shapes: (row formulas B..E, live members).
NO_ITERATION_CASES = [
    ("true two-cell loop", ["=C1", "=B1", None, "=B1+1"], [True, True], [0, 0, None, 0]),
    ("branch that is never taken", ["=C1", "=D1", "=IF(IF(A1,B1,TRUE),1,B1)", "=B1+1"],
     [False, False, False], [1, 1, 1, 2]),
    ("branch that is taken", ["=C1", "=D1", "=IF(NOT(A1),B1,1)", "=B1+1"], [True, True, True],
     [0, 0, 0, 0]),
    ("OR reads every argument", ["=OR(NOT(A1),C1)", "=D1", "=B1", "=B1+1"], [True, True, True],
     [0, 0, 0, 0]),
    ("error decides the branch", ["=C1", "=IF(1/0,1,B1)", None, "=B1+1"], [False, False],
     ["#DIV/0!", "#DIV/0!", None, "#DIV/0!"]),
]


def shown_by_excel(out: dict[str, Any], col: int) -> Any:
    """What Excel displays in row 1, column *col*: members as solved, tainted cells 0, else the value."""
    res = out["reply"]["results"][0]
    for i, value in enumerate(res["values"]):
        if i + 2 == col:
            return value["number"] if value["kind"] in ("number", "bool") else value["text"]
    if ["S", 1, col] in res["tainted"]:
        return 0
    return out["after"]["S"][0][col - 1]


@pytest.mark.parametrize(("label", "formulas", "live", "shown"), NO_ITERATION_CASES,
                         ids=[c[0] for c in NO_ITERATION_CASES])
def test_iteration_off_shows_zero_only_for_live_loops(label: str, formulas: list[Any],
                                                      live: list[bool], shown: list[Any]) -> None:
    row = [False, *formulas, "=IF(TRUE,7,B1)"]          # A1 = FALSE; F1 never reads the loop
    members = [("S", 1, c) for c in range(2, 2 + len(live))]
    out = solve({"S": [row]}, [(1, members)], iterate=False)
    res = out["reply"]["results"][0]
    assert res["circular"] == live
    assert res["converged"] is not any(live)
    for col, expected in enumerate(shown, start=2):
        if expected is not None:
            assert shown_by_excel(out, col) == expected, col
    assert (["S", 1, 5] in res["tainted"]) is any(live)
    assert ["S", 1, 6] not in res["tainted"] and out["after"]["S"][0][5] == 7


def test_iteration_off_taints_a_later_group_fed_by_a_live_loop() -> None:
    # Group 1 (B1 <-> C1) is a live loop; group 2 (B2 <-> C2) reads it, so it is 0 as well.
    sheets = {"S": [[None, "=C1", "=B1"], [None, "=C2+B1", "=B2"], [None, "=C2*2"]]}
    out = solve(sheets, [(1, [("S", 1, 2), ("S", 1, 3)]), (2, [("S", 2, 2), ("S", 2, 3)])],
                iterate=False)
    first, second = out["reply"]["results"]
    assert first["circular"] == [True, True] and second["circular"] == [True, True]
    assert ["S", 3, 2] in second["tainted"]


def test_text_results_converge_when_unchanged() -> None:
    out = solve({"S": [['=IF(A1=0,"x",A1)']]}, [(1, [("S", 1, 1)])])
    res = out["reply"]["results"][0]
    assert res["values"][0]["kind"] == "text" and res["values"][0]["text"] == "x"
    assert res["converged"] and res["iterations"] == 2
    assert out["after"]["S"][0][0] == "x"


def test_row_and_column_without_argument_mean_the_member_cell() -> None:
    out = solve({"S": [[None], [None, "=B2*0+ROW()*10+COLUMN()"]]}, [(1, [("S", 2, 2)])])
    assert numbers(out["reply"]["results"][0]) == [22.0]


def test_unknown_sheet_is_an_error() -> None:
    with pytest.raises(AssertionError, match="unknown sheet"):
        solve({"S": [[1]]}, [(1, [("Nope", 1, 1)])])
