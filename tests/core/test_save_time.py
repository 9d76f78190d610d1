"""The workbook's save time (docProps/core.xml dcterms:modified) read into WorkbookInfo.saved_at."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from core.reader import read_cells_table
from core.reader.doc_props import parse_w3cdtf
from core.workbook import SheetInfo, WorkbookInfo

LIMITS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 200.0}
CORE_NS = ('xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')


def _core(modified: str | None) -> bytes:
    inner = "<dc:creator>x</dc:creator>"
    if modified is not None:
        inner += f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>'
    return f'<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties {CORE_NS}>{inner}</cp:coreProperties>'.encode()


def _workbook(tmp_path: Path, core: bytes | None) -> Path:
    """A one-sheet xlsx whose docProps/core.xml is *core* (dropped, with its relationship, when None)."""
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(plain)
    out = tmp_path / "book.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                if core is None:
                    continue
                data = core
            if item.filename == "_rels/.rels" and core is None:
                data = data.replace(b'Target="docProps/core.xml"', b'Target="docProps/missing.xml"')
            dst.writestr(item, data)
    return out


@pytest.mark.parametrize(("text", "expected"), [
    ("2022-01-19T18:06:06Z", "2022-01-19T18:06:06Z"),
    ("2022-01-19T18:06:06.123Z", "2022-01-19T18:06:06Z"),
    ("2022-01-19T20:06:06+02:00", "2022-01-19T18:06:06Z"),   # a zone: converted to UTC
    ("2022-01-19T18:06:06", "2022-01-19T18:06:06Z"),         # no zone: UTC
    (" 2022-01-19T18:06:06Z ", "2022-01-19T18:06:06Z"),
    ("", None), (None, None), ("yesterday", None), ("2022-13-40T00:00:00Z", None),
])
def test_parse_w3cdtf(text: str | None, expected: str | None) -> None:
    assert parse_w3cdtf(text) == expected


def test_reader_reads_the_save_time(tmp_path: Path) -> None:
    info, _ = read_cells_table(_workbook(tmp_path, _core("2021-03-04T05:06:07Z")), **LIMITS)
    assert info.saved_at == "2021-03-04T05:06:07Z"


@pytest.mark.parametrize("core", [None, _core(None), _core("not a date"), b"<not xml"])
def test_missing_or_broken_save_time_is_none(tmp_path: Path, core: bytes | None) -> None:
    """Core properties are optional metadata: without a readable dcterms:modified the import goes on."""
    info, table = read_cells_table(_workbook(tmp_path, core), **LIMITS)
    assert info.saved_at is None
    assert table.num_rows == 1


def test_saved_at_round_trips_through_json() -> None:
    info = WorkbookInfo(filename="a.xlsx", sheets=(SheetInfo("S", 0),), saved_at="2022-01-19T18:06:06Z")
    assert WorkbookInfo.from_json(info.to_json()).saved_at == "2022-01-19T18:06:06Z"
    old = info.to_json()
    del old["saved_at"]                      # workbook.json / workbook_metadata written before the field
    assert WorkbookInfo.from_json(old).saved_at is None


@pytest.mark.corpus
def test_corpus_save_time(corpus_dir: Path) -> None:
    path = corpus_dir / "phpspreadsheet/tests/data/Style/ConditionalFormatting/CellMatcher.xlsx"
    info, _ = read_cells_table(path, **LIMITS)
    assert info.saved_at == "2022-01-19T18:06:06Z"   # its docProps/core.xml dcterms:modified
