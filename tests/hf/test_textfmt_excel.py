"""TEXT's number-format codes (hf/lib/plugins/numfmt.js, textfmt.js) against Excel.

Apache POI's format test workbooks list, row by row, a format code (column B), a value (column C)
and =TEXT(C, B) in column A with Excel's cached result. Each row is rebuilt here with the same
format and value, evaluated by the real engine, and compared with that cached text: digit slots,
grouping and scaling commas, fractions with literals between their parts, scientific exponents,
elapsed times, conditions, dates (1904 date system), text sections for texts and booleans.
The expected strings come only from the corpus files.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904, to_excel

from hf.client import NodeEngine, Text
from hf.protocol import EngineBook, EngineSheet

POI = "apache-poi/test-data/spreadsheet"
BOOKS = ["NumberFormatTests.xlsx", "NumberFormatApproxTests.xlsx", "ElapsedFormatTests.xlsx",
         "FormatConditionTests.xlsx", "FormatChoiceTests.xlsx", "DateFormatTests.xlsx", "TextFormatTests.xlsx"]


def poi_rows(path: Path) -> tuple[bool, list[tuple[int, str, str, object, str]]]:
    """The date system (True: 1904) and (row, formula, format, value, Excel's text) of the Tests sheet's TEXT rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path)
        formulas = book["Tests"]
        cached = openpyxl.load_workbook(path, data_only=True)["Tests"]
    date1904 = book.epoch == CALENDAR_MAC_1904
    rows = []
    for r in range(2, formulas.max_row + 1):
        formula, fmt, value = formulas.cell(r, 1).value, formulas.cell(r, 2).value, formulas.cell(r, 3).value
        if not (isinstance(formula, str) and formula.startswith("=TEXT(")) or fmt is None:
            continue
        expected = cached.cell(r, 1).value
        assert isinstance(expected, str), (path.name, r)
        if isinstance(value, datetime):
            value = to_excel(value, book.epoch)
        rows.append((r, formula, str(fmt), value, expected))
    return date1904, rows


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


@pytest.mark.parametrize("book", BOOKS)
def test_poi_format_workbook_matches_excel(engine: NodeEngine, corpus_dir: Path, book: str) -> None:
    date1904, rows = poi_rows(corpus_dir / POI / book)
    assert len(rows) > 20
    cells: list[tuple[int, int, object]] = []
    for r, formula, fmt, value, _ in rows:
        cells += [(r, 1, formula), (r, 2, Text(fmt))]
        if value is not None:  # numbers, booleans, texts, or formulas such as =2/24+3/(24*60)
            cells.append((r, 3, Text(value) if isinstance(value, str) and not value.startswith("=") else value))
    engine.load(EngineBook(sheets=[EngineSheet("Tests", cells)], date1904=date1904))
    got = engine.read([("Tests", r, 1) for r, *_ in rows])
    wrong = [(r, fmt, value, expected, g.text) for (r, _, fmt, value, expected), g in zip(rows, got, strict=True)
             if g.kind != "text" or g.text != expected]
    assert not wrong, f"{len(wrong)} of {len(rows)} differ, first: {wrong[:5]}"


def cached_text_formulas(path: Path, sheet: str) -> list[tuple[str, str, object]]:
    """(cell, formula, Excel's cached value) of the sheet's formulas that call TEXT."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas = openpyxl.load_workbook(path)[sheet]
        cached = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [(c.coordinate, c.value, cached[c.coordinate].value) for row in formulas.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=TEXT(")]


# formulas' test.xlsx EXTRA!A27: its exponent holds literal digits (e+88), which Excel refuses; not modelled.
EXTRA_LEFT_OUT = {"A27"}


def test_formulas_extra_text_cells_match_excel(engine: NodeEngine, corpus_dir: Path) -> None:
    """TEXT with constant arguments: literal commas, grouping by slot position, scientific, dates, and
    formats written with doubled quotes (#""°F"" in a string, hf/lib/quotes.js), an open quote being #VALUE!."""
    cells = [c for c in cached_text_formulas(corpus_dir / "formulas/test/test_files/test.xlsx", "EXTRA")
             if c[0] not in EXTRA_LEFT_OUT]
    assert len(cells) > 30
    engine.load(EngineBook(sheets=[EngineSheet("EXTRA", [(i, 1, f) for i, (_, f, _) in enumerate(cells, 1)])]))
    got = engine.read([("EXTRA", i, 1) for i in range(1, len(cells) + 1)])
    wrong = [(cell, f, expected, g.text) for (cell, f, expected), g in zip(cells, got, strict=True)
             if g.kind not in ("text", "error") or g.text != expected]
    assert not wrong, wrong


def pycel_sheet_mismatches(engine: NodeEngine, path: Path, sheet: str, numbers_only: bool) -> list[object]:
    """Rebuilds a pycel text.xlsx sheet (A: value, B: format, C: =TEXT(An, Bn)) and lists C cells unlike Excel's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = openpyxl.load_workbook(path)[sheet]
    cells: list[tuple[int, int, object]] = []
    for row in rows.iter_rows(min_row=2):
        for c in row[:3]:
            if c.value is not None:
                cells.append((c.row, c.column, Text(c.value) if isinstance(c.value, str) and c.column < 3 else c.value))
    values = {r: v for r, col, v in cells if col == 1}
    texts = [(cell, f, expected) for cell, f, expected in cached_text_formulas(path, sheet)
             if not (numbers_only and isinstance(values.get(int(cell[1:])), Text))]
    assert len(texts) > 15
    engine.load(EngineBook(sheets=[EngineSheet(sheet, cells)]))
    got = engine.read([(sheet, int(cell[1:]), 3) for cell, _, _ in texts])
    wrong: list[object] = []
    for (cell, _, expected), g in zip(texts, got, strict=True):
        shown = g.text if g.kind in ("text", "error") else None
        if shown != (expected if expected is not None else ""):
            wrong.append((cell, expected, g))
    return wrong


def test_pycel_text_numbers_match_excel(engine: NodeEngine, corpus_dir: Path) -> None:
    """pycel's TextNumbers sheet: literal text, sections, a text section, commas, percents, empty formats."""
    assert not pycel_sheet_mismatches(engine, corpus_dir / "pycel/tests/fixtures/text.xlsx", "TextNumbers", False)


def test_pycel_text_dates_of_numbers_match_excel(engine: NodeEngine, corpus_dir: Path) -> None:
    """pycel's TextDates sheet, rows with a numeric value: elapsed times, negative durations in the 1900
    date system (a lone [h] shows -24, [h]:m is #VALUE!), serials past 9999. Rows holding texts such as
    "23:99" test how TEXT reads a text as a time, which is not the format code's business."""
    assert not pycel_sheet_mismatches(engine, corpus_dir / "pycel/tests/fixtures/text.xlsx", "TextDates", True)
