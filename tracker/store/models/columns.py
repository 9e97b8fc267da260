"""Column helpers the tables share."""

from __future__ import annotations

from sqlalchemy import Column, Text


def text(nullable: bool = True) -> Column[str]:
    """Unbounded text (titles, abstracts, JSON): VARCHAR limits are for ids and codes."""
    return Column(Text, nullable=nullable)
