"""Every row of every table, to show that a step wrote nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import SQLModel


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            # Sorted here: backends return rows in different orders.
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
