"""Shared formulas translated for every cell they cover, exactly as openpyxl's Translator does it, but
tokenizing each master formula once: the master becomes a template of literal text and reference
operands whose unanchored rows/columns are shifted per cell."""

from __future__ import annotations

import re

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils.cell import column_index_from_string, get_column_letter

# The same patterns as openpyxl.formula.translate.Translator, so edge cases classify identically.
ROW_RANGE_RE = re.compile(r"(\$?[1-9][0-9]{0,6}):(\$?[1-9][0-9]{0,6})$")
COL_RANGE_RE = re.compile(r"(\$?[A-Za-z]{1,3}):(\$?[A-Za-z]{1,3})$")
CELL_REF_RE = re.compile(r"(\$?[A-Za-z]{1,3})(\$?[1-9][0-9]{0,6})$")
REF_ERROR = "#REF!"
# openpyxl accepts columns up to ZZZ (18278) when shifting, beyond Excel's XFD.
_COL_LETTERS = {i: get_column_letter(i) for i in range(1, 18279)}

# A segment is a fixed string, or (ROW, n) / (COL, n) for a relative row number / column index.
ROW, COL = 0, 1
Segment = str | tuple[int, int]


class OutOfRange(Exception):
    """A shifted reference falls off the top or left of the sheet (Excel writes #REF!)."""


def _row_segment(text: str) -> Segment:
    return text if text.startswith("$") else (ROW, int(text))


def _col_segment(text: str) -> Segment:
    if text.startswith("$"):
        return text
    try:
        return (COL, column_index_from_string(text))
    except ValueError:
        return (COL, 0)  # openpyxl fails on any shift of such a column: keep it failing


def _range_segments(range_str: str) -> list[Segment]:
    """Translator.translate_range, split into the segments that shift."""
    match = ROW_RANGE_RE.match(range_str)
    if match is not None:
        return [_row_segment(match.group(1)), ":", _row_segment(match.group(2))]
    match = COL_RANGE_RE.match(range_str)
    if match is not None:
        return [_col_segment(match.group(1)), ":", _col_segment(match.group(2))]
    if ":" in range_str:
        out: list[Segment] = []
        for i, piece in enumerate(range_str.split(":")):
            if i:
                out.append(":")
            out.extend(_range_segments(piece))
        return out
    match = CELL_REF_RE.match(range_str)
    if match is None:
        return [range_str]  # a defined name
    return [_col_segment(match.group(1)), _row_segment(match.group(2))]


def _operand_segments(value: str) -> list[Segment]:
    ws_part = ""
    if "!" in value:
        sheet, value = value.rsplit("!", 1)
        ws_part = sheet + "!"
    segs = _range_segments(value)
    return [ws_part, *segs] if ws_part else segs


def _render_operand(segs: list[Segment], drow: int, dcol: int) -> str:
    out: list[str] = []
    for seg in segs:
        if isinstance(seg, str):
            out.append(seg)
            continue
        kind, n = seg
        if kind == ROW:
            n += drow
            if n <= 0:
                raise OutOfRange
            out.append(str(n))
        else:
            letters = _COL_LETTERS.get(n + dcol) if n else None
            if letters is None:
                raise OutOfRange
            out.append(letters)
    return "".join(out)


class SharedFormula:
    """One master formula ('=...') at (row, col), renderable at any other cell."""

    __slots__ = ("row", "col", "literal", "pieces")

    def __init__(self, formula: str, row: int, col: int) -> None:
        self.row = row
        self.col = col
        self.literal: str | None = None
        self.pieces: list[str | list[Segment]] = []
        try:
            tokens = Tokenizer(formula).items
        except TokenizerError:
            tokens = []
            self.literal = formula  # unparsable: every covered cell gets the master text unshifted
        if not tokens:
            self.literal = self.literal if self.literal is not None else ""
        elif tokens[0].type == Token.LITERAL:
            self.literal = tokens[0].value
        else:
            self._build(tokens)

    def _build(self, tokens: list[Token]) -> None:
        text = ["="]
        for tok in tokens:
            if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
                if text:
                    self.pieces.append("".join(text))
                    text = []
                self.pieces.append(_operand_segments(tok.value))
            else:
                text.append(tok.value)
        if text:
            self.pieces.append("".join(text))

    def render(self, row: int, col: int) -> str:
        """The formula translated to (row, col); an operand shifted off the sheet becomes #REF!."""
        if self.literal is not None:
            return self.literal
        drow, dcol = row - self.row, col - self.col
        out: list[str] = []
        for piece in self.pieces:
            if piece.__class__ is str:
                out.append(piece)  # type: ignore[arg-type]
                continue
            try:
                out.append(_render_operand(piece, drow, dcol))  # type: ignore[arg-type]
            except OutOfRange:
                ws = piece[0] if piece and isinstance(piece[0], str) and piece[0].endswith("!") else ""
                out.append(ws + REF_ERROR)
        return "".join(out)
