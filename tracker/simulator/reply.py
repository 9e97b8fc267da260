"""What an endpoint answers, independent of the HTTP plumbing: status, body, content type."""

from __future__ import annotations

from typing import NamedTuple

XML = "text/xml; charset=UTF-8"  # what NCBI sends for every E-utilities XML answer
JSON = "application/json"


class Reply(NamedTuple):
    status: int
    body: bytes
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()


def plain(status: int, text: str) -> Reply:
    """A text/plain answer (CT.gov errors, and the simulator's own complaints)."""
    return Reply(status, text.encode(), "text/plain; charset=utf-8")
