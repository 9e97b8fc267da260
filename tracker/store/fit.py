"""Values checked against their column before anything is written, the same on every
backend: PostgreSQL refuses a string longer than its VARCHAR (and the refusal aborted the
whole page, then the whole sync), while SQLite would have kept it silently.

A record whose summary value cannot fit is stored unparsed, with the reason as its parse
error, as a record of the wrong shape already is; its raw payload is kept whole, so
nothing is lost. A record whose very id cannot fit cannot be stored at all: it is left
out and reported."""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from sqlalchemy import String, Table

from tracker.store.incoming import Incoming
from tracker.store.payload import unpack


@cache
def _limits(table: Table) -> dict[str, int]:
    """Each string column's length limit (once per table: a sync checks every record)."""
    limits: dict[str, int] = {}
    for column in table.c:
        # sqlmodel's AutoString wraps String (a TypeDecorator): its `impl` has the length.
        kind = getattr(column.type, "impl", column.type)
        length = getattr(kind, "length", None) if isinstance(kind, String) else None
        if isinstance(length, int):
            limits[column.name] = length
    return limits


def overlong(table: Table, values: dict[str, Any]) -> str | None:
    """The first value longer than its column, said in words; None if all fit."""
    limits = _limits(table)
    for name, value in values.items():
        limit = limits.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            return f"{name} is {len(value)} characters, more than the {limit} its column holds"
    return None


def fitted(table: Table, versions: Table, key: str, item: Incoming) -> Incoming:
    """`item` as it can be stored: unchanged, unparsed with the reason, or without an id."""
    if (reason := overlong(table, {key: item.id})) is not None:
        return dataclasses.replace(item, id="", error=f"{item.id[:40]}…: {reason}")
    reason = overlong(table, {**item.columns, **item.touch}) or overlong(
        versions, item.version_columns
    )
    if reason is None:
        return item
    raw = bytes(item.raw) if item.raw or item.packed is None else unpack(item.packed)
    return Incoming(
        id=item.id,
        record=None,
        raw=raw,
        packed=item.packed,
        error=f"does not fit the database: {reason}",
        columns={k: False if isinstance(v, bool) else None for k, v in item.columns.items()},
        touch=_fitting(table, item.touch),
        version_columns=_fitting(versions, item.version_columns),
    )


def _fitting(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """The values that fit, and None for those that do not (flags and stamps are kept)."""
    return {k: None if overlong(table, {k: v}) else v for k, v in values.items()}
