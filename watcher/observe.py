"""The watchdog side: observer threads turn file-system events into (kind, path) messages for the loop."""

from __future__ import annotations

import logging
import queue
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("capitallens.watcher")

# Messages: "write" (created/modified: restart the settle clock), "closed" (written and closed, or
# moved in under its final name), "gone" (deleted or renamed away), "dir" (a folder appeared: scan it).
Message = tuple[str, Path]


class InboxEvents(FileSystemEventHandler):
    """Forwards watchdog events to a queue; runs on the observer thread, so it only enqueues."""

    def __init__(self, out: queue.SimpleQueue[Message]) -> None:
        self.out = out

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Translate one event (opened and closed-without-write events are dropped)."""
        src = Path(_text(event.src_path))
        kind = event.event_type
        if event.is_directory:
            if kind in ("created", "moved"):
                self.out.put(("dir", Path(_text(event.dest_path)) if kind == "moved" else src))
            return
        if kind == "moved":
            self.out.put(("gone", src))
            self.out.put(("closed", Path(_text(event.dest_path))))
        elif kind == "deleted":
            self.out.put(("gone", src))
        elif kind == "closed":
            self.out.put(("closed", src))
        elif kind in ("created", "modified"):
            self.out.put(("write", src))


def _text(p: str | bytes) -> str:
    return p.decode(errors="surrogateescape") if isinstance(p, bytes) else p


def start_observer(inbox: Path, handler: InboxEvents, *, polling: bool, poll_interval: float,
                   recursive: bool) -> BaseObserver:
    """A started observer on *inbox*: inotify, or polling when asked or when inotify cannot start
    (watch limit reached, file system without inotify). Raises OSError if neither starts."""
    if not polling:
        observer: BaseObserver = Observer()
        try:
            observer.schedule(handler, str(inbox), recursive=recursive)
            observer.start()
            return observer
        except OSError as exc:
            log.warning("inotify observer failed on %s (%s); falling back to polling", inbox, exc)
            _stop_quietly(observer)
    observer = PollingObserver(timeout=poll_interval)
    observer.schedule(handler, str(inbox), recursive=recursive)
    observer.start()
    return observer


def stop_observer(observer: BaseObserver | None) -> None:
    """Stop and join *observer* (errors are logged only)."""
    if observer is not None:
        _stop_quietly(observer)


def _stop_quietly(observer: BaseObserver) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=5)
    except Exception as exc:  # stopping a broken observer must not stop the watcher
        log.warning("stopping the observer: %s", exc)
