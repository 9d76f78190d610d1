"""Environment for every process that imports Prefect: no telemetry, our server, our home folder.

Called by entry points before `import prefect` (Prefect reads its settings from the environment when
first imported), and used to build the environment of the processes `capitallens up` starts.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from config.settings import Settings

NO_TELEMETRY = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
}


def server_url(settings: Settings) -> str:
    """The Prefect API URL we use: settings/PREFECT_API_URL, else our own local server's."""
    explicit = settings.prefect.api_url or os.environ.get("PREFECT_API_URL")
    if explicit:
        return explicit
    return f"http://{settings.prefect.server_host}:{settings.prefect.server_port}/api"


def prefect_environment(settings: Settings, *, api_url: str | None = None) -> dict[str, str]:
    """Variables to set for Prefect in this process or a child (telemetry off, home under data dir)."""
    env = dict(NO_TELEMETRY)
    env.setdefault("PREFECT_HOME", str(settings.resolved_data_dir / "prefect"))
    if "PREFECT_HOME" in os.environ:
        env["PREFECT_HOME"] = os.environ["PREFECT_HOME"]
    url = api_url or settings.prefect.api_url or os.environ.get("PREFECT_API_URL")
    if url:
        env["PREFECT_API_URL"] = url
    # A served run starts a process per run; poll often so a dropped file starts quickly.
    env.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", os.environ.get("PREFECT_RUNNER_POLL_FREQUENCY", "2"))
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    return env


def apply_prefect_environment(settings: Settings, environ: MutableMapping[str, str] | None = None,
                              *, api_url: str | None = None) -> None:
    """Apply prefect_environment() to os.environ (or *environ*), keeping values already set by the user."""
    target = os.environ if environ is None else environ
    for key, value in prefect_environment(settings, api_url=api_url).items():
        if key in NO_TELEMETRY:
            target[key] = value  # never let telemetry back on
        else:
            target.setdefault(key, value)
