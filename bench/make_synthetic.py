"""Generate synthetic workbooks with cached values for the parse benchmark, as Excel would save them.

10 columns per row: 6 constants (numbers and a label) and 4 formulas (40 %), every formula written with
its cached value (XlsxWriter ``write_formula(..., value=...)``), then each sheet part is rewritten so runs
of same-shape formulas down a column become Excel-style ``<f t="shared" ref=.. si=..>`` groups.

    .venv/bin/python bench/make_synthetic.py                 # 10k, 100k, 1M cells into bench/out/
    .venv/bin/python bench/make_synthetic.py --sizes 100000
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUT = REPO / "bench" / "out"
COLS = 10
ROWS_PER_SHEET = 50_000  # 1M cells -> 2 sheets of 500k


def _write_rows(ws: object, first: int, count: int) -> None:
    running = 0.0
    for i in range(count):
        r = first + i  # 0-based row index
        n = r + 1      # 1-based row number in formulas
        a, b, c, d, e = float(r % 97), (r % 13) + 0.5, float(r % 7), r * 0.25, float(r % 5 - 2)
        for col, v in enumerate((a, b, c, d, e)):
            ws.write_number(r, col, v)  # type: ignore[attr-defined]
        ws.write_string(r, 5, f"item {r % 50}")  # type: ignore[attr-defined]
        g = a * b
        h = g + c
        running += a
        j = g / h if h else 0.0
        ws.write_formula(r, 6, f"=A{n}*B{n}", None, g)  # type: ignore[attr-defined]
        ws.write_formula(r, 7, f"=G{n}+C{n}", None, h)  # type: ignore[attr-defined]
        ws.write_formula(r, 8, f"=SUM($A$1:A{n})", None, running)  # type: ignore[attr-defined]
        ws.write_formula(r, 9, f"=IF(H{n}>0,G{n}/H{n},0)", None, j)  # type: ignore[attr-defined]


def generate(n_cells: int, out_dir: Path = OUT) -> Path:
    """Write bench/out/synthetic_<n>.xlsx (skipped when present); returns its path."""
    import xlsxwriter

    from tests.fixtures.workbooks import rewrite_zip, share_formula_runs

    path = out_dir / f"synthetic_{n_cells}.xlsx"
    if path.exists():
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / f".raw_{n_cells}.xlsx"
    rows = n_cells // COLS
    wb = xlsxwriter.Workbook(str(raw))  # not constant_memory: Excel keeps text in shared strings
    sheet_parts: list[str] = []
    for s, first in enumerate(range(0, rows, ROWS_PER_SHEET)):
        ws = wb.add_worksheet(f"Data{s + 1}")
        _write_rows(ws, 0, min(ROWS_PER_SHEET, rows - first))
        sheet_parts.append(f"xl/worksheets/sheet{s + 1}.xml")
    wb.close()
    rewrite_zip(raw, path, {part: share_formula_runs for part in sheet_parts})
    raw.unlink()
    return path


def main() -> None:
    """Generate the requested sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    for n in args.sizes:
        path = generate(n)
        with zipfile.ZipFile(path) as zf:
            xml_bytes = sum(i.file_size for i in zf.infolist())
        print(f"{path}  {path.stat().st_size / 1e6:.1f} MB zipped, {xml_bytes / 1e6:.1f} MB of XML")


if __name__ == "__main__":
    main()
