"""Benchmark of the graph stage (issue 3): seconds and peak RSS of core.graph.build_to.

    .venv/bin/python bench/bench_graph.py            # both workbooks
    .venv/bin/python bench/bench_graph.py --only big # 1M cells / 400k formulas only

Parse outputs are synthesised straight into a temporary StageDir (no xlsx, no reader), then each
graph stage runs in a fresh Python process so its peak RSS is its own (ru_maxrss of the child).
Goal: 400k formula cells <= 20 s and <= 2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.stage import CELLS_SCHEMA, PARSE, StageDir, write_json, write_table  # noqa: E402
from core.workbook import DefinedName, SheetInfo, WorkbookInfo  # noqa: E402


def _columns() -> dict[str, list[object]]:
    return {f.name: [] for f in CELLS_SCHEMA}


def _put(cols: dict[str, list[object]], sheet: str, row: int, col: int, formula: str | None,
         value: float) -> None:
    cols["sheet"].append(sheet)
    cols["row"].append(row)
    cols["col"].append(col)
    cols["cell_type"].append("formula" if formula else "value")
    cols["formula"].append(formula)
    cols["array_ref"].append(None)
    cols["raw_type"].append("number")
    cols["raw_value"].append(value)
    cols["raw_text"].append(None)
    cols["number_format"].append(None)


def _big_row(cols: dict[str, list[object]], s: int, sheet: str, r: int) -> None:
    """Six constants (A-F) and four formulas (G-J) copied down, one reading the previous sheet."""
    for c in range(1, 7):
        _put(cols, sheet, r, c, None, float(r * c))
    prev = f"Sheet{s - 1}" if s > 1 else "Sheet4"
    formulas = [
        f"=A{r}*B{r}",
        f"=G{r}+H{r - 1}" if r > 1 else f"=G{r}",
        f"=IF(C{r}>0,H{r}/C{r},0)+{prev}!J{r}",
        f"=VLOOKUP(E{r},Sheet1!$A$1:$B$1000,2,FALSE)+G{r}*Rate",
    ]
    if s == 1:   # the first sheet reads the last one's J through I: keep the graph acyclic
        formulas[2] = f"=IF(C{r}>0,H{r}/C{r},0)+Sheet4!G{r}"
    for c, f in enumerate(formulas, 7):
        _put(cols, sheet, r, c, f, 0.0)


def make_big(stage: StageDir, rows_per_sheet: int = 25_000) -> int:
    """1M cells on 4 sheets, 40 % formulas. Returns the number of formula cells."""
    cols = _columns()
    names = [f"Sheet{i}" for i in range(1, 5)]
    for s, sheet in enumerate(names, 1):
        for r in range(1, rows_per_sheet + 1):
            _big_row(cols, s, sheet, r)
    info = WorkbookInfo("big.xlsx", tuple(SheetInfo(n, i) for i, n in enumerate(names)),
                        defined_names=(DefinedName("Rate", "Sheet1!$A$1"),))
    return _write(stage, cols, info)


def make_sums(stage: StageDir, rows: int = 50_000) -> int:
    """100k formulas each summing a 1,000-row range: B over constants, C over B's formulas."""
    cols = _columns()
    for r in range(1, rows + 1001):
        _put(cols, "Data", r, 1, None, float(r))
        if r <= rows:
            _put(cols, "Data", r, 2, f"=SUM(A{r}:A{r + 999})", 0.0)
            _put(cols, "Data", r, 3, f"=SUM(B{r}:B{r + 999})", 0.0)
    return _write(stage, cols, WorkbookInfo("sums.xlsx", (SheetInfo("Data", 0),)))


def _write(stage: StageDir, cols: dict[str, list[object]], info: WorkbookInfo) -> int:
    with stage.writing(PARSE) as out:
        write_table(out / "cells.arrow", pa.table(cols, schema=CELLS_SCHEMA))
        write_json(out / "workbook.json", info.to_json())
    return sum(1 for t in cols["cell_type"] if t == "formula")


def run_child(root: str, sha: str, method: str) -> None:
    """In the child: run the stage and print its summary plus wall time and peak RSS as JSON."""
    from core.graph import build_to
    stage = StageDir.for_hash(Path(root), sha)
    t0 = time.perf_counter()
    summary = build_to(stage, cycle_method=method)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall_s": round(wall, 2), "cpu_s": round(cpu.ru_utime + cpu.ru_stime, 2),
                      "peak_rss_mb": round(peak_mb), "method": method, **summary.__dict__}))


def bench(name: str, maker, tmp: Path, method: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    stage = StageDir.for_hash(tmp, name)
    formulas = maker(stage)
    out = subprocess.run([sys.executable, __file__, "--child", str(tmp), name, method],
                         check=False, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"graph stage failed on {name}:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["formula_cells_made"] = formulas
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["big", "sums"])
    parser.add_argument("--method", choices=["peeled", "networkx"], default="peeled")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        run_child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for name, maker in (("big", make_big), ("sums", make_sums)):
            if args.only in (None, name):
                r = bench(name, maker, Path(tmp), args.method)
                print(f"{name} [{args.method}]: {r['formula_cells']} formula cells, {r['wall_s']} s "
                      f"(CPU {r['cpu_s']} s), "
                      f"peak RSS {r['peak_rss_mb']} MB, edges {r['edges']}, "
                      f"graph edges {r['graph_edges']}, lineage rows {r['lineage_rows']}, "
                      f"shapes {r['shapes']}, groups {r['groups']}")
                print("   ", json.dumps(r))


if __name__ == "__main__":
    main()
