"""JSON renderers: the stable shapes scripts read from `--format json`, printed to stdout only."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from tracker.reports.digest_data import Digest, Item


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Shallow: json.dumps recurses itself; asdict's deep copy cost more than the dump.
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, indent=2)


def render_digest_json(digest: Digest) -> str:
    return to_json(
        {
            "since": digest.since,
            "until": digest.until,
            "new": digest.new,
            "changes": [
                {
                    "id": c.id,
                    "field": c.field,
                    "old": c.old,
                    "new": c.new,
                    "at": c.at,
                    "title": c.title,
                }
                for c in digest.changes
            ],
            "verdict_changes": digest.verdict_changes,
            "evidence": digest.evidence,
            "standing": digest.standing,
            "state": digest.state,
            "sections": {
                s.key: {"title": s.title, "items": [_item(i) for i in s.items]}
                for s in digest.sections
            },
            "not_listed": {"not_relevant": digest.not_relevant, "unassessed": digest.unassessed},
            "health": {h.source: h for h in digest.health},
        }
    )


def _item(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "url": item.url,
        "what": item.what,
        "flag": item.flag,
        "at": item.at,
    }
