"""Structured (table) references: Sales[Amount], Sales[[#Totals],[Amount]], [@Qty], ..."""

from __future__ import annotations

from dataclasses import dataclass

from core.refs.context import TableGeom


@dataclass(frozen=True)
class Structured:
    """A structured reference taken apart: table name ('' = the table the formula is in)."""

    table: str
    specials: frozenset[str]          # '#ALL', '#DATA', '#HEADERS', '#TOTALS', '#THIS ROW'
    columns: tuple[str, ...]          # none (all columns), one, or two (a column span)
    this_row: bool


def _read_item(inner: str, i: int) -> tuple[str, int]:
    """Read '[...]' starting at inner[i] == '['; "'" escapes the next character. Raises ValueError."""
    out: list[str] = []
    i += 1
    while i < len(inner):
        ch = inner[i]
        if ch == "'" and i + 1 < len(inner):
            out.append(inner[i + 1])
            i += 2
            continue
        if ch == "]":
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise ValueError("unterminated '[' in structured reference")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "'" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out)


def parse_structured(body: str) -> Structured:
    """Take 'Sales[[#Totals],[Amount]]' apart. Raises ValueError on malformed text."""
    start = body.index("[")
    if not body.endswith("]"):
        raise ValueError(f"malformed structured reference {body!r}")
    table, inner = body[:start], body[start + 1:-1].strip()
    this_row = inner.startswith("@")
    if this_row:
        inner = inner[1:].strip()
    items: list[str] = []
    if "[" not in inner:
        items = [_unescape(inner)] if inner else []
    else:
        i = 0
        while i < len(inner):
            ch = inner[i]
            if ch == "[":
                item, i = _read_item(inner, i)
                items.append(item)
            elif ch == ":":
                items.append(":")
                i += 1
            elif ch in ", ":
                i += 1
            else:
                raise ValueError(f"unexpected {ch!r} in structured reference {body!r}")
    specials = frozenset(x.strip().upper() for x in items if x.strip().startswith("#"))
    columns = tuple(x for x in items if x != ":" and not x.strip().startswith("#"))
    if len(columns) > 2:
        raise ValueError(f"too many columns in structured reference {body!r}")
    return Structured(table, specials, columns, this_row or "#THIS ROW" in specials)


def structured_rows(t: TableGeom, specials: frozenset[str]) -> tuple[int, int] | None:
    """The absolute row span the specifiers select (#Data by default); None when it is empty."""
    spans = []
    for sp in specials or frozenset({"#DATA"}):
        if sp == "#ALL":
            spans.append((t.first_row, t.last_row))
        elif sp == "#DATA":
            spans.append((t.data_first, t.data_last))
        elif sp == "#HEADERS" and t.header_rows:
            spans.append((t.first_row, t.first_row + t.header_rows - 1))
        elif sp == "#TOTALS" and t.totals_rows:
            spans.append((t.last_row - t.totals_rows + 1, t.last_row))
    spans = [s for s in spans if s[0] <= s[1]]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def structured_cols(t: TableGeom, columns: tuple[str, ...]) -> tuple[int, int] | None:
    """The absolute column span; None when a column name is unknown."""
    if not columns:
        return t.first_col, t.last_col
    found = [t.column_index(c) for c in columns]
    if any(c is None for c in found):
        return None
    nums = [c for c in found if c is not None]
    return min(nums), max(nums)
