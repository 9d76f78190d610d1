"""Settings → WatcherConfig, and the choice between the Prefect deployment and an in-process import."""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings
from watcher.importers import Importer, direct_importer, prefect_importer
from watcher.service import WatcherConfig


def config_from_settings(settings: Settings, inbox: Path | None = None,
                         polling: bool | None = None) -> WatcherConfig:
    """WatcherConfig from Settings; *inbox*/*polling* override the settings (CLI options)."""
    w = settings.watcher
    box = inbox.expanduser().resolve() if inbox else settings.inbox_dir
    return WatcherConfig(
        inbox=box,
        archive_dir=(w.archive_dir.expanduser().resolve() if w.archive_dir else box / "archive"),
        failed_dir=(w.failed_dir.expanduser().resolve() if w.failed_dir else box / "failed"),
        polling=w.polling if polling is None else polling,
        poll_interval=w.poll_interval_seconds, settle_seconds=w.settle_seconds,
        grace_seconds=max(10.0, 5 * w.settle_seconds), recursive=w.recursive,
        delete_on_success=w.delete_on_success, max_concurrent=w.max_concurrent_imports)


def choose_importer(settings: Settings, deployment: str) -> tuple[Importer, str]:
    """Through the Prefect deployment when a Prefect server answers, else in this process."""
    from config.prefect_env import server_url

    url = server_url(settings)
    try:
        import httpx

        up = httpx.get(url.rstrip("/") + "/health", timeout=2.0).status_code == 200
    except Exception:  # any failure to reach it means: no server
        up = False
    if up:
        return prefect_importer(deployment, url), f"Prefect deployment {deployment} at {url}"
    return direct_importer(settings), f"in-process (no Prefect server at {url})"
