"""`capitallens up` builds the right services, in the right order, with telemetry off everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.up import build_services
from config.prefect_env import apply_prefect_environment, prefect_environment
from config.settings import Settings


def test_every_service_runs_without_telemetry_and_the_server_starts_first(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    settings = Settings(CAPITALLENS_DATA_DIR=tmp_path)
    services = build_services(settings)
    assert [s.name for s in services] == ["prefect-server", "deployments", "watcher", "api"]
    for svc in services:
        assert svc.env["DO_NOT_TRACK"] == "1"
        assert svc.env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
        assert svc.env["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"
        assert svc.env["PREFECT_HOME"] == str(tmp_path.resolve() / "prefect")


def test_an_external_prefect_server_is_used_not_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.internal:4200/api")
    names = [s.name for s in build_services(Settings(CAPITALLENS_DATA_DIR=tmp_path))]
    assert "prefect-server" not in names and names[0] == "deployments"


def test_telemetry_cannot_be_switched_back_on(tmp_path: Path) -> None:
    env = {"DO_NOT_TRACK": "0", "PREFECT_SERVER_ANALYTICS_ENABLED": "true", "PREFECT_HOME": "/custom"}
    apply_prefect_environment(Settings(CAPITALLENS_DATA_DIR=tmp_path), env)
    assert env["DO_NOT_TRACK"] == "1" and env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert env["PREFECT_HOME"] == "/custom"  # other user choices are kept
    assert prefect_environment(Settings(CAPITALLENS_DATA_DIR=tmp_path))["DO_NOT_TRACK"] == "1"
