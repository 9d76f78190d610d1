"""Retry policy shared by every stage task: only TransientError is retried."""

from __future__ import annotations

from typing import Any

from core.errors import TransientError


def failure_exception(state: Any) -> BaseException | None:
    """The exception behind a failed Prefect state, if any."""
    data = getattr(state, "data", None)
    if isinstance(data, BaseException):
        return data
    try:
        result = state.result(raise_on_failure=False)
    except Exception as exc:  # a result that cannot be loaded is its own answer
        return exc
    return result if isinstance(result, BaseException) else None


def only_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry_condition_fn: retry when the failure is a TransientError, never otherwise."""
    return isinstance(failure_exception(state), TransientError)
