"""Bulk loading of Arrow stage outputs: shape batches into table rows, then COPY (PostgreSQL) or
executemany (SQLite) on the raw driver connection of the caller's transaction."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa

from core.addressing import col_letter

# Columns of `cells` the loader writes, in the order of the shaped Arrow batches.
# has_mismatch is left out: NULL until a validation run sets it.
CELL_COLUMNS: tuple[str, ...] = (
    "model_id", "sheet_name", "row_num", "col_num", "cell", "col_letter", "cell_type", "formula",
    "array_ref", "raw_type", "raw_value", "raw_text", "number_format", "calculated_type",
    "calculated_value", "calculated_text", "eval_status", "eval_detail", "is_circular",
    "circular_group", "has_dynamic_refs", "has_broken_ref", "parse_error", "functions",
)
LINEAGE_COLUMNS: tuple[str, ...] = (
    "model_id", "sheet_name", "row_num", "col_num", "seq", "ref_sheet", "first_row", "first_col",
    "last_row", "last_col", "kind",
)

# graph/cells.arrow and evaluate/values.arrow columns copied as they are, with their defaults when
# the stage did not run (is_circular is false then, everything else NULL).
_GRAPH_COPY = {"is_circular": "is_circular", "group_id": "circular_group",
               "has_dynamic_refs": "has_dynamic_refs", "has_broken_ref": "has_broken_ref",
               "parse_error": "parse_error", "functions": "functions"}
_VALUE_COPY = ("calculated_type", "calculated_value", "calculated_text", "eval_status", "eval_detail")
_PARSE_COPY = {"sheet": "sheet_name", "row": "row_num", "col": "col_num", "cell_type": "cell_type",
               "formula": "formula", "array_ref": "array_ref", "raw_type": "raw_type",
               "raw_value": "raw_value", "raw_text": "raw_text", "number_format": "number_format"}


def _constant(value: Any, type_: pa.DataType, n: int) -> pa.Array:
    return pa.array(itertools.repeat(value, n), type=type_, size=n)


@dataclass
class CellShaper:
    """Turns aligned slices of parse/graph/evaluate tables into rows of `cells`."""

    model_id: int
    letters: pa.Array  # letters[i] is the column letter of column i + 1

    @classmethod
    def for_table(cls, model_id: int, parse: pa.Table) -> CellShaper:
        """A shaper whose letter lookup covers every column used in *parse*."""
        max_col = pc.max(parse["col"]).as_py() or 1
        return cls(model_id, pa.array([col_letter(c) for c in range(1, max_col + 1)], pa.string()))

    def shape(self, parse: pa.Table, graph: pa.Table | None, values: pa.Table | None) -> pa.Table:
        """One batch of `cells` rows (columns CELL_COLUMNS) from aligned slices."""
        n = parse.num_rows
        cols: dict[str, Any] = {"model_id": _constant(self.model_id, pa.int64(), n)}
        cols.update({dst: parse[src] for src, dst in _PARSE_COPY.items()})
        letter = pc.take(self.letters, pc.subtract(parse["col"], 1))
        cols["col_letter"] = letter
        cols["cell"] = pc.binary_join_element_wise(letter, pc.cast(parse["row"], pa.string()), "")
        for name in _VALUE_COPY:
            cols[name] = values[name] if values is not None else pa.nulls(n, _VALUE_TYPES[name])
        for src, dst in _GRAPH_COPY.items():
            # Graph outputs written before `functions` existed lack the column: NULL then.
            if graph is not None and src in graph.column_names:
                cols[dst] = graph[src]
            else:
                cols[dst] = pa.nulls(n, _GRAPH_TYPES[src])
        if graph is None:
            cols["is_circular"] = _constant(False, pa.bool_(), n)
        else:
            cols["is_circular"] = pc.fill_null(graph["is_circular"], False)
        return pa.table({name: cols[name] for name in CELL_COLUMNS})


_VALUE_TYPES = {"calculated_type": pa.string(), "calculated_value": pa.float64(),
                "calculated_text": pa.string(), "eval_status": pa.string(), "eval_detail": pa.string()}
_GRAPH_TYPES = {"is_circular": pa.bool_(), "group_id": pa.int32(), "has_dynamic_refs": pa.bool_(),
                "has_broken_ref": pa.bool_(), "parse_error": pa.string(), "functions": pa.string()}


def shape_lineage(model_id: int, lineage: pa.Table, offset: int) -> pa.Table:
    """One batch of `cell_precedents` rows; seq is the row's position in graph/lineage.arrow."""
    n = lineage.num_rows
    return pa.table({
        "model_id": _constant(model_id, pa.int64(), n),
        "sheet_name": lineage["sheet"], "row_num": lineage["row"], "col_num": lineage["col"],
        "seq": pa.array(range(offset, offset + n), pa.int32()),
        "ref_sheet": lineage["ref_sheet"], "first_row": lineage["first_row"],
        "first_col": lineage["first_col"], "last_row": lineage["last_row"],
        "last_col": lineage["last_col"], "kind": lineage["kind"],
    })


