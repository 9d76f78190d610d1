"""Durable stage outputs: the contract between pipeline stages.

Every stage reads the outputs of earlier stages from disk and writes its own under
``<work dir>/<sha256>/<stage>/``, so Prefect only ever passes a StageDir (a path and a hash)
between tasks, and a retried stage never redoes an earlier one.

A stage writes into a private ``<stage>.tmp-<pid>-<thread>-<random>/`` and swaps it into ``<stage>/``
when done (one atomic renameat2 RENAME_EXCHANGE when a previous output exists), so a stage directory
that exists is always complete, even while two imports of the same bytes race or a stage is re-run.
``is_done(stage)`` is the check.

Row alignment: ``graph/cells.arrow`` and ``evaluate/values.arrow`` have exactly one row per row
of ``parse/cells.arrow``, in the same order. Joining them is zipping them.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from core.errors import StageOutputMissing

PARSE = "parse"
GRAPH = "graph"
EVALUATE = "evaluate"

# parse/cells.arrow — one row per non-empty cell, sheets in workbook order, rows then columns.
CELLS_SCHEMA = pa.schema([
    ("sheet", pa.string()),
    ("row", pa.int32()),             # 1-based
    ("col", pa.int32()),             # 1-based
    ("cell_type", pa.string()),      # 'formula' | 'value'
    ("formula", pa.string()),        # with leading '=', shared formulas translated per cell
    ("array_ref", pa.string()),      # 'A1:B3' on the anchor cell of an array formula
    ("raw_type", pa.string()),       # 'number' | 'text' | 'bool' | 'error' | 'empty'
    ("raw_value", pa.float64()),     # numbers, dates as serials, bools as 1/0
    ("raw_text", pa.string()),       # text values and error codes ('#DIV/0!')
    ("number_format", pa.string()),
])

# graph/cells.arrow — aligned with parse/cells.arrow.
GRAPH_CELLS_SCHEMA = pa.schema([
    ("is_circular", pa.bool_()),
    ("group_id", pa.int32()),        # circular group, null when not circular
    ("eval_order", pa.int32()),      # position in the condensed topological order; null for values
    ("has_dynamic_refs", pa.bool_()),  # INDIRECT / OFFSET / ... present
    ("has_broken_ref", pa.bool_()),  # reference to a missing sheet / name, or #REF!
    ("parse_error", pa.string()),    # the tokenizer's complaint, null when the formula parsed
    ("functions", pa.string()),      # functions the formula calls, ' SUM VLOOKUP ' (null for values)
])

# graph/lineage.arrow — one row per precedent range of a formula cell.
LINEAGE_SCHEMA = pa.schema([
    ("sheet", pa.string()),          # the formula cell
    ("row", pa.int32()),
    ("col", pa.int32()),
    ("ref_sheet", pa.string()),      # the sheet read (for external refs: '[1]Sheet1')
    ("first_row", pa.int32()),
    ("first_col", pa.int32()),
    ("last_row", pa.int32()),
    ("last_col", pa.int32()),
    # 'cell' | 'range' | 'external' | 'broken' | 'reference'. 'reference' = used for its position or
    # shape only (ROW(A1), OFFSET's base): lineage, but not a dependency (no graph edge).
    ("kind", pa.string()),
])

# evaluate/values.arrow — aligned with parse/cells.arrow; nulls on value cells.
VALUES_SCHEMA = pa.schema([
    ("calculated_type", pa.string()),   # same vocabulary as raw_type
    ("calculated_value", pa.float64()),
    ("calculated_text", pa.string()),
    ("eval_status", pa.string()),       # 'ok' | 'unsupported_function' | 'engine_error'
                                        # | 'circular_not_converged' | 'circular_no_iteration'
    ("eval_detail", pa.string()),       # why, when not ok (function name, engine message...)
])


@dataclass(frozen=True)
class StageDir:
    """Where one workbook's stage outputs live: ``<work dir>/<sha256>``."""

    root: Path
    sha256: str

    @classmethod
    def for_hash(cls, work_dir: Path, sha256: str) -> StageDir:
        """The stage directory of a file hash under *work_dir*."""
        return cls(root=Path(work_dir) / sha256, sha256=sha256)

    def path(self, stage: str, name: str) -> Path:
        """The path of one output file of a finished stage."""
        return self.root / stage / name

    def is_done(self, stage: str) -> bool:
        """True when *stage* has completed (its directory was renamed into place)."""
        return (self.root / stage).is_dir()

    def require(self, stage: str) -> None:
        """Raise StageOutputMissing unless *stage* has completed."""
        if not self.is_done(stage):
            raise StageOutputMissing(f"stage {stage!r} has no output under {self.root}")

    def discard(self, stage: str) -> None:
        """Remove a stage's output (to force it to run again)."""
        shutil.rmtree(self.root / stage, ignore_errors=True)

    @contextmanager
    def writing(self, stage: str) -> Iterator[Path]:
        """Yield a private temporary directory; on success it atomically becomes (or replaces) the output."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{stage}.tmp-{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap_into_place(tmp, self.root / stage)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2: Any
try:
    _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
except (OSError, AttributeError):  # not glibc >= 2.28
    _renameat2 = None


def _swap_into_place(new: Path, final: Path) -> None:
    """Make *new* the directory at *final*: a plain rename, or an atomic exchange with the old output."""
    try:
        os.rename(new, final)  # succeeds when final is absent (or an empty dir)
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    if _renameat2 is not None and _renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(final),
                                             _RENAME_EXCHANGE) == 0:
        shutil.rmtree(new, ignore_errors=True)  # *new* now holds the previous output
        return
    aside = final.with_name(f"{final.name}.old-{uuid.uuid4().hex[:8]}")  # no exchange: brief gap
    os.rename(final, aside)
    os.rename(new, final)
    shutil.rmtree(aside, ignore_errors=True)


def write_table(path: Path, table: pa.Table) -> None:
    """Write an Arrow IPC file."""
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def read_table(path: Path) -> pa.Table:
    """Read an Arrow IPC file (memory-mapped)."""
    with pa.memory_map(str(path), "r") as source:
        return ipc.open_file(source).read_all()


def write_json(path: Path, data: Any) -> None:
    """Write JSON (UTF-8, stable key order)."""
    path.write_text(json.dumps(data, indent=1, sort_keys=True, default=str), encoding="utf-8")


def read_json(path: Path) -> Any:
    """Read JSON written by write_json."""
    return json.loads(path.read_text(encoding="utf-8"))
