"""The logger a stage task writes to: Prefect's run logger inside a run, a plain logger outside."""

from __future__ import annotations

import logging
from typing import Any

from prefect import get_run_logger
from prefect.exceptions import MissingContextError


def stage_logger() -> Any:
    """Prefect's run logger when called inside a flow/task run, else logging.getLogger('capitallens')."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("capitallens.tasks")
