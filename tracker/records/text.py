"""Registry text made inert before anything renders it.

A title or sponsor is untrusted text. Control characters in it (ESC and CSI sequences,
OSC 8 hyperlinks, OSC 52 clipboard writes, NUL) would reach terminals, email parts and
files raw: a title could clear the screen, draw a fake ledger or write to the clipboard.
Bidirectional overrides could make one id read as another. Every parsed record passes
through `clean_record` once, where registry text enters the record values, so every
output (terminal, HTML, Markdown, CSV, email) gets clean text without each renderer
having to remember.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

T = TypeVar("T", bound=msgspec.Struct)

BIDI_OVERRIDES = tuple(range(0x202A, 0x202F)) + tuple(range(0x2066, 0x206A))
"""LRE RLE PDF LRO RLO and LRI RLI FSI PDI: shown, never obeyed."""


def _table() -> dict[int, str | None]:
    dropped = [c for c in range(0x20) if chr(c) not in "\n\t"] + [0x7F, *range(0x80, 0xA0)]
    table: dict[int, str | None] = dict.fromkeys(dropped)
    table.update({c: f"[U+{c:04X}]" for c in BIDI_OVERRIDES})
    return table


_TABLE = _table()

_SUSPECT = re.compile(
    rb"\\u00[01][0-9a-fA-F]|\\[rbf]|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)
"""In a record's JSON: an escaped C0 (msgspec writes \\n and \\t as such, so \\u00XX and
\\r \\b \\f are the others), DEL, C1, or a bidi override in UTF-8."""


def clean_text(value: str) -> str:
    """C0 controls except newline and tab, DEL and C1 removed; bidi overrides made visible."""
    return value.translate(_TABLE)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean(v) for k, v in value.items()}
    return value


def clean_record(record: T) -> T:
    """The record with every string in it cleaned (the same object when nothing needed it).

    A quick look at its JSON spares the rebuild for the records, nearly all, that are clean."""
    data = msgspec.json.encode(record)
    if not _SUSPECT.search(data):
        return record
    cleaned = _clean(msgspec.json.decode(data))
    return msgspec.convert(cleaned, type(record))
