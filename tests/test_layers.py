"""The import arrows of docs/ARCHITECTURE.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = {"core", "db", "hf", "tasks", "flows", "watcher", "api_readonly", "deployments", "cli", "config"}
FRAMEWORKS = {"prefect", "fastapi", "sqlalchemy", "alembic", "uvicorn", "starlette", "typer", "watchdog"}

# package -> project packages it may import (itself always allowed)
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "core": set(),
    "db": {"core"},
    "hf": {"core"},
    "tasks": {"core", "db", "hf"},
    "flows": {"tasks", "core", "config"},  # core only for dataclasses/errors (StageDir, PipelineError)
    "deployments": {"flows", "config"},
    "watcher": {"flows", "deployments", "core", "config", "db"},  # db: duplicate/model lookups only
    "api_readonly": {"db", "core", "config"},
    "cli": PROJECT,
}
FORBIDDEN_THIRD_PARTY = {"core": FRAMEWORKS, "hf": FRAMEWORKS - {"typer"}, "db": {"prefect", "fastapi"}}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module *path* imports (including lazy, function-level imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules() -> list[tuple[str, Path]]:
    """(package, file) for every Python file in the project packages."""
    return [(pkg, f) for pkg in sorted(ALLOWED) for f in sorted((ROOT / pkg).rglob("*.py"))]


@pytest.mark.parametrize(("package", "path"), modules(), ids=lambda v: str(v).replace(str(ROOT) + "/", ""))
def test_module_respects_the_arrows(package: str, path: Path) -> None:
    roots = imported_roots(path)
    wrong_project = (roots & PROJECT) - ALLOWED[package] - {package}
    assert not wrong_project, f"{path.relative_to(ROOT)} imports {sorted(wrong_project)} (not allowed from {package})"
    wrong_lib = roots & FORBIDDEN_THIRD_PARTY.get(package, set())
    assert not wrong_lib, f"{path.relative_to(ROOT)} imports {sorted(wrong_lib)} (not allowed in {package})"


def test_walker_sees_lazy_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    import prefect\n    from db.models import Model\n", encoding="utf-8")
    assert {"prefect", "db"} <= imported_roots(probe)
