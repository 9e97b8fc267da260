"""One line of `tracker doctor`'s report: a check's name, ok / warn / fail, what was found
and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    hint: str = ""
    """What to do about it (empty when ok)."""


def first_line(exc: BaseException) -> str:
    """An error's first line (a driver's message can run to a page)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
