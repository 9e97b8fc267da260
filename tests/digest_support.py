"""Rows for digest and email tests, inserted directly: trials, articles, assessments and
change events as the sync and the evidence engine would have written them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from tracker.store.models import Article, Assessment, ChangeEvent, SyncRun, Trial

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
"""The last report: the window starts here."""
T1 = T0 + timedelta(days=3)
T2 = T0 + timedelta(days=7)
"""Now: the window ends here."""
BEFORE = T0 - timedelta(days=2)

SCRIPT_TITLE = "Static <script>alert('x')</script> stimulation"
AMP_TITLE = "tSMS & riluzole in ALS: a follow-up"


def trial(session: Session, nct_id: str, title: str, *, first_seen: datetime = BEFORE) -> None:
    session.add(
        Trial(
            nct_id=nct_id,
            brief_title=title,
            overall_status="RECRUITING",
            content_hash="h",
            first_seen_at=first_seen,
            last_seen_at=first_seen,
            last_changed_at=first_seen,
            data="{}",
            raw=b"",
        )
    )


def article(session: Session, record_id: str, title: str, *, first_seen: datetime = BEFORE) -> None:
    session.add(
        Article(
            id=record_id,
            pmid=record_id.removeprefix("PMID:"),
            title=title,
            in_pubmed=True,
            content_hash="h",
            first_seen_at=first_seen,
            last_seen_at=first_seen,
            last_changed_at=first_seen,
            data="{}",
            raw=b"",
        )
    )


def assess(
    session: Session,
    record_id: str,
    *,
    relevant: bool,
    verdict: str = "pending",
    study: str | None = None,
    role: str = "follow_up",
    participants: int | None = None,
) -> None:
    session.add(
        Assessment(
            record_id=record_id,
            source="ctgov" if record_id.startswith("NCT") else "pubmed",
            study=study or record_id,
            relevant=relevant,
            role=role if relevant else "excluded",
            verdict=verdict if relevant else "not_applicable",
            rule="test",
            reason="inserted by the test",
            participants=participants,
            assessed_at=T0,
            changed_at=T0,
        )
    )


def event(
    session: Session, record_id: str, field: str, old: str | None, new: str | None, at: datetime
) -> None:
    source = "ctgov" if record_id.startswith("NCT") else "pubmed"
    session.add(
        ChangeEvent(record_id=record_id, source=source, field=field, old=old, new=new, at=at)
    )


def sync_run(session: Session, source: str = "ctgov", *, at: datetime = T1) -> None:
    session.add(
        SyncRun(
            source=source,
            started_at=at,
            finished_at=at,
            status="ok",
            fetched=3,
            expected=3,
            complete=True,
        )
    )


def busy_world(session: Session) -> None:
    """One item for every digest section, plus records that must only be counted."""
    trial(session, "NCT00000001", SCRIPT_TITLE)
    assess(session, "NCT00000001", relevant=True, verdict="confirms", participants=120)
    event(session, "NCT00000001", "verdict", "pending", "confirms", T1)
    event(session, "NCT00000001", "overall_status", "RECRUITING", "TERMINATED", T1)
    event(session, "NCT00000001", "why_stopped", None, "Sponsor decision", T1)
    event(session, "NCT00000001", "primary_completion_date", "2026-05", "2027-01", T1)
    event(session, "NCT00000001", "enrollment", "40", "120", T1)
    event(session, "NCT00000001", "results_posted", None, "2026-11-03", T1)
    event(session, "NCT00000001", "overall_status", "NOT_YET_RECRUITING", "RECRUITING", BEFORE)

    trial(session, "NCT00000002", AMP_TITLE, first_seen=T1)
    assess(session, "NCT00000002", relevant=True, verdict="pending", participants=60)
    event(session, "NCT00000002", "verdict", None, "pending", T1)
    event(session, "NCT00000002", "role", None, "follow_up", T1)

    trial(session, "NCT00000003", "Deep TMS in depression")
    assess(session, "NCT00000003", relevant=False)
    event(session, "NCT00000003", "overall_status", "RECRUITING", "COMPLETED", T1)

    trial(session, "NCT00000004", "Not assessed yet", first_seen=T1)

    article(session, "PMID:100", "The index paper")
    assess(
        session, "PMID:100", relevant=True, verdict="confirms", role="index", study="NCT09999999"
    )
    article(session, "PMID:200", "A retracted follow-up")
    assess(session, "PMID:200", relevant=True, verdict="inconclusive")
    event(session, "PMID:200", "retraction", None, "retracted (notice PMID:201)", T1)
    article(session, "PMID:300", "A paper citing the index", first_seen=T1)
    assess(session, "PMID:300", relevant=False)
    event(session, "PMID:100", "cited_by", None, "PMID:300", T1)
    article(session, "PMID:400", "A new relevant paper", first_seen=T1)
    assess(session, "PMID:400", relevant=True, verdict="pending", study="NCT00000002")
    sync_run(session)
