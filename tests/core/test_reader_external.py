"""External-link caches: our reader's parse/external.arrow and ExternalLink equal openpyxl's reading.

openpyxl's WorkbookParser reads xl/externalLinks/externalLinkN.xml in workbook order (the [n] of
formulas) into ExternalBook objects; every corpus workbook with external links is compared, cell by
cell, with what core.reader extracts.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl.reader.workbook import WorkbookParser

from core.addressing import parse_cell
from core.reader import read_into
from core.stage import StageDir, read_json, read_table
from core.workbook import WorkbookInfo
from tests.conftest import corpus_manifest, corpus_root

LIMITS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 1000.0}


def _with_links() -> list[str]:
    out = []
    for row in corpus_manifest():
        try:
            with zipfile.ZipFile(corpus_root() / row["path"]) as zf:
                if any(n.startswith("xl/externalLinks/externalLink") for n in zf.namelist()):
                    out.append(row["path"])
        except (OSError, zipfile.BadZipFile):
            continue
    return out or ["<corpus missing>"]


def _openpyxl_links(path: Path) -> list[Any]:
    with zipfile.ZipFile(path) as zf:
        parser = WorkbookParser(zf, "xl/workbook.xml", keep_links=True)
        parser.parse()
        return list(parser.wb._external_links)


def _expected(value: str, kind: str | None) -> tuple[str, Any]:
    if kind in (None, "n"):
        return "number", float(value)
    if kind == "b":
        return "bool", 1.0 if value in ("1", "TRUE", "true") else 0.0
    return ("error" if kind == "e" else "text"), value


@pytest.mark.parametrize("rel", _with_links())
def test_external_cache_matches_openpyxl(corpus_dir: Path, rel: str) -> None:
    chunks: list[Any] = []
    info = read_into(corpus_dir / rel, lambda t: None, external_sink=chunks.append, **LIMITS)
    links = _openpyxl_links(corpus_dir / rel)
    assert [link.index for link in info.external_links] == list(range(1, len(links) + 1))
    expected: dict[tuple[int, str, int, int], tuple[str, Any]] = {}
    for index, link in enumerate(links, 1):
        book = link.externalBook
        names = list(book.sheetNames.sheetName) if book and book.sheetNames else []
        assert list(info.external_links[index - 1].sheet_names) == names
        assert [n for n, _ in info.external_links[index - 1].defined_names] == \
            [d.name for d in (book.definedNames if book else [])]
        for sd in (book.sheetDataSet.sheetData if book and book.sheetDataSet else []):
            for row in sd.row:
                for cell in row.cell:
                    if cell.v is not None:
                        expected[(index, names[sd.sheetId], *parse_cell(cell.r))] = _expected(cell.v, cell.t)
    got = {}
    for r in (chunks[0].to_pylist() if chunks else []):
        value = r["raw_value"] if r["raw_type"] in ("number", "bool") else r["raw_text"]
        got[(r["link"], r["sheet"], r["row"], r["col"])] = (r["raw_type"], value)
    assert got == expected


def test_parse_stage_writes_external_arrow_and_round_trips(corpus_dir: Path, tmp_path: Path) -> None:
    from core.reader import parse_to
    rel = "tidyxl/tests/testthat/lu-performance-data-almanac.xlsx"
    stage = StageDir.for_hash(tmp_path, "0" * 64)
    info = parse_to(stage, corpus_dir / rel, **LIMITS)
    table = read_table(stage.path("parse", "external.arrow"))
    assert table.to_pylist() == [{"link": 1, "sheet": "Base 2008 Rods data", "row": 26, "col": 5,
                                  "raw_type": "number", "raw_value": 0.86877321435242494, "raw_text": None}]
    assert info.external_links[0].sheet_names == ("Passenger Boarders 2009-0", "Passenger Kms 2009-0",
                                                  "Base 2008 Rods data")
    assert WorkbookInfo.from_json(read_json(stage.path("parse", "workbook.json"))) == info
