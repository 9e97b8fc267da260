"""Bulk INSERT and UPDATE through the driver's executemany, bypassing SQLAlchemy's
per-row parameter processing.

A first sync writes tens of thousands of wide rows; SQLAlchemy's per-row bind handling
cost as much as SQLite's own work. Here each column's bind processor (for example
SQLModel's UTCDateTime) is still applied, so values are stored exactly as the ORM would
store them, but through one memoised call per distinct value instead of per row (payloads,
unique by nature, are converted directly).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, LargeBinary, Table


def _placeholder(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _processors(conn: Connection, table: Table, columns: Sequence[str]) -> list[Any]:
    """The bind processor of each column (None where values pass through unchanged)."""
    return [table.c[name].type._cached_bind_processor(conn.dialect) for name in columns]


def _convert(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    processors: list[Any],
    table: Table,
) -> list[tuple[Any, ...]]:
    """Rows as parameter tuples, column by column (list comprehensions, not a Python loop
    per value: at tens of thousands of wide rows the per-value loop cost as much as
    SQLite's own work)."""
    values = [[row[name] for row in rows] for name in columns]
    for index, process in enumerate(processors):
        if process is None:
            continue
        if isinstance(table.c[columns[index]].type, LargeBinary):
            # Payloads are unique: a memo would only hash them.
            values[index] = [None if v is None else process(v) for v in values[index]]
        else:
            memo: dict[Any, Any] = {}
            values[index] = [
                None if v is None else memo[v] if v in memo else memo.setdefault(v, process(v))
                for v in values[index]
            ]
    return list(zip(*values, strict=True))


def _scalar_defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """Python-side column defaults (SQLModel's `= False`), which raw INSERTs would skip."""
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name not in given and default is not None and default.is_scalar:
            out[column.name] = default.arg  # type: ignore[attr-defined]
    return out


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row (all rows have the same keys); missing columns take their defaults."""
    if not rows:
        return
    defaults = _scalar_defaults(table, list(rows[0]))
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    columns = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    mark = _placeholder(conn)
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    conn.exec_driver_sql(sql, _convert(rows, columns, _processors(conn, table, columns), table))


def update_rows(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *, keys: Sequence[str]
) -> None:
    """UPDATE the rows matched by `keys` (columns named in every row) with their other values."""
    if not rows:
        return
    columns = [name for name in rows[0] if name not in keys]
    quote = conn.dialect.identifier_preparer.quote
    mark = _placeholder(conn)
    sql = (
        f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(c)} = {mark}' for c in columns)} "
        f"WHERE {' AND '.join(f'{quote(k)} = {mark}' for k in keys)}"
    )
    ordered = [*columns, *keys]
    conn.exec_driver_sql(sql, _convert(rows, ordered, _processors(conn, table, ordered), table))
