"""`capitallens import`: run the import flow per file, with a progress bar per stage."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from config.prefect_env import server_url
from config.settings import Settings

STAGES = ("hash", "parse", "graph", "evaluate", "insert", "validate")


def prefect_server_available(settings: Settings) -> str | None:
    """The Prefect API URL when a server answers its health check, else None."""
    url = server_url(settings)
    try:
        ok = httpx.get(url.rstrip("/") + "/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        ok = False
    return url if ok else None


def import_files(files: list[Path], *, name: str | None, as_json: bool, validate: bool,
                 settings: Settings) -> bool:
    """Import each file (one bad file does not stop the others). Returns True when all succeeded."""
    from db.migrate import upgrade

    upgrade(settings.db_url)
    api = prefect_server_available(settings)
    err = Console(stderr=True, soft_wrap=True)
    if not api:
        err.print("[yellow]no Prefect server answering at "
                  f"{server_url(settings)}: running the stages in this process[/yellow]")
    all_ok = True
    for path in files:
        outcome = _import_one(path, name, validate, api, err, settings)
        all_ok &= outcome.get("error") is None
        if as_json:
            sys.stdout.write(json.dumps(outcome, default=str) + "\n")
            sys.stdout.flush()
        else:
            _print_outcome(Console(soft_wrap=True), outcome)
    return all_ok


def _import_one(path: Path, name: str | None, validate: bool, api: str | None, err: Console,
                settings: Settings) -> dict[str, Any]:
    """Run one import and return its --json object."""
    from core.errors import PipelineError
    from flows import progress as stage_events

    with _stage_bars(err, path) as listener:
        stage_events.add_listener(listener)
        t0 = time.perf_counter()
        try:
            outcome = _run(path, name, validate, api, settings)
            result = outcome.as_json()
        except PipelineError as exc:
            result = {"path": str(path), "model_id": None, "version": None, "duplicate": False,
                      "stats": {}, "error": exc.as_dict()}
        except Exception as exc:  # an unexpected failure is still reported per file
            result = {"path": str(path), "model_id": None, "version": None, "duplicate": False,
                      "stats": {}, "error": {"kind": type(exc).__name__, "message": f"{path}: {exc}"}}
        finally:
            stage_events.remove_listener(listener)
    result["seconds"] = round(time.perf_counter() - t0, 3)
    return result


def _run(path: Path, name: str | None, validate: bool, api: str | None, settings: Settings) -> Any:
    if api:
        from flows.import_workbook import import_workbook

        return import_workbook(path=str(path.resolve()), name=name, validate=validate)
    from flows.import_workbook import run_import_direct

    return run_import_direct(str(path.resolve()), name, validate, settings)


class _stage_bars:
    """A rich progress display with one bar per stage of one file (silent when stderr is not a TTY)."""

    def __init__(self, console: Console, path: Path) -> None:
        self.enabled = console.is_terminal
        self.progress = Progress(TextColumn("{task.description:<10}"), BarColumn(), TextColumn("{task.fields[note]}"),
                                 TimeElapsedColumn(), console=console, transient=False)
        self.path = path
        self.ids: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if self.enabled:
            self.progress.console.print(f"[bold]{self.path.name}[/bold]")
            self.progress.start()
            self.ids = {s: self.progress.add_task(s, total=1, note="") for s in STAGES}
        return self.on_event

    def on_event(self, path: str, stage: str, event: str, seconds: float) -> None:
        if not self.enabled or stage not in self.ids:
            return
        done = 1 if event == "done" else 0
        self.progress.update(self.ids[stage], completed=done,
                             note=f"{seconds:.2f}s" if event == "done" else event)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()


def _print_outcome(console: Console, outcome: dict[str, Any]) -> None:
    """One human-readable summary line block per file."""
    if outcome.get("error"):
        console.print(f"[red]FAILED[/red] {outcome['path']}: {outcome['error']['message']}")
        return
    dup = " (duplicate: same bytes already stored)" if outcome.get("duplicate") else ""
    console.print(f"[green]OK[/green] {outcome['path']} → model {outcome['model_id']} "
                  f"version {outcome['version']}{dup}")
    stats = outcome.get("stats", {})
    keys = ("sheets", "cells", "formula_cells", "constants", "errors", "graph_groups", "match_rate")
    console.print("   " + ", ".join(f"{k}={stats[k]}" for k in keys if k in stats))
    for warning in outcome.get("details", {}).get("warnings", []):
        console.print(f"   [yellow]warning:[/yellow] {warning}")
    secs = outcome.get("stage_seconds", {})
    console.print("   " + ", ".join(f"{k} {v:.2f}s" for k, v in secs.items()))
