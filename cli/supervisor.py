"""A small process supervisor for `capitallens up`: start in order, wait healthy, stop in reverse.

Each service runs in its own process group (so stopping it stops what it spawned, e.g. served flow
runs) and gets SIGTERM if the supervisor itself dies (PR_SET_PDEATHSIG), so no process is left behind.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def http_ok(url: str) -> Callable[[], bool]:
    """A health check: GET *url* answers 200."""
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False
    return check


def file_exists(path: Path) -> Callable[[], bool]:
    """A health check: the service wrote its ready file."""
    return path.exists


@dataclass
class Service:
    """One supervised process."""

    name: str
    argv: list[str]
    healthy: Callable[[], bool]
    where: str
    env: dict[str, str] = field(default_factory=dict)
    startup_timeout: float = 180.0
    log_path: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process in its own session, output to its log file."""
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(self.argv, env={**os.environ, **self.env}, stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=_die_with_parent)

    def wait_healthy(self) -> None:
        """Block until healthy. Raises RuntimeError if it dies or the timeout passes."""
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode}; see {self.log_path}")
            if self.healthy():
                return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not healthy after {self.startup_timeout:.0f} s; see {self.log_path}")

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM the process group, then SIGKILL what is left after *grace* seconds."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            if not _group_alive(pgid):
                break
        _reap_group(pgid)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _reap_group(pgid: int) -> None:
    """Make sure nothing of the group survives (children that ignored SIGTERM)."""
    deadline = time.monotonic() + 5
    while _group_alive(pgid) and time.monotonic() < deadline:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.1)


class Supervisor:
    """Start services in order; on a signal or a service's death, stop all in reverse order."""

    def __init__(self, services: list[Service], say: Callable[[str], None]) -> None:
        self.services = services
        self.say = say
        self._stopping = False

    def _on_signal(self, signum: int, frame: object) -> None:
        self._stopping = True

    def run(self) -> int:
        """Run until SIGINT/SIGTERM (exit 0) or a service dies (exit 1)."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        started: list[Service] = []
        try:
            for svc in self.services:
                if self._stopping:
                    return 0
                self.say(f"starting {svc.name} …")
                svc.start()
                started.append(svc)
                svc.wait_healthy()
                self.say(f"  {svc.name} ready: {svc.where}")
            self.say("all services running; Ctrl-C stops them")
            while not self._stopping:
                dead = [s for s in started if not s.alive()]
                if dead:
                    self.say(f"{dead[0].name} stopped unexpectedly (see {dead[0].log_path}); stopping all")
                    return 1
                time.sleep(0.5)
            return 0
        except RuntimeError as exc:
            self.say(f"error: {exc}")
            return 1
        finally:
            for svc in reversed(started):
                self.say(f"stopping {svc.name} …")
                svc.stop()
            self.say("stopped")
