"""What a build leaves for the next one, and which records changed since.

Two files in the site folder, swapped in with the pages so they always describe them:
- `.tracker-site.json`, the manifest: the code and claim it was built with, how far it
  read the tables that only grow (change events, versions, registrations), each study page's
  fingerprint and each chart's input;
- `.tracker-site.cache`, every relevant record as the site shows it (RecordInfo), with the
  key of the stored rows it was read from (MessagePack, zstd-compressed).

A rebuild reads the key of every relevant record (its assessment's study, time, verdict
and role: one narrow query over the relevant rows), and reads again only the records whose
key differs, that are new, or that have a row newer than the marks in a table that only
grows: a change event, a trial or article version (a record's content never changes
without one), a registration. Everything else comes from the cache. A different code or
claim, a table that shrank, or an unreadable file means a full read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import zstandard
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.config import ClaimConfig
from tracker.site.records import RecordInfo
from tracker.store.models import (
    ArticleVersion,
    Assessment,
    ChangeEvent,
    Registration,
    TrialVersion,
)
from tracker.store.payload import pack, unpack

MANIFEST = ".tracker-site.json"
CACHE = ".tracker-site.cache"


class _Cached(msgspec.Struct, frozen=True, array_like=True):
    key: str
    info: RecordInfo


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(dict[str, _Cached])


@dataclass
class Previous:
    """The previous build's manifest and cache (empty when there is none to trust)."""

    manifest: dict[str, Any] = field(default_factory=dict)
    records: dict[str, _Cached] = field(default_factory=dict)


def code_hash() -> str:
    """Changes to templates, styles or this package's code re-render every page."""
    digest = hashlib.sha256()
    package = resources.files("tracker.site")
    for name in sorted(p.name for p in package.iterdir() if p.name.endswith(".py")):
        digest.update(package.joinpath(name).read_bytes())
    for folder in ("templates", "static"):
        for item in sorted(package.joinpath(folder).iterdir(), key=lambda p: p.name):
            digest.update(item.name.encode() + item.read_bytes())
    return digest.hexdigest()


def claim_hash(claim: ClaimConfig) -> str:
    """The claim's outcomes decide which estimates a record gives."""
    return hashlib.sha256(
        json.dumps(claim.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()


def load(output: Path, *, code: str, claim: str) -> Previous:
    try:
        manifest = json.loads((output / MANIFEST).read_text())
    except (OSError, ValueError):
        return Previous()
    if not isinstance(manifest, dict):
        return Previous()
    if manifest.get("code") != code or manifest.get("claim") != claim:
        return Previous(manifest={"studies": manifest.get("studies", {})})
    try:
        records = _DECODER.decode(unpack((output / CACHE).read_bytes()))
    except (OSError, zstandard.ZstdError, msgspec.DecodeError, msgspec.ValidationError):
        records = {}
    return Previous(manifest, records)


def save(
    staging: Path, manifest: dict[str, Any], records: dict[str, tuple[str, RecordInfo]]
) -> None:
    cached = {rid: _Cached(key, info) for rid, (key, info) in sorted(records.items())}
    (staging / CACHE).write_bytes(pack(_ENCODER.encode(cached)))
    (staging / MANIFEST).write_text(json.dumps(manifest, sort_keys=True, indent=0))


@dataclass(frozen=True)
class Reading:
    """The relevant records now (id -> key), the marks, and which records to read again."""

    keys: dict[str, str]
    marks: dict[str, int]
    stale: set[str]
    """Records to read from the database; the others are in the cache."""


def what_changed(session: Session, previous: Previous) -> Reading:
    keys = relevant_keys(session)
    marks = _marks(session)
    old_marks = previous.manifest.get("marks", {})
    cache = previous.records
    trusted = bool(cache) and all(marks.get(k, 0) >= v for k, v in old_marks.items())
    if not trusted or set(old_marks) != set(marks):
        return Reading(keys, marks, set(keys))
    stale = {rid for rid, key in keys.items() if (c := cache.get(rid)) is None or c.key != key}
    for name, (table, column) in _GROWING.items():
        stale |= _touched(session, table, column, old_marks[name])
    return Reading(keys, marks, stale & set(keys))


def relevant_keys(session: Session) -> dict[str, str]:
    """Relevant record id -> the key of the rows the site reads of it."""
    stmt = select(
        col(Assessment.record_id),
        col(Assessment.study),
        col(Assessment.assessed_at),
        col(Assessment.verdict),
        col(Assessment.role),
    ).where(col(Assessment.relevant).is_(True))
    # str() of each value: the same rows give the same key on every read of one database.
    return {row[0]: "|".join(map(str, row[1:])) for row in session.execute(stmt)}


_GROWING: dict[str, tuple[Any, str]] = {
    "events": (ChangeEvent, "record_id"),
    "trial_versions": (TrialVersion, "nct_id"),
    "article_versions": (ArticleVersion, "article_id"),
    "registrations": (Registration, "record_id"),
}
"""Tables that only grow, and the column naming the record a row is about."""


def _marks(session: Session) -> dict[str, int]:
    return {
        name: session.scalar(select(func.max(table.id))) or 0
        for name, (table, _column) in _GROWING.items()
    }


def _touched(session: Session, table: Any, column: str, mark: int) -> set[str]:
    stmt = select(getattr(table, column)).where(table.id > mark).distinct()
    return set(session.scalars(stmt))


def studies_of(
    records: Iterable[tuple[str, RecordInfo]],
) -> dict[str, list[tuple[str, RecordInfo]]]:
    """Study key -> its records in id order."""
    out: dict[str, list[tuple[str, RecordInfo]]] = {}
    for rid, info in sorted(records):
        out.setdefault(info.study, []).append((rid, info))
    return out
