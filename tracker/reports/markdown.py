"""Markdown digest. Registry text is escaped so a title cannot become a link or a table."""

from __future__ import annotations

import re
from datetime import datetime

from tracker.reports.digest import Change, Digest, NewItem, SourceHealth

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown punctuation and flatten newlines."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def _link(record_id: str, url: str | None) -> str:
    return f"[{record_id}]({url})" if url else record_id


def render_digest_markdown(digest: Digest) -> str:
    window = f"{_when(digest.since)} to {_when(digest.until)}" if digest.since else "all records"
    lines = [f"# tracker digest: {window}", ""]
    lines += _section_changes(digest.changes)
    lines += _section_new(digest.new)
    lines += _section_health(digest.health)
    return "\n".join(lines).rstrip() + "\n"


def _section_changes(changes: list[Change]) -> list[str]:
    lines = [f"## Changes ({len(changes)})", ""]
    if not changes:
        return [*lines, "No changes.", ""]
    lines += ["| record | field | old | new | when |", "|---|---|---|---|---|"]
    for c in changes:
        lines.append(
            f"| {_link(c.id, c.url)} {md_escape(c.title)} | {c.field} | {md_escape(c.old or '–')} "
            f"| {md_escape(c.new or '–')} | {_when(c.at)} |"
        )
    return [*lines, ""]


def _section_new(new: list[NewItem]) -> list[str]:
    lines = [f"## New records ({len(new)})", ""]
    if not new:
        return [*lines, "No new records.", ""]
    for item in new:
        status = f" ({item.status})" if item.status else ""
        lines.append(f"- {_link(item.id, item.url)}: {md_escape(item.title)}{status}")
    return [*lines, ""]


def _section_health(health: list[SourceHealth]) -> list[str]:
    lines = [
        "## Sources",
        "",
        "| source | last success | fetched / expected | complete | retries |",
    ]
    lines.append("|---|---|---|---|---|")
    for h in health:
        if h.last_run_at is None:
            lines.append(f"| {h.source} | never synced | – | – | – |")
            continue
        complete = "yes" if h.complete else f"**no** ({h.last_status})"
        lines.append(
            f"| {h.source} | {_when(h.last_success)} | {h.fetched} / {h.expected} | {complete} "
            f"| {h.retries} |"
        )
    return [*lines, ""]
