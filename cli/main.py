"""The `capitallens` command line. Each command is an entry point: it loads settings once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from config.prefect_env import apply_prefect_environment
from config.settings import Settings, get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Turn Excel financial models into audited, queryable data.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema commands.")
app.add_typer(db_app, name="db")


def _register_subcommands() -> None:
    """Commands that live in their own modules (watch, api)."""
    from cli import api_cmd, watch_cmd

    watch_cmd.register(app)
    api_cmd.register(app)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods"}


def _settings() -> Settings:
    settings = get_settings()
    apply_prefect_environment(settings)
    return settings


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; folders expanded to the workbooks inside them (lock files skipped)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in WORKBOOK_SUFFIXES
                          and not f.name.startswith(("~$", ".")))
        else:
            out.append(p)
    return out


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.db_url)
    typer.echo(f"database at {_safe_url(settings.db_url)} is up to date")


@app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Workbook files or folders of workbooks.")],
    name: Annotated[str | None, typer.Option(help="Model name (default: the file name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file on stdout.")] = False,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip the validate stage.")] = False,
) -> None:
    """Import workbooks: hash, parse, graph, evaluate, insert, validate."""
    from cli.importing import import_files

    settings = _settings()
    files = expand_paths(paths)
    if not files:
        typer.echo("no workbooks found in " + ", ".join(map(str, paths)), err=True)
        raise typer.Exit(2)
    ok = import_files(files, name=name, as_json=as_json, validate=not no_validate, settings=settings)
    raise typer.Exit(0 if ok else 1)


@app.command("models")
def models_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List stored models."""
    from cli.tables import print_models

    print_models(_settings(), as_json=as_json)


@app.command("cells")
def cells_cmd(
    model_id: int,
    sheet: Annotated[str | None, typer.Option(help="Only this sheet.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many cells.")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print a model's cells."""
    from cli.tables import print_cells

    print_cells(_settings(), model_id, sheet=sheet, limit=limit, as_json=as_json)


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)




@app.command("up")
def up_cmd() -> None:
    """Start the Prefect server + UI, the deployments, the watcher and the API; Ctrl-C stops them."""
    from cli.up import run_up
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.db_url)
    raise typer.Exit(run_up(settings))


@app.command("serve-deployments")
def serve_deployments_cmd() -> None:
    """Serve the import (on demand + inbox events) and nightly revalidation deployments."""
    from deployments.serve import serve_deployments

    serve_deployments(_settings())


@app.command("revalidate")
def revalidate_cmd(
    model_ids: Annotated[list[int] | None, typer.Argument(help="Models to revalidate (default: all).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Re-evaluate and re-validate stored models from their stored files."""
    from cli.importing import prefect_server_available
    from core.errors import PipelineError

    settings = _settings()
    try:
        if prefect_server_available(settings):
            from flows.revalidate import revalidate

            outcome = revalidate(model_ids=model_ids or None)
        else:
            from flows.revalidate import run_revalidate_direct

            outcome = run_revalidate_direct(model_ids or None, settings)
    except (PipelineError, LookupError) as exc:
        typer.echo(f"revalidation failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    for model_id, rates in outcome.results.items():
        mark = " (changed)" if model_id in outcome.changed else ""
        typer.echo(f"model {model_id}: match rate {rates['before']} -> {rates['after']}{mark}")
    raise typer.Exit(1 if outcome.failed else 0)


def main() -> None:
    """Console-script entry point."""
    _register_subcommands()
    app()


if __name__ == "__main__":
    main()
