"""The `capitallens` CLI as a user runs it (real subprocesses, no Prefect server: stages in-process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, free_port
from tests.flows.workbooks import write_model


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(params=["sqlite", "postgresql"])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "DATABASE_URL"}
    env["CAPITALLENS_DATA_DIR"] = str(tmp_path / "data")
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{free_port()}/api"  # nobody answers: in-process stages
    if request.param == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("fresh_pg_database")
    return env


def test_import_folder_json_with_a_bad_file_then_list(cli_env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    write_model(folder / "a.xlsx", rows=10, seed=2)
    write_model(folder / "b.xlsx", rows=12, seed=3, sheets=2)
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (folder / "~$a.xlsx").write_bytes(b"lock file")  # Excel's lock file: ignored
    dup = tmp_path / "a-copy.xlsx"
    dup.write_bytes((folder / "a.xlsx").read_bytes())
    run = cli(["import", str(folder), str(dup), "--json"], cli_env)
    assert run.returncode == 1, run.stderr  # one file failed
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    by_name = {Path(o["path"]).name: o for o in lines}
    assert sorted(by_name) == ["a-copy.xlsx", "a.xlsx", "b.xlsx", "broken.xlsx"]
    for o in lines:
        assert {"path", "model_id", "version", "duplicate", "stats", "error"} <= set(o)
    assert by_name["broken.xlsx"]["error"]["kind"] == "workbook_unreadable"
    assert "broken.xlsx" in by_name["broken.xlsx"]["error"]["message"]
    assert by_name["a-copy.xlsx"]["duplicate"] and by_name["a-copy.xlsx"]["model_id"] == by_name["a.xlsx"]["model_id"]
    assert by_name["b.xlsx"]["stats"]["sheets"] == 2 and by_name["b.xlsx"]["stats"]["match_rate"] == 1.0
    assert set(by_name["a.xlsx"]["stage_seconds"]) == {"hash", "parse", "graph", "evaluate", "insert", "validate"}

    models = [json.loads(line) for line in cli(["models", "--json"], cli_env).stdout.splitlines()]
    assert sorted(m["original_filename"] for m in models) == ["a.xlsx", "b.xlsx"]
    model_b = by_name["b.xlsx"]["model_id"]
    cells = cli(["cells", str(model_b), "--sheet", "Plan 2", "--limit", "5", "--json"], cli_env)
    rows = [json.loads(line) for line in cells.stdout.splitlines()]
    assert len(rows) == 5 and {r["sheet_name"] for r in rows} == {"Plan 2"}


def test_new_bytes_under_the_same_name_become_version_2(cli_env: dict[str, str], tmp_path: Path) -> None:
    v1 = write_model(tmp_path / "q4-v1.xlsx", rows=5, seed=1)
    v2 = write_model(tmp_path / "q4-v2.xlsx", rows=6, seed=1)
    out1 = json.loads(cli(["import", str(v1), "--name", "Q4 model", "--json"], cli_env).stdout)
    out2 = json.loads(cli(["import", str(v2), "--name", "Q4 model", "--json"], cli_env).stdout)
    assert (out1["version"], out2["version"]) == (1, 2)
    assert out1["model_id"] != out2["model_id"]


def test_human_output_and_missing_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "DATABASE_URL"}
    env.update({"CAPITALLENS_DATA_DIR": str(tmp_path / "data"),
                "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"})
    good = write_model(tmp_path / "plan.xlsx", rows=4)
    run = cli(["import", str(good), str(tmp_path / "missing.xlsx")], env)
    assert run.returncode == 1
    assert "OK" in run.stdout and "model 1 version 1" in run.stdout
    assert "FAILED" in run.stdout and "missing.xlsx" in run.stdout
    again = cli(["revalidate"], env)
    assert again.returncode == 0, again.stderr
    assert "model 1: match rate 1.0 -> 1.0" in again.stdout
