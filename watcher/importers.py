"""The two ways the watcher imports a claimed file: in this process, or through the Prefect deployment.

Both are `Importer`s: called with the claimed path, they return the flow's ImportOutcome or raise a
PipelineError. Prefect and the flows are imported lazily: `import prefect` costs 3-6 s.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import PipelineError, TransientError

if TYPE_CHECKING:
    from config.settings import Settings
    from flows.import_workbook import ImportOutcome

Importer = Callable[[Path], "ImportOutcome"]
log = logging.getLogger("capitallens.watcher")


class FlowRunFailed(PipelineError):
    """The import flow run ended Failed or Crashed; `kind` is the flow's own error kind when known."""

    def __init__(self, message: str, *, kind: str, flow_run_id: str, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.kind = kind
        self.flow_run_id = flow_run_id

    def as_dict(self) -> dict[str, str | None]:
        """The PipelineError description plus the flow run id."""
        return {**super().as_dict(), "flow_run_id": self.flow_run_id}


def direct_importer(settings: Settings, validate: bool = True) -> Importer:
    """Run the six stages in this process (`run_import_direct`); each thread has its own formula engine."""
    def run(path: Path) -> ImportOutcome:
        from flows.import_workbook import run_import_direct

        return run_import_direct(str(path), None, validate, settings)
    return run


def sha256_file(path: Path) -> str:
    """The file's sha256 in hex. Raises OSError."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prefect_importer(deployment: str, api_url: str, poll_seconds: float = 1.0) -> Importer:
    """Start *deployment* on the server at *api_url* for the file and wait for the flow run's final
    state. Raises FlowRunFailed, and TransientError when the server or the deployment cannot be reached."""
    def run(path: Path) -> ImportOutcome:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        sha = sha256_file(path)
        # The key is the content hash plus the claim's token folder: a watcher restarted after a crash
        # re-attaches to the run it had started for this claim, while the same bytes dropped again
        # later get a run of their own (which finds the stored model and reports a duplicate).
        key = f"{sha}:{path.parent.name}"
        # Explicit server: import threads do not inherit the caller's Prefect settings context.
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            flow_run = _start_and_wait(deployment, path, key, poll_seconds)
            return _outcome(path, sha, flow_run, api_url)
    return run


def _start_and_wait(deployment: str, path: Path, key: str, poll_seconds: float) -> Any:
    """run_deployment until the run's final state. Raises TransientError for any API failure."""
    from prefect.deployments import run_deployment

    try:
        return run_deployment(deployment, parameters={"path": str(path)}, timeout=None,
                              poll_interval=poll_seconds, idempotency_key=key, as_subflow=False)
    except Exception as exc:  # server down, deployment not served yet, HTTP errors: try again later
        raise TransientError(f"{path.name}: could not run {deployment}: {type(exc).__name__}: {exc}",
                             path=str(path)) from exc


def _outcome(path: Path, sha: str, flow_run: Any, api_url: str) -> ImportOutcome:
    """The ImportOutcome of a completed run. Raises FlowRunFailed for any other final state."""
    from flows.import_workbook import ImportOutcome

    state, run_id = flow_run.state, str(flow_run.id)
    if state is not None and state.is_completed():
        summary = _summary_artifact(api_url, flow_run.id)
        return ImportOutcome(str(path), model_id=summary.get("model_id"), version=summary.get("version"),
                             duplicate=bool(summary.get("duplicate")), sha256=sha, stats={"flow_run_id": run_id})
    kind, message = failure_of(state.type.value if state else "UNKNOWN", state.message if state else None)
    raise FlowRunFailed(message or f"{path.name}: flow run {run_id} ended {state}", kind=kind,
                        flow_run_id=run_id, path=str(path))


_EXC = re.compile(r"exception:\s*(?P<cls>[A-Za-z_][\w.]*):\s*(?P<msg>.*)", re.S)


def failure_of(state_type: str, message: str | None) -> tuple[str, str | None]:
    """(error kind, message) from a failed flow run's state message, e.g. 'Flow run encountered an
    exception: WorkbookUnreadable: x.xlsx: ...' → ('workbook_unreadable', 'x.xlsx: ...')."""
    kinds = _pipeline_kinds()
    found = _EXC.search(message or "")
    if found:
        cls = found["cls"].rsplit(".", 1)[-1]
        return kinds.get(cls, cls), found["msg"].strip()
    return state_type.lower(), message


def _pipeline_kinds() -> dict[str, str]:
    out: dict[str, str] = {}
    todo: list[type[PipelineError]] = [PipelineError]
    while todo:
        cls = todo.pop()
        out[cls.__name__] = str(cls.kind)
        todo += cls.__subclasses__()
    return out


_MODEL = re.compile(r"model \*\*(?P<id>\d+)\*\*, version \*\*(?P<ver>\d+)\*\*")


def _summary_artifact(api_url: str, flow_run_id: Any) -> dict[str, Any]:
    """Model id, version and duplicate flag from the run's `import-summary` artifact ({} if absent).
    The flow does not persist its result, so this artifact is what a remote caller can read. Plain REST:
    Prefect 3.8's sync client sends null limit/sort/offset here, which the server refuses (422)."""
    import httpx

    body = {"artifacts": {"key": {"any_": ["import-summary"]}, "flow_run_id": {"any_": [str(flow_run_id)]}},
            "limit": 1, "offset": 0, "sort": "CREATED_DESC"}
    try:
        resp = httpx.post(api_url.rstrip("/") + "/artifacts/filter", json=body, timeout=10.0)
        resp.raise_for_status()
        arts = resp.json()
    except (httpx.HTTPError, ValueError) as exc:  # imported fine; a missing summary only costs log detail
        log.warning("could not read the summary of flow run %s: %s", flow_run_id, exc)
        return {}
    text = str(arts[0].get("data") or "") if arts else ""
    found = _MODEL.search(text)
    return {"model_id": int(found["id"]) if found else None, "version": int(found["ver"]) if found else None,
            "duplicate": "duplicate of an existing model" in text}
