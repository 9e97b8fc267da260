"""Typed reads for tests: a row the test expects to be stored, or a clear failure."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session

T = TypeVar("T")


def stored(session: Session, model: type[T], key: Any) -> T:
    """The row of `model` with primary key `key`; fails the test when there is none."""
    row = session.get(model, key)
    assert row is not None, f"no {model.__name__} {key!r} stored"
    return row
