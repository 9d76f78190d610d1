"""Prefect overhead per import: flow wall time minus the sum of stage times, for a 10k-cell workbook.

Needs a running Prefect server (PREFECT_API_URL, default http://127.0.0.1:4200/api). Usage:
    PREFECT_API_URL=http://127.0.0.1:4200/api .venv/bin/python bench/bench_flow_overhead.py [--runs 5]
Each run imports a distinct 10k-cell workbook into a fresh SQLite database under a temporary data dir.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cl-bench-flow-"))
    os.environ["CAPITALLENS_DATA_DIR"] = str(tmp / "data")
    os.environ.setdefault("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    from config.prefect_env import apply_prefect_environment
    from config.settings import get_settings

    apply_prefect_environment(get_settings())
    from db.migrate import upgrade
    from flows.import_workbook import import_workbook
    from tests.flows.workbooks import write_model

    upgrade(get_settings().db_url)
    rows = 2500  # 4 columns → 10,000 cells (+5)
    # warm-up: process-level costs (engine start, imports) are paid once per worker, not per import
    import_workbook(path=str(write_model(tmp / "warmup.xlsx", rows=rows, seed=99)))
    walls, overheads = [], []
    for i in range(args.runs):
        wb = write_model(tmp / f"bench-{i}.xlsx", rows=rows, seed=i + 1)
        t0 = time.perf_counter()
        outcome = import_workbook(path=str(wb))
        wall = time.perf_counter() - t0
        stages = sum(outcome.stage_seconds.values())
        walls.append(wall)
        overheads.append(wall - stages)
        print(f"run {i}: wall {wall:.2f}s, stages {stages:.2f}s ({outcome.stage_seconds}), "
              f"overhead {wall - stages:.2f}s", flush=True)
    print(f"median wall {statistics.median(walls):.2f}s, median Prefect overhead "
          f"{statistics.median(overheads):.2f}s over {args.runs} runs")


if __name__ == "__main__":
    main()
