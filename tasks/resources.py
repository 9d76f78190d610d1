"""Process-wide resources the stage tasks share: one database engine per URL, one Node engine per thread.

Created on first use (never at import time) and reused by every task run, so a worker pays the Node
start-up once per thread and keeps its connection pool.
"""

from __future__ import annotations

import threading
import weakref
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from hf.client import NodeEngine

_local = threading.local()
_live: weakref.WeakSet[NodeEngine] = weakref.WeakSet()


@lru_cache(maxsize=4)
def database(url: str) -> Engine:
    """The SQLAlchemy engine for *url*, migrated-or-refused once per process. Raises DatabaseNotMigrated."""
    from db.engine import make_engine
    from db.migrate import ensure_current

    engine = make_engine(url)
    ensure_current(engine)
    return engine


def formula_engine(node_binary: str, call_timeout: float, startup_timeout: float,
                   max_old_space_mb: int) -> NodeEngine:
    """This thread's HyperFormula engine, started lazily.

    One per thread: an engine holds one loaded workbook between `load` and `read`, so imports running in
    parallel threads (the watcher's pool, concurrent in-process flows) must not share one. When the thread
    ends its engines are garbage collected, and NodeEngine's finaliser stops their Node processes (also
    at interpreter exit).
    """
    from hf.client import NodeEngine

    engines: dict[tuple[str, float, float, int], NodeEngine] | None = getattr(_local, "engines", None)
    if engines is None:
        engines = _local.engines = {}
    key = (node_binary, call_timeout, startup_timeout, max_old_space_mb)
    engine = engines.get(key)
    if engine is None:
        script = Path(__file__).resolve().parents[1] / "hf" / "engine.js"
        engine = NodeEngine(node_binary=node_binary, script_path=script, call_timeout=call_timeout,
                            startup_timeout=startup_timeout, max_old_space_mb=max_old_space_mb)
        engines[key] = engine
        _live.add(engine)
    return engine


def live_engines() -> list[NodeEngine]:
    """Every engine of this process still in use (for tests and diagnostics)."""
    return list(_live)
