"""Text-level pieces of references: A1 parts, sheet prefixes, the relative-R1C1 shape of a formula.

The tokenizer (openpyxl's) decides what is a reference operand; this module only takes operand text
apart. The shape key uses the same A1 patterns as the operand parser, so two formulas with equal keys
have the same references at the same relative offsets (what makes tokenize-once-per-shape correct).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.addressing import MAX_COL, MAX_ROW, col_number

_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})$")
_COL = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROW = re.compile(r"^(\$?)([0-9]{1,7})$")

# Strings, quoted sheet names and bracket groups are skipped whole (they hold no A1 references);
# then a cell, a whole-column range or a whole-row range not glued to an identifier or a '('.
_SHAPE = re.compile(r"""
    "(?:[^"]|"")*"
  | '(?:[^']|'')*'
  | \[(?:[^\[\]]|\[(?:[^\[\]]|\[[^\[\]]*\])*\])*\]
  | (?<![\w.$])(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})(?![\w(.!])
  | (?<![\w.$])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![\w(.!])
  | (?<![\w.$])(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7})(?![\w(.!])
""", re.X)


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    """Column number of 1-3 letters (any case), possibly beyond MAX_COL; memoised."""
    n = _COLUMNS.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        _COLUMNS[letters] = n
    return n


def _cell_or_none(col_letters: str, row_text: str) -> tuple[int, int] | None:
    """(row, col) when the letters/digits form a cell inside the sheet, else None."""
    row = int(row_text)
    col = _column(col_letters)
    if not 1 <= row <= MAX_ROW or col > MAX_COL:
        return None
    return row, col


def shape_key(formula: str, row: int, col: int) -> str:
    """The formula with every A1 reference in relative R1C1 form (equal for copied formulas)."""
    def repl(m: re.Match[str]) -> str:
        last = m.lastindex
        if last == 4:                                   # a cell
            d1, letters, d2, digits = m.group(1, 2, 3, 4)
            r, c = int(digits), _column(letters)
            if not 1 <= r <= MAX_ROW or c > MAX_COL:
                return m.group(0)
            return (f"R{r}" if d2 else f"R[{r - row}]") + (f"C{c}" if d1 else f"C[{c - col}]")
        if last == 8:                                   # a whole-column range
            d1, a, d2, b = m.group(5, 6, 7, 8)
            c1, c2 = _column(a), _column(b)
            if c1 > MAX_COL or c2 > MAX_COL:
                return m.group(0)
            return _c(d1, c1, col) + ":" + _c(d2, c2, col)
        if last == 12:                                  # a whole-row range
            d1, a, d2, b = m.group(9, 10, 11, 12)
            return _r(d1, int(a), row) + ":" + _r(d2, int(b), row)
        return m.group(0)
    return _SHAPE.sub(repl, formula)


_DIGITS = re.compile(r"[0-9]+")


def digit_skeleton(formula: str) -> str:
    """The formula with every run of digits replaced by one marker (the fast shape pre-key)."""
    return _DIGITS.sub("\x01", formula)


def digit_runs(formula: str) -> list[str]:
    """The runs of digits in the formula, in order."""
    return _DIGITS.findall(formula)


def digit_spec(formula: str, row: int) -> tuple[tuple[bool, int | str], ...]:
    """Per digit run: (True, row offset) for the row of a relative A1 reference, else (False, text).

    A formula with the same digit skeleton, in the same sheet column, whose runs equal this spec
    shifted by its row, is this formula copied down: it has the same shape key.
    """
    relative: set[tuple[int, int]] = set()
    for m in _SHAPE.finditer(formula):
        if m.lastindex == 4 and not m.group(3):
            relative.add(m.span(4))
        elif m.lastindex == 12:
            for dollar, digits in ((9, 10), (11, 12)):
                if not m.group(dollar):
                    relative.add(m.span(digits))
    return tuple((True, int(m.group(0)) - row) if m.span() in relative else (False, m.group(0))
                 for m in _DIGITS.finditer(formula))


def _r(dollar: str, value: int, base: int) -> str:
    return f"R{value}" if dollar else f"R[{value - base}]"


def _c(dollar: str, value: int, base: int) -> str:
    return f"C{value}" if dollar else f"C[{value - base}]"


def absolute_text(text: str) -> str:
    """Every A1 reference in *text* made absolute ($A$1, $A:$B, $3:$4); strings left alone."""
    def repl(m: re.Match[str]) -> str:
        g = m.groups()
        if g[1] is not None and _cell_or_none(g[1], g[3]) is not None:
            return f"${g[1]}${g[3]}"
        if g[5] is not None:
            return f"${g[5]}:${g[7]}"
        if g[9] is not None:
            return f"${g[9]}:${g[11]}"
        return m.group(0)
    return _SHAPE.sub(repl, text)


@dataclass(frozen=True)
class Coord:
    """One row or column number and whether it is relative (shifts when the formula is copied)."""

    value: int
    relative: bool


def parse_cell_part(body: str) -> tuple[Coord, Coord] | None:
    """'$B7' -> (row Coord, col Coord); None when *body* is not a cell inside the sheet."""
    m = _CELL.match(body)
    if not m:
        return None
    rc = _cell_or_none(m.group(2), m.group(4))
    if rc is None:
        return None
    return Coord(rc[0], not m.group(3)), Coord(rc[1], not m.group(1))


def parse_col_part(body: str) -> Coord | None:
    """'$C' -> Coord(3, False); None unless *body* is column letters inside the sheet."""
    m = _COL.match(body)
    if not m:
        return None
    try:
        return Coord(col_number(m.group(2)), not m.group(1))
    except ValueError:
        return None


def parse_row_part(body: str) -> Coord | None:
    """'$7' -> Coord(7, False); None unless *body* is a row number inside the sheet."""
    m = _ROW.match(body)
    if not m or not 1 <= int(m.group(2)) <= MAX_ROW:
        return None
    return Coord(int(m.group(2)), not m.group(1))


def split_operand(text: str) -> list[tuple[str | None, str]]:
    """Split a reference operand at ':' into (sheet prefix or None, body) parts.

    Quotes and brackets are respected: "'Q1: x'!A1" is one part. A 3-D prefix ('Jan:Dec!B2') comes
    back as two parts, [(None, 'Jan'), ('Dec', 'B2')]; join_3d() puts it together.
    """
    parts: list[tuple[str | None, str]] = []
    sheet: str | None = None
    buf: list[str] = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "'" and depth == 0:
            j = i + 1
            while j < n and not (text[j] == "'" and text[j + 1:j + 2] != "'"):
                j += 2 if text[j] == "'" else 1
            buf.append(text[i:j + 1])
            i = j + 1
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0 and ch == "!" and sheet is None:
            sheet, buf = "".join(buf), []
            i += 1
            continue
        elif depth == 0 and ch == ":":
            parts.append((sheet, "".join(buf)))
            sheet, buf = None, []
            i += 1
            continue
        buf.append(ch)
        i += 1
    parts.append((sheet, "".join(buf)))
    return parts


def join_3d(parts: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """Turn [(None, 'Jan'), ('Dec', 'B2')] into [("Jan:Dec", 'B2')] (a 3-D sheet span)."""
    out: list[tuple[str | None, str]] = []
    i = 0
    while i < len(parts):
        sheet, body = parts[i]
        if (sheet is None and i + 1 < len(parts) and parts[i + 1][0] is not None
                and "[" not in body and body and not body.startswith("$")):
            nxt_sheet, nxt_body = parts[i + 1]
            out.append((f"{body}:{unquote(nxt_sheet or '')}", nxt_body))
            i += 2
            continue
        out.append((unquote(sheet) if sheet is not None else None, body))
        i += 1
    return out


def unquote(sheet: str) -> str:
    """"'Bob''s Plan'" -> "Bob's Plan"; unquoted text unchanged."""
    if len(sheet) >= 2 and sheet[0] == "'" and sheet[-1] == "'":
        return sheet[1:-1].replace("''", "'")
    return sheet


def quote_sheet(sheet: str) -> str:
    """A sheet name as Excel writes it in a formula (quoted when it needs to be)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) and not _CELL.match(sheet) \
            and not re.fullmatch(r"[Rr][0-9]*[Cc][0-9]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"
