"""The base of every config section: frozen once loaded, unknown keys refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def has_control(value: str) -> bool:
    """A C0 control character or DEL: never valid in an address or a header value."""
    return any(ord(char) < 32 or ord(char) == 127 for char in value)
