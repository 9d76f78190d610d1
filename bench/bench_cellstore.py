"""The cell store end to end: hash, parse and insert timed separately, SQLite and PostgreSQL (issue 2).

    .venv/bin/python bench/bench_cellstore.py                        # 10k, 100k, 1M; both backends
    .venv/bin/python bench/bench_cellstore.py --sizes 1000000 --backends postgresql

Workbooks come from bench/make_synthetic.py (generated on first use into bench/out/). Each run is a
fresh child process (so peak RSS is the run's own), a fresh data dir, and a fresh database (PostgreSQL:
`capitallens_bench_store` on 127.0.0.1:5432, user postgres, created and dropped). Reported: wall and
CPU seconds per stage, cells/s, peak RSS. Graph/evaluate are not run: insert loads parse output alone.
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "capitallens_bench_store"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def child(workbook: str, backend: str, work: str) -> None:
    """One measured run (in a fresh process); prints a JSON line."""
    from core.filestore import store_file
    from core.reader import parse_to
    from core.stage import StageDir
    from db.engine import make_engine
    from db.loader import insert_workbook
    from db.migrate import upgrade

    url = (f"sqlite:///{work}/bench.db" if backend == "sqlite"
           else f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DB}")
    upgrade(url)
    engine = make_engine(url)
    out: dict[str, object] = {"backend": backend}
    t, c = time.perf_counter(), time.process_time()
    stored = store_file(Path(workbook), Path(work) / "files", max_bytes=1 << 30)
    out["hash"] = (time.perf_counter() - t, time.process_time() - c)
    stage = StageDir.for_hash(Path(work) / "work", stored.sha256)
    t, c = time.perf_counter(), time.process_time()
    info = parse_to(stage, stored.stored_path, max_uncompressed_bytes=1 << 30, max_compression_ratio=200.0,
                    filename=Path(workbook).name)
    out["parse"] = (time.perf_counter() - t, time.process_time() - c)
    t, c = time.perf_counter(), time.process_time()
    insert_workbook(engine, stage, name="bench", original_filename=Path(workbook).name,
                    stored_path=str(stored.stored_path), file_size=stored.size)
    out["insert"] = (time.perf_counter() - t, time.process_time() - c)
    out["cells"] = info.counts["cells"]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run(size: int, backend: str) -> dict[str, object]:
    """Generate (once) and measure one size on one backend."""
    from bench.make_synthetic import OUT, generate

    wb = OUT / f"synthetic_{size}.xlsx"
    if not wb.exists():
        generate(size)
    if backend == "postgresql":
        _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{BENCH_DB}"')
    with tempfile.TemporaryDirectory(prefix="cl-bench-store-") as work:
        proc = subprocess.run([sys.executable, __file__, "--child", str(wb), backend, work], capture_output=True,
                              text=True, check=True, cwd=REPO)
    if backend == "postgresql":
        _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    print("| backend | cells | hash s | parse s (CPU) | parse cells/s | insert s (CPU) | insert rows/s "
          "| hash+parse+insert s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        for backend in args.backends:
            r = run(size, backend)
            (hw, _), (pw, pc), (iw, ic) = r["hash"], r["parse"], r["insert"]  # type: ignore[misc]
            n = int(r["cells"])  # type: ignore[arg-type]
            print(f"| {backend} | {n:,} | {hw:.2f} | {pw:.2f} ({pc:.2f}) | {n / pw:,.0f} | {iw:.2f} ({ic:.2f}) "
                  f"| {n / iw:,.0f} | {hw + pw + iw:.2f} | {r['peak_rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
