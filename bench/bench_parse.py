"""Time the hash and parse stages on the synthetic workbooks of bench/make_synthetic.py.

Each size runs in a fresh child process, so its peak RSS (ru_maxrss) is its own. Times are wall and CPU
seconds; cells/s is cells over parse wall time.

    .venv/bin/python bench/bench_parse.py                     # 10k, 100k, 1M cells
    .venv/bin/python bench/bench_parse.py --sizes 100000 --repeat 3
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
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run_one(path: Path) -> dict[str, Any]:
    """Hash (store) and parse one workbook in this process; return the measurements."""
    from core.filestore import store_file
    from core.reader import parse_to
    from core.stage import StageDir

    with tempfile.TemporaryDirectory() as tmp:
        stored, hash_wall, hash_cpu = _timed(lambda: store_file(path, Path(tmp) / "files", max_bytes=1 << 30))
        stage = StageDir.for_hash(Path(tmp) / "work", stored.sha256)
        info, parse_wall, parse_cpu = _timed(lambda: parse_to(
            stage, stored.stored_path, max_uncompressed_bytes=1 << 30, max_compression_ratio=200.0,
            filename=path.name))
    cells = info.counts["cells"]
    return {"file": path.name, "cells": cells, "formula_cells": info.counts["formula_cells"],
            "shared_formula_cells": info.counts["shared_formula_cells"],
            "hash_wall_s": round(hash_wall, 3), "hash_cpu_s": round(hash_cpu, 3),
            "parse_wall_s": round(parse_wall, 2), "parse_cpu_s": round(parse_cpu, 2),
            "cells_per_s_wall": round(cells / parse_wall), "cells_per_s_cpu": round(cells / parse_cpu),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    """Generate (if needed) and benchmark each size in a child process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    sys.path.insert(0, str(REPO / "bench"))
    from make_synthetic import generate

    for n in args.sizes:
        path = generate(n)
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, __file__, "--one", str(path)], check=True,
                                 capture_output=True, text=True).stdout
            print(out.strip(), flush=True)


if __name__ == "__main__":
    main()
