"""Consistency flags end to end: the simulator's world moves (a primary outcome swapped
after completion, the enrolment cut, a second registration), tracker syncs over real
sockets, judges, and shows the flags in the ledger, `show`, the digest and the JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from tests.e2e_support import make_config, run_sync
from tracker.evidence.overrides import judge
from tracker.evidence.reassess import reassess
from tracker.reports.digest import build_digest
from tracker.reports.ledger import build_ledger, ledger_json
from tracker.reports.record import build_record_view, record_json
from tracker.simulator import make_study
from tracker.store.db import session_scope
from tracker.store.models import ChangeEvent, Flag, Link, Registration

FOLLOW_UP = "NCT05300010"
TWIN = "NCT05300011"  # a second CT.gov record of the same trial (same EudraCT number)
EUDRACT = "2023-000123-45"
PRIMARY = "Change in ALSFRS-R total score"
SECONDARY = "Tracheostomy-free survival"


@pytest.fixture
def world(simulator):
    sim = simulator.ctgov
    for nct in (FOLLOW_UP, TWIN):
        study = make_study(
            nct,
            title="Home transcranial static magnetic stimulation (tSMS) in ALS",
            conditions=["Amyotrophic Lateral Sclerosis"],
            interventions=[("DEVICE", "tSMS"), ("DEVICE", "Sham tSMS")],
            start_date="2023-03-01",
            primary_completion="2024-12-20",
            status="RECRUITING",
            enrollment=80,
            outcome_measures=[PRIMARY, SECONDARY],
            last_update="2023-02-20",
        )
        study["protocolSection"]["identificationModule"]["secondaryIdInfos"] = [
            {"id": EUDRACT, "type": "EUDRACT_NUMBER"}
        ]
        sim.add(study)
    return simulator


def _assess(engine, cfg, today: date):
    at = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    with session_scope(engine) as session:
        reassess(session, cfg, today, now=at)
    return at


def _swap_and_cut(study):
    outcomes = study["protocolSection"]["outcomesModule"]
    outcomes["primaryOutcomes"], outcomes["secondaryOutcomes"] = (
        outcomes["secondaryOutcomes"],
        outcomes["primaryOutcomes"],
    )
    study["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    study["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 30, "type": "ACTUAL"}


def test_a_swap_after_completion_and_a_cut_enrolment_are_flagged_everywhere(world, engine, db_url):
    cfg = make_config(world, db_url)
    sim = world.ctgov
    run_sync(engine, cfg)
    first = _assess(engine, cfg, date.fromisoformat(sim.today))
    with session_scope(engine) as session:
        # one trial registered twice: the shared EudraCT number joins the two records
        regs = {(r.record_id, r.reg_id) for r in session.scalars(select(Registration))}
        assert (FOLLOW_UP, f"EudraCT:{EUDRACT}") in regs and (TWIN, f"EudraCT:{EUDRACT}") in regs
        joined = session.scalars(select(Link).where(col(Link.provenance) == "registration")).all()
        assert {(j.article_id, j.trial_id) for j in joined} == {(FOLLOW_UP, TWIN)}
        assert not [f for f in session.scalars(select(Flag)) if f.rule.startswith("outcomes.")]
        before = build_ledger(session, cfg.claim)
        item = next(i for i in before.items if i.id == FOLLOW_UP)
        assert item.study == next(i for i in before.items if i.id == TWIN).study
        assert item.registrations == [f"EudraCT:{EUDRACT}", FOLLOW_UP, TWIN]
        assert not item.needs_check

    sim.advance(30)  # past the primary completion date (2024-12-20)
    sim.update(FOLLOW_UP, _swap_and_cut)
    run_sync(engine, cfg)
    second = _assess(engine, cfg, date.fromisoformat(sim.today))
    with session_scope(engine) as session:
        flags = {(f.record_id, f.rule, f.severity) for f in session.scalars(select(Flag))}
        assert (FOLLOW_UP, "outcomes.primary_changed", "major") in flags
        assert (FOLLOW_UP, "enrolment.sample_size", "minor") in flags
        assert not [f for f in flags if f[0] == TWIN and f[1] == "outcomes.primary_changed"]
        events = session.scalars(select(ChangeEvent).where(col(ChangeEvent.field) == "flag")).all()
        assert {e.record_id for e in events} >= {FOLLOW_UP}
        assert all(e.at == second for e in events if "primary outcome" in (e.new or ""))

        ledger = build_ledger(session, cfg.claim)
        out = ledger_json(ledger)
        assert all("flags" in i and "registrations" in i for i in out["items"])
        mine = next(i for i in out["items"] if i["id"] == FOLLOW_UP)
        rules = {f["rule"] for f in mine["flags"]}
        assert {"outcomes.primary_changed", "enrolment.sample_size"} <= rules
        swap = [f for f in mine["flags"] if f["rule"] == "outcomes.primary_changed"]
        assert any(f"“{PRIMARY}”" in e for f in swap for e in f["evidence"])
        assert any("primary completion date" in f["summary"] for f in swap)
        assert mine["needs_check"] is True
        assert "need a human check" in out["summary"]["standing"] or (
            "needs a human check" in out["summary"]["standing"]
        )
        sample = next(f for f in mine["flags"] if f["rule"] == "enrolment.sample_size")
        assert sample["summary"].startswith("Enrolled 30 of 80 planned (38%)")

        view = record_json(build_record_view(session, FOLLOW_UP))
        assert view["needs_check"] and {f["rule"] for f in view["flags"]} >= rules

        digest = build_digest(session, since=first + timedelta(seconds=1), until=second)
        section = next(s for s in digest.sections if s.key == "flags")
        assert any(
            i.id == FOLLOW_UP and i.flag == "major" and "primary outcome" in i.what
            for i in section.items
        )

        # a human verdict clears the check and keeps the flag
        judge(
            session,
            FOLLOW_UP,
            "inconclusive",
            "Outcome swapped after completion; checked.",
            by="reviewer",
            now=second + timedelta(hours=1),
        )
    third = _assess(engine, cfg, date.fromisoformat(sim.today) + timedelta(days=1))
    with session_scope(engine) as session:
        out = ledger_json(build_ledger(session, cfg.claim))
        mine = next(i for i in out["items"] if i["id"] == FOLLOW_UP)
        assert mine["needs_check"] is False
        assert "outcomes.primary_changed" in {f["rule"] for f in mine["flags"]}
        # an unchanged flag is not announced twice
        again = session.scalars(
            select(ChangeEvent).where(
                col(ChangeEvent.field) == "flag", col(ChangeEvent.at) == third
            )
        ).all()
        assert again == []


def test_exports_list_every_registration_and_flag(world, engine, db_url):
    import csv
    import io

    from tracker.export.rows import export_rows
    from tracker.export.writers import write_csv

    cfg = make_config(world, db_url)
    sim = world.ctgov
    run_sync(engine, cfg)
    sim.advance(30)
    sim.update(FOLLOW_UP, _swap_and_cut)
    run_sync(engine, cfg)
    _assess(engine, cfg, date.fromisoformat(sim.today))
    with session_scope(engine) as session:
        rows = {r.id: r for r in export_rows(session, relevant_only=False)}
        out = io.StringIO()
        write_csv(list(rows.values()), out)
    assert rows[TWIN].registrations == [f"EudraCT:{EUDRACT}", FOLLOW_UP, TWIN]
    assert any(f.startswith("major outcomes.primary_changed") for f in rows[TWIN].flags)
    table = {r["id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert table[FOLLOW_UP]["registrations"] == f"EudraCT:{EUDRACT}; {FOLLOW_UP}; {TWIN}"
    assert "enrolment.sample_size" in table[FOLLOW_UP]["flags"]


def test_the_site_study_page_lists_registrations_and_flags(world, engine, db_url, tmp_path):
    from tracker.config import SiteConfig
    from tracker.site.build import build_site

    cfg = make_config(world, db_url)
    sim = world.ctgov
    run_sync(engine, cfg)
    sim.advance(30)
    sim.update(FOLLOW_UP, _swap_and_cut)
    run_sync(engine, cfg)
    _assess(engine, cfg, date.fromisoformat(sim.today))
    out = tmp_path / "site"
    site = SiteConfig(base_url="https://example.org/t", contact="team@example.org")
    build_site(engine, cfg.claim, site, out)
    pages = [p.read_text() for p in (out / "study").glob("*.html")]
    page = next(p for p in pages if FOLLOW_UP in p)
    assert f"EudraCT:{EUDRACT}, {FOLLOW_UP}, {TWIN}" in page
    assert "Needs a human check" in page
    assert "Non-severe change" in page or "Severe change of the primary outcome" in page
