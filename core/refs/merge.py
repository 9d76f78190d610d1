"""Merging a formula's ranges: duplicates, ranges inside others, touching ranges joined."""

from __future__ import annotations

from core.refs.model import RangeRef

_CONTAINMENT_LIMIT = 64   # above this many ranges in one formula, skip the quadratic containment pass


def merge_ranges(ranges: list[RangeRef]) -> list[RangeRef]:
    """Drop duplicates and ranges inside others; join touching ranges of equal width or height.

    The union of cells is unchanged, so both lineage and the graph can use the result.
    """
    if len(ranges) < 2:
        return ranges
    uniq = list(dict.fromkeys(ranges))
    if len(uniq) <= _CONTAINMENT_LIMIT:
        uniq = [a for i, a in enumerate(uniq)
                if not any(j != i and _inside(a, b) for j, b in enumerate(uniq))]
    if len(uniq) < 2:
        return uniq
    uniq = _join(sorted(uniq, key=lambda r: (r.sheet, r.first_col, r.last_col, r.first_row)), True)
    uniq = _join(sorted(uniq, key=lambda r: (r.sheet, r.first_row, r.last_row, r.first_col)), False)
    return uniq


def _inside(a: RangeRef, b: RangeRef) -> bool:
    """a inside b (and not equal: duplicates are gone already)."""
    return (a.sheet == b.sheet and b.first_row <= a.first_row and a.last_row <= b.last_row
            and b.first_col <= a.first_col and a.last_col <= b.last_col)


def _join(ranges: list[RangeRef], vertical: bool) -> list[RangeRef]:
    out: list[RangeRef] = []
    for r in ranges:
        if out:
            p = out[-1]
            if vertical and p.sheet == r.sheet and p.first_col == r.first_col \
                    and p.last_col == r.last_col and r.first_row <= p.last_row + 1:
                out[-1] = p._replace(last_row=max(p.last_row, r.last_row))
                continue
            if not vertical and p.sheet == r.sheet and p.first_row == r.first_row \
                    and p.last_row == r.last_row and r.first_col <= p.last_col + 1:
                out[-1] = p._replace(last_col=max(p.last_col, r.last_col))
                continue
        out.append(r)
    return out
