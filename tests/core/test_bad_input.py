"""Bad input: a clear error naming the file, and no parse/ output left behind."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import PipelineError, UnsupportedFormat, WorkbookUnreadable
from core.reader import parse_to, read_cells_table
from core.reader.safezip import SafeZip
from core.stage import PARSE, StageDir
from tests.fixtures import workbooks as fx

DEFAULTS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 200.0}

CASES: list[tuple[str, Callable[[], Path], type[PipelineError], str]] = [
    ("random_bytes", fx.random_bytes_xlsx, WorkbookUnreadable, "not a zip"),
    ("truncated_zip", fx.truncated_xlsx, WorkbookUnreadable, "truncated or corrupt zip"),
    ("csv_renamed", fx.csv_as_xlsx, UnsupportedFormat, "is not a zip: looks like CSV/text"),
    ("legacy_xls", fx.legacy_xls, UnsupportedFormat,
     r"is a legacy Excel 97-2003 \.xls \(BIFF\) workbook; save it as \.xlsx"),
    ("encrypted", fx.encrypted_xlsx, UnsupportedFormat, r"is password-protected \(encrypted\)"),
    ("ods", fx.ods_file, UnsupportedFormat, "is an OpenDocument spreadsheet"),
    ("xlsb", fx.xlsb_file, UnsupportedFormat, r"is an Excel binary workbook \(\.xlsb\)"),
    ("zip_bomb", fx.zip_bomb_xlsx, WorkbookUnreadable,
     rf"decompressed size exceeds limit of {1 << 30} bytes \(zip bomb guard\)"),
    ("dense_sheet", fx.dense_sheet_xlsx, WorkbookUnreadable, r"compression ratio .* \(zip bomb guard\)"),
    ("missing_sheet_part", fx.missing_sheet_part_xlsx, WorkbookUnreadable,
     "sheet 'Calc' is missing its part xl/worksheets/sheet2.xml"),
    ("xxe", fx.xxe_sheet_xlsx, WorkbookUnreadable,
     "xl/worksheets/sheet1.xml contains an XML DTD/entity declaration, refused"),
    ("entity_expansion", fx.entity_expansion_xlsx, WorkbookUnreadable,
     "xl/sharedStrings.xml contains an XML DTD/entity declaration, refused"),
]


@pytest.mark.parametrize("case,make,error,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly_and_leaves_nothing(tmp_path: Path, case: str, make: Callable[[], Path],
                                                         error: type[PipelineError], message: str) -> None:
    source = make()
    stage = StageDir.for_hash(tmp_path / "work", "0" * 64)
    with pytest.raises(error, match=message) as caught:
        parse_to(stage, source, filename=source.name, **DEFAULTS)
    assert source.name in str(caught.value)
    assert caught.value.path == source.name
    assert not stage.is_done(PARSE)
    assert not list(stage.root.glob("parse*")), "a partial parse output was left behind"


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    source = fx.model_xlsx()
    with pytest.raises(WorkbookUnreadable, match="decompressed size exceeds limit of 5000 bytes"):
        read_cells_table(source, max_uncompressed_bytes=5000, max_compression_ratio=200.0)
    _info, table = read_cells_table(source, **DEFAULTS)
    assert table.num_rows > 0


def test_streamed_bytes_are_counted_even_when_declared_sizes_pass(tmp_path: Path) -> None:
    """Declared sizes can lie: the reader counts what it actually inflates."""
    source = fx.model_xlsx()
    with SafeZip(source, source.name, **DEFAULTS) as zf:
        zf.limit = 1000  # as if the headers had declared less than the members inflate to
        with pytest.raises(WorkbookUnreadable, match="zip bomb guard"):
            zf.read("xl/worksheets/sheet2.xml")


def test_lying_declared_size_is_refused(tmp_path: Path) -> None:
    """A member whose headers declare fewer bytes than it holds never parses."""
    data = bytearray(fx.model_xlsx().read_bytes())
    with zipfile.ZipFile(fx.model_xlsx()) as zf:
        info = zf.getinfo("xl/worksheets/sheet2.xml")
    real = info.file_size.to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    start = 0
    while (pos := data.find(real, start)) != -1:  # local header and central directory entry
        data[pos:pos + 4] = fake
        start = pos + 4
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(bytes(data))
    with pytest.raises(WorkbookUnreadable, match="liar.xlsx"):
        read_cells_table(liar, filename="liar.xlsx", **DEFAULTS)


def test_xxe_entity_is_never_resolved(tmp_path: Path) -> None:
    """Even below the DOCTYPE guard, our lxml parser neither loads DTDs nor expands entities."""
    from lxml import etree

    from core.reader.xmlsafe import _parser

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'.encode()
    root = etree.fromstring(doc, parser=_parser())
    assert "".join(root.itertext()) == "&x;"  # left as an unexpanded reference


def test_macros_are_stored_not_run(tmp_path: Path) -> None:
    source = fx.macro_xlsm()
    stage = StageDir.for_hash(tmp_path / "work", "1" * 64)
    info = parse_to(stage, source, filename=source.name, **DEFAULTS)
    assert info.has_macros
    assert info.counts["formula_cells"] == 1
    with zipfile.ZipFile(source) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()
