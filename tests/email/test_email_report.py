"""`tracker email` end to end against aiosmtpd: what arrives, and that no item arrives twice."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.digest_support import (
    AMP_TITLE,
    SCRIPT_TITLE,
    T0,
    T1,
    T2,
    assess,
    busy_world,
    event,
    trial,
)
from tests.email_support import MailServer, free_port
from tracker.config import ClaimConfig, IndexConfig, SiteConfig
from tracker.email import outbox
from tracker.email.report import send_report
from tracker.errors import SmtpError
from tracker.reports.ledger import build_ledger
from tracker.store.models import EmailReport, Override, ReportedItem

CLAIM = ClaimConfig(
    statement="Magnetic stimulation of the brain slows ALS progression.",
    short_name="STIMALS",
    index=IndexConfig(nct_id="NCT04393467", doi="10.1016/j.lanepe.2024.101019"),
)


def _welcome(engine, server) -> None:
    """The first email after setup (a welcome), sent before the week the test looks at."""
    first = send_report(engine, server.settings(send_when_empty=True), now=T0, claim=CLAIM)
    assert first.status == "sent"
    assert server.received[-1].message["Subject"].startswith("STIMALS follow-ups: where the")


@pytest.fixture
def world(engine):
    with Session(engine) as session:
        busy_world(session)
        session.commit()
    return engine


def _html_and_text(message):
    plain, related = message.iter_parts()
    html, chart = related.iter_parts()
    return html.get_content(), plain.get_content(), chart


def test_message_parts_headers_and_escaped_registry_text(world):
    with MailServer() as server:
        _welcome(world, server)
        outcome = send_report(world, server.settings(), now=T2, claim=CLAIM)
    assert outcome.status == "sent"
    got = server.received[-1]
    message = got.message
    assert sorted(got.rcpt_tos) == ["alice@example.org", "bob@example.net"]
    # The subject names the question and what moved, and no prefix: under 80 characters.
    subject = "STIMALS follow-ups: 1 trial stopped, 1 verdict change; now 0 refutes, 2 confirms"
    assert message["Subject"] == subject and len(subject) <= 80
    assert message["Message-ID"] == outcome.message_id
    assert message["Date"] == "Sun, 08 Nov 2026 06:00:00 +0000"
    assert message["List-Unsubscribe"] == "<mailto:tracker@example.org?subject=unsubscribe>"
    assert message["List-Unsubscribe-Post"] is None  # one-click needs an https URI
    assert message["Auto-Submitted"] == "auto-generated"
    html, text, chart = _html_and_text(message)
    # Registry text is escaped in the HTML and literal in the plain text.
    assert "<script>" not in html
    assert "Static &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; stimulation" in html
    assert "tSMS &amp; riluzole in ALS" in html
    assert SCRIPT_TITLE in text and AMP_TITLE in text
    # Every listed item links to its registry page, in both parts.
    for url in (
        "https://clinicaltrials.gov/study/NCT00000001",
        "https://clinicaltrials.gov/study/NCT00000002",
        "https://pubmed.ncbi.nlm.nih.gov/200/",
        "https://pubmed.ncbi.nlm.nih.gov/300/",
        "https://pubmed.ncbi.nlm.nih.gov/400/",
    ):
        assert f'href="{url}"' in html and url in text
    assert "Deep TMS in depression" not in html + text  # not relevant: counted only
    # NCT00000003 (changed) and PMID:300 (new) are counted, not listed
    assert "2 new records or changes on records judged not relevant" in text
    assert "verdict: pending -> confirms" in text and "+8 months" in text
    # The chart is an inline PNG that the HTML shows.
    assert chart.get_content_type() == "image/png"
    assert chart.get_content().startswith(b"\x89PNG")
    assert f'src="cid:{chart["Content-ID"].strip("<>")}"' in html


def test_the_message_leads_with_the_answer_and_lists_each_record_once(world):
    with MailServer() as server:
        _welcome(world, server)
        send_report(world, server.settings(), now=T2, claim=CLAIM)
    html, text, _ = _html_and_text(server.received[-1].message)
    for body in (html, text):
        order = [
            "Magnetic stimulation of the brain slows ALS progression.",
            "NCT04393467",
            "Confirmed: ",  # the standing sentence
            "Studies by verdict",
            "Verdict changes (1)",
            "verdict: pending",
            "status: Recruiting",
            "number of participants: 40",
            "New follow-ups (1)",
            "now counted as a follow-up",
            "Retractions and notices (1)",
            "retraction notice PMID:201",
            "Sources",
        ]
        positions = [body.index(s) for s in order]
        assert positions == sorted(positions), order
    assert html.index("cid:") < html.index("Verdict changes")  # the chart before the changes
    # NCT00000001 changed six ways in the week: one entry, every change under it.
    assert html.count(">NCT00000001<") == 1 and text.count("study/NCT00000001") == 1
    assert "role:" not in text + html and "RetractionIn" not in text + html


def test_the_first_email_is_a_welcome_with_where_the_evidence_stands(world):
    with MailServer() as server:
        send_report(world, server.settings(), now=T2, claim=CLAIM)
        later = send_report(world, server.settings(), now=T2 + timedelta(hours=1), claim=CLAIM)
    assert later.status == "empty"  # the welcome's items count as reported
    [got] = server.received
    assert got.message["Subject"] == (
        "STIMALS follow-ups: where the evidence stands; 0 refutes, 2 confirms"
    )
    html, text, _ = _html_and_text(got.message)
    assert "Welcome: where the evidence on STIMALS stands" in text
    # Studies per verdict, each once, instead of every first role and verdict assignment.
    assert text.index("Confirms (2)") < text.index("Inconclusive (1)") < text.index("Pending (1)")
    assert text.count(AMP_TITLE) == 1 and "(NCT00000002, n = 60)" in text
    assert "now counted as a follow-up" not in text and "first judged" not in text
    assert "Verdict changes" not in html


def test_the_welcome_lists_each_study_under_its_human_verdict_as_tracker_evidence_does(world):
    with Session(world) as session:
        # A person's verdict on a paper of the study NCT00000002 (automatically pending)
        # stands over the whole study; a cleared one on NCT00000001 no longer counts.
        note = "Results <b>posted</b>: survival no better than sham."
        session.add(
            Override(record_id="PMID:400", verdict="refutes", note=note, by="reviewer", at=T0)
        )
        session.add(
            Override(
                record_id="NCT00000001",
                verdict="refutes",
                note="Judged too early.",
                at=T0 - timedelta(days=3),
                cleared_at=T0 - timedelta(days=2),
            )
        )
        session.commit()
        ledger = build_ledger(session, CLAIM)
    with MailServer() as server:
        send_report(world, server.settings(), now=T2, claim=CLAIM)
    [got] = server.received
    # The counts in the subject and the lists below agree: the human verdict counts.
    assert got.message["Subject"] == (
        "STIMALS follow-ups: where the evidence stands; 1 refutes, 2 confirms"
    )
    html, text, _ = _html_and_text(got.message)
    refutes = text[text.index("Refutes (1)") : text.index("Confirms (2)")]
    assert AMP_TITLE in refutes and text.count(AMP_TITLE) == 1  # not under Pending too
    assert (
        "A person's verdict (automatic: pending): Results <b>posted</b>: survival no better" in text
    )
    assert "A person's verdict (automatic: pending): Results &lt;b&gt;posted" in html
    assert text.count("A person's verdict") == 1  # the cleared one is not shown
    assert SCRIPT_TITLE in text[text.index("Confirms (2)") : text.index("Inconclusive (1)")]
    # tracker evidence gives every record of those studies the same verdicts.
    by_study = {i.study: i.verdict for i in ledger.items if i.relevant}
    assert by_study["NCT00000002"] == "refutes" and by_study["NCT00000001"] == "confirms"


def test_with_a_website_every_item_links_to_its_study_page(world):
    site = SiteConfig(base_url="https://example.org/stimals")
    with MailServer() as server:
        _welcome(world, server)
        send_report(world, server.settings(), now=T2, claim=CLAIM, site=site)
    html, text, _ = _html_and_text(server.received[-1].message)
    for study in ("NCT00000001", "NCT00000002", "PMID-200"):
        url = f"https://example.org/stimals/study/{study}.html"
        assert f'href="{url}"' in html and url in text
    # PMID:400 is a paper of the study NCT00000002: it links to that study's page.
    entry = html[html.index("A new relevant paper") - 200 : html.index("A new relevant paper")]
    assert 'href="https://example.org/stimals/study/NCT00000002.html"' in entry


def test_no_item_is_sent_twice(world):
    with MailServer() as server:
        first = send_report(world, server.settings(), now=T2)
        again = send_report(world, server.settings(), now=T2 + timedelta(hours=1))
        assert again.status == "empty"
        with Session(world) as session:
            event(session, "NCT00000001", "enrollment", "120", "150", T2 + timedelta(hours=2))
            session.commit()
        third = send_report(world, server.settings(), now=T2 + timedelta(hours=3))
    assert (first.status, third.status) == ("sent", "sent")
    assert third.items == 1
    assert len(server.received) == 2
    _, text, _ = _html_and_text(server.received[1].message)
    assert "number of participants: 120 -> 150" in text
    assert "pending -> confirms" not in text and "40 -> 120" not in text


@pytest.mark.parametrize("failure", ["refused", "down"])
def test_failed_send_leaves_items_for_the_next_run(world, failure):
    with MailServer() as server:
        settings = server.settings()
        if failure == "refused":
            server.handler.refuse = "554 5.7.1 Rejected"
        else:
            settings = server.settings(smtp={"port": free_port()})
        with pytest.raises(SmtpError) as failed:
            send_report(world, settings, now=T2)
        assert failed.value.exit_code == 1
        with Session(world) as session:
            assert session.exec(select(ReportedItem)).all() == []
            [row] = session.exec(select(EmailReport)).all()
            assert row.status == "failed" and row.error
        server.handler.refuse = None
        later = send_report(world, server.settings(), now=T2 + timedelta(hours=1))
    assert later.status == "sent"
    [got] = server.received
    _, text, _ = _html_and_text(got.message)
    # The first email that reached the server is the welcome, with every study in it.
    assert "Welcome" in text and SCRIPT_TITLE in text and AMP_TITLE in text


def test_dry_run_writes_the_message_and_marks_nothing(world, tmp_path: Path):
    path = tmp_path / "report.eml"
    with MailServer() as server:
        dry = send_report(world, server.settings(), now=T2, dry_run=path)
        assert dry.status == "dry-run" and server.received == []
        written = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert written["Subject"].startswith("tracker follow-ups: where the evidence stands")
        with Session(world) as session:
            assert session.exec(select(EmailReport)).all() == []
        real = send_report(world, server.settings(), now=T2)
    assert real.items == dry.items
    assert len(server.received) == 1


def test_a_run_that_died_while_sending_never_causes_a_repeat(world, caplog):
    """The outbox row is committed before sending; a crash leaves it 'sending'."""
    with MailServer() as server:
        send_report(world, server.settings(), now=T1)  # window up to T1 sent normally
        with Session(world) as session:
            from tracker.reports.digest import build_digest

            keys = build_digest(session, since=T1, until=T2).item_keys
            outbox.record_sending(
                session,
                message_id="<crashed@example.org>",
                since=T1,
                until=T2,
                keys=keys,
                recipients=["alice@example.org"],
                now=T2,
            )
            # Killed while handing the message over: it may have arrived.
            row = session.exec(
                select(EmailReport).where(EmailReport.message_id == "<crashed@example.org>")
            ).one()
            assert row.id is not None
            outbox.record_stage(session, row.id, outbox.HANDING_OVER)
            session.commit()
        with caplog.at_level(logging.WARNING):
            after = send_report(world, server.settings(), now=T2 + timedelta(hours=1))
    assert after.status == "empty"
    assert "<crashed@example.org>" in caplog.text
    assert len(server.received) == 1
    with Session(world) as session:
        row = session.exec(
            select(EmailReport).where(EmailReport.message_id == "<crashed@example.org>")
        ).one()
        assert row.status == "unknown"
        assert set(json.loads(row.items)) <= {
            r.item_key for r in session.exec(select(ReportedItem))
        }


def test_nothing_new_sends_nothing_unless_asked(engine):
    with MailServer() as server:
        quiet = send_report(engine, server.settings(), now=T2)
        assert quiet.status == "empty" and server.received == []
        _welcome(engine, server)
        forced = send_report(engine, server.settings(send_when_empty=True), now=T2, claim=CLAIM)
    assert forced.status == "sent"
    got = server.received[-1]
    assert got.message["Subject"] == "STIMALS follow-ups: nothing new; still 0 refutes, 0 confirms"
    _, text, _ = _html_and_text(got.message)
    assert "Nothing new since the last report." in text


def test_a_busy_week_keeps_every_title_in_html_and_every_link_in_text(engine):
    with Session(engine) as session:
        for n in range(150):
            nct = f"NCT0{6000000 + n}"
            trial(session, nct, f"Trial & title number {n:03d}", first_seen=T1)
            assess(session, nct, relevant=True)
            event(session, nct, "enrollment", "10", str(20 + n), T1)
        session.commit()
    with MailServer() as server:
        _welcome(engine, server)
        outcome = send_report(engine, server.settings(), now=T2)
    assert outcome.items == 150
    html, text, _ = _html_and_text(server.received[-1].message)
    for n in range(150):
        assert f"Trial &amp; title number {n:03d}" in html
        assert f"https://clinicaltrials.gov/study/NCT0{6000000 + n}" in text
        assert f"number of participants: 10 -> {20 + n}" in text
    assert "titles are in the HTML version" in text
    assert len(server.received[0].raw) < 150 * 1024
