"""Small Excel-like workbooks with cached values for orchestration tests (XlsxWriter)."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter


def write_model(path: Path, rows: int = 50, seed: int = 1, sheets: int = 1) -> Path:
    """A little revenue model: inputs, formulas copied down, a total; cached values written too."""
    wb = xlsxwriter.Workbook(str(path))
    for s in range(sheets):
        ws = wb.add_worksheet(f"Plan {s + 1}")
        ws.write_row(0, 0, ["units", "price", "revenue", "running total"])
        total = 0.0
        for r in range(1, rows + 1):
            units, price = (r * seed) % 97 + 1, 1.5 + (r % 7)
            revenue = units * price
            total += revenue
            ws.write_number(r, 0, units)
            ws.write_number(r, 1, price)
            ws.write_formula(r, 2, f"=A{r + 1}*B{r + 1}", None, revenue)
            prev = f"D{r}+" if r > 1 else ""
            ws.write_formula(r, 3, f"={prev}C{r + 1}", None, total)
        ws.write_formula(rows + 1, 2, f"=SUM(C2:C{rows + 1})", None, total)
    wb.close()
    return path
