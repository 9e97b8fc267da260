"""Digest -> subject, plain text and HTML (Jinja2, autoescaped), plus the inline chart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tracker.config import EmailConfig
from tracker.email.chart import ledger_chart
from tracker.email.message import InlineImage, unsubscribe_uri
from tracker.reports.digest import Digest
from tracker.reports.render.console import not_listed_sentence
from tracker.reports.verdicts import VERDICT_COLOURS, VERDICT_LABELS, state_colour

CHART_CID = "ledger-chart@tracker"


@dataclass(frozen=True, slots=True)
class Composed:
    subject: str
    text: str
    html: str
    images: tuple[InlineImage, ...]


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tracker.email", "templates"),
        # Registry text is untrusted: everything in .html is escaped unless marked safe
        # (nothing is). The .txt template is plain text and must not be entity-encoded.
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["day"] = lambda value: value.strftime("%d %b") if value else "–"
    env.filters["clip"] = clip
    env.filters["ascii_arrows"] = lambda text: text.replace("→", "->")
    env.filters["when"] = lambda value: value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"
    return env


COMPACT_TEXT_AFTER = 100
"""Past this many items the plain-text part lists each change and its link without the
title (the HTML part keeps every title), so a busy week's email stays under 200 KB."""

TITLE_LIMIT = 160
"""Characters of a title shown in the email; the registry page has the rest."""


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1].rstrip() + "…"


def compose(digest: Digest, settings: EmailConfig, *, chart: bool = True) -> Composed:
    sections = [s for s in digest.sections if s.items]
    headline = _headline(digest)
    verdicts = [
        {"label": label, "count": digest.evidence.get(v, 0), "colour": VERDICT_COLOURS[v]}
        for v, label in VERDICT_LABELS.items()
    ]
    context = {
        "subject": f"{settings.subject_prefix} {headline}".strip(),
        "headline": headline,
        "window": _window(digest),
        "standing": digest.standing or "No evidence assessed yet.",
        "standing_colour": state_colour(digest.state),
        "sections": sections,
        "not_listed": (
            not_listed_sentence(digest) if digest.not_relevant or digest.unassessed else ""
        ),
        "verdicts": verdicts,
        "health": digest.health,
        "unsubscribe": unsubscribe_uri(settings),
        "chart_cid": CHART_CID if chart else "",
        "compact": digest.item_count > COMPACT_TEXT_AFTER,
    }
    env = _environment()
    text = env.get_template("digest.txt").render(context)
    html = env.get_template("digest.html").render(context)
    images = (InlineImage(CHART_CID, ledger_chart(digest.evidence)),) if chart else ()
    return Composed(headline, text, html, images)


def _headline(digest: Digest) -> str:
    """The subject: the most important news first, e.g. '1 verdict change, 3 status changes'."""
    counted = [(s.key, len(s.items)) for s in digest.sections if s.items]
    if not counted:
        return "Nothing new"
    # Two kinds at most: a subject longer than a header line is folded, and some clients
    # show the fold as a leading space.
    parts = [f"{count} {_noun(key, count)}" for key, count in counted[:2]]
    more = sum(count for _, count in counted[2:])
    return ", ".join(parts) + (f" and {more} more" if more else "")


_NOUNS = {
    "verdict_changes": ("verdict change", "verdict changes"),
    "follow_ups": ("new follow-up", "new follow-ups"),
    "results": ("results update", "results updates"),
    "status": ("status change", "status changes"),
    "slipped": ("slipped completion date", "slipped completion dates"),
    "enrollment": ("enrollment change", "enrollment changes"),
    "retractions": ("retraction", "retractions"),
    "citing": ("new citing paper", "new citing papers"),
    "new_relevant": ("new relevant record", "new relevant records"),
    "other": ("other change", "other changes"),
}


def _noun(key: str, count: int) -> str:
    singular, plural = _NOUNS[key]
    return singular if count == 1 else plural


def _window(digest: Digest) -> str:
    until = digest.until.strftime("%d %b %Y %H:%M UTC")
    if digest.since is None:
        return f"everything stored up to {until}"
    return f"{digest.since.strftime('%d %b %Y %H:%M')} to {until}"
