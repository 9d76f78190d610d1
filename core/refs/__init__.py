"""Reference extraction: which cells and ranges every formula reads (issue 3, part 1).

    ctx = WorkbookContext.from_info(info)
    cache = ShapeCache(ctx)
    refs = cache.refs("=SUM(A1:A9)*Rate", sheet="Plan", row=10, col=2)

`extract_references` is the one-call form; the graph stage keeps one ShapeCache per workbook so each
distinct formula shape is tokenized once.

Ranges are what the formula reads, as Excel reads them: a range in a value position of a plain
(not array) formula is read by implicit intersection — `=Beg_Bal*rate` in row 20 reads only
row 20 of Beg_Bal — and references used only for their position (ROW(A1), OFFSET's base, ...)
are not read at all: they come back in FormulaRefs.reference_only. See core.refs.params.
"""

from __future__ import annotations

from openpyxl.formula.tokenizer import Token

from core.addressing import MAX_COL, MAX_ROW
from core.refs.context import TableGeom, WorkbookContext
from core.refs.extract import (
    C1,
    C2,
    R1,
    R2,
    WRAP,
    Item,
    Template,
    build_template,
    normalise_function,
    tokenize,
)
from core.refs.lexer import absolute_text, digit_runs, digit_skeleton, digit_spec, quote_sheet, shape_key
from core.refs.model import (
    DYNAMIC_FUNCTIONS,
    NAME_ERROR,
    REF_ERROR,
    FormulaRefs,
    RangeRef,
    clamp_col,
    clamp_row,
)
from core.workbook import WorkbookInfo

__all__ = ["DYNAMIC_FUNCTIONS", "NAME_ERROR", "REF_ERROR", "FormulaRefs", "RangeRef", "ShapeCache",
           "TableGeom", "Template", "WorkbookContext", "extract_references", "instantiate",
           "normalise_function", "quote_sheet", "shape_key", "to_absolute"]

# (ranges read, externals, broken, reference-only ranges)
Instance = tuple[list[RangeRef], list[RangeRef], list[RangeRef], list[RangeRef]]


def _shift(items: tuple[Item, ...], row: int, col: int) -> list[RangeRef]:
    out: list[RangeRef] = []
    for _, sh, r1, c1, r2, c2, mask, clip in items:
        if mask == 15:          # the common case: a plain relative reference in a cell formula
            out.append(RangeRef(sh, r1 + row, c1 + col, r2 + row, c2 + col))  # type: ignore[arg-type]
            continue
        if mask:
            wrap = mask & WRAP
            if mask & R1:
                r1 = clamp_row(r1 + row) if wrap else r1 + row
            if mask & C1:
                c1 = clamp_col(c1 + col) if wrap else c1 + col
            if mask & R2:
                r2 = clamp_row(r2 + row) if wrap else r2 + row
            if mask & C2:
                c2 = clamp_col(c2 + col) if wrap else c2 + col
            if clip is not None and not clip[0] <= r1 <= clip[1]:
                continue
        if r1 > r2:
            r1, r2 = r2, r1
        if c1 > c2:
            c1, c2 = c2, c1
        out.append(RangeRef(sh, r1, c1, r2, c2))  # type: ignore[arg-type]  # sheets resolved by run()
    return out


def _intersect(rects: list[RangeRef], row: int, col: int) -> list[RangeRef]:
    """Implicit intersection with the formula cell at (row, col): a column range gives its cell in
    that row, a row range its cell in that column, none when the cell lies outside (Excel's
    #VALUE!: nothing is read). Two-dimensional ranges are kept whole (read at least as much)."""
    out = []
    for rect in rects:
        sheet, r1, c1, r2, c2 = rect
        if c1 == c2 and r1 != r2:
            if r1 <= row <= r2:
                out.append(RangeRef(sheet, row, c1, row, c1))
        elif r1 == r2 and c1 != c2:
            if c1 <= col <= c2:
                out.append(RangeRef(sheet, r1, col, r1, col))
        else:
            out.append(rect)
    return out


def _inside(a: RangeRef, b: RangeRef) -> bool:
    return (a.sheet == b.sheet and b.first_row <= a.first_row and a.last_row <= b.last_row
            and b.first_col <= a.first_col and a.last_col <= b.last_col)


