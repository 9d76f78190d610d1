"""The inbox watcher: find complete files, claim them, import them (at most N at once), file the result.

One loop thread owns all state (candidates, ready files, retries); watchdog's thread only enqueues
events, and import threads only run one claim each and report back through their futures. A periodic
rescan backs up the events (missed or overflowed inotify events, folders moved in).
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import threading
import time
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchdog.observers.api import BaseObserver

from core.errors import PipelineError, TransientError
from watcher import claims, outcomes
from watcher.importers import Importer
from watcher.observe import InboxEvents, Message, start_observer, stop_observer
from watcher.rules import Verdict, classify, unsupported_reason
from watcher.stability import StabilityTracker

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger("capitallens.watcher")

# OS errors that say nothing about the file: worth trying again later rather than failing it.
_TRANSIENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN, errno.EBUSY, errno.EACCES,
                     errno.EPERM, errno.EMFILE, errno.ENFILE, errno.ESTALE}


@dataclass(frozen=True)
class WatcherConfig:
    """Plain values the watcher runs with (built from Settings by `main`)."""

    inbox: Path
    archive_dir: Path
    failed_dir: Path
    polling: bool = False
    poll_interval: float = 1.0
    settle_seconds: float = 1.0
    grace_seconds: float = 10.0  # how long a never-ZIP file may stay unchanged before we fail it
    recursive: bool = True
    delete_on_success: bool = False
    max_concurrent: int = 2
    rescan_seconds: float = 10.0
    tick_seconds: float = 0.1
    retry_delays: tuple[float, ...] = (2.0, 10.0, 30.0, 60.0)

    @property
    def processing_dir(self) -> Path:
        """Claimed files; inside the inbox so the claim is one atomic rename on one file system."""
        return self.inbox / ".processing"

    @property
    def reserved(self) -> tuple[Path, ...]:
        """Folders inside the inbox that are ours, never scanned for new files."""
        return (self.processing_dir, self.archive_dir, self.failed_dir)


@dataclass
class _Retry:
    claim: claims.Claim
    attempt: int
    due: float


class Watcher:
    """Watches one inbox; `run()` until the stop event is set, or drive it with `start/tick/close`."""

    def __init__(self, config: WatcherConfig, importer: Importer,
                 clock: Any = time.monotonic) -> None:
        self.cfg = config
        self.importer = importer
        self.clock = clock
        self.events: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self.files = StabilityTracker(config.settle_seconds, config.grace_seconds, clock)
        self.others = StabilityTracker(config.settle_seconds, config.settle_seconds, clock,
                                       is_complete=lambda _p: True)
        self.ready: dict[Path, None] = {}
        self.queued: deque[tuple[claims.Claim, int]] = deque()
        self.retries: list[_Retry] = []
        self.blocked: dict[Path, float] = {}
        self.inflight: dict[Future[bool], tuple[claims.Claim, int]] = {}
        self.counts: Counter[str] = Counter()
        self.observer: BaseObserver | None = None
        self.pool = ThreadPoolExecutor(max(1, config.max_concurrent), thread_name_prefix="capitallens-import")
        self._next_scan = 0.0

    # ---- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Create the folders, queue claims left by a crash, start the observer, scan the inbox.
        Raises OSError when the inbox cannot be created or watched."""
        for d in (self.cfg.inbox, self.cfg.processing_dir, self.cfg.archive_dir, self.cfg.failed_dir):
            d.mkdir(parents=True, exist_ok=True)
        for c in claims.recover_claims(self.cfg.processing_dir):
            log.info("re-importing %s, left in .processing/ by an earlier run", c.name)
            self.queued.append((c, 0))
        self._start_observer()
        self.scan()

    def run(self, stop: threading.Event, ready_file: Path | None = None) -> None:
        """Start, write *ready_file*, then tick until *stop* is set; a failing tick is logged, never fatal."""
        self.start()
        if ready_file is not None:
            ready_file.parent.mkdir(parents=True, exist_ok=True)
            ready_file.write_text(f"{os.getpid()}\n", encoding="utf-8")
        log.info("watching %s (%s, up to %d imports at once)", self.cfg.inbox,
                 "polling" if self.cfg.polling else "inotify", self.cfg.max_concurrent)
        try:
            while not stop.is_set():
                try:
                    self.tick()
                except Exception:  # the watcher must outlive any one bad moment
                    log.exception("watcher tick failed; carrying on")
                stop.wait(self.cfg.tick_seconds)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the observer and wait for running imports (queued claims stay in .processing/)."""
        stop_observer(self.observer)
        self.observer = None
        self.pool.shutdown(wait=True, cancel_futures=True)
        log.info("watcher stopped: %s", dict(self.counts) or "nothing done")

    def idle(self) -> bool:
        """True when nothing is tracked, waiting, retrying or running."""
        return not (len(self.files) or len(self.others) or self.ready or self.queued or self.retries
                    or self.inflight or self.blocked)

    # ---- one step --------------------------------------------------------------------------------
    def tick(self) -> None:
        """Handle events, rescan when due, hand complete files to free import slots, collect results."""
        now = self.clock()
        if self.observer is not None and not self.observer.is_alive():
            log.warning("the observer stopped; restarting it")
            self._start_observer()
        self._drain_events()
        if now >= self._next_scan:
            self.scan()
        self._collect()
        for path in self.others.ready():
            self._refuse(path)
        for path in self.files.ready():
            self.ready[path] = None
        self._due_retries(now)
        self._dispatch(now)

    def scan(self) -> None:
        """Walk the inbox and track every file not yet known (start-up, and every rescan_seconds)."""
        self._next_scan = self.clock() + self.cfg.rescan_seconds
        self._scan_dir(self.cfg.inbox)

    # ---- events and scans ----------------------------------------------------------------------
    def _start_observer(self) -> None:
        self.cfg.inbox.mkdir(parents=True, exist_ok=True)
        stop_observer(self.observer)
        self.observer = start_observer(self.cfg.inbox, InboxEvents(self.events), polling=self.cfg.polling,
                                       poll_interval=self.cfg.poll_interval, recursive=self.cfg.recursive)

    def _drain_events(self) -> None:
        while True:
            try:
                kind, path = self.events.get_nowait()
            except queue.Empty:
                return
            if kind == "dir":
                if self._scannable(path):
                    self._scan_dir(path)
            elif kind == "gone":
                self.files.forget(path)
                self.others.forget(path)
                self.ready.pop(path, None)
            else:
                self._see(path, closed=(kind == "closed"))

    def _see(self, path: Path, closed: bool) -> None:
        verdict = classify(path, self.cfg.inbox, self.cfg.reserved, self.cfg.recursive)
        if verdict is Verdict.IGNORE or path in self.blocked:
            return
        tracker = self.files if verdict is Verdict.CANDIDATE else self.others
        self.ready.pop(path, None)  # written again after it looked complete
        if closed:
            tracker.touch(path, closed=True)
        else:
            tracker.reopen(path)

    def _scannable(self, folder: Path) -> bool:
        """A folder that appeared inside the inbox, not one of ours (.processing/ tokens, archive/...)."""
        try:
            rel = folder.relative_to(self.cfg.inbox)
        except ValueError:
            return False
        if not rel.parts or not self.cfg.recursive or any(p.startswith(".") for p in rel.parts):
            return False
        return not any(folder == r or r in folder.parents for r in self.cfg.reserved)

    def _scan_dir(self, top: Path) -> None:
        for root, dirs, names in os.walk(top, onerror=lambda e: log.warning("scan: %s", e)):
            here = Path(root)
            dirs[:] = [d for d in dirs if self.cfg.recursive and not d.startswith(".")
                       and here / d not in self.cfg.reserved]
            for name in names:
                path = here / name
                if path in self.files or path in self.others or path in self.ready:
                    continue
                if path in self.blocked and self.blocked[path] > self.clock():
                    continue
                self.blocked.pop(path, None)
                self._see(path, closed=False)

    # ---- claiming and importing ---------------------------------------------------------------
    def _refuse(self, path: Path) -> None:
        """An unsupported file type: straight to failed/ with its reason, no import tried."""
        record = outcomes.error_record(path.name, {"kind": "unsupported_format",
                                                   "message": unsupported_reason(path)},
                                       origin=_relative(path, self.cfg.inbox))
        try:
            dest = outcomes.quarantine(path, self.cfg.failed_dir, record)
        except FileNotFoundError:
            return
        except OSError as exc:
            self._block(path, exc)
            return
        self.counts["unsupported"] += 1
        log.warning("refused %s: %s (moved to %s)", path.name, record["message"], dest)

    def _block(self, path: Path, exc: OSError) -> None:
        """A file we cannot move now (permissions, full disk): log once, look again after a while."""
        if path not in self.blocked:
            log.error("cannot take %s: %s; will try again", path, exc)
        self.blocked[path] = self.clock() + max(self.cfg.retry_delays or (10.0,))

    def _due_retries(self, now: float) -> None:
        due = [r for r in self.retries if r.due <= now]
        self.retries = [r for r in self.retries if r.due > now]
        self.queued.extend((r.claim, r.attempt) for r in due)

    def _dispatch(self, now: float) -> None:
        while len(self.inflight) < max(1, self.cfg.max_concurrent):
            if self.queued:
                claim, attempt = self.queued.popleft()
            elif self.ready:
                path = next(iter(self.ready))
                del self.ready[path]
                try:
                    claim = claims.claim(path, self.cfg.inbox, self.cfg.processing_dir)
                except FileNotFoundError:
                    log.info("%s vanished before it could be claimed", path)
                    continue
                except OSError as exc:
                    self._block(path, exc)
                    continue
                attempt = 0
                log.info("claimed %s", claim.origin)
            else:
                return
            self.inflight[self.pool.submit(self._process, claim, attempt)] = (claim, attempt)

    def _collect(self) -> None:
        for fut in [f for f in self.inflight if f.done()]:
            claim, attempt = self.inflight.pop(fut)
            try:
                finished = fut.result()
            except Exception:  # _process catches everything; this is a bug, keep the claim for later
                log.exception("processing %s crashed", claim.name)
                finished = False
            if not finished:
                if attempt < len(self.cfg.retry_delays):
                    delay = self.cfg.retry_delays[attempt]
                    self.retries.append(_Retry(claim, attempt + 1, self.clock() + delay))
                else:
                    log.error("giving up on %s for now; it stays in %s until the next start",
                              claim.name, claim.path.parent)

    def _process(self, claim: claims.Claim, attempt: int) -> bool:
        """Import one claim and file it (runs in an import thread). True when done, False to retry."""
        last = attempt >= len(self.cfg.retry_delays)
        outcome: Any = None
        try:
            outcome = self.importer(claim.path)
            error = outcome.error
        except TransientError as exc:
            if not last:
                log.warning("import of %s hit a transient fault (%s); retrying", claim.name, exc)
                return False
            error = exc.as_dict()
        except PipelineError as exc:
            error = exc.as_dict()
        except OSError as exc:
            if not claim.path.exists():
                log.warning("%s vanished from %s during its import", claim.name, claim.path.parent)
                claims.release(claim)
                return True
            if exc.errno in _TRANSIENT_ERRNOS and not last:
                log.warning("import of %s failed with %s; retrying", claim.name, exc)
                return False
            error = {"kind": "os_error", "message": f"{claim.name}: {exc}"}
        except Exception as exc:  # an unexpected failure fails this file, not the watcher
            log.exception("import of %s failed unexpectedly", claim.name)
            error = {"kind": type(exc).__name__, "message": f"{claim.name}: {exc}"}
        return self._file(claim, outcome, error)

    def _file(self, claim: claims.Claim, outcome: Any, error: dict[str, Any] | None) -> bool:
        """Move the claim to archive/ or failed/. True when done, False to try again later."""
        try:
            if error is None:
                dest = outcomes.archive(claim.path, self.cfg.archive_dir, self.cfg.delete_on_success)
                self._log_success(claim, outcome, dest)
            else:
                record = outcomes.error_record(claim.name, error, origin=claim.origin,
                                               sha256=getattr(outcome, "sha256", None))
                dest = outcomes.quarantine(claim.path, self.cfg.failed_dir, record)
                self.counts["failed"] += 1
                log.warning("import of %s failed (%s): %s; moved to %s", claim.name, record["kind"],
                            record["message"], dest)
        except FileNotFoundError:
            log.warning("%s vanished from %s before it could be filed", claim.name, claim.path.parent)
        except OSError as exc:
            log.error("cannot file %s: %s; will try again", claim.path, exc)
            return False
        claims.release(claim)
        return True

    def _log_success(self, claim: claims.Claim, outcome: Any, dest: Path | None) -> None:
        where = f"moved to {dest}" if dest else "deleted"
        if getattr(outcome, "duplicate", False):
            self.counts["duplicate"] += 1
            log.info("%s is a duplicate: same bytes as model %s; %s", claim.name, outcome.model_id, where)
        else:
            self.counts["imported"] += 1
            log.info("imported %s as model %s version %s; %s", claim.name, getattr(outcome, "model_id", None),
                     getattr(outcome, "version", None), where)


def _relative(path: Path, inbox: Path) -> str:
    try:
        return str(path.relative_to(inbox))
    except ValueError:
        return path.name


# ---- entry point ----
def run_watcher(config: WatcherConfig, importer: Importer, stop: threading.Event,
                ready_file: Path | None = None) -> None:
    """Watch until *stop* is set. Raises OSError only when the inbox cannot be created or watched."""
    Watcher(config, importer).run(stop, ready_file)


def main(inbox: Path | None = None, ready_file: Path | None = None, polling: bool | None = None,
         settings: Settings | None = None) -> int:
    """Entry point (`capitallens watch`): settings, logging, SIGTERM/SIGINT → clean stop. Returns 0."""
    import signal

    from config.prefect_env import apply_prefect_environment
    from config.settings import get_settings
    from deployments.serve import IMPORT_DEPLOYMENT
    from watcher.wiring import choose_importer, config_from_settings

    settings = settings or get_settings()
    apply_prefect_environment(settings)
    config = config_from_settings(settings, inbox, polling)
    importer, mode = choose_importer(settings, IMPORT_DEPLOYMENT)
    # Importing the flow now (3-6 s: Prefect) spares the first file that wait, and lets Prefect set up
    # its root logging before ours: it replaces the root handlers and leaves the root at WARNING.
    import flows.import_workbook  # noqa: F401
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("capitallens").setLevel(logging.INFO)
    log.info("imports run %s", mode)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_watcher(config, importer, stop, ready_file)
    return 0
