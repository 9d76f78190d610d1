"""How Excel treats each function argument: read whole, read one cell, or not read at all.

Excel (before dynamic arrays, i.e. every formula that is not an array formula) gives each function
parameter a class. A reference written directly as an argument is

- 'R'  reference parameter: read whole (SUM(A1:A9) reads nine cells);
- 'V'  value parameter: read by implicit intersection, the one cell of the range in the formula's
       row (vertical range) or column (horizontal range) — ABS(A1:A9) in B5 reads A5;
- 'A'  array parameter: the argument and everything nested in it is evaluated as an array, so
       every range inside it is read whole (SUMPRODUCT(A1:A9*B1:B9));
- 'P'  passed through: the function returns this argument as a reference, so it is read the way
       the call itself is used (IF(c, A1:A9) at the top of a formula intersects, inside SUM not);
- 'N'  not read: only the reference's position or shape is used (ROW, ROWS, OFFSET's base, ...);
- 'I'  explicit intersection (_xlfn.SINGLE, written '@' in Excel's UI).

Operands of operators (+, *, &, =, ...) are values: read by implicit intersection unless an 'A'
parameter (or an array formula) encloses them. Functions not in these tables are taken as 'A'
everywhere: every range read whole, the conservative behaviour (never a missed dependency).

Sources: Excel's function documentation, and the parameter classes Excel's own file format
records per function (as tabulated by spreadsheet importers, e.g. LibreOffice's OOXML filter).
Where in doubt a parameter is listed as 'R' or 'P' rather than 'V': those read at least as much.
"""

from __future__ import annotations

# Every parameter is a value (intersected when given a range).
_VALUE = frozenset("""
ABS ACOS ACOSH ADDRESS ASIN ASINH ATAN ATAN2 ATANH BINOM.DIST.RANGE CHAR CLEAN CODE CONCATENATE COS COSH DATE
DATEDIF DATEVALUE DAY DAYS360 DB DDB DEGREES DOLLAR EVEN EXACT EXP FACT FIND FIXED FV HOUR INDIRECT
INT IPMT ISBLANK ISERR ISERROR ISLOGICAL ISNA ISNONTEXT ISNUMBER ISPMT ISTEXT LEFT LEN LN LOG
LOG10 LOWER MID MINUTE MOD MONTH NOT NPER ODD PI PMT POWER PPMT PROPER PV RADIANS RATE REPLACE
REPT RIGHT ROUND ROUNDDOWN ROUNDUP SEARCH SECOND SIGN SIN SINH SLN SQRT SUBSTITUTE SYD TAN TANH
TEXT TIME TIMEVALUE TRIM TRUNC UPPER VALUE VDB WEEKDAY YEAR
BESSELI BESSELJ BESSELK BESSELY COMPLEX IMABS IMAGINARY IMARGUMENT IMCONJUGATE IMCOS IMCOSH IMCOT IMCSC
IMCSCH IMDIV IMEXP IMLN IMLOG10 IMLOG2 IMPOWER IMREAL IMSEC IMSECH IMSIN IMSINH IMSQRT IMSUB IMTAN
""".split())

# Every parameter takes a reference whole (direct ranges are read whole, operator expressions
# inside them are still values).
_RANGE = frozenset("""
AND AVEDEV AVERAGE AVERAGEA COUNT COUNTA COUNTBLANK DEVSQ EDATE EOMONTH GEOMEAN HARMEAN KURT
MAX MAXA MEDIAN MIN MINA N NETWORKDAYS OR PRODUCT SKEW STDEV STDEV.P STDEV.S STDEVA STDEVP
STDEVPA SUM SUMSQ T VAR VAR.P VAR.S VARA VARP VARPA WORKDAY YEARFRAC
""".split())

