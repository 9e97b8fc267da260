"""Markdown digest, one entry per record with its changes under it. Registry text is
escaped so a title cannot become a link, markup or a table cell, and only where Markdown
would read a character as syntax: the raw text stays readable (no backslash before every
hyphen)."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from tracker.reports.digest_data import Digest, SourceHealth
from tracker.reports.grouping import RecordSection, group_by_record
from tracker.reports.render.console import not_listed_sentence
from tracker.reports.verdicts import VERDICT_LABELS

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
"""Characters that make markup anywhere in a line: emphasis, code, links, HTML, tables."""
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_LINE_START = re.compile(r"^([#+=-]|\d+[.)])")
"""What starts a heading, a list or a rule only at the start of a line."""


def md_escape(text: str) -> str:
    """Backslash-escape what Markdown would read as syntax, and flatten newlines."""
    flat = _INLINE.sub(r"\\\1", " ".join(text.split()))
    return _LINE_START.sub(r"\\\1", _ENTITY.sub(r"\\&", flat))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def _link(record_id: str, url: str | None) -> str:
    """A record id is registry text too (a Europe PMC id like `1](javascript:...)`): the
    label is escaped, and the target must be a web address, written so it cannot end early."""
    # Parentheses too, unlike in titles: right after an escaped bracket they would still
    # read as the start of a link target to a careless renderer.
    label = re.sub(r"([()])", r"\\\1", md_escape(record_id))
    if not url or not url.lower().startswith(("https://", "http://")):
        return label
    return f"[{label}]({quote(url, safe=_URL_SAFE)})"


_URL_SAFE = ":/?&=%#@!$'*+,;~._-"
"""Everything else (spaces, brackets, parentheses, angle brackets) is percent-encoded."""


def render_digest_markdown(digest: Digest) -> str:
    window = f"{_when(digest.since)} to {_when(digest.until)}" if digest.since else "all records"
    standing = md_escape(digest.standing) if digest.standing else "No evidence assessed yet."
    lines = [f"# tracker digest: {window}", "", f"**{standing}**", ""]
    grouped = group_by_record(digest.sections)
    if not grouped:
        lines += ["Nothing new in this window.", ""]
    for section in grouped:
        lines += _section(section)
    if digest.not_relevant or digest.unassessed:
        lines += [md_escape(not_listed_sentence(digest)), ""]
    lines += _ledger(digest)
    lines += _section_health(digest.health)
    return "\n".join(lines).rstrip() + "\n"


def _section(section: RecordSection) -> list[str]:
    lines = [f"## {section.title} ({len(section.records)})", ""]
    for record in section.records:
        lines.append(f"- {_link(record.id, record.url)} {md_escape(record.title)}")
        for item in record.items:
            flag = f" **{md_escape(item.flag)}**" if item.flag else ""
            lines.append(f"  - {md_escape(item.what)}{flag} ({_when(item.at)})")
    return [*lines, ""]


def _ledger(digest: Digest) -> list[str]:
    counts = " · ".join(
        f"{label} {digest.evidence.get(verdict, 0)}" for verdict, label in VERDICT_LABELS.items()
    )
    return ["## Ledger", "", f"Studies by verdict: {counts}", ""]


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
    lines.append("")
    lines += [f"- {h.source}: {md_escape(error)}" for h in health for error in h.errors]
    return [*lines, ""]
