"""`capitallens watch`: run the inbox watcher in the foreground (also started by `capitallens up`).

`register(app)` adds the command to the main CLI; `python -m cli.watch_cmd` runs it alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def watch(
    inbox: Annotated[Path | None, typer.Option("--inbox", help="Folder to watch (default: setting, "
                                               "else <data dir>/inbox).")] = None,
    ready_file: Annotated[Path | None, typer.Option("--ready-file", help="Write this file once "
                                                    "watching (used by `capitallens up`).")] = None,
    polling: Annotated[bool | None, typer.Option("--polling/--no-polling", help="Poll the folder instead "
                                                 "of inotify (network shares); default: setting.")] = None,
) -> None:
    """Watch the inbox: import every complete workbook dropped into it, file it in archive/ or failed/."""
    from config.prefect_env import apply_prefect_environment
    from config.settings import get_settings
    from db.migrate import upgrade
    from watcher.service import main

    settings = get_settings()
    apply_prefect_environment(settings)
    upgrade(settings.db_url)  # in-process imports refuse an unmigrated database
    raise typer.Exit(main(inbox=inbox, ready_file=ready_file, polling=polling, settings=settings))


def register(app: typer.Typer) -> None:
    """Add the `watch` command to *app*."""
    app.command("watch")(watch)


if __name__ == "__main__":
    typer.run(watch)
