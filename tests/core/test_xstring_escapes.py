"""OOXML text escapes (_xHHHH_, ECMA-376 Part 1, 22.4.2.4 ST_Xstring) decoded by the reader.

Excel writes a control character of a string as _xHHHH_ (CHAR(1) is cached as "_x0001_") and a literal
"_xHHHH_" in the text as "_x005F_xHHHH_", in shared strings, inline strings and cached formula text.
The fixture workbooks are written as XML into a zip (the escapes are what Excel writes, which no
writer library here produces on purpose).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from core.reader import parse_to, read_cells_table
from core.reader.external import read_external_book
from core.reader.safezip import SafeZip
from core.reader.text import decode_xstring
from core.stage import EVALUATE, PARSE, StageDir, read_table
from hf.client import NodeEngine
from hf.evaluate import evaluate_to

LIMITS = {"max_uncompressed_bytes": 1 << 30, "max_compression_ratio": 1000.0}
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def write_xlsx(path: Path, sheet_data: str, shared: list[str] | None = None,
               application: str | None = None) -> Path:
    """A one-sheet workbook ('S') whose <sheetData> is *sheet_data*, with the shared string table of
    *shared* (each item is the inner XML of one <si>) and, when given, docProps/app.xml naming the
    saving *application*."""
    rels = [f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>']
    types = [f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>',
             f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>']
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                           '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>',
    }
    if shared is not None:
        rels.append(f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
        types.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>')
        items = "".join(f"<si>{s}</si>" for s in shared)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">' \
                                        f"{items}</sst>"
    root_rels = [f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>']
    if application is not None:
        root_rels.append(f'<Relationship Id="rId2" Type="{REL}/extended-properties" Target="docProps/app.xml"/>')
        types.append('<Override PartName="/docProps/app.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>')
        parts["docProps/app.xml"] = (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Application>{application}</Application><DocSecurity>0</DocSecurity></Properties>")
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{PKG_REL}">{"".join(rels)}</Relationships>'
    parts["_rels/.rels"] = f'<Relationships xmlns="{PKG_REL}">{"".join(root_rels)}</Relationships>'
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(types) + "</Types>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("_x0001_", "\x01"),
    ("a_x0007_7_x0007_b", "a\x077\x07b"),
    ("line_x000D_|next", "line\r|next"),
    ("_x000d__x000a_", "\r\n"),                     # lower-case hex digits too
    ("_x005F_x0001_", "_x0001_"),                   # an escaped literal: the text itself
    ("_x005F_", "_"),
    ("__x0041__", "_A_"),
    ("_xD83D__xDE00_", "\U0001F600"),               # a surrogate pair: one character
    ("_xD83D_ alone", "\ufffd alone"),              # a lone surrogate cannot be text
    ("_x41_", "_x41_"), ("_x00410_", "_x00410_"), ("_x004G_", "_x004G_"), ("_X0041_", "_X0041_"),
    ("plain text", "plain text"), ("", ""),
])
def test_decode_xstring(text: str, expected: str) -> None:
    assert decode_xstring(text) == expected


def _texts(path: Path) -> dict[str, str | None]:
    _info, table = read_cells_table(path, **LIMITS)
    return {f"{chr(64 + c['col'])}{c['row']}": c["raw_text"] for c in table.to_pylist()}


def test_reader_decodes_shared_inline_and_cached_text(tmp_path: Path) -> None:
    sheet = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
             '<c r="C1" t="s"><v>2</v></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>x_x0002_y</t></is></c>'
             '<c r="B2" t="inlineStr"><is><r><t>a_x005F_x0003_</t></r><r><t>_x0004_</t></r></is></c></row>'
             '<row r="3"><c r="A3"><v>1</v></c><c r="B3" t="str"><f>CHAR(A3)</f><v>_x0001_</v></c>'
             '<c r="C3" t="str"><f>"_x"&amp;"0041_"</f><v>_x005F_x0041_</v></c></row>'
             '<row r="4"><c r="A4" t="str"><f>A1</f><v></v></c></row>')
    shared = ["<t>_x0001_</t>", "<t>literal _x005F_x0001_ text</t>",
              # each run's <t> is its own string: a sequence split over two runs is not an escape
              "<r><t>_x00</t></r><r><t>41_</t></r>"]
    texts = _texts(write_xlsx(tmp_path / "esc.xlsx", sheet, shared))
    assert texts["A1"] == "\x01"
    assert texts["B1"] == "literal _x0001_ text"
    assert texts["C1"] == "_x0041_"
    assert texts["A2"] == "x\x02y"
    assert texts["B2"] == "a_x0003_\x04"
    assert texts["B3"] == "\x01"
    assert texts["C3"] == "_x0041_"
    assert texts["A4"] == ""


def test_external_link_cache_decodes_text(tmp_path: Path) -> None:
    part = (f'<externalLink xmlns="{MAIN}"><externalBook xmlns:r="{REL}" r:id="rId1">'
            '<sheetNames><sheetName val="Data"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
            '<row r="1"><cell r="A1" t="str"><v>a_x0009_b</v></cell><cell r="B1" t="e"><v>#N/A</v></cell>'
            '<cell r="C1"><v>2</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>')
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/externalLinks/externalLink1.xml", part)
    with SafeZip(path, "link.zip", **LIMITS) as zf:
        book = read_external_book(zf, "xl/externalLinks/externalLink1.xml")
    assert book.cells == [("Data", 1, 1, "text", None, "a\tb"), ("Data", 1, 2, "error", None, "#N/A"),
                          ("Data", 1, 3, "number", 2.0, None)]


def test_decoded_text_constants_reach_the_engine(tmp_path: Path) -> None:
    """A text constant holding control characters reaches HyperFormula decoded (parse, then the evaluate
    stage's wire path): CODE, LEN and a comparison with CHAR see the characters, not the escape."""
    sheet = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>_x0007_z</t></is></c></row>'
             '<row r="2"><c r="A2"><f>CODE(A1)</f></c><c r="B2"><f>LEN(A1)</f></c>'
             '<c r="C2"><f>A1=CHAR(1)&amp;"x"</f></c><c r="D2"><f>CODE(B1)</f></c>'
             '<c r="E2"><f>B1&amp;"!"</f></c></row>')
    stage = StageDir.for_hash(tmp_path, "e" * 64)
    parse_to(stage, write_xlsx(tmp_path / "k.xlsx", sheet, ["<t>_x0001_x</t>"]), **LIMITS)
    with NodeEngine(call_timeout=60) as engine:
        evaluate_to(stage, engine)
    cells = read_table(stage.path(PARSE, "cells.arrow")).to_pylist()
    values = read_table(stage.path(EVALUATE, "values.arrow")).to_pylist()
    got = {(c["row"], c["col"]): (v["calculated_type"], v["calculated_value"], v["calculated_text"])
           for c, v in zip(cells, values, strict=True) if c["cell_type"] == "formula"}
    assert got == {(2, 1): ("number", 1.0, None), (2, 2): ("number", 2.0, None), (2, 3): ("bool", 1.0, None),
                   (2, 4): ("number", 7.0, None), (2, 5): ("text", None, "\x07z!")}
