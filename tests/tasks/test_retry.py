"""Only TransientError is retried, in Prefect (retry_condition_fn) and in the direct runner alike."""

from __future__ import annotations

import pytest
from prefect.states import Failed

from config.settings import Settings
from core.errors import EngineError, TransientError, UnsupportedFormat, WorkbookUnreadable
from flows.import_workbook import direct_runner
from tasks.retry import only_transient


@pytest.mark.parametrize(("exc", "retried"), [
    (TransientError("db down"), True),
    (WorkbookUnreadable("x.xlsx: truncated zip"), False),
    (UnsupportedFormat("x.xls: BIFF"), False),
    (EngineError("x.xlsx: rejected"), False),
    (ValueError("bug"), False),
])
def test_only_transient_decides_on_the_failure(exc: Exception, retried: bool) -> None:
    assert only_transient(None, None, Failed(data=exc)) is retried


class FlakyTask:
    """Stands in for a Prefect task object in a wiring test: fails *failures* times with *exc*."""

    def __init__(self, failures: int, exc: Exception) -> None:
        self.calls = 0
        self.failures = failures
        self.exc = exc

    def fn(self, **kwargs: object) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc
        return "done"


def test_direct_runner_retries_transient_then_succeeds() -> None:
    settings = Settings(CAPITALLENS_PREFECT={"task_retries": 2, "task_retry_delays": [0.5, 1]})
    slept: list[float] = []
    task = FlakyTask(2, TransientError("node died"))
    assert direct_runner(settings, slept.append)("evaluate", task) == "done"
    assert task.calls == 3 and slept == [0.5, 1]


def test_direct_runner_gives_up_after_the_configured_retries() -> None:
    settings = Settings(CAPITALLENS_PREFECT={"task_retries": 1, "task_retry_delays": [0]})
    task = FlakyTask(5, TransientError("db down"))
    with pytest.raises(TransientError):
        direct_runner(settings, lambda s: None)("insert", task)
    assert task.calls == 2


def test_direct_runner_never_retries_a_bad_workbook() -> None:
    task = FlakyTask(1, WorkbookUnreadable("bad.xlsx: not a zip"))
    with pytest.raises(WorkbookUnreadable):
        direct_runner(Settings(), lambda s: None)("parse", task)
    assert task.calls == 1


