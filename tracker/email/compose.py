"""Digest -> subject, plain text and HTML (Jinja2, autoescaped), plus the inline chart.

The message leads with the answer: the question and its index result, the standing
sentence, the chart, then verdict changes and the rest, each record once with all of its
changes under it. The first email after setup is a welcome with where the evidence
stands, not a list of every first assessment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tracker.config import ClaimConfig, EmailConfig
from tracker.email.chart import ledger_chart
from tracker.email.message import InlineImage, unsubscribe_uri
from tracker.email.subject import email_subject
from tracker.ids import study_page
from tracker.reports.digest_data import Digest
from tracker.reports.grouping import group_by_record
from tracker.reports.overview import StudyLine
from tracker.reports.render.console import not_listed_sentence
from tracker.reports.verdicts import VERDICT_COLOURS, VERDICT_LABELS, state_colour

CHART_CID = "ledger-chart@tracker"


@dataclass(frozen=True, slots=True)
class Composed:
    subject: str
    text: str
    html: str
    images: tuple[InlineImage, ...]


@dataclass(frozen=True, slots=True)
class Framing:
    """What the email says around the digest: the question, the links, and whether this is
    the first email after setup (a welcome with the evidence as it stands)."""

    claim: ClaimConfig = ClaimConfig()
    base_url: str = ""
    study_of: dict[str, str] = field(default_factory=dict)
    """Record id -> study key, for links to the study pages under base_url."""
    welcome: dict[str, list[StudyLine]] | None = None
    """Studies per verdict for the welcome email; None for a regular one."""


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


def compose(
    digest: Digest, settings: EmailConfig, *, chart: bool = True, framing: Framing | None = None
) -> Composed:
    framing = framing or Framing()
    claim = framing.claim
    short = claim.short_name or claim.index.nct_id or "tracker"
    welcome = framing.welcome
    verdicts = [
        {"key": v, "label": label, "count": digest.evidence.get(v, 0), "colour": VERDICT_COLOURS[v]}
        for v, label in VERDICT_LABELS.items()
    ]
    subject = email_subject(short, digest, welcome=welcome is not None)
    context = {
        "subject": subject,
        "short": short,
        "claim": claim,
        "window": _window(digest),
        "standing": digest.standing or "No evidence assessed yet.",
        "standing_colour": state_colour(digest.state),
        "groups": [] if welcome is not None else group_by_record(digest.sections),
        "welcome": [
            {"label": VERDICT_LABELS[v], "colour": VERDICT_COLOURS[v], "studies": studies}
            for v, studies in (welcome or {}).items()
        ],
        "is_welcome": welcome is not None,
        "study_link": _study_link(framing),
        "not_listed": (
            not_listed_sentence(digest)
            if (digest.not_relevant or digest.unassessed) and welcome is None
            else ""
        ),
        "verdicts": verdicts,
        "health": digest.health,
        "unsubscribe": unsubscribe_uri(settings),
        "chart_cid": CHART_CID if chart else "",
        "compact": digest.item_count > COMPACT_TEXT_AFTER,
        "site": framing.base_url,
    }
    env = _environment()
    text = env.get_template("digest.txt").render(context)
    html = env.get_template("digest.html").render(context)
    images = (InlineImage(CHART_CID, ledger_chart(digest.evidence)),) if chart else ()
    return Composed(subject, text, html, images)


def _study_link(framing: Framing) -> Callable[[str], str | None]:
    def link(record_id: str) -> str | None:
        if not framing.base_url:
            return None
        return study_page(framing.study_of.get(record_id, record_id), framing.base_url)

    return link


def _window(digest: Digest) -> str:
    until = digest.until.strftime("%d %b %Y %H:%M UTC")
    if digest.since is None:
        return f"everything stored up to {until}"
    return f"{digest.since.strftime('%d %b %Y %H:%M')} to {until}"
