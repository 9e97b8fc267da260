"""The Atom feed of changes (feedgen): one entry per dated change set, newest first.

Entry ids are tag URIs made of the question's short name and the day, so they never
change once published; every time in the feed comes from the database, never the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from jinja2 import Environment

from tracker.site.model import NewsDay, SiteFacts, study_slug

FEED_NAME = "feed.xml"


def entry_id(short_name: str, day: str) -> str:
    return f"tag:tracker,2024:{study_slug(short_name)}/changes/{day}"


def atom_feed(facts: SiteFacts, env: Environment) -> bytes:
    base = facts.base_url
    fg = FeedGenerator()
    fg.id(f"tag:tracker,2024:{study_slug(facts.short_name)}/changes")
    fg.title(f"{facts.title}: what's new")
    fg.subtitle(facts.statement or facts.title)
    fg.author({"name": facts.title, **({"email": facts.contact} if "@" in facts.contact else {})})
    fg.language("en")
    if base:
        fg.link(href=urljoin(base, "index.html"), rel="alternate")
        fg.link(href=urljoin(base, FEED_NAME), rel="self")
    fg.updated(_day_time(facts.news[0].day) if facts.news else datetime(2024, 1, 1, tzinfo=UTC))
    template = env.get_template("feed_entry.html")
    for day in facts.news:
        entry = fg.add_entry(order="append")
        entry.id(entry_id(facts.short_name, day.day))
        entry.title(f"{day.day}: {_summary(day)}")
        entry.updated(_day_time(day.day))
        entry.published(_day_time(day.day))
        link = urljoin(base, f"index.html#d-{day.day}") if base else f"index.html#d-{day.day}"
        entry.link(href=link, rel="alternate")
        entry.content(template.render(day=day, base=base), type="html")
    data: bytes = fg.atom_str(pretty=True)
    return data


def _day_time(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _summary(day: NewsDay) -> str:
    changed = len(day.items) + day.more
    bits = []
    if day.added:
        bits.append(f"{day.added} stud{'y' if day.added == 1 else 'ies'} added")
    flagged = sum(1 for i in day.items if i.flags)
    if flagged:
        bits.append(f"{flagged} flagged")
    bits.append(f"{changed} stud{'y' if changed == 1 else 'ies'} with news")
    return ", ".join(bits)
