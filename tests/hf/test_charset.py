"""CHAR and CODE in the workbook's character set (hf/lib/charset.js, the load's "charset").

Excel maps codes 1-255 through the computer's character set: Windows code page 1252, or Mac OS Roman
in Excel for Mac, whose workbooks say so in docProps/app.xml (<Application>Microsoft Macintosh
Excel</Application>). Expected characters come from Python's own codecs (cp1252, mac_roman), not from
the code under test; the corpus cases compare with Excel's cached values.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.reader import parse_to, read_cells_table
from core.stage import StageDir
from core.validate import compare
from core.workbook import MAC_ROMAN, WINDOWS_1252, SheetInfo, WorkbookInfo
from hf.client import EngineError, NodeEngine, Text
from hf.evaluate import evaluate_to
from hf.protocol import EngineBook, EngineSheet, EngineValue
from tests.core.test_xstring_escapes import write_xlsx

LIMITS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 1000.0}
MAC_BOOK = "excel_to_code/examples/utf8-strings.xlsx"   # saved by Microsoft Macintosh Excel
WINDOWS_BOOK = "ironcalc/xlsx/tests/calc_tests/TEXT/CHAR.xlsx"   # saved by Microsoft Excel


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    with NodeEngine(call_timeout=60) as eng:
        yield eng


def _expected_char(n: int, charset: str | None) -> str:
    if charset == MAC_ROMAN:
        return bytes([n]).decode("mac_roman")
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: Windows keeps them as the C1 control code
    return bytes([n]).decode("cp1252", errors="ignore") or chr(n)


def _evaluate(engine: NodeEngine, cells: list[tuple[int, int, object]], charset: str | None) -> list[EngineValue]:
    engine.load(EngineBook(sheets=[EngineSheet("S", cells)], charset=charset))
    return engine.read([("S", r, c) for r, c, v in cells if isinstance(v, str) and v.startswith("=")])


@pytest.mark.parametrize("charset", [None, WINDOWS_1252, MAC_ROMAN])
def test_char_and_code_of_every_code(engine: NodeEngine, charset: str | None) -> None:
    cells: list[tuple[int, int, object]] = []
    for n in range(1, 256):
        cells += [(n, 1, f"=CHAR({n})"), (n, 2, f"=CODE(CHAR({n}))")]
    values = _evaluate(engine, cells, charset)
    chars = [v.text for v in values[0::2]]
    codes = [v.number for v in values[1::2]]
    assert chars == [_expected_char(n, charset) for n in range(1, 256)]
    assert codes == [float(n) for n in range(1, 256)]


@pytest.mark.parametrize(("charset", "text", "code"), [
    (WINDOWS_1252, "€uro", 128.0), (MAC_ROMAN, "€uro", 219.0),
    (WINDOWS_1252, "Ä", 196.0), (MAC_ROMAN, "Ä", 128.0),
    (WINDOWS_1252, "ù", 249.0), (MAC_ROMAN, "ù", 157.0),
    (WINDOWS_1252, "Ω", 63.0), (MAC_ROMAN, "Ω", 189.0),      # a character outside the set is "?"
    (WINDOWS_1252, "\u2260", 63.0), (MAC_ROMAN, "\u2260", 173.0),
    (MAC_ROMAN, "š", 63.0), (WINDOWS_1252, "š", 154.0),
    (WINDOWS_1252, "\U0001F600", 63.0), (MAC_ROMAN, "A", 65.0),
])
def test_code_of_a_constant(engine: NodeEngine, charset: str, text: str, code: float) -> None:
    (value,) = _evaluate(engine, [(1, 1, Text(text)), (1, 2, "=CODE(A1)")], charset)
    assert (value.kind, value.number) == ("number", code)


@pytest.mark.parametrize("charset", [WINDOWS_1252, MAC_ROMAN])
def test_char_and_code_errors(engine: NodeEngine, charset: str) -> None:
    values = _evaluate(engine, [(1, 1, Text("")), (1, 2, "=CODE(A1)"), (1, 3, "=CHAR(0)"), (1, 4, "=CHAR(256)"),
                                (1, 5, "=CODE(65)"), (1, 6, "=CHAR(65.9)")], charset)
    assert [(v.kind, v.text) for v in values] == [("error", "#VALUE!"), ("error", "#VALUE!"),
                                                  ("error", "#VALUE!"), ("number", None), ("text", "A")]
    assert values[3].number == 54.0   # CODE(65) is the code of "6"; CHAR truncates 65.9


def test_a_load_without_charset_is_windows_again(engine: NodeEngine) -> None:
    assert _evaluate(engine, [(1, 1, "=CHAR(128)")], MAC_ROMAN)[0].text == "Ä"
    assert _evaluate(engine, [(1, 1, "=CHAR(128)")], None)[0].text == "€"


def test_unknown_charset_is_refused(engine: NodeEngine) -> None:
    with pytest.raises(EngineError, match="bad charset"):
        engine.load(EngineBook(sheets=[EngineSheet("S", [(1, 1, "=CHAR(128)")])], charset="latin-1"))


@pytest.mark.parametrize(("application", "charset"), [
    ("Microsoft Macintosh Excel", MAC_ROMAN), ("Microsoft Excel", WINDOWS_1252),
    ("Microsoft Excel Online", WINDOWS_1252), (None, WINDOWS_1252),
])
def test_reader_reads_the_saving_application(tmp_path: Path, application: str | None, charset: str) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", '<row r="1"><c r="A1"><f>CHAR(128)</f></c></row>',
                      application=application)
    info, _table = read_cells_table(path, **LIMITS)
    assert (info.application, info.charset) == (application, charset)
    assert WorkbookInfo.from_json(info.to_json()) == info
    assert info.to_json()["application"] == application


def test_metadata_without_application_reads_as_unknown() -> None:
    """workbook.json / workbook_metadata written before the field existed read as application None."""
    data = WorkbookInfo(filename="a.xlsx", sheets=(SheetInfo("S", 0),)).to_json()
    del data["application"]
    assert WorkbookInfo.from_json(data).charset == WINDOWS_1252


@pytest.mark.corpus
@pytest.mark.parametrize(("rel", "application", "charset", "cells"), [
    (MAC_BOOK, "Microsoft Macintosh Excel", MAC_ROMAN, 558),
    (WINDOWS_BOOK, "Microsoft Excel", WINDOWS_1252, 257),
])
def test_corpus_char_tables_match_excel(corpus_dir: Path, tmp_path: Path, engine: NodeEngine, rel: str,
                                        application: str, charset: str, cells: int) -> None:
    """Every formula (CHAR of 1-255 and its edge cases) equals Excel's cached value: CHAR(128) is 'Ä'
    in the Mac-saved book and '€' in the Windows one, control characters decoded from _xHHHH_."""
    stage = StageDir.for_hash(tmp_path, "a" * 64)
    info = parse_to(stage, corpus_dir / rel, **LIMITS)
    assert (info.application, info.charset) == (application, charset)
    evaluate_to(stage, engine)
    report = compare(stage)
    assert report.formula_cells == cells
    assert report.counts["match"] == cells, report.non_matches[:5]
