"""Formula -> references, through openpyxl's tokenizer, once per formula shape.

A formula is tokenized at its first occurrence into a Template whose relative coordinates are stored
as offsets from that cell; every later formula with the same shape key (relative R1C1 text, sheet,
enclosing table) reuses the template by adding its own row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

from core.addressing import MAX_COL, MAX_ROW
from core.refs.context import TableGeom, WorkbookContext
from core.refs.lexer import Coord, join_3d, parse_cell_part, parse_col_part, parse_row_part, split_operand
from core.refs.merge import merge_ranges
from core.refs.model import DYNAMIC_FUNCTIONS, NAME_ERROR, REF_ERROR, RangeRef
from core.refs.structured import parse_structured, structured_cols, structured_rows
from core.refs.walk import INHERIT, INTERSECT, WHOLE, classify

R1, C1, R2, C2 = 1, 2, 4, 8   # bits of Item.mask: which coordinates are relative offsets
WRAP = 16                     # relative parts wrap around the sheet edge (references in names)
_INVARIANT = (0, R1 | R2, C1 | C2, R1 | C1 | R2 | C2)   # masks whose merges survive any shift
# (kind, sheet, r1, c1, r2, c2, mask, clip): kind 'r' workbook range read whole (sheet None = the
# formula's own sheet), 'i' read by implicit intersection, 'n' not read (reference only), 'h' read
# the way the defined name holding it is used (names only), 'x' external ('[1]Sheet1'), 'b' broken;
# clip = (first, last) row for this-row refs.
Item = tuple[str, str | None, int, int, int, int, int, tuple[int, int] | None]
_CELL_SHAPED = re.compile(r"\$?[A-Za-z]{1,3}\$?[0-9]+$")
_ALL_ROWS = (Coord(1, False), Coord(MAX_ROW, False))
_ALL_COLS = (Coord(1, False), Coord(MAX_COL, False))


@dataclass(frozen=True)
class Template:
    """The references of one formula shape, relative parts as offsets from the anchor cell.

    ranges are already merged (see merge_items); needs_dedupe says whether instances can still
    repeat a range (items with different relativity on one sheet). intersect items ('i', or 'h'
    in a defined name's template) become one cell per instance; refonly items ('n') are lineage
    without a dependency.
    """

    ranges: tuple[Item, ...] = ()
    externals: tuple[Item, ...] = ()
    broken: tuple[Item, ...] = ()
    dynamic: bool = False
    parse_error: str | None = None
    functions: frozenset[str] = frozenset()
    relative: bool = False              # an instance depends on the cell (shifts, intersections)
    needs_dedupe: bool = False
    intersect: tuple[Item, ...] = ()
    refonly: tuple[Item, ...] = ()

    @property
    def items(self) -> tuple[Item, ...]:
        """All items, kinds mixed (what names contribute to the formulas using them)."""
        return self.ranges + self.intersect + self.refonly + self.externals + self.broken


def normalise_function(token_value: str) -> str:
    """'_xlfn.STDEV.S(' -> 'STDEV.S'."""
    name = token_value.rstrip("(").strip().lstrip("@").upper()
    while name.startswith(("_XLFN.", "_XLWS.")):
        name = name[6:]
    return name


def tokenize(text: str) -> list[Token]:
    """openpyxl's tokens for *text* ('=...'), plus the bracket check it leaves out. Raises ValueError."""
    try:
        tok = Tokenizer(text)
    except (TokenizerError, IndexError, AssertionError) as exc:
        raise ValueError(str(exc) or f"unbalanced ')' or '}}' in {text!r}") from exc
    if tok.token_stack:
        raise ValueError(f"unclosed '(' or '{{' in {text!r}")
    return list(tok.items)


class _Builder:
    """Collects the items of one formula (or one defined name's formula).

    top/array: the context the formula's top level is evaluated in (see core.refs.walk).
    """

    def __init__(self, ctx: WorkbookContext, sheet: str, row: int, col: int,
                 table: TableGeom | None, stack: frozenset[tuple[str, str]],
                 top: str = INTERSECT, array: bool = False) -> None:
        self.ctx, self.sheet, self.row, self.col = ctx, sheet, row, col
        self.table, self.stack = table, stack
        self.top, self.array = top, array
        self.cls = WHOLE                  # how the operand being resolved is read
        self.items: list[Item] = []
        self.dynamic = False
        self.functions: set[str] = set()
        self.unknown_names: list[str] = []
        self.local_names = False

    def run(self, formula: str) -> Template:
        text = formula.strip()
        if text.startswith("{") and text.endswith("}"):
            text = text[1:-1]                 # '{=...}': an array formula written as Excel shows it
            self.top, self.array = WHOLE, True
        if not text.startswith("="):
            text = "=" + text
        try:
            tokens = tokenize(text)
        except ValueError as exc:
            return Template((), parse_error=str(exc))
        classes = classify(tokens, self.top, self.array, normalise_function)
        for i, tok in enumerate(tokens):
            self.cls = classes.get(i, WHOLE)
            self._token(tok)
        if not self.local_names:
            for _ in self.unknown_names:
                self._broken(NAME_ERROR)
        items: list[Item] = [("r" if k == "i" and _single_cell(r1, c1, r2, c2, m) else k,
                              sh if sh is not None or k in "xb" else self.sheet, r1, c1, r2, c2, m, clip)
                             for k, sh, r1, c1, r2, c2, m, clip in dict.fromkeys(self.items)]
        ranges, dedupe = merge_items([it for it in items if it[0] == "r"])
        intersect = tuple(it for it in items if it[0] in "ih")
        return Template(tuple(ranges), tuple(it for it in items if it[0] == "x"),
                        tuple(it for it in items if it[0] == "b"), self.dynamic, None,
                        frozenset(self.functions), any(it[6] for it in items) or bool(intersect),
                        dedupe, intersect, tuple(it for it in items if it[0] == "n"))

    def _token(self, tok: Token) -> None:
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            name = tok.value[:-1]
            if ":" in name:
                prefix, name = name.rsplit(":", 1)
                if prefix:
                    self.operand(prefix)
            fname = normalise_function(name)
            if fname:
                self.functions.add(fname)
                self.dynamic |= fname in DYNAMIC_FUNCTIONS
                self.local_names |= fname in ("LET", "LAMBDA")
        elif tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
            self.operand(tok.value.lstrip(":").lstrip("@"))
        elif tok.type == Token.OPERAND and tok.subtype == Token.ERROR and tok.value.endswith("#REF!"):
            self._broken(REF_ERROR)

    def _broken(self, what: str) -> None:
        self.items.append(("b", what, 0, 0, 0, 0, 0, None))

    def _emit(self, kind: str, sheet: str | None, r1: Coord, c1: Coord, r2: Coord, c2: Coord,
              clip: tuple[int, int] | None = None) -> None:
        mask = (R1 if r1.relative else 0) | (C1 if c1.relative else 0) \
            | (R2 if r2.relative else 0) | (C2 if c2.relative else 0)
        if kind == "r":
            kind = self.cls
        self.items.append((kind, sheet,
                           r1.value - self.row if r1.relative else r1.value,
                           c1.value - self.col if c1.relative else c1.value,
                           r2.value - self.row if r2.relative else r2.value,
                           c2.value - self.col if c2.relative else c2.value, mask, clip))

    def _targets(self, prefix: str | None) -> tuple[str, list[str | None]]:
        """('r', sheets) | ('x', ['[1]Sheet1']) | ('b', [missing]) for a sheet prefix."""
        if not prefix:
            return "r", [None]
        if "]" in prefix:
            return "x", [prefix]
        if ":" in prefix:
            first, last = prefix.split(":", 1)
            span = self.ctx.sheet_span(first, last)
            return ("r", list(span)) if span else ("b", [prefix])
        sheet = self.ctx.sheet(prefix)
        return ("r", [sheet]) if sheet else ("b", [prefix])

    def operand(self, text: str) -> None:
        parts = join_3d(split_operand(text))
        prefix = parts[0][0]
        bodies = [b for _, b in parts]
        if len(bodies) == 2:
            area = _area2(bodies[0], bodies[1])
            if area is not None:
                self._area(prefix, area)
                return
        if len(bodies) > 2 and all(parse_cell_part(b) for b in bodies):
            for a, b in zip(bodies, bodies[1:], strict=False):
                area = _area2(a, b)
                if area is not None:
                    self._area(prefix, area)
            return
        for sheet, body in parts:
            self._single(sheet if sheet is not None else prefix, body)

    def _area(self, prefix: str | None, area: tuple[Coord, Coord, Coord, Coord]) -> None:
        kind, targets = self._targets(prefix)
        if len(targets) > 1 and self.cls in (INTERSECT, INHERIT):
            self.cls = WHOLE              # a 3-D reference is not intersected: read it all
        for t in targets:
            self._emit(kind, t, *area)

    def _single(self, prefix: str | None, body: str) -> None:
        body = body.strip()
        if not body:
            return
        if body.upper() == "#REF!":
            self._broken(REF_ERROR)
            return
        cell = parse_cell_part(body)
        if cell is not None:
            self._area(prefix, (cell[0], cell[1], cell[0], cell[1]))
            return
        if _CELL_SHAPED.match(body):
            self._broken(REF_ERROR)     # looks like a cell but lies outside the sheet
            return
        kind, targets = self._targets(prefix)
        if kind == "x":
            self.items.append(("x", f"{targets[0]}!{body}", 0, 0, 0, 0, 0, None))
        elif "[" in body:
            self._structured(body)
        elif kind == "b" and prefix is not None:
            self._broken(prefix)
        else:
            self._name(body, targets[0] if prefix else None)

    def _structured(self, body: str) -> None:
        try:
            st = parse_structured(body)
        except ValueError:
            self._broken(REF_ERROR)
            return
        table = self.ctx.table(st.table) if st.table else self.table
        if table is None:
            self._broken(NAME_ERROR)
            return
        cols = structured_cols(table, st.columns)
        if cols is None:
            self._broken(REF_ERROR)
            return
        c1, c2 = Coord(cols[0], False), Coord(cols[1], False)
        if st.this_row:
            here = Coord(self.row, True)
            self._emit("r", table.sheet, here, c1, here, c2, (table.data_first, table.data_last))
            return
        rows = structured_rows(table, st.specials)
        if rows is None:
            self._broken(REF_ERROR)
            return
        self._emit("r", table.sheet, Coord(rows[0], False), c1, Coord(rows[1], False), c2)

    def _name(self, name: str, qualifier: str | None) -> None:
        if name.upper().startswith("_XLPM."):
            return            # a LET / LAMBDA parameter, not a workbook name
        dn = self.ctx.name(name, qualifier or self.sheet)
        if dn is None:
            table = self.ctx.table(name) if qualifier is None else None
            if table is not None:
                self._structured(f"{table.name}[]")
            else:
                self.unknown_names.append(name)
            return
        key = (dn.name.upper(), (dn.scope or "").upper())
        if key in self.stack:
            self._broken(NAME_ERROR)          # a name defined through itself
            return
        tmpl = name_template(self.ctx, key, dn.refers_to, self.sheet, self.stack | {key})
        if tmpl.parse_error is not None:
            self._broken(NAME_ERROR)
        use = self.cls
        self.items.extend((use if k == INHERIT else k, sh, r1, c1, r2, c2, mask | WRAP if mask else 0, clip)
                          for k, sh, r1, c1, r2, c2, mask, clip in tmpl.items)
        self.dynamic |= tmpl.dynamic
        self.functions |= tmpl.functions


def name_template(ctx: WorkbookContext, key: tuple[str, str], refers_to: str, sheet: str,
                  stack: frozenset[tuple[str, str]]) -> Template:
    """A defined name's references, relative parts relative to A1 as Excel stores them (cached)."""
    cache_key = (key[0], key[1], sheet)
    found = ctx.name_cache.get(cache_key)
    if isinstance(found, Template):
        return found
    tmpl = _Builder(ctx, sheet, 1, 1, None, stack, INHERIT, True).run(refers_to)
    ctx.name_cache[cache_key] = tmpl
    return tmpl


def merge_items(items: list[Item]) -> tuple[list[Item], bool]:
    """Merge range items per (sheet, mask) where merging commutes with shifting; True when
    instances may still hold duplicates (several groups on one sheet)."""
    groups: dict[tuple[str | None, int], list[RangeRef]] = {}
    kept: list[Item] = []
    for _, sh, r1, c1, r2, c2, mask, clip in items:
        if clip is None and mask in _INVARIANT and sh is not None:
            groups.setdefault((sh, mask), []).append(
                RangeRef(sh, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        else:
            kept.append(("r", sh, r1, c1, r2, c2, mask, clip))
    out: list[Item] = []
    for (sh, mask), refs in groups.items():
        out.extend(("r", sh, r.first_row, r.first_col, r.last_row, r.last_col, mask, None)
                   for r in merge_ranges(refs))
    out.extend(kept)
    sheets = [it[1] for it in out]
    return out, len(set(sheets)) < len(sheets)


def _single_cell(r1: int, c1: int, r2: int, c2: int, mask: int) -> bool:
    """True when the item is one cell wherever it is shifted (intersecting it changes nothing)."""
    return (r1 == r2 and c1 == c2 and bool(mask & R1) == bool(mask & R2)
            and bool(mask & C1) == bool(mask & C2))


def _area2(a: str, b: str) -> tuple[Coord, Coord, Coord, Coord] | None:
    """Two ':'-joined parts as (r1, c1, r2, c2): cell:cell, col:col or row:row; else None."""
    ca, cb = parse_cell_part(a), parse_cell_part(b)
    if ca is not None and cb is not None:
        return ca[0], ca[1], cb[0], cb[1]
    cola, colb = parse_col_part(a), parse_col_part(b)
    if cola is not None and colb is not None:
        return _ALL_ROWS[0], cola, _ALL_ROWS[1], colb
    rowa, rowb = parse_row_part(a), parse_row_part(b)
    if rowa is not None and rowb is not None:
        return rowa, _ALL_COLS[0], rowb, _ALL_COLS[1]
    return None


def build_template(formula: str, ctx: WorkbookContext, sheet: str, row: int, col: int,
                   table: TableGeom | None = None, array: bool = False) -> Template:
    """Tokenize *formula* at (sheet, row, col) into a Template; never raises on bad formulas.

    array: the formula is an array formula (nothing in it is implicitly intersected).
    """
    top = WHOLE if array else INTERSECT
    return _Builder(ctx, sheet, row, col, table, frozenset(), top, array).run(formula)
