"""The site-wide facts: the question, the standing, counts, health and news. The standing
sentence comes from tracker.reports.overview.standing_of, as the email's does."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tracker.config import ClaimConfig, SiteConfig
from tracker.evidence.summary import ledger_summary
from tracker.ids import SOURCES
from tracker.reports.health import source_health
from tracker.reports.overview import standing_of
from tracker.site.model import HealthLine, SiteFacts, StudyRow
from tracker.site.news import news

NEWS_DAYS = 10
"""Dated change sets on the home page and in the feed."""


def short_name(claim: ClaimConfig) -> str:
    return claim.short_name or claim.index.nct_id or "tracker"


def site_title(claim: ClaimConfig, site: SiteConfig) -> str:
    return site.title or f"{short_name(claim)} follow-ups"


def health_line(session: Session) -> HealthLine:
    """E.g. 'Last updated 2026-11-25 06:05 UTC; every source complete.'"""
    health = [source_health(session, s) for s in SOURCES]
    synced = [h for h in health if h.last_run_at is not None]
    updated = max((h.last_success for h in synced if h.last_success), default=None)
    incomplete = [h.source for h in synced if not h.complete]
    when = _when(updated)
    if not synced:
        return HealthLine("Not synced yet.", False, None)
    if incomplete:
        names = ", ".join(incomplete)
        text = f"Last updated {when}; incomplete: {names} (the last run did not fetch everything)."
        return HealthLine(text, False, updated)
    missing = [s for s in SOURCES if s not in {h.source for h in synced}]
    tail = f"; not synced yet: {', '.join(missing)}" if missing else "; every source complete"
    return HealthLine(f"Last updated {when}{tail}.", not missing, updated)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def site_facts(
    session: Session, claim: ClaimConfig, site: SiteConfig, studies: list[StudyRow]
) -> SiteFacts:
    summary = ledger_summary(session)
    return SiteFacts(
        title=site_title(claim, site),
        short_name=short_name(claim),
        statement=claim.statement,
        index_trial=claim.index.nct_id,
        index_doi=claim.index.doi,
        index_pmid=claim.index.pmid,
        index_date=claim.index.date,
        standing=standing_of(summary),
        counts=dict(summary.counts),
        participants=dict(summary.participants),
        studies=studies,
        health=health_line(session),
        news=news(session, studies, days=NEWS_DAYS),
        contact=site.contact,
        base_url=site.base_url
        if not site.base_url or site.base_url.endswith("/")
        else site.base_url + "/",
    )
