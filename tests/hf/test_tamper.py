"""No calculated value comes from Excel's cached one: tamper with the cached <v> of every formula
cell in a copy of a corpus workbook, re-run parse + evaluate, and the calculated values must not move."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from core.reader import parse_to
from core.stage import EVALUATE, PARSE, StageDir, read_table
from hf.client import NodeEngine
from hf.evaluate import evaluate_to

WORKBOOKS = [
    "auditor-agents-models/Brewery_Financial_Model_10Y 1.xlsx",
]
# A formula cell: <c ...><f ...>...</f><v>cached</v></c>; t="str" caches text, no t caches a number.
FORMULA_CELL = re.compile(rb'(<c\b(?P<attrs>[^>]*)>\s*<f\b[^>]*(?:/>|>.*?</f>)\s*<v>)(?P<v>[^<]*)(</v>)', re.S)


def tamper(src: Path, dst: Path) -> int:
    """Copy *src* to *dst* with every formula cell's cached number/text replaced; returns the count."""
    changed = 0

    def repl(m: re.Match[bytes]) -> bytes:
        nonlocal changed
        attrs = m.group("attrs")
        if b't="str"' in attrs:
            new = b"TAMPERED"
        elif b" t=" not in attrs:
            new = b"987654.321"
        else:
            return m.group(0)
        changed += 1
        return m.group(1) + new + m.group(4)

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml"):
                data = FORMULA_CELL.sub(repl, data)
            zout.writestr(item, data)
    return changed


def run(engine: NodeEngine, path: Path, work: Path) -> tuple[dict[str, list[object]], dict[str, list[object]]]:
    stage = StageDir.for_hash(work, path.stem.replace(" ", "_"))
    parse_to(stage, path, max_uncompressed_bytes=1 << 30, max_compression_ratio=1000.0)
    evaluate_to(stage, engine)
    return (read_table(stage.path(PARSE, "cells.arrow")).to_pydict(),
            read_table(stage.path(EVALUATE, "values.arrow")).to_pydict())


@pytest.mark.corpus
@pytest.mark.parametrize("rel", WORKBOOKS)
def test_calculated_values_ignore_cached_values(corpus_dir: Path, tmp_path: Path, rel: str) -> None:
    tampered = tmp_path / "tampered.xlsx"
    assert tamper(corpus_dir / rel, tampered) > 100
    with NodeEngine(call_timeout=300) as engine:
        cells_a, values_a = run(engine, corpus_dir / rel, tmp_path / "a")
        cells_b, values_b = run(engine, tampered, tmp_path / "b")
    formula_rows = [i for i, t in enumerate(cells_a["cell_type"]) if t == "formula"]
    # The tampering reached the parsed cached values...
    moved = sum(1 for i in formula_rows if (cells_a["raw_value"][i], cells_a["raw_text"][i])
                != (cells_b["raw_value"][i], cells_b["raw_text"][i]))
    assert moved > 100
    # ...and not one calculated value followed it.
    for column in ("calculated_type", "calculated_value", "calculated_text", "eval_status"):
        assert values_a[column] == values_b[column], column
    assert all(values_b["calculated_value"][i] != 987654.321 for i in formula_rows)
    assert all(values_b["calculated_text"][i] != "TAMPERED" for i in formula_rows)
