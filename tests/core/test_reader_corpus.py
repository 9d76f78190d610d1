"""Golden test: for every corpus workbook, our reader's formulas and cached values equal openpyxl's.

openpyxl's own reading path is driven step by step (ExcelReader: manifest, shared strings, workbook,
then its WorkSheetParser per worksheet, as load_workbook does), once with data_only=False for formulas
(shared formulas translated by its Translator) and once with data_only=True for cached values.
Its stylesheet step is left out: it only decides which numbers to show as dates, it took 15 s on one
corpus file with 55k named styles, and without it openpyxl reports the stored serials themselves, which
makes the number comparison exact. ISO-dated cells (t="d") still come back as datetimes and are turned
into serials with the workbook's epoch.

Text escapes: Excel writes control characters (and a literal "_xHHHH_") of a string as _xHHHH_
(ECMA-376 Part 1, 22.4.2.4 ST_Xstring; "_x0001_" is CHAR(1), "_x005F_x0001_" the text "_x0001_").
Our reader decodes them, which openpyxl does not (it only drops "x005F_" from shared strings, which
makes an escaped literal and a control character the same text). So the shared strings are read
again here with openpyxl's own <si> parser but without that step, and every text value openpyxl
cached text (t="str", inline strings) is decoded with _decode_xstring below, written independently of
the reader's decoder.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from core.reader import read_cells_table
from tests.conftest import corpus_manifest

LIMITS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 1000.0}
PATHS = [row["path"] for row in corpus_manifest()] or ["<corpus missing>"]
DATE_TOLERANCE = 1e-7  # openpyxl rounds date serials to the millisecond (1.2e-8 days)

Cells = dict[tuple[int, int], Any]
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def _decode_xstring(text: str) -> str:
    """ST_Xstring's text: each _xHHHH_ is the UTF-16 code unit HHHH (pairs joined, lone ones U+FFFD)."""
    units = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class _Decoded(str):
    """A shared string already decoded (so _expected_value does not decode it twice)."""

    __slots__ = ()


def _raw_shared_strings(reader: Any) -> list[str]:
    """The shared strings as openpyxl parses each <si> (Text.content's pieces), without its 'x005F_' step,
    each <t> decoded on its own (each is one ST_Xstring)."""
    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return []
    tag = f"{{{SHEET_MAIN_NS}}}si"
    strings: list[str] = []
    with reader.archive.open(part.PartName[1:]) as src:
        for _event, node in iterparse(src):
            if node.tag == tag:
                text = Text.from_tree(node)
                pieces = ([text.plain] if text.plain is not None else []) + [b.t for b in text.formatted
                                                                             if b.t is not None]
                strings.append(_Decoded("".join(_decode_xstring(p) for p in pieces)))
                node.clear()
    return strings


def _openpyxl_cells(reader: Any, part: str, data_only: bool) -> Cells:
    out: Cells = {}
    with reader.archive.open(part) as src:
        parser = WorkSheetParser(src, reader.shared_strings, data_only=data_only, epoch=reader.wb.epoch,
                                 date_formats=set(), timedelta_formats=set())
        for _idx, row in parser.parse():
            for cell in row:
                if cell["value"] is not None:
                    out[(cell["row"], cell["column"])] = (cell["value"], cell["data_type"])
    return out


def _openpyxl_worksheets(reader: Any) -> list[tuple[str, str]]:
    """(title, part) of each sheet openpyxl reads as a worksheet (as ExcelReader.read_worksheets picks)."""
    return [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type]


def _expected_formula(value: Any) -> tuple[str, str | None]:
    if isinstance(value, ArrayFormula):
        return value.text, value.ref
    if isinstance(value, DataTableFormula):
        r1, r2 = value.r1 or "", value.r2 or ""
        if value.dt2D in ("1", "true", True):
            return f"=TABLE({r1},{r2})", value.ref
        return (f"=TABLE({r1},)" if value.dtr in ("1", "true", True) else f"=TABLE(,{r1})"), value.ref
    return value, None


def _expected_value(value: Any, data_type: str, epoch: dt.datetime) -> tuple[str, Any]:
    if isinstance(value, bool):
        return "bool", float(value)
    if isinstance(value, dt.timedelta):
        return "number", value.total_seconds() / 86400
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return "number", float(to_excel(value, epoch))
    if isinstance(value, int | float):
        return "number", float(value)
    if data_type == "e":
        return "error", value
    return "text", value if isinstance(value, _Decoded) else _decode_xstring(value)


