"""Statements compiled once per dialect and run on the raw driver cursor, for the hot endpoints.

Building a Core statement, generating its cache key and wrapping the result in SQLAlchemy rows cost
about 1 ms of CPU per query (bench/bench_api.py --in-process); the API serves immutable rows, so each
statement shape is built and compiled once per worker and later requests only bind values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class Compiled:
    """SQL text for one dialect; *names* orders the values for positional (qmark) drivers."""

    sql: str
    names: tuple[str, ...] | None
    bools: tuple[int, ...]  # result columns to turn into bool (SQLite hands back 0/1)
    defaults: dict[str, Any]  # values SQLAlchemy bound itself (SQLite's implicit OFFSET 0)


_CACHE: dict[tuple[str, Hashable], Compiled] = {}
_LOCK = threading.Lock()


def compiled(conn: sa.Connection, key: Hashable, build: Callable[[], sa.Select[Any]]) -> Compiled:
    """The statement *build* makes, compiled for *conn*'s dialect (built once per key and dialect)."""
    dialect = conn.dialect
    found = _CACHE.get((dialect.name, key))
    if found is not None:
        return found
    stmt = build()
    comp = stmt.compile(dialect=dialect)
    names = tuple(comp.positiontup or ()) if comp.positional else None
    bools = tuple(i for i, col in enumerate(stmt.selected_columns) if isinstance(col.type, sa.Boolean)
                  ) if dialect.name == "sqlite" else ()
    defaults = {k: v for k, v in comp.params.items() if v is not None}
    with _LOCK:
        return _CACHE.setdefault((dialect.name, key), Compiled(comp.string, names, bools, defaults))


def fetch(conn: sa.Connection, stmt: Compiled, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """All rows of *stmt* with *params*. Raises sqlalchemy DBAPIError subclasses like Core would."""
    if stmt.defaults:
        params = {**stmt.defaults, **params}
    args: Any = tuple(params[n] for n in stmt.names) if stmt.names is not None else params
    dbapi = conn.dialect.loaded_dbapi
    raw = conn.connection.dbapi_connection
    try:
        cur = raw.cursor()  # type: ignore[union-attr]
        try:
            cur.execute(stmt.sql, args)
            rows = cur.fetchall()
        finally:
            cur.close()
    except dbapi.Error as orig:
        # Wrapped as SQLAlchemy would (OperationalError, ...), so translate_errors sees lost
        # connections as TransientError, and a dead connection is not handed to the next request.
        lost = conn.dialect.is_disconnect(orig, raw, None)
        if lost:
            conn.invalidate()
        raise sa.exc.DBAPIError.instance(stmt.sql, None, orig, dbapi.Error, connection_invalidated=lost,
                                         dialect=conn.dialect) from orig
    if stmt.bools:
        rows = [_with_bools(row, stmt.bools) for row in rows]
    return list(rows)


def fetch_all(conn: sa.Connection, statements: list[tuple[Compiled, dict[str, Any]]]) -> list[list[tuple[Any, ...]]]:
    """The rows of each statement, in order. On PostgreSQL all are sent in one round trip (psycopg's
    pipeline mode): on a busy machine every wait for the server is a chance to lose the CPU, so fewer
    round trips mean fewer slow requests. Raises sqlalchemy DBAPIError subclasses like fetch()."""
    raw = conn.connection.dbapi_connection
    pipeline = getattr(raw, "pipeline", None)
    if pipeline is None or len(statements) < 2:
        return [fetch(conn, stmt, params) for stmt, params in statements]
    dbapi = conn.dialect.loaded_dbapi
    try:
        with pipeline():
            cursors = []
            for stmt, params in statements:
                cur = raw.cursor()  # type: ignore[union-attr]
                cur.execute(stmt.sql, {**stmt.defaults, **params} if stmt.defaults else params)
                cursors.append(cur)
            results = [list(cur.fetchall()) for cur in cursors]
            for cur in cursors:
                cur.close()
    except dbapi.Error as orig:
        lost = conn.dialect.is_disconnect(orig, raw, None)
        if lost:
            conn.invalidate()
        raise sa.exc.DBAPIError.instance(statements[0][0].sql, None, orig, dbapi.Error,
                                         connection_invalidated=lost, dialect=conn.dialect) from orig
    return results


def _with_bools(row: tuple[Any, ...], indexes: tuple[int, ...]) -> tuple[Any, ...]:
    values = list(row)
    for i in indexes:
        if values[i] is not None:
            values[i] = bool(values[i])
    return tuple(values)


def like_escaped(text: str) -> str:
    """*text* with LIKE wildcards escaped for `ESCAPE '/'` (what autoescape=True does to literals)."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")
