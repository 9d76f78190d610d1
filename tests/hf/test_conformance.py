"""Corpus conformance on a fixed sample (the full corpus is scripts/conformance.py, minutes long):
the match rate against Excel's cached values must not fall below what we have reached."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from hf.client import NodeEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.conformance import explain, run_book, values_match  # noqa: E402

# Real models and function-test books whose roots we fixed (LOOKUP, INDEX, names, 3-D/dotted sheets,
# structured references, implicit intersection, exponent literals).
SAMPLE = [
    "auditor-agents-models/CFG_Prep&Oship_Self-Auditing Model_Start.xlsx",
    "aspose-cells-net/Examples/Data/Fonts/GetListOfFontsUsedInSpreadsheetOrWorkbook/sampleGetFonts.xlsx",
    "apache-poi/test-data/spreadsheet/StructuredRefs-lots-with-lookups.xlsx",
    "ironcalc/xlsx/tests/calc_tests/LOGICAL/IFERROR.xlsx",
    "ironcalc/xlsx/tests/calc_tests/LOGICAL/IFS.xlsx",
]
# Raise as conformance improves; never above what passes (measured: see the commit message).
# measured 20,738 / 20,741 = 99.986 % (whole corpus 99.498 %, docs/CONFORMANCE.md, 2026-11-22); sampleGetFonts.xlsx
# starts its schedule at TODAY(), now evaluated at the file's save time, so it matches in full.
MIN_SAMPLE_MATCH = 0.9995


@pytest.mark.parametrize(("cached", "calc", "ok"), [
    (("number", 1.0, None), ("number", 1.0 + 1e-12, None), True),
    (("number", 1e12, None), ("number", 1e12 + 100, None), True),    # relative 1e-9
    (("number", 1e12, None), ("number", 1e12 + 10000, None), False),
    (("number", 0.0, None), ("number", 2e-9, None), False),
    (("text", None, "a"), ("text", None, "A"), False),
    (("bool", 1.0, None), ("number", 1.0, None), False),
    (("error", None, "#N/A"), ("error", None, "#N/A"), True),
    (("error", None, "#N/A"), ("error", None, "#REF!"), False),
])
def test_match_rule(cached: tuple[str, float | None, str | None], calc: tuple[str, float | None, str | None],
                    ok: bool) -> None:
    assert values_match(*calc, *cached) is ok


@pytest.mark.corpus
def test_sample_match_rate_does_not_regress(corpus_dir: Path, tmp_path: Path) -> None:
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    with NodeEngine(call_timeout=300) as engine:
        results = [run_book(engine, corpus_dir, rel, tmp_path, None, fn_counts) for rel in SAMPLE]
    assert [r.failure for r in results] == [None] * len(SAMPLE)
    compared = sum(r.compared for r in results)
    matched = sum(r.matched for r in results)
    assert compared > 20_000
    assert matched / compared >= MIN_SAMPLE_MATCH, [(r.path, r.matched, r.compared) for r in results]
    unexplained = {c for r in results for c in r.classes if explain(c) == "not yet explained"}
    assert not unexplained, unexplained
