"""Shared-formula templates render exactly what openpyxl's Translator gives, cell by cell."""

from __future__ import annotations

import pytest
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.utils import get_column_letter

from core.reader import SharedFormula
from core.reader.shared_formulas import REF_ERROR

FORMULAS = [
    "=A1+$B$2*Sheet2!C3",
    "=SUM(A1:B5)+'My Sheet'!$A1:B$2",
    "=SUM(A:B)+SUM($C:D)",
    "=SUM(1:3)+SUM($4:5)",
    '=IF(A1>0,"A1 text",B2)',
    "=name1+A1+_xlfn.XLOOKUP(A1,B:B,C:C)",
    "=  A1 +  B2 ",
    "={1,2;3,4}+A1",
    "=SUM(Table1[Col])+A1",
    "=A1:B2 C1:D3",
    "=[1]Sheet1!A1+'[2]Other Sheet'!$B$2",
    "=SUM(Sheet1:Sheet3!A1)",
    "=a1+xfd1+XFD1048576",
    "=LOG10(A1)+ATAN2(B1,C1)",
    "=#REF!+A1",
    "=A1:name_end",
    "=1+2",
]
MASTER = (5, 5)  # E5
TARGETS = [(r, c) for r in (1, 4, 5, 6, 50, 1048576) for c in (1, 4, 5, 7, 16384)]


def _translator(formula: str, row: int, col: int) -> str:
    try:
        return Translator(formula, "E5").translate_formula(f"{get_column_letter(col)}{row}")
    except TranslatorError:
        return REF_ERROR


@pytest.mark.parametrize("formula", FORMULAS)
def test_template_matches_translator(formula: str) -> None:
    template = SharedFormula(formula, *MASTER)
    for row, col in TARGETS:
        expected = _translator(formula, row, col)
        got = template.render(row, col)
        if expected == REF_ERROR:
            assert REF_ERROR in got, (row, col, got)
        else:
            assert got == expected, (row, col)


@pytest.mark.parametrize("formula,target,expected", [
    ("=A1", (4, 5), "=#REF!"),                        # shifted above row 1
    ("=Sheet2!B5+C5", (5, 3), "=Sheet2!#REF!+A5"),    # shifted left of column A, sheet kept
    ("=$A$1+A1", (1, 1), "=$A$1+#REF!"),
])
def test_off_sheet_references_become_ref_errors(formula: str, target: tuple[int, int], expected: str) -> None:
    assert SharedFormula(formula, *MASTER).render(*target) == expected


def test_master_cell_renders_unchanged_text() -> None:
    assert SharedFormula("=SUM(A1:B2)*2", *MASTER).render(*MASTER) == "=SUM(A1:B2)*2"
