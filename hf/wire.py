"""The columnar load/read wire format (hf/PROTOCOL.md, "grid" and ``read_formulas``).

A parsed workbook goes to the engine as a few flat arrays per content kind (formulas deduplicated
into one string table), built with pyarrow compute, so no Python object is made per cell except the
plain ints/floats json needs. Formula values come back as columns in the order the formulas were
sent (parse/cells.arrow row order) and are scattered into a values.arrow-shaped table.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from core.addressing import parse_range
from core.stage import VALUES_SCHEMA
from core.workbook import WorkbookInfo
from hf.protocol import CellKey, EngineValue

CellOutcome = tuple[EngineValue, str, str | None]
KIND_NAMES = {"n": "number", "b": "bool", "t": "text", "e": "error", "0": "empty"}
_KIND_DICT = pa.array(["number", "bool", "text", "error", "empty"], pa.string())
_KIND_INDEX = {"n": 0, "b": 1, "t": 2, "e": 3, "0": 4}
CYCLE = "#CYCLE!"
_TYPE_NAMES = {pa.int32(): "i32", pa.float64(): "f64", pa.uint8(): "u8"}
_ROW_BITS = 1 << 14     # col < 2**14
_SHEET_BITS = 1 << 35   # row * 2**14 + col < 2**35


def array_anchor(formula: str, array_ref: str | None) -> str:
    """Array (CSE) formulas go as '{=XLARRAY(rows,cols,body)}' (no implicit intersection, see
    hf/PROTOCOL.md): XLARRAY lays the body's result over the block the formula was entered in, as
    Excel fills it (cut to the block, a one-value / one-row / one-column result repeated, #N/A
    beyond a larger result). Raises nothing."""
    if not array_ref or not formula.startswith("="):
        return formula
    try:
        r1, c1, r2, c2 = parse_range(array_ref)
    except ValueError:
        return "{=" + formula[1:] + "}"
    return f"{{=XLARRAY({r2 - r1 + 1},{c2 - c1 + 1},{formula[1:]})}}"


def _sheet_order(sheet: pa.ChunkedArray, info: WorkbookInfo) -> list[str]:
    """Workbook order, then any sheet the cells name that workbook.json does not list."""
    names = list(info.sheet_names())
    known = set(names)
    names += [s for s in pc.unique(sheet).to_pylist() if s is not None and s not in known]
    return names


def _cell_keys(sheet_idx: pa.Array, row: pa.ChunkedArray, col: pa.ChunkedArray) -> pa.Array:
    """One int64 per cell (sheet, row, col), for set membership in pyarrow."""
    s = pc.multiply(pc.cast(sheet_idx, pa.int64()), _SHEET_BITS)
    r = pc.multiply(pc.cast(row, pa.int64()), _ROW_BITS)
    return pc.add(pc.add(s, r), pc.cast(col, pa.int64()))


def _follower_keys(table: pa.Table, index: dict[str, int]) -> dict[int, int]:
    """Cells covered by an array formula other than its anchor (Excel's results, not inputs): cell key
    -> the anchor's key."""
    anchors = table.filter(pc.is_valid(table["array_ref"])).select(["sheet", "row", "col", "array_ref"])
    out: dict[int, int] = {}
    for rec in anchors.to_pylist():
        try:
            r1, c1, r2, c2 = parse_range(rec["array_ref"])
        except ValueError:
            continue
        base = index[rec["sheet"]] * _SHEET_BITS
        anchor = base + rec["row"] * _ROW_BITS + rec["col"]
        out.update((base + rr * _ROW_BITS + cc, anchor) for rr in range(r1, r2 + 1)
                   for cc in range(c1, c2 + 1) if (rr, cc) != (rec["row"], rec["col"]))
    return out


def _formula_followers(keys: pa.Array, is_formula: pa.Array, covered: dict[int, int]) -> dict[int, int]:
    """Formula position of each formula cell inside an array range -> its anchor's formula position."""
    if not covered:
        return {}
    position = {k: i for i, k in enumerate(pc.filter(keys, is_formula).to_pylist())}
    return {position[k]: position[a] for k, a in covered.items() if k in position and a in position}


def _sent_formulas(table: pa.Table) -> pa.Array:
    """The formula column with array anchors rewritten (only those rows become Python strings)."""
    formula = table["formula"].combine_chunks()
    has_array = pc.and_kleene(pc.is_valid(table["array_ref"]), pc.equal(table["cell_type"], "formula"))
    if not pc.any(has_array).as_py():
        return formula
    rows = table.filter(has_array).select(["formula", "array_ref"]).to_pylist()
    fixed = pa.array([array_anchor(r["formula"], r["array_ref"]) if r["formula"] else r["formula"]
                      for r in rows], pa.string())
    return pc.replace_with_mask(formula, has_array.combine_chunks(), fixed)


def typed(values: pa.Array | pa.ChunkedArray, typ: pa.DataType) -> dict[str, str]:
    """A null-free numeric column as {"type", "b64"}: its little-endian buffer in base64 (engine.js
    reads it as a typed array; no per-value JSON on either side). Raises ValueError on nulls."""
    arr = pc.cast(values, typ)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.null_count:
        raise ValueError("typed columns cannot hold nulls")
    width = typ.bit_width // 8
    start = arr.offset * width
    data = arr.buffers()[1].to_pybytes()[start:start + len(arr) * width] if len(arr) else b""
    return {"type": _TYPE_NAMES[typ], "b64": base64.b64encode(data).decode("ascii")}


def _group(table: pa.Table, mask: pa.Array, value: pa.Array | pa.ChunkedArray,
           value_type: pa.DataType | None) -> dict[str, Any]:
    """One content kind: typed sheet/row/col columns, values typed (numbers) or a JSON list (text)."""
    sub = table.select(["s", "row", "col"]).filter(mask)
    picked = pc.filter(value, mask)
    return {"s": typed(sub["s"], pa.int32()), "r": typed(sub["row"], pa.int32()),
            "c": typed(sub["col"], pa.int32()),
            "v": typed(picked, value_type) if value_type is not None else picked.to_pylist()}


def encode_grid(cells: pa.Table, info: WorkbookInfo) -> tuple[dict[str, Any], pa.Array, dict[int, int]]:
    """The ``grid`` of a load request, the mask of formula rows of *cells* (their values come back
    in row order) and, for formula cells inside an array range, formula position -> anchor's
    position. Raises KeyError on a malformed table."""
    names = _sheet_order(cells["sheet"], info)
    sheet_idx = pc.index_in(cells["sheet"], value_set=pa.array(names, pa.string()))
    table = cells.append_column("s", sheet_idx)
    is_formula = pc.fill_null(pc.equal(table["cell_type"], "formula"), False).combine_chunks()
    keys = _cell_keys(sheet_idx, table["row"], table["col"])
    covered = _follower_keys(table, {name: i for i, name in enumerate(names)})
    follower = pc.is_in(keys, value_set=pa.array(list(covered), pa.int64()))
    constant = pc.and_(pc.invert(is_formula), pc.invert(follower))
    raw_type = table["raw_type"]
    finite = pc.fill_null(pc.is_finite(table["raw_value"]), False)
    is_num = pc.and_(constant, pc.equal(raw_type, "number"))
    formulas = pc.dictionary_encode(_sent_formulas(table))
    grid = {
        "sheet_names": names,
        "strings": formulas.dictionary.to_pylist(),
        # A formula cell without formula text is remembered (read back as empty) but not sent: -1.
        # So is a formula cell inside another cell's array range (the reader gives such a cell the
        # empty formula '='): it holds the anchor's spilled result, which is what is read back.
        "formula": _group(table, is_formula, pc.if_else(follower, -1, pc.fill_null(formulas.indices, -1)),
                          pa.int32()),
        "number": _group(table, pc.fill_null(pc.and_(is_num, finite), False), table["raw_value"],
                         pa.float64()),
        "bool": _group(table, pc.fill_null(pc.and_(constant, pc.equal(raw_type, "bool")), False),
                       pc.not_equal(pc.fill_null(table["raw_value"], 0.0), 0.0), pa.uint8()),
        "text": _group(table, pc.fill_null(pc.and_(constant, pc.equal(raw_type, "text")), False),
                       pc.fill_null(table["raw_text"], ""), None),
        "error": _error_group(table, constant, is_num, finite),
    }
    return grid, is_formula, _formula_followers(keys, is_formula, covered)


def _error_group(table: pa.Table, constant: pa.Array, is_num: pa.Array, finite: pa.Array) -> dict[str, Any]:
    """Error constants, plus numbers that are not finite (JSON cannot carry them; Excel's #NUM!)."""
    is_err = pc.and_(constant, pc.equal(table["raw_type"], "error"))
    bad_num = pc.and_(is_num, pc.invert(finite))
    code = pc.if_else(pc.fill_null(is_err, False), pc.fill_null(table["raw_text"], "#VALUE!"), "#NUM!")
    return _group(table, pc.fill_null(pc.or_(is_err, bad_num), False), code, None)


def _outcome_columns(reply: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Per-formula Python lists from a read_formulas reply (sparse extras applied)."""
    kinds: str = reply["kind"]
    n = len(kinds)
    text: list[str | None] = [None] * n
    status: list[str] = ["ok"] * n
    detail: list[str | None] = [None] * n
    for i, t, st, de in zip(reply["xi"], reply["xtext"], reply["xstatus"], reply["xdetail"], strict=True):
        text[i] = t
        if kinds[i] == "e" and t == CYCLE:
            status[i], detail[i] = "engine_error", "circular reference not solved"
        else:
            status[i], detail[i] = st or "ok", de or None
    return {"kind": list(kinds), "num": untyped(reply["num"]), "text": text, "status": status, "detail": detail}


def untyped(column: Any) -> list[Any]:
    """A reply column as a list: JSON lists pass through, {"type", "b64"} is decoded. Raises KeyError."""
    if isinstance(column, list):
        return column
    typ = {"f64": pa.float64(), "i32": pa.int32(), "u8": pa.uint8()}[column["type"]]
    data = base64.b64decode(column["b64"])
    n = len(data) // (typ.bit_width // 8)
    return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(data)]).to_pylist()


def engine_values(reply: Mapping[str, Any]) -> list[EngineValue]:
    """EngineValues of a read_formulas reply (errors carry 'status: detail' like NodeEngine.read).
    Raises KeyError on a malformed reply."""
    out = []
    num = untyped(reply["num"])
    for i, k in enumerate(reply["kind"]):
        out.append(EngineValue(kind=KIND_NAMES[k], number=num[i] if k in "nb" else None))
    for i, t, st, de in zip(reply["xi"], reply["xtext"], reply["xstatus"], reply["xdetail"], strict=True):
        v = out[i]
        if v.kind == "error" and st and st != "ok":
            out[i] = EngineValue(kind="error", text=t, detail=f"{st}: {de}")
        else:
            out[i] = EngineValue(kind=v.kind, number=v.number, text=t, detail=de or None)
    return out


def _inherit_anchor_failures(cols: dict[str, list[Any]], followers: Mapping[int, int]) -> None:
    """A formula cell inside an array whose anchor could not be computed (unsupported function, parse
    error) is empty in the engine; it takes the anchor's error and status, not a silent 'ok' empty."""
    for pos, anchor in followers.items():
        if cols["kind"][pos] == "0" and cols["status"][anchor] in ("unsupported_function", "engine_error"):
            cols["kind"][pos], cols["text"][pos] = "e", cols["text"][anchor]
            cols["status"][pos] = cols["status"][anchor]
            cols["detail"][pos] = cols["detail"][anchor]


def values_table(reply: Mapping[str, Any], is_formula: pa.Array,
                 overrides: Mapping[int, CellOutcome] | None = None,
                 followers: Mapping[int, int] | None = None) -> pa.Table:
    """values.arrow: formula rows from *reply* (in row order; *overrides* by formula position; array
    followers, see encode_grid, inherit a failed anchor's status), nulls elsewhere. Raises KeyError,
    ValueError on a reply that does not fit."""
    cols = _outcome_columns(reply)
    _inherit_anchor_failures(cols, followers or {})
    for pos, (value, st, de) in (overrides or {}).items():
        cols["kind"][pos] = next(k for k, name in KIND_NAMES.items() if name == value.kind)
        cols["num"][pos] = value.number if value.kind in ("number", "bool") else None
        cols["text"][pos] = value.text if value.kind in ("text", "error") else None
        cols["status"][pos], cols["detail"][pos] = st, de
    kind_idx = pa.array([_KIND_INDEX[k] for k in cols["kind"]], pa.int8())
    num = pc.if_else(pc.is_in(kind_idx, value_set=pa.array([0, 1], pa.int8())),
                     pa.array(cols["num"], pa.float64()), pa.scalar(None, pa.float64()))
    formula_cols = {
        "calculated_type": pc.take(_KIND_DICT, kind_idx),
        "calculated_value": num,
        "calculated_text": pa.array(cols["text"], pa.string()),
        "eval_status": pa.array(cols["status"], pa.string()),
        "eval_detail": pa.array(cols["detail"], pa.string()),
    }
    n = len(is_formula)
    out = {}
    for name in VALUES_SCHEMA.names:
        typ = VALUES_SCHEMA.field(name).type
        col = formula_cols[name].cast(typ)
        out[name] = pc.replace_with_mask(pa.nulls(n, typ), is_formula, col) if len(col) else pa.nulls(n, typ)
    return pa.Table.from_pydict(out, schema=VALUES_SCHEMA)


def formula_keys(cells: pa.Table, is_formula: pa.Array) -> list[CellKey]:
    """(sheet, row, col) of the formula rows, in row order (only built when circular cells need it)."""
    sub = cells.filter(is_formula).select(["sheet", "row", "col"]).to_pydict()
    return list(zip(sub["sheet"], sub["row"], sub["col"], strict=True))
