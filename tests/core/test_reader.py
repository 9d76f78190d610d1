"""The reader on the small fixture model: every kind of cell, sheet, name and setting it must keep."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from core.reader import ParsedCell, parse_to, read_cells_table, read_workbook
from core.stage import CELLS_SCHEMA, PARSE, StageDir, read_json, read_table
from core.workbook import CalcSettings, WorkbookInfo
from tests.fixtures import workbooks as fx

LIMITS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 200.0}


@pytest.fixture(scope="module")
def model() -> tuple[WorkbookInfo, dict[tuple[str, int, int], dict[str, Any]], list[dict[str, Any]]]:
    info, table = read_cells_table(fx.model_xlsx(), filename="model.xlsx", **LIMITS)
    rows = table.to_pylist()
    return info, {(c["sheet"], c["row"], c["col"]): c for c in rows}, rows


def _serial(day: dt.datetime, epoch: dt.datetime) -> float:
    return (day - epoch).days + 0.0


def test_sheets_states_and_kinds(model: Any) -> None:
    info, _cells, _rows = model
    assert [(s.name, s.position, s.state, s.kind) for s in info.sheets] == [
        ("Inputs", 0, "visible", "worksheet"), ("Calc", 1, "visible", "worksheet"),
        ("Hidden", 2, "hidden", "worksheet"), ("Secret", 3, "veryHidden", "worksheet")]
    assert info.sheets[1].dimension == "A1:I12"


def test_merged_ranges_and_names(model: Any) -> None:
    info, _cells, _rows = model
    assert info.sheets[0].merged_ranges == ("C1:D1",)
    assert info.sheets[1].merged_ranges == ("A12:C12",)
    names = {(n.name, n.scope): n.refers_to for n in info.defined_names}
    assert names == {("Rate", None): "Inputs!$B$1", ("LocalRate", "Calc"): "Inputs!$B$1"}


@pytest.mark.parametrize("key,raw_type,value,text,fmt", [
    (("Inputs", 1, 1), "text", None, "Rate", "General"),
    (("Inputs", 1, 2), "number", 0.05, None, "General"),
    (("Inputs", 2, 2), "number", _serial(dt.datetime(2024, 1, 31), dt.datetime(1899, 12, 30)), None,
     "yyyy-mm-dd"),
    (("Inputs", 3, 2), "bool", 1.0, None, "General"),
    (("Inputs", 4, 2), "text", None, "bold and plain", "General"),
    (("Inputs", 5, 2), "error", None, "#DIV/0!", "General"),
    (("Inputs", 6, 2), "number", -1.5e300, None, "General"),
    (("Inputs", 7, 2), "number", 42.0, None, "General"),
    (("Calc", 1, 6), "error", None, "#DIV/0!", "General"),
    (("Calc", 1, 7), "bool", 1.0, None, "General"),
    (("Calc", 1, 8), "empty", None, None, "General"),      # formula without a cached value
    (("Calc", 1, 9), "text", None, "", "General"),         # formula with an empty cached string
    (("Hidden", fx.INLINE_ROW, 1), "text", None, "inline text", "General"),
    (("Hidden", fx.INLINE_ROW, 2), "text", None, "rich inline", "General"),  # phonetic run left out
    (("Secret", 1, 1), "number", 7.0, None, "General"),
])
def test_cell_values(model: Any, key: tuple[str, int, int], raw_type: str, value: float | None,
                     text: str | None, fmt: str) -> None:
    cell = model[1][key]
    assert (cell["raw_type"], cell["raw_value"], cell["raw_text"], cell["number_format"]) == \
        (raw_type, value, text, fmt)


def test_every_formula_including_shared_ones(model: Any) -> None:
    _info, cells, _rows = model
    found = {k: c["formula"] for k, c in cells.items() if c["cell_type"] == "formula"}
    assert found == fx.unshared_model_formulas()
    assert cells[("Calc", 1, 5)]["array_ref"] == "E1:E3"
    assert [cells[("Calc", r, 5)]["cell_type"] for r in (2, 3)] == ["value", "value"]
    assert cells[("Calc", 5, 3)]["raw_value"] == 15.0


def test_cells_are_in_workbook_then_document_order(model: Any) -> None:
    info, _cells, rows = model
    order = {name: i for i, name in enumerate(info.sheet_names())}
    keys = [(order[c["sheet"]], c["row"], c["col"]) for c in rows]
    assert keys == sorted(keys)
    assert ("Inputs", 1, 3) in model[1] and ("Inputs", 1, 4) not in model[1]  # merged: anchor only


def test_workbook_facts(model: Any) -> None:
    info, _cells, rows = model
    assert info.calc == CalcSettings(calc_mode="manual", full_calc_on_load=False, iterate=True,
                                     iterate_count=50, iterate_delta=0.0001, calc_id=191029)
    assert not info.date1904 and not info.has_macros
    table = info.tables[0]
    assert (table.name, table.display_name, table.sheet, table.ref, table.header_row_count,
            table.totals_row_count, table.columns) == ("Amounts", "Amounts", "Inputs", "F1:G4", 1, 0,
                                                       ("Year", "Amount"))
    counts = info.counts
    assert counts["cells"] == len(rows)
    assert counts["formula_cells"] == len(fx.unshared_model_formulas())
    assert counts["constants"] == len(rows) - counts["formula_cells"]
    assert counts["shared_formula_cells"] == 2 * fx.CALC_ROWS
    assert (counts["array_formulas"], counts["errors"], counts["merged_ranges"], counts["sheets"]) == \
        (1, 2, 2, 4)


def test_1904_dates_and_default_calc_settings() -> None:
    info, table = read_cells_table(fx.model_1904_xlsx(), **LIMITS)
    assert info.date1904
    assert info.calc == CalcSettings()
    cells = {(c["sheet"], c["row"], c["col"]): c for c in table.to_pylist()}
    assert cells[("Inputs", 2, 2)]["raw_value"] == _serial(dt.datetime(2024, 1, 31), dt.datetime(1904, 1, 1))


def test_parse_to_writes_arrow_and_json(tmp_path: Path) -> None:
    stage = StageDir.for_hash(tmp_path / "work", "a" * 64)
    info = parse_to(stage, fx.model_xlsx(), filename="model.xlsx", **LIMITS)
    assert stage.is_done(PARSE)
    table = read_table(stage.path(PARSE, "cells.arrow"))
    assert table.schema.equals(CELLS_SCHEMA)
    assert table.num_rows == info.counts["cells"]
    assert WorkbookInfo.from_json(read_json(stage.path(PARSE, "workbook.json"))) == info
    assert info.filename == "model.xlsx"


def test_read_workbook_yields_parsed_cells() -> None:
    info, cells = read_workbook(fx.model_xlsx(), **LIMITS)
    items = list(cells)
    assert len(items) == info.counts["cells"]
    assert all(isinstance(c, ParsedCell) for c in items)
    first = items[0]
    assert (first.sheet, first.row, first.col, first.raw_text) == ("Inputs", 1, 1, "Rate")
    with pytest.raises(AttributeError):
        first.row = 2  # type: ignore[misc]


def test_external_links_are_kept_verbatim(corpus_dir: Path) -> None:
    import zipfile

    from tests.conftest import corpus_manifest

    for row in corpus_manifest():
        path = corpus_dir / row["path"]
        with zipfile.ZipFile(path) as zf:
            if not any(n.startswith("xl/externalLinks/_rels/") for n in zf.namelist()):
                continue
        info, _table = read_cells_table(path, **LIMITS)
        assert info.external_links and info.external_links[0].index == 1
        assert any(link.target for link in info.external_links)
        return
    pytest.fail("the corpus holds no workbook with external links")
