"""Inbox latency: time from a workbook landing in the inbox (an atomic rename) to its model being queryable.

    .venv/bin/python bench/bench_inbox_latency.py --mode prefect [--api URL] [--runs 5] [--cells 10000]
    .venv/bin/python bench/bench_inbox_latency.py --mode inprocess

prefect: a Prefect server (started here with a temporary home unless --api is given), the served
deployments (`capitallens serve-deployments`) and `capitallens watch`; inprocess: the watcher alone.
The first file (a warm-up: process start-up, Node start-up) is reported apart from the timed runs.
Everything runs in a temporary data folder with a SQLite database (or --database-url).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_book(path: Path, seed: int, cells: int) -> Path:
    """A workbook of about *cells* cells, 40 % formulas (4 of 10 columns), distinct per *seed*."""
    rows = max(1, cells // 10)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Model")
    for r in range(rows):
        vals = [(seed * 7919 + r * 31 + c) % 1000 + 0.5 for c in range(6)]
        ws.write_row(r, 0, vals)
        n = r + 1
        ws.write_formula(r, 6, f"=A{n}*B{n}", None, vals[0] * vals[1])
        ws.write_formula(r, 7, f"=SUM(A{n}:F{n})", None, sum(vals))
        ws.write_formula(r, 8, f"=G{n}-H{n}", None, vals[0] * vals[1] - sum(vals))
        ws.write_formula(r, 9, f"=IF(I{n}>0,I{n},0)", None, max(vals[0] * vals[1] - sum(vals), 0))
    wb.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(30)
            return
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def wait(cond, timeout: float, what: str, poll: float = 0.5) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(poll)
    raise SystemExit(f"timed out waiting for {what}")


def drop_and_time(engine: sa.Engine, stage: Path, inbox: Path, seed: int, cells: int,
                  timeout: float) -> float:
    """Seconds from the rename into the inbox until the model row with the file's hash is readable."""
    src = make_book(stage / f"bench-{seed}.xlsx", seed, cells)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    query = sa.text("SELECT id FROM models WHERE file_hash = :h")
    t0 = time.perf_counter()
    os.rename(src, inbox / src.name)
    while time.perf_counter() - t0 < timeout:
        with engine.connect() as conn:
            if conn.execute(query, {"h": sha}).first() is not None:
                return time.perf_counter() - t0
        time.sleep(0.05)
    raise SystemExit(f"model for {src.name} not queryable after {timeout} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["prefect", "inprocess"], default="prefect")
    ap.add_argument("--api", help="an already running Prefect server's API URL")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--database-url")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()

    from db.migrate import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    data, stage = tmp / "data", tmp / "staging"
    stage.mkdir(parents=True)
    db_url = args.database_url or f"sqlite:///{tmp / 'store.db'}"
    upgrade(db_url)
    env = {**os.environ, "CAPITALLENS_DATA_DIR": str(data), "DATABASE_URL": db_url, "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_RUNNER_POLL_FREQUENCY": "1",
           "PREFECT_HOME": str(tmp / "prefect-home")}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        api = args.api or f"http://127.0.0.1:{free_port()}/api"
        env["PREFECT_API_URL"] = api
        if args.mode == "prefect":
            if not args.api:
                port = api.rsplit(":", 1)[1].split("/")[0]
                procs.append(start([str(Path(sys.executable).parent / "prefect"), "server", "start", "--host",
                                    "127.0.0.1", "--port", port], {**env, "PREFECT_UI_ENABLED": "false"},
                                   tmp / "server.log"))
                wait(lambda: httpx.get(f"{api}/health").status_code == 200, 240, "Prefect server")
            serve = [sys.executable, "-m", "cli.main", "serve-deployments"]
            procs.append(start(serve, env, tmp / "serve.log"))
            wait(lambda: httpx.get(f"{api}/deployments/name/import-workbook/import").status_code == 200, 180,
                 "served deployment")
        ready = tmp / "watcher.ready"
        procs.append(start([sys.executable, "-m", "cli.watch_cmd", "--ready-file", str(ready)], env,
                           tmp / "watcher.log"))
        wait(ready.exists, 120, "watcher ready", poll=0.1)
        engine = sa.create_engine(db_url)
        inbox = data / "inbox"
        warm = drop_and_time(engine, stage, inbox, 0, args.cells, args.timeout)
        times = [drop_and_time(engine, stage, inbox, i + 1, args.cells, args.timeout)
                 for i in range(args.runs)]
        engine.dispose()
    finally:
        for p in reversed(procs):
            stop(p)
    result = {"mode": args.mode, "cells": args.cells, "runs": args.runs, "warm_up_s": round(warm, 2),
              "median_s": round(statistics.median(times), 2), "min_s": round(min(times), 2),
              "max_s": round(max(times), 2), "all_s": [round(t, 2) for t in times], "logs": str(tmp)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
