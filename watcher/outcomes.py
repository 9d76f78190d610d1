"""Where a file goes when its import ends: archive/ (or deleted), or failed/ with `<file>.error.json`."""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watcher.claims import move_no_clobber

log = logging.getLogger("capitallens.watcher")


def archive(path: Path, archive_dir: Path, delete: bool) -> Path | None:
    """Move *path* into *archive_dir* (suffixing on a clash), or delete it. Returns the new path (None
    when deleted). Raises OSError."""
    if delete:
        path.unlink()
        return None
    return move_no_clobber(path, archive_dir)


def error_record(name: str, error: dict[str, Any], *, origin: str = "", flow_run_id: str | None = None,
                 sha256: str | None = None) -> dict[str, Any]:
    """The error JSON body: which file, what kind of error, the message, the flow run and when."""
    return {
        "file": name,
        "origin": origin or name,
        "kind": error.get("kind") or "error",
        "message": error.get("message") or f"{name}: import failed",
        "sheet": error.get("sheet"),
        "cell": error.get("cell"),
        "flow_run_id": flow_run_id or error.get("flow_run_id"),
        "sha256": sha256,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def quarantine(path: Path, failed_dir: Path, record: dict[str, Any]) -> Path:
    """Move *path* into *failed_dir* and write `<new name>.error.json` beside it. Returns the new path.
    Raises OSError when the file cannot be moved; a failed JSON write is only logged (the file is
    already out of the way, and the log line holds the reason)."""
    dest = move_no_clobber(path, failed_dir)
    body = {**record, "failed_path": str(dest)}
    try:
        write_json_atomic(dest.with_name(dest.name + ".error.json"), body)
    except OSError as exc:
        log.error("could not write the error file for %s (%s); reason was: %s", dest, exc, record["message"])
    return dest


def write_json_atomic(path: Path, body: dict[str, Any]) -> None:
    """Write *body* to *path* through a hidden temporary and a rename. Raises OSError (disk full...)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=2, default=str)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
