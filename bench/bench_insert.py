"""Benchmark db.loader.insert_workbook on SQLite and PostgreSQL with synthetic stage outputs.

Each (backend, size) run is a fresh child process (so its peak RSS is its own) inserting a synthetic
workbook: 40 % formula cells, 2 lineage rows per formula, graph and evaluate outputs present.

    .venv/bin/python bench/bench_insert.py                       # 10k, 100k, 1M on both backends
    .venv/bin/python bench/bench_insert.py --sizes 100000 --backends postgresql --copy binary
    .venv/bin/python bench/bench_insert.py --sizes 1000000 --backends postgresql --cell-index

PostgreSQL: database `capitallens_bench` on 127.0.0.1:5432 (user postgres), created and dropped per run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql://postgres@127.0.0.1:5432/capitallens_bench"
COLS_PER_ROW = 20
SHEETS = 4


def synthesise(root: Path, n_cells: int) -> Any:
    """Write parse/graph/evaluate outputs of an *n_cells* workbook under *root*; returns the StageDir."""
    import pyarrow as pa

    from core.stage import (
        CELLS_SCHEMA,
        EVALUATE,
        GRAPH,
        GRAPH_CELLS_SCHEMA,
        LINEAGE_SCHEMA,
        PARSE,
        VALUES_SCHEMA,
        StageDir,
        write_json,
        write_table,
    )
    from core.workbook import SheetInfo, WorkbookInfo

    stage = StageDir.for_hash(root, f"{n_cells:064d}")
    per_sheet = -(-n_cells // SHEETS)
    idx = list(range(n_cells))
    sheet = [f"Sheet{i // per_sheet + 1}" for i in idx]
    row = [(i % per_sheet) // COLS_PER_ROW + 1 for i in idx]
    col = [(i % per_sheet) % COLS_PER_ROW + 1 for i in idx]
    is_formula = [c > COLS_PER_ROW * 0.6 for c in col]  # the last 8 of 20 columns: 40 %
    formula = [f"=A{r}*1.05+{_letter(c - 1)}{r}-SUM(B1:B{r})" if f else None
               for r, c, f in zip(row, col, is_formula, strict=True)]
    value = [r * 1.5 + c / 7 for r, c in zip(row, col, strict=True)]
    cells = pa.table({
        "sheet": sheet, "row": pa.array(row, pa.int32()), "col": pa.array(col, pa.int32()),
        "cell_type": ["formula" if f else "value" for f in is_formula], "formula": formula,
        "array_ref": pa.nulls(n_cells, pa.string()), "raw_type": ["number"] * n_cells,
        "raw_value": value, "raw_text": pa.nulls(n_cells, pa.string()),
        "number_format": ["#,##0.00" if c % 3 else None for c in col],
    }, schema=CELLS_SCHEMA)
    graph = _table(n_cells, GRAPH_CELLS_SCHEMA, {
        "is_circular": [False] * n_cells, "group_id": pa.nulls(n_cells, pa.int32()),
        "eval_order": pa.array([i if f else None for i, f in enumerate(is_formula)], pa.int32()),
        "has_dynamic_refs": [False] * n_cells, "has_broken_ref": [False] * n_cells,
        "parse_error": pa.nulls(n_cells, pa.string()),
    })
    values = pa.table({
        "calculated_type": ["number" if f else None for f in is_formula],
        "calculated_value": [v if f else None for v, f in zip(value, is_formula, strict=True)],
        "calculated_text": pa.nulls(n_cells, pa.string()),
        "eval_status": ["ok" if f else None for f in is_formula],
        "eval_detail": pa.nulls(n_cells, pa.string()),
    }, schema=VALUES_SCHEMA)
    lineage = _lineage(sheet, row, col, is_formula)
    info = WorkbookInfo(filename="bench.xlsx",
                        sheets=tuple(SheetInfo(f"Sheet{i + 1}", i) for i in range(SHEETS)),
                        counts={"cells": n_cells})
    with stage.writing(PARSE) as out:
        write_table(out / "cells.arrow", cells)
        write_json(out / "workbook.json", info.to_json())
    with stage.writing(GRAPH) as out:
        write_table(out / "cells.arrow", graph)
        write_table(out / "lineage.arrow", pa.Table.from_pydict(lineage, schema=LINEAGE_SCHEMA))
        write_json(out / "groups.json", [])
        write_json(out / "summary.json", {"formula_cells": sum(is_formula)})
    with stage.writing(EVALUATE) as out:
        write_table(out / "values.arrow", values)
        write_json(out / "summary.json", {"counts": {"ok": sum(is_formula)}})
    return stage


def _table(n: int, schema: Any, data: dict[str, Any]) -> Any:
    """A table of *schema*; columns added to the contract later are filled with nulls."""
    import pyarrow as pa

    return pa.table({f.name: data.get(f.name, pa.nulls(n, f.type)) for f in schema}, schema=schema)


def _letter(col: int) -> str:
    from core.addressing import col_letter

    return col_letter(col)


def _lineage(sheet: list[str], row: list[int], col: list[int], is_formula: list[bool]) -> dict[str, list]:
    out: dict[str, list] = {k: [] for k in ("sheet", "row", "col", "ref_sheet", "first_row", "first_col",
                                            "last_row", "last_col", "kind")}
    for s, r, c, f in zip(sheet, row, col, is_formula, strict=True):
        if not f:
            continue
        for fr, fc, lr, lc, kind in ((r, c - 1, r, c - 1, "cell"), (1, 2, r, 2, "range")):
            for key, val in zip(out, (s, r, c, s, fr, fc, lr, lc, kind), strict=True):
                out[key].append(val)
    return out


def _copy_binary(conn: Any, table: str, columns: tuple[str, ...], batches: Any) -> int:
    """The alternative measured against CSV: psycopg binary COPY fed row by row with write_row."""
    raw = conn.connection.driver_connection
    total = 0
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as cp:
        first = True
        for batch in batches:
            if first:
                cp.set_types([_pg_type(conn, table, c) for c in columns])
                first = False
            for values in zip(*(col.to_pylist() for col in batch.columns), strict=True):
                cp.write_row(values)
            total += batch.num_rows
    return total


def _pg_type(conn: Any, table: str, column: str) -> str:
    """The PostgreSQL type name of a column, as psycopg's binary COPY wants it."""
    from db.base import Base

    sql_type = Base.metadata.tables[table].c[column].type.compile(dialect=conn.dialect)
    return sql_type.split("(")[0].lower()


