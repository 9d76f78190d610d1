"""Benchmark of the evaluate stage (issue 4, item 8): seconds and Node peak memory.

    .venv/bin/python bench/bench_evaluate.py                    # 100k and 1M cells
    .venv/bin/python bench/bench_evaluate.py --sizes 100000

Uses bench/make_synthetic.py's workbooks (generated on first use into bench/out/), parses each once
with core.reader (not timed), then times hf.evaluate.evaluate_to on a warm engine (one process, as
in a worker), plus core.validate.compare when that module exists. Node's peak RSS is VmHWM from
/proc. Goals: 1M cells (400k formulas) <= 30 s, 100k cells <= 4 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from core.reader import parse_to  # noqa: E402
from core.stage import EVALUATE, PARSE, StageDir, read_table  # noqa: E402
from hf.client import NodeEngine  # noqa: E402
from hf.evaluate import evaluate_to  # noqa: E402


def workbook(n_cells: int) -> Path:
    """The synthetic workbook of *n_cells* cells (generated when missing)."""
    path = ROOT / "bench" / "out" / f"synthetic_{n_cells}.xlsx"
    if not path.exists():
        make_synthetic = importlib.import_module("make_synthetic")
        path = make_synthetic.generate(n_cells)
    return path


def match_rate(stage: StageDir) -> float:
    """Share of formula cells whose calculated number equals the cached one (a sanity check)."""
    cells = read_table(stage.path(PARSE, "cells.arrow")).to_pydict()
    vals = read_table(stage.path(EVALUATE, "values.arrow")).to_pydict()
    rows = [i for i, t in enumerate(cells["cell_type"]) if t == "formula"]
    ok = sum(1 for i in rows if cells["raw_type"][i] == vals["calculated_type"][i] and
             (cells["raw_value"][i] == vals["calculated_value"][i] or
              abs((cells["raw_value"][i] or 0) - (vals["calculated_value"][i] or 0)) <= 1e-9 * max(
                  1.0, abs(cells["raw_value"][i] or 0))))
    return ok / max(1, len(rows))


def validate_seconds(stage: StageDir) -> float | None:
    """Time core.validate.compare when it exists (the other half of the goal)."""
    try:
        validate = importlib.import_module("core.validate")
    except ImportError:
        return None
    t0 = time.perf_counter()
    validate.compare(stage)
    return time.perf_counter() - t0


def node_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds Node has used so far (from /proc/<pid>/stat), 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench(n_cells: int, engine: NodeEngine, work: Path) -> dict[str, object]:
    """Parse once, then time evaluate (+ validate) on *engine*: wall and CPU (the machine is shared, so
    CPU seconds are the steadier number)."""
    stage = StageDir.for_hash(work, f"synthetic{n_cells}")
    t0 = time.perf_counter()
    parse_to(stage, workbook(n_cells), max_uncompressed_bytes=4 << 30, max_compression_ratio=1000.0)
    parse_s = time.perf_counter() - t0
    t0, py0, node0 = time.perf_counter(), time.process_time(), node_cpu_seconds(engine.pid)
    summary = evaluate_to(stage, engine)
    evaluate_s = time.perf_counter() - t0
    py_cpu, node_cpu = time.process_time() - py0, node_cpu_seconds(engine.pid) - node0
    val_s = validate_seconds(stage)
    rss = engine.peak_rss_bytes()
    return {"cells": n_cells, "formula_cells": summary.formula_cells, "parse_s": round(parse_s, 2),
            "evaluate_s": round(evaluate_s, 2), "evaluate_cpu_python_s": round(py_cpu, 2),
            "evaluate_cpu_node_s": round(node_cpu, 2), "engine_load_s": summary.load_seconds,
            "validate_s": None if val_s is None else round(val_s, 2),
            "evaluate_plus_validate_s": round(evaluate_s + (val_s or 0.0), 2),
            "node_peak_rss_mb": None if rss is None else round(rss / 2**20),
            "match_rate": round(match_rate(stage), 6)}


def main() -> None:
    """Run the benchmark and print one JSON line per size."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = ap.parse_args()
    with NodeEngine(call_timeout=900) as engine, tempfile.TemporaryDirectory() as tmp:
        engine.request("ping")  # start-up is paid once per worker, not per workbook
        for n in args.sizes:
            print(json.dumps(bench(n, engine, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
