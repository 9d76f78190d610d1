"""House style is enforced, not hoped for: ruff and mypy are clean on the whole tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGES = ["core", "db", "hf", "tasks", "flows", "watcher", "api_readonly", "deployments", "cli", "config"]


def test_ruff_is_clean() -> None:
    run = subprocess.run([str(BIN / "ruff"), "check", "--output-format", "concise", "."], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:]


def test_mypy_is_clean() -> None:
    run = subprocess.run([str(BIN / "mypy"), *PACKAGES], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:]
