"""Benchmark the read-only API on a stored 1M-cell model in PostgreSQL, under wrk on loopback.

    .venv/bin/python bench/bench_api.py                     # 1M cells, 2 workers, 50 connections, 30 s
    .venv/bin/python bench/bench_api.py --rate 100 200 --repeat 3   # fixed offered rates (req/s), 3 runs each
    .venv/bin/python bench/bench_api.py --cells 100000 --workers 4 --duration 15 --keep
    .venv/bin/python bench/bench_api.py --reuse --in-process 1000 [--profile]   # CPU/request, no wrk

Sets everything up and tears it down: creates database capitallens_bench_api (127.0.0.1:5432, user
postgres), migrates it, writes synthetic stage outputs and stores them with db.loader.insert_workbook
(COPY), VACUUM ANALYZE (what autovacuum does to a freshly inserted table within a minute), starts uvicorn
(`api_readonly.app:app_factory`, N workers, no access log), warms up, runs wrk once per scenario, prints
wrk's latency distribution and a JSON summary, stops uvicorn, drops the database (unless --keep; never
with --reuse). --in-process N instead sends N requests per scenario straight into the ASGI app, one at a
time in this process, and prints its CPU and wall time per request (with --profile: cProfile of the
event-loop thread; work in the thread pool is not in it).

Two load modes. Closed loop (default): every connection sends its next request as soon as the previous
answer arrives, so the run measures saturated throughput and, with 50 connections, latency of about
50 / throughput. --rate R: every connection waits a random think time (exponential, mean
connections / R seconds) before each request, an offered load of about R req/s (a little less, as the
response time adds to each cycle; the achieved rate is reported). wrk measures each request from its
send, so latency under --rate is the service time at that load, not the queueing of an overloaded server.

The synthetic workbook: 4 sheets named 'Sheet 1'..'Sheet 4' (a space, so URLs are encoded), 10 columns:
A-F numbers, G-J formulas (40 %): G = A*B, H = SUM(A:F of the row), I = VLOOKUP(A, 'Sheet 1'!$A$1:$B$1000,
2, FALSE), J = IF(G>0, H of the row above, 0). Six lineage rows per formula row.
Scenarios (every request picks its own random sheet, rows, filter, page or cell; each wrk thread its own
random sequence):
  page  GET /api/models/{id}/cells?sheet=Sheet {s}&range=A{r}:J{r+999}&{filter}&page_size=100&page={1..4}
        filter one of cell_type=formula (4,000 matches), cell_type=value (6,000), raw_type=number (10,000)
  cell  GET /api/models/{id}/cells/Sheet%20{s}/{A..J}{row}   (one cell, precedents + dependents)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "capitallens_bench_api"
COLS = 10
SHEETS = 4
FORMULA_FROM_COL = 7  # G..J


_FUNCTIONS = {8: " SUM ", 9: " VLOOKUP ", 10: " IF "}  # graph/cells.arrow `functions` per formula column


def _formula(sheet_no: int, row: int, col: int) -> tuple[str, list[tuple[str, int, int, int, int, str]]]:
    """A formula and its lineage rows (ref_sheet, first_row, first_col, last_row, last_col, kind)."""
    me = f"Sheet {sheet_no}"
    if col == 7:
        return f"=A{row}*B{row}", [(me, row, 1, row, 1, "cell"), (me, row, 2, row, 2, "cell")]
    if col == 8:
        return f"=SUM(A{row}:F{row})", [(me, row, 1, row, 6, "range")]
    if col == 9:
        return (f"=VLOOKUP(A{row},'Sheet 1'!$A$1:$B$1000,2,FALSE)",
                [(me, row, 1, row, 1, "cell"), ("Sheet 1", 1, 1, 1000, 2, "range")])
    above = max(row - 1, 1)
    return f"=IF(G{row}>0,H{above},0)", [(me, row, 7, row, 7, "cell"), (me, above, 8, above, 8, "cell")]


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

    rows_per_sheet = n_cells // (SHEETS * COLS)
    cells: dict[str, list[Any]] = {name: [] for name in CELLS_SCHEMA.names}
    lineage: dict[str, list[Any]] = {name: [] for name in LINEAGE_SCHEMA.names}
    for s in range(1, SHEETS + 1):
        for r in range(1, rows_per_sheet + 1):
            for c in range(1, COLS + 1):
                formula = None
                if c >= FORMULA_FROM_COL:
                    formula, refs = _formula(s, r, c)
                    for ref in refs:
                        for key, v in zip(LINEAGE_SCHEMA.names, (f"Sheet {s}", r, c, *ref), strict=True):
                            lineage[key].append(v)
                for key, v in zip(CELLS_SCHEMA.names, (f"Sheet {s}", r, c, "formula" if formula else "value",
                                                       formula, None, "number", r * 1.5 + c, None, None),
                                  strict=True):
                    cells[key].append(v)
    n = len(cells["sheet"])
    is_formula = [t == "formula" for t in cells["cell_type"]]
    stage = StageDir.for_hash(root, f"{n:064d}")
    info = WorkbookInfo(filename="bench.xlsx", sheets=tuple(SheetInfo(f"Sheet {s}", s - 1)
                                                            for s in range(1, SHEETS + 1)))
    with stage.writing(PARSE) as out:
        write_table(out / "cells.arrow", pa.table(cells, schema=CELLS_SCHEMA))
        write_json(out / "workbook.json", info.to_json())
    with stage.writing(GRAPH) as out:
        graph = {"is_circular": [False] * n, "group_id": [None] * n, "eval_order": [None] * n,
                 "has_dynamic_refs": [False] * n, "has_broken_ref": [False] * n, "parse_error": [None] * n,
                 "functions": [_FUNCTIONS.get(c) for c in cells["col"]]}
        write_table(out / "cells.arrow", pa.table(graph, schema=GRAPH_CELLS_SCHEMA))
        write_table(out / "lineage.arrow", pa.table(lineage, schema=LINEAGE_SCHEMA))
        write_json(out / "groups.json", [])
        write_json(out / "summary.json", {"formula_cells": sum(is_formula)})
    with stage.writing(EVALUATE) as out:
        values = {"calculated_type": ["number" if f else None for f in is_formula],
                  "calculated_value": [v if f else None for v, f in zip(cells["raw_value"], is_formula,
                                                                         strict=True)],
                  "calculated_text": [None] * n, "eval_status": ["ok" if f else None for f in is_formula],
                  "eval_detail": [None] * n}
        write_table(out / "values.arrow", pa.table(values, schema=VALUES_SCHEMA))
        write_json(out / "summary.json", {"counts": {"ok": sum(is_formula)}})
    return stage


def _admin(sql: str, admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def prepare_database(admin_url: str, n_cells: int) -> tuple[str, int, int, float]:
    """Create, migrate and load the bench database; returns (url, model id, rows per sheet, load seconds)."""
    from db.engine import make_engine
    from db.loader import insert_workbook
    from db.migrate import upgrade

    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', admin_url)
    _admin(f'CREATE DATABASE "{DB_NAME}"', admin_url)
    url = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{DB_NAME}"
    upgrade(url)
    tmp = Path(tempfile.mkdtemp(prefix="bench_api_"))
    try:
        stage = synthesise(tmp, n_cells)
        engine = make_engine(url)
        started = time.perf_counter()
        result = insert_workbook(engine, stage, name="bench-1m", original_filename="bench.xlsx",
                                 stored_path=str(tmp / "bench.xlsx"), file_size=0)
        # Statistics and the visibility map, as autovacuum produces soon after a real import (PostgreSQL 13+
        # vacuums insert-only tables too). VACUUM cannot run inside a transaction block.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        seconds = time.perf_counter() - started
        engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return url, result.model_id, n_cells // (SHEETS * COLS), seconds


def existing_database(admin_url: str) -> tuple[str, int, int, float]:
    """The bench database left by an earlier --keep run: (url, model id, rows per sheet, 0.0)."""
    import sqlalchemy as sa

    from db.engine import make_engine

    url = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{DB_NAME}"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            model_id = conn.execute(sa.text("SELECT max(id) FROM models WHERE name = 'bench-1m'")).scalar_one()
            rows = conn.execute(sa.text("SELECT max(row_num) FROM cells WHERE model_id = :m AND "
                                        "sheet_name = 'Sheet 2'"), {"m": model_id}).scalar_one()
    finally:
        engine.dispose()
    return url, int(model_id), int(rows), 0.0


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """uvicorn with the app factory; returns once /health answers 200. Raises RuntimeError."""
    import httpx

    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api_readonly.app:app_factory", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--no-access-log", "--log-level", "warning",
                             "--timeout-keep-alive", "120"], env=env, cwd=REPO,
                            start_new_session=True)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}")
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("the API did not become healthy within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM uvicorn's process group (the workers too), SIGKILL after 15 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out + [g for c in out for g in _children(c)]


def _pg_backends(admin_url: str) -> list[int]:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (DB_NAME,))]


def cpu_snapshot(server_pid: int, admin_url: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far per process: the API's (uvicorn and its workers), the bench database's backends."""
    return {"api": {p: _cpu_seconds(p) for p in [server_pid, *_children(server_pid)]},
            "pg": {p: _cpu_seconds(p) for p in _pg_backends(admin_url)}}


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds used between two snapshots (processes that started in between count in full)."""
    return {kind: sum(cpu - before[kind].get(pid, 0.0) for pid, cpu in after[kind].items())
            for kind in after}


FILTERS = ("cell_type=formula", "cell_type=value", "raw_type=number")

# Each wrk thread has its own Lua state: setup() hands each one its own id, so each seeds its own sequence.
LUA_COMMON = """
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  math.randomseed(%(seed)d + 7919 * id)
end
local think_ms = %(think_ms)f
if think_ms > 0 then
  function delay()
    return math.floor(-math.log(1 - math.random()) * think_ms)
  end