def slices(table: pa.Table, batch_rows: int) -> Iterator[tuple[int, pa.Table]]:
    """(offset, zero-copy slice) pairs covering *table* in order."""
    for offset in range(0, table.num_rows, batch_rows):
        yield offset, table.slice(offset, batch_rows)


def write_batches(conn: sa.Connection, table: str, columns: tuple[str, ...],
                  batches: Iterable[pa.Table]) -> int:
    """Append *batches* to *table* inside the connection's transaction; returns the row count."""
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        if conn.dialect.name == "postgresql":
            return _copy_csv(conn, table, columns, batches)
        return _executemany(conn, table, columns, batches)
    except dbapi_error as orig:
        # The raw driver connection bypasses SQLAlchemy's error wrapping; wrap like SQLAlchemy would
        # (IntegrityError, OperationalError...) so callers and translate_errors see one vocabulary.
        lost = conn.dialect.is_disconnect(orig, conn.connection.dbapi_connection, None)
        if lost:
            conn.invalidate()
        raise sa.exc.DBAPIError.instance(f"bulk load into {table}", None, orig, dbapi_error,
                                         connection_invalidated=lost, dialect=conn.dialect) from orig


def _copy_csv(conn: sa.Connection, table: str, columns: tuple[str, ...],
              batches: Iterable[pa.Table]) -> int:
    # Arrow's C++ CSV writer formats a batch far faster than psycopg's per-row write_row, and in CSV
    # an unquoted empty field is NULL while Arrow quotes every string, so '' stays ''. Floats are
    # written in shortest round-trip form. Measured against binary write_row in bench/bench_insert.py.
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    raw = conn.connection.driver_connection
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
    total = 0
    with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
        for batch in batches:
            buf = io.BytesIO()
            pacsv.write_csv(batch, buf, options)
            copy.write(buf.getbuffer())
            total += batch.num_rows
    return total


def _executemany(conn: sa.Connection, table: str, columns: tuple[str, ...],
                 batches: Iterable[pa.Table]) -> int:
    raw = conn.connection.driver_connection
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    total = 0
    for batch in batches:
        columns_py = [_python_values(col, batch.num_rows) for col in batch.columns]
        raw.executemany(sql, zip(*columns_py, strict=True))  # type: ignore[union-attr]
        total += batch.num_rows
    return total


def _python_values(column: pa.ChunkedArray | pa.Array, n: int) -> Iterable[Any]:
    """A column as Python values, cheaply: turning Arrow values into Python objects dominates the
    SQLite load, so all-NULL columns become a repeat and strings (mostly a handful of distinct
    values: sheet names, types, statuses) are converted once per distinct value."""
    if column.null_count == n:
        return itertools.repeat(None, n)
    if not pa.types.is_string(column.type):
        return column.to_pylist()
    encoded = pc.dictionary_encode(column)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    out: list[Any] = []
    for chunk in chunks:
        distinct = chunk.dictionary.to_pylist() + [None]
        out.extend(distinct[i] for i in chunk.indices.fill_null(len(distinct) - 1).to_pylist())
    return out

