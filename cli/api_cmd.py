"""`capitallens api`: serve the read-only HTTP API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from config.settings import get_settings

APP_FACTORY = "api_readonly.app:app_factory"


def register(app: typer.Typer) -> None:
    """Add the `api` command to *app*."""

    @app.command("api")
    def api_cmd(
        host: Annotated[str | None, typer.Option(help="Bind address (default: settings api.host).")] = None,
        port: Annotated[int | None, typer.Option(help="Port (default: settings api.port).")] = None,
        workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
        log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    ) -> None:
        """Serve the read-only API (OpenAPI docs at /docs)."""
        import uvicorn

        settings = get_settings()
        uvicorn.run(APP_FACTORY, factory=True, host=host or settings.api.host,
                    port=port if port is not None else settings.api.port, workers=workers,
                    log_level=log_level, proxy_headers=False, server_header=False)
