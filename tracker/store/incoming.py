"""One fetched record on its way into the store: the value every save path hands over.

Apart from tracker.store.versioning so that tracker.store.fit, which checks it against the
columns, and versioning, which stores it, need not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec


@dataclass(frozen=True, slots=True)
class Incoming:
    """One fetched record, ready to store."""

    id: str
    record: msgspec.Struct | None
    """The parsed record; None when it could not be parsed (it is stored raw), or when it
    arrives encoded as `data` instead."""
    raw: bytes | msgspec.Raw
    packed: bytes | None
    error: str | None
    columns: dict[str, Any]
    """Summary columns of the record's row (title, status...), written with each version."""
    touch: dict[str, Any] = field(default_factory=dict)
    """Columns refreshed even when the content is unchanged (e.g. a data-version stamp)."""
    version_columns: dict[str, Any] = field(default_factory=dict)
    """Extra columns of the version row (e.g. the registry's own update date)."""
    data: bytes | None = None
    """The parsed record's canonical JSON when it was already encoded (by a parse worker).
    `record` may then be None: it is decoded (Kind.decode) only to compare versions."""

    @property
    def parsed(self) -> bool:
        return self.record is not None or self.data is not None