def instantiate(tmpl: Template, sheet: str, row: int, col: int) -> Instance:
    """The template's (ranges, externals, broken, reference-only) for the cell at (sheet, row, col).

    *sheet* is the sheet the template was built for (it is part of the shape key).
    """
    ranges = _shift(tmpl.ranges, row, col)
    if tmpl.intersect:
        whole = ranges
        ranges = whole + [c for c in _intersect(_shift(tmpl.intersect, row, col), row, col)
                          if not any(_inside(c, w) for w in whole)]
        ranges = list(dict.fromkeys(ranges))
    elif tmpl.needs_dedupe:
        ranges = list(dict.fromkeys(ranges))
    refonly = _shift(tmpl.refonly, row, col) if tmpl.refonly else []
    if refonly:
        refonly = list(dict.fromkeys(refonly))
    return (ranges, _shift(tmpl.externals, row, col) if tmpl.externals else [],
            _shift(tmpl.broken, row, col) if tmpl.broken else [], refonly)


class ShapeCache:
    """Templates by shape key (sheet, enclosing table, relative R1C1 text): tokenize once per shape.

    In front of it sits a cheaper pre-key for formulas copied down a column: (sheet, column, the text
    with digit runs masked) plus a check that the digit runs are the expected ones shifted by the row.
    """

    def __init__(self, ctx: WorkbookContext) -> None:
        self.ctx = ctx
        self.templates: dict[tuple[str, str | None, str, bool], Template] = {}
        self._static: dict[tuple[str, str | None, str, bool], Instance] = {}
        self._fast: dict[tuple[str, int, str, bool], tuple[Template, Instance | None, tuple]] = {}
        self.tokenized = 0

    def template(self, formula: str, sheet: str, row: int, col: int,
                 array: bool = False) -> tuple[Template, Instance | None]:
        """The formula's Template, plus its instance when it has no relative parts (shared, read-only).

        array: the cell holds an array formula (no implicit intersection in it).
        """
        fast_key = None
        if "[" not in formula:
            fast_key = (sheet, col, digit_skeleton(formula), array)
            hit = self._fast.get(fast_key)
            if hit is not None and digit_runs(formula) == [
                    str(v + row) if rel else v for rel, v in hit[2]]:
                return hit[0], hit[1]
        tmpl, inst = self._by_shape(formula, sheet, row, col, array)
        if fast_key is not None:
            self._fast[fast_key] = (tmpl, inst, digit_spec(formula, row))
        return tmpl, inst

    def _by_shape(self, formula: str, sheet: str, row: int, col: int,
                  array: bool) -> tuple[Template, Instance | None]:
        table = None
        if "[" in formula and self.ctx.has_tables():
            table = self.ctx.table_at(sheet, row, col)
        key = (sheet, table.name if table else None, shape_key(formula, row, col), array)
        tmpl = self.templates.get(key)
        if tmpl is None:
            tmpl = build_template(formula, self.ctx, sheet, row, col, table, array)
            self.templates[key] = tmpl
            self.tokenized += 1
            if not tmpl.relative:
                self._static[key] = instantiate(tmpl, sheet, row, col)
        return tmpl, self._static.get(key)

    def refs(self, formula: str, sheet: str, row: int, col: int, array: bool = False) -> FormulaRefs:
        """The FormulaRefs of one formula cell. Never raises on bad formulas (see parse_error)."""
        tmpl, inst = self.template(formula, sheet, row, col, array)
        if inst is None:
            inst = instantiate(tmpl, sheet, row, col)
        ranges, ext, broken, refonly = inst
        return FormulaRefs(tuple(ranges), tuple(ext), tuple(broken), tmpl.dynamic,
                           tmpl.parse_error, tmpl.functions, tuple(refonly))


def extract_references(formula: str, *, sheet: str, row: int, col: int,
                       names: WorkbookContext | WorkbookInfo,
                       cache: ShapeCache | None = None, array: bool = False) -> FormulaRefs:
    """Every range *formula* in (sheet, row, col) reads. Never raises: problems are in the result.

    array: the cell holds an array formula (its ranges are read whole, never intersected).
    """
    if cache is None:
        ctx = names if isinstance(names, WorkbookContext) else WorkbookContext.from_info(names)
        cache = ShapeCache(ctx)
    return cache.refs(formula, sheet, row, col, array)


def to_absolute(formula: str, row: int, col: int) -> str:
    """The formula with its A1 references made absolute ($A$1) for the cell at (row, col).

    Relative references in A1 text already name their target from the cell holding them, so the
    cell position only validates. Raises ValueError on a bad position or an untokenizable formula.
    """
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise ValueError(f"cell ({row}, {col}) is outside the sheet")
    tokens = tokenize(formula if formula.startswith("=") else "=" + formula)
    out = []
    for tok in tokens:
        if (tok.type == Token.OPERAND and tok.subtype == Token.RANGE) or tok.type == Token.FUNC:
            out.append(absolute_text(tok.value))
        else:
            out.append(tok.value)
    return "=" + "".join(out)