def _value_matches(ours: tuple[str, Any, Any], expected: tuple[str, Any], is_date: bool) -> bool:
    raw_type, raw_value, raw_text = ours
    exp_type, exp = expected
    if raw_type != exp_type:
        return False
    if exp_type in ("number", "bool"):
        tol = DATE_TOLERANCE if is_date else 0.0
        return raw_value == exp or (math.isfinite(exp) and abs(raw_value - exp) <= tol)
    return raw_text == exp


def _compare_sheet(name: str, ours: list[dict[str, Any]], formulas: Cells, values: Cells,
                   epoch: dt.datetime) -> list[str]:
    problems: list[str] = []
    mine = {(c["row"], c["col"]): c for c in ours}
    if len(mine) != len(ours):
        problems.append(f"{name}: duplicate cells in our output")
    for key in formulas.keys() - mine.keys():
        problems.append(f"{name}!{key}: formula missing from our output")
    for key in values.keys() - mine.keys():
        problems.append(f"{name}!{key}: value {values[key][0]!r} missing from our output")
    for key, cell in mine.items():
        if key in formulas:
            want = _expected_formula(formulas[key][0])
            if (cell["formula"], cell["array_ref"]) != want:
                problems.append(f"{name}!{key}: {(cell['formula'], cell['array_ref'])!r} != {want!r}")
        elif cell["formula"] is not None:
            problems.append(f"{name}!{key}: formula {cell['formula']!r} where openpyxl has none")
        ours_value = (cell["raw_type"], cell["raw_value"], cell["raw_text"])
        if key not in values:
            # openpyxl reads an empty cached string as None; only a formula may be blank or ''
            if not (cell["formula"] is not None and (ours_value[0] == "empty" or ours_value[2] == "")):
                problems.append(f"{name}!{key}: value {ours_value!r} where openpyxl has none")
            continue
        value, data_type = values[key]
        is_date = data_type == "d"
        if not _value_matches(ours_value, _expected_value(value, data_type, epoch), is_date):
            problems.append(f"{name}!{key}: value {ours_value!r} != openpyxl {value!r} ({data_type})")
    return problems


def _open_openpyxl(path: Path) -> Any:
    try:
        reader = ExcelReader(path, read_only=True, keep_links=True)
        reader.read_manifest()
        reader.read_strings()
        reader.shared_strings = _raw_shared_strings(reader)
        reader.read_workbook()
        return reader
    except Exception as exc:  # openpyxl's own failure is recorded, not hidden
        pytest.xfail(f"openpyxl cannot read it: {type(exc).__name__}: {exc}")


@pytest.mark.corpus
@pytest.mark.parametrize("rel_path", PATHS)
def test_corpus_workbook_matches_openpyxl(corpus_dir: Path, rel_path: str) -> None:
    path = corpus_dir / rel_path
    info, table = read_cells_table(path, filename=rel_path, **LIMITS)
    reader = _open_openpyxl(path)
    by_sheet: dict[str, list[dict[str, Any]]] = {}
    for cell in table.to_pylist():
        by_sheet.setdefault(cell["sheet"], []).append(cell)
    kinds = {s.name: s.kind for s in info.sheets}
    problems: list[str] = []
    try:
        listed = [(sheet.name, sheet.state or "visible") for sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files]
        ours_listed = [(s.name, s.state) for s in info.sheets if s.kind != "unlinked"]
        if listed != ours_listed:
            problems.append(f"sheets/states {ours_listed} != openpyxl {listed}")
        sheets = _openpyxl_worksheets(reader)
        if by_sheet and not sheets:
            pytest.xfail("openpyxl finds no worksheet in it (it does not read Strict OOXML)")
        for title, part in sheets:
            if kinds.get(title) != "worksheet":
                continue  # openpyxl reads dialog/macro sheets as worksheets; we keep worksheet cells only
            formulas = {k: v for k, v in _openpyxl_cells(reader, part, False).items() if v[1] == "f"}
            values = _openpyxl_cells(reader, part, True)
            problems += _compare_sheet(title, by_sheet.pop(title, []), formulas, values, reader.wb.epoch)
    except Exception as exc:
        pytest.xfail(f"openpyxl fails while reading cells: {type(exc).__name__}: {exc}")
    finally:
        reader.archive.close()
    assert not by_sheet, f"cells on sheets openpyxl does not list: {sorted(by_sheet)}"
    assert not problems, f"{len(problems)} differences, first: {problems[:5]}"