# Per-position classes; the last entry repeats for further arguments.
_POSITIONAL: dict[str, tuple[str, ...]] = {
    "IF": ("V", "P"),
    "CHOOSE": ("V", "P"),
    "IFERROR": ("P",),            # value class in Excel's table; 'P' reads at least as much
    "IFNA": ("P",),
    "INDEX": ("A", "V"),          # INDEX(A:A, n) keeps the whole range: its cell is chosen at run time
    "MATCH": ("V", "R", "V"),
    "VLOOKUP": ("V", "R", "V"),
    "HLOOKUP": ("V", "R", "V"),
    "LOOKUP": ("V", "A"),
    "SUMIF": ("R", "V", "R"),
    "AVERAGEIF": ("R", "V", "R"),
    "COUNTIF": ("R", "V"),
    "COUNTIFS": ("R", "V"),       # pairs (range, criteria) repeat: see _pairs()
    "SUMIFS": ("R", "R", "V"),
    "AVERAGEIFS": ("R", "R", "V"),
    "MAXIFS": ("R", "R", "V"),
    "MINIFS": ("R", "R", "V"),
    "SUBTOTAL": ("V", "R"),
    "LARGE": ("R", "V"),
    "SMALL": ("R", "V"),
    "PERCENTILE": ("R", "V"),
    "QUARTILE": ("R", "V"),
    "RANK": ("V", "R", "V"),
    "RANK.EQ": ("V", "R", "V"),
    "RANK.AVG": ("V", "R", "V"),
    "NPV": ("V", "R"),
    "DAVERAGE": ("R", "V", "R"),    # database, field, criteria
    "DCOUNT": ("R", "V", "R"),
    "DCOUNTA": ("R", "V", "R"),
    "DGET": ("R", "V", "R"),
    "DMAX": ("R", "V", "R"),
    "DMIN": ("R", "V", "R"),
    "DPRODUCT": ("R", "V", "R"),
    "DSTDEV": ("R", "V", "R"),
    "DSTDEVP": ("R", "V", "R"),
    "DSUM": ("R", "V", "R"),
    "DVAR": ("R", "V", "R"),
    "DVARP": ("R", "V", "R"),
    "XIRR": ("R", "R", "V"),     # values, dates, guess
    "XNPV": ("V", "R", "R"),     # rate, values, dates
    "SINGLE": ("I",),
    # Reference-only parameters (the value of the cells is never read).
    "ROW": ("N",),
    "COLUMN": ("N",),
    "ROWS": ("N",),
    "COLUMNS": ("N",),
    "AREAS": ("N",),
    "ISREF": ("N",),
    "FORMULATEXT": ("N",),
    "ISFORMULA": ("N",),
    "SHEET": ("N",),
    "SHEETS": ("N",),
    "OFFSET": ("N", "V"),         # the base only positions the result (the result itself is read)
}

# (range, criteria) pairs after a fixed head: position -> class cycles through the pair.
_PAIRS = {"COUNTIFS": 0, "SUMIFS": 1, "AVERAGEIFS": 1, "MAXIFS": 1, "MINIFS": 1}

# CELL(info_type, reference): these info types describe the cell's place or format, not its
# content. 'contents', 'type' and 'prefix' depend on the content, and an info type computed at
# run time may be any of them: those read the reference.
CELL_NO_READ = frozenset({"address", "col", "row", "filename", "format", "color", "parentheses",
                          "protect", "width"})


def param_class(name: str, index: int, cell_info: str | None = None) -> str:
    """The class ('R', 'V', 'A', 'P', 'N', 'I') of argument *index* (0-based) of function *name*.

    *cell_info* is CELL's first argument when it is a text literal (lower case, unquoted).
    Never raises: unknown functions give 'A'.
    """
    if name in _VALUE:
        return "V"
    if name in _RANGE:
        return "R"
    if name == "CELL":
        if index == 0:
            return "V"
        return "N" if cell_info in CELL_NO_READ else "R"
    classes = _POSITIONAL.get(name)
    if classes is None:
        return "A"
    head = _PAIRS.get(name)
    if head is not None and index >= head:
        return ("R", "V")[(index - head) % 2]
    return classes[min(index, len(classes) - 1)]
