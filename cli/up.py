"""`capitallens up`: the Prefect server + UI, the deployments, the inbox watcher and the read-only API."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from cli.supervisor import Service, Supervisor, file_exists, http_ok
from config.prefect_env import prefect_environment
from config.settings import Settings


def build_services(settings: Settings) -> list[Service]:
    """The services `up` starts, in start order (stopped in reverse: runners before the server)."""
    data = settings.resolved_data_dir
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    run_dir = data / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    own_server = not (settings.prefect.api_url or os.environ.get("PREFECT_API_URL"))
    host, port = settings.prefect.server_host, settings.prefect.server_port
    api_url = settings.prefect.api_url or os.environ.get("PREFECT_API_URL") or f"http://{host}:{port}/api"
    env = prefect_environment(settings, api_url=api_url)
    bin_dir = Path(sys.executable).parent
    me = [sys.executable, "-m", "cli.main"]
    services: list[Service] = []
    if own_server:
        services.append(Service(
            "prefect-server", [str(bin_dir / "prefect"), "server", "start", "--host", host, "--port", str(port)],
            http_ok(f"{api_url}/health"), f"Prefect UI http://{host}:{port}", env=env,
            log_path=logs / "prefect-server.log"))
    services.append(Service(
        "deployments", [*me, "serve-deployments"],
        http_ok(f"{api_url}/deployments/name/import-workbook/import"),
        "deployments import-workbook/import (on demand + inbox.file.dropped), revalidate/nightly "
        f"(cron {settings.prefect.revalidate_cron})", env=env, log_path=logs / "deployments.log"))
    if importlib.util.find_spec("watcher.service") is not None:
        ready = run_dir / "watcher.ready"
        ready.unlink(missing_ok=True)
        services.append(Service(
            "watcher", [*me, "watch", "--ready-file", str(ready)], file_exists(ready),
            f"inbox {settings.inbox_dir}", env=env, log_path=logs / "watcher.log", startup_timeout=60))
    if importlib.util.find_spec("api_readonly.app") is not None:
        a = settings.api
        services.append(Service(
            "api", [*me, "api", "--host", a.host, "--port", str(a.port)],
            http_ok(f"http://{a.host}:{a.port}/health"), f"API http://{a.host}:{a.port}/docs",
            env=env, log_path=logs / "api.log", startup_timeout=60))
    return services


def run_up(settings: Settings) -> int:
    """Start everything and supervise it until Ctrl-C / SIGTERM. Returns the exit code."""
    services = build_services(settings)
    print(f"capitallens: data in {settings.resolved_data_dir}, logs in {settings.resolved_data_dir / 'logs'}",
          flush=True)
    return Supervisor(services, lambda msg: print(msg, flush=True)).run()