def _track_backends(engine: Any) -> list[int]:
    """PostgreSQL server process ids of the engine's connections (to read their CPU time)."""
    from sqlalchemy import event

    pids: list[int] = []
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", lambda conn, _rec: pids.append(conn.info.backend_pid))
    return pids


def _server_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by these local server processes (the machine is shared: wall time lies)."""
    import os

    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(args: argparse.Namespace) -> None:
    """Insert one synthetic stage and print a JSON line of timings (runs in its own process)."""
    from core.stage import StageDir
    from db import bulk, repo
    from db.engine import make_engine
    from db.loader import insert_workbook

    if args.copy == "binary":
        bulk._copy_csv = _copy_binary  # type: ignore[assignment]
    stage = StageDir.for_hash(Path(args.stage_root), f"{args.size:064d}")
    engine = make_engine(args.url)
    backends = _track_backends(engine)
    if args.cell_index:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_bench_cell ON cells (model_id, sheet_name, cell)")
    base_rss = _rss_kb("VmRSS")
    cpu0, server0 = time.process_time(), _server_cpu(backends)
    started = time.perf_counter()
    result = insert_workbook(engine, stage, name="bench", original_filename="bench.xlsx",
                             stored_path="/dev/null", file_size=0)
    seconds = time.perf_counter() - started
    cpu, server = time.process_time() - cpu0, _server_cpu(backends) - server0
    cells = repo.count_rows(engine, "cells", result.model_id)
    lineage = repo.count_rows(engine, "cell_precedents", result.model_id)
    engine.dispose()
    print(json.dumps({"seconds": seconds, "cells": cells, "lineage": lineage, "cpu": cpu, "server_cpu": server,
                      "base_rss_mb": base_rss / 1024, "peak_rss_mb": _rss_kb("VmHWM") / 1024}))


def _fresh_database(backend: str, tmp: Path) -> str:
    from db.migrate import upgrade

    if backend == "sqlite":
        path = tmp / "bench.db"
        for p in tmp.glob("bench.db*"):
            p.unlink()
        url = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS capitallens_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE capitallens_bench")
        url = PG_BENCH
    upgrade(url)
    return url


def _drop_pg() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS capitallens_bench WITH (FORCE)")


def main() -> None:
    """Run the benchmark matrix and print a table (and JSON lines with --json)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--copy", choices=["csv", "binary"], default="csv")
    parser.add_argument("--cell-index", action="store_true", help="add an index on cells(model_id, sheet, cell)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--stage-root", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench_insert_") as tmp_name:
        tmp = Path(tmp_name)
        print(f"{'backend':<11}{'cells':>10}{'lineage':>10}{'seconds':>9}{'cells/s':>10}{'rows/s':>10}"
              f"{'cpu s':>7}{'srv cpu':>8}{'base MB':>9}{'peak MB':>9}  copy={args.copy} "
              f"cell_index={args.cell_index}")
        for size in args.sizes:
            t0 = time.perf_counter()
            synthesise(tmp / "work", size)
            print(f"# synthesised {size} cells in {time.perf_counter() - t0:.1f}s", flush=True)
            for backend in args.backends:
                url = _fresh_database(backend, tmp)
                out = subprocess.run([sys.executable, __file__, "--child", "--url", url, "--size", str(size),
                                      "--stage-root", str(tmp / "work"), "--copy", args.copy]
                                     + (["--cell-index"] if args.cell_index else []),
                                     check=True, capture_output=True, text=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                rows = r["cells"] + r["lineage"]
                print(f"{backend:<11}{r['cells']:>10}{r['lineage']:>10}{r['seconds']:>9.2f}"
                      f"{r['cells'] / r['seconds']:>10.0f}{rows / r['seconds']:>10.0f}"
                      f"{r['cpu']:>7.2f}{r['server_cpu']:>8.2f}"
                      f"{r['base_rss_mb']:>9.0f}{r['peak_rss_mb']:>9.0f}", flush=True)
        if "postgresql" in args.backends:
            _drop_pg()


if __name__ == "__main__":
    main()