end
"""

LUA = {
    "page": """
local filters = {%(filters)s}
request = function()
  local r = math.random(1, %(rows)d - 1000)
  return wrk.format("GET", "/api/models/%(model)d/cells?sheet=Sheet%%20" .. math.random(1, %(sheets)d)
    .. "&range=A" .. r .. ":J" .. (r + 999) .. "&" .. filters[math.random(1, #filters)]
    .. "&page_size=100&page=" .. math.random(1, 4))
end
""",
    "cell": """
local cols = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"}
request = function()
  return wrk.format("GET", "/api/models/%(model)d/cells/Sheet%%20" .. math.random(1, %(sheets)d) .. "/"
    .. cols[math.random(1, 10)] .. math.random(1, %(rows)d))
end
""",
}


def lua_script(scenario: str, model_id: int, rows: int, think_ms: float, seed: int = 42) -> str:
    """The wrk script of *scenario*; *think_ms* > 0 adds a random (exponential) wait before each request."""
    values = {"seed": seed, "rows": rows, "model": model_id, "sheets": SHEETS, "think_ms": think_ms,
              "filters": ", ".join(f'"{f}"' for f in FILTERS)}
    return (LUA_COMMON + LUA[scenario]) % values


def run_wrk(port: int, scenario: str, model_id: int, rows: int, connections: int, threads: int,
            seconds: int, tmp: Path, rate: float = 0.0) -> dict[str, Any]:
    """One wrk run (closed loop, or about *rate* req/s offered); returns its parsed numbers and raw output."""
    script = tmp / f"{scenario}.lua"
    think_ms = 1000.0 * connections / rate if rate > 0 else 0.0
    script.write_text(lua_script(scenario, model_id, rows, think_ms), encoding="utf-8")
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                          "-s", str(script), f"http://127.0.0.1:{port}"], capture_output=True, text=True,
                         check=True).stdout
    return {"scenario": scenario, **parse_wrk(out), "raw": out}


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return round(float(number) * _UNITS[unit], 2)


def parse_wrk(out: str) -> dict[str, Any]:
    """Latency percentiles (ms), requests/s, non-2xx and socket errors from wrk --latency output."""
    pct = {f"p{m.group(1)}_ms": _ms(m.group(2))
           for m in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {**pct, "requests_per_s": rps, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else None}


def _paths(model_id: int, rows: int, n: int) -> dict[str, list[str]]:
    """*n* request targets per scenario, drawn like the wrk scripts draw them (fixed seed)."""
    import random

    rnd = random.Random(42)
    page = []
    for _ in range(n):
        r = rnd.randint(1, rows - 1000)
        page.append(f"/api/models/{model_id}/cells?sheet=Sheet%20{rnd.randint(1, SHEETS)}&range=A{r}:J{r + 999}"
                    f"&{rnd.choice(FILTERS)}&page_size=100&page={rnd.randint(1, 4)}")
    cell = [f"/api/models/{model_id}/cells/Sheet%20{rnd.randint(1, SHEETS)}/{'ABCDEFGHIJ'[rnd.randint(0, 9)]}"
            f"{rnd.randint(1, rows)}" for _ in range(n)]
    return {"page": page, "cell": cell}


async def _drive(app: Any, targets: list[str]) -> tuple[float, float, set[int]]:
    """Call the ASGI app once per target, sequentially; (CPU s, wall s, statuses)."""
    from urllib.parse import unquote

    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    cpu, wall = time.process_time(), time.perf_counter()
    for target in targets:
        path, _, query = target.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": unquote(path), "raw_path": path.encode(), "root_path": "",
                 "query_string": query.encode(), "headers": [(b"host", b"bench")],
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
        await app(scope, receive, send)
    return time.process_time() - cpu, time.perf_counter() - wall, statuses


def in_process(url: str, model_id: int, rows: int, n: int, scenarios: list[str], profile: bool) -> None:
    """CPU per request of the app alone (no HTTP server, no load tool), one request at a time."""
    import asyncio
    import cProfile
    import pstats

    os.environ["DATABASE_URL"] = url
    from api_readonly.app import app_factory

    app = app_factory()

    async def run() -> None:
        async with app.router.lifespan_context(app):
            for scenario in scenarios:
                targets = _paths(model_id, rows, n)[scenario]
                await _drive(app, targets[: max(n // 10, 1)])  # warm-up: pool, statement caches
                profiler = cProfile.Profile() if profile else None
                if profiler:
                    profiler.enable()
                cpu, wall, statuses = await _drive(app, targets)
                if profiler:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
                print(json.dumps({"scenario": scenario, "requests": n, "statuses": sorted(statuses),
                                  "cpu_ms_per_request": round(1000 * cpu / n, 3),
                                  "wall_ms_per_request": round(1000 * wall / n, 3)}), flush=True)

    asyncio.run(run())


def main() -> None:
    """Parse arguments, set up, measure each scenario, tear down."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--scenarios", nargs="+", default=["page", "cell"], choices=sorted(LUA))
    parser.add_argument("--rate", nargs="+", type=float, default=[0.0], metavar="R",
                        help="offered req/s per run (0: closed loop); several values: one run each")
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario and rate")
    parser.add_argument("--pg-admin", default=PG_ADMIN)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left")
    parser.add_argument("--in-process", type=int, metavar="N", default=0,
                        help="instead of wrk: N requests per scenario straight into the ASGI app, CPU/request")
    parser.add_argument("--profile", action="store_true", help="with --in-process: cProfile top functions")
    args = parser.parse_args()
    if args.in_process:
        url, model_id, rows, _ = (existing_database(args.pg_admin) if args.reuse
                                  else prepare_database(args.pg_admin, args.cells))
        in_process(url, model_id, rows, args.in_process, args.scenarios, args.profile)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk not found (apt-get install wrk)")
    url, model_id, rows, load_s = (existing_database(args.pg_admin) if args.reuse
                                   else prepare_database(args.pg_admin, args.cells))
    print(f"loaded {args.cells} cells as model {model_id} in {load_s:.1f} s", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench_api_wrk_"))
    proc = start_server(url, args.port, args.workers)
    results = []
    try:
        for scenario in args.scenarios:
            run_wrk(args.port, scenario, model_id, rows, args.connections, args.threads, 5, tmp)  # warm-up
            for rate in [r for r in args.rate for _ in range(args.repeat)]:
                before = cpu_snapshot(proc.pid, args.pg_admin)
                result = run_wrk(args.port, scenario, model_id, rows, args.connections, args.threads,
                                 args.duration, tmp, rate)
                after = cpu_snapshot(proc.pid, args.pg_admin)
                done = max(result["requests_per_s"] * args.duration, 1.0)
                result.update({f"cpu_ms_per_request_{k}": round(1000 * v / done, 2)
                               for k, v in cpu_used(before, after).items()})
                result.update({"offered_per_s": rate or "closed loop",
                               "load_average_1min": round(os.getloadavg()[0], 1)})
                print(f"--- {scenario}, {'closed loop' if not rate else f'{rate:g} req/s offered'}", flush=True)
                print(result.pop("raw"), flush=True)
                results.append(result)
    finally:
        stop_server(proc)
        shutil.rmtree(tmp, ignore_errors=True)
        if not (args.keep or args.reuse):
            _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', args.pg_admin)
    print(json.dumps({"cells": args.cells, "workers": args.workers, "connections": args.connections,
                      "duration_s": args.duration, "load_s": round(load_s, 1), "results": results}, indent=1))


if __name__ == "__main__":
    main()
