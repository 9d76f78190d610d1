"""Shared by the table-driven engine tests: evaluate a list of (formula, Excel's value) cases in one
workbook on the real Node engine, and compare one result with Excel's value."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from hf.client import NodeEngine
from hf.protocol import EngineBook, EngineSheet

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.conformance import run_book  # noqa: E402


def evaluate_cases(data: Sequence[tuple[int, int, Any]], cases: Sequence[tuple[str, Any]], first_row: int,
                   col: int) -> dict[str, tuple[str, object]]:
    """Every case's formula in column *col* from row *first_row* on, beside *data*, evaluated in one
    workbook: formula -> (kind, number for numbers and booleans, else text)."""
    cells = list(data) + [(first_row + i, col, f) for i, (f, _) in enumerate(cases)]
    with NodeEngine(call_timeout=60) as engine:
        engine.load(EngineBook(sheets=[EngineSheet("Data", cells)]))
        got = engine.read([("Data", first_row + i, col) for i in range(len(cases))])
    return {f: (v.kind, v.number if v.kind in ("number", "bool") else v.text)
            for (f, _), v in zip(cases, got, strict=True)}


def check_value(kind: str, got: object, expected: object, rel: float, abs_: float = 1e-12) -> None:
    """Excel's *expected* value: a bool, a float (within *rel*), an error code ('#...'), a text, or a
    pytest.approx carrying its own tolerance."""
    if not isinstance(expected, bool | float | str):
        assert kind == "number" and got == expected
    elif isinstance(expected, bool):
        assert (kind, got) == ("bool", float(expected))
    elif isinstance(expected, float):
        assert kind == "number", (kind, got)
        assert got == pytest.approx(expected, rel=rel, abs=abs_)
    elif expected.startswith("#"):
        assert (kind, got) == ("error", expected)
    else:
        assert (kind, got) == ("text", expected)


def assert_book_matches_excel(corpus_dir: Path, tmp_path: Path, book: str) -> None:
    """Every formula cell of corpus workbook *book* with a cached value equals Excel's value."""
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    with NodeEngine(call_timeout=300) as engine:
        result = run_book(engine, corpus_dir, book, tmp_path, None, fn_counts)
    assert result.failure is None
    assert result.compared > 0 and result.matched == result.compared, (result.matched, result.compared)
