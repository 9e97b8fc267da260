"""build_digest over rows inserted directly, on SQLite and PostgreSQL; rendered at a fixed
width without colour."""

from __future__ import annotations

import io
import json

from rich.console import Console
from sqlmodel import Session

from tests.digest_support import AMP_TITLE, SCRIPT_TITLE, T0, T1, T2, busy_world, event
from tracker.reports.digest import build_digest
from tracker.reports.digest_data import SECTIONS, Digest
from tracker.reports.render.console import render_digest
from tracker.reports.render.json import render_digest_json
from tracker.reports.render.markdown import render_digest_markdown


def _digest(engine) -> Digest:
    with Session(engine) as session:
        busy_world(session)
        session.commit()
        return build_digest(session, since=T0, until=T2)


def _lines(digest: Digest, key: str) -> list[tuple[str, str, str | None]]:
    section = next(s for s in digest.sections if s.key == key)
    return [(i.id, i.what, i.flag) for i in section.items]


def test_sections_in_order_with_their_items(engine):
    digest = _digest(engine)
    assert [s.key for s in digest.sections] == [key for key, _ in SECTIONS]
    # Plain words (tracker.reports.plain), never field names or PubMed's RetractionIn.
    assert _lines(digest, "verdict_changes") == [
        ("NCT00000001", "verdict: pending → confirms (supports the claim)", None)
    ]
    assert _lines(digest, "follow_ups") == [("NCT00000002", "now counted as a follow-up", None)]
    assert _lines(digest, "results") == [("NCT00000001", "results posted on 2026-11-03", None)]
    assert _lines(digest, "status") == [
        ("NCT00000001", "status: Recruiting → Terminated", "stopped"),
        ("NCT00000001", "reason given for stopping: Sponsor decision", None),
    ]
    assert _lines(digest, "slipped") == [
        ("NCT00000001", "expected end of the main data collection: 2026-05 → 2027-01", "+8 months")
    ]
    assert _lines(digest, "enrollment") == [
        ("NCT00000001", "number of participants: 40 → 120", None)
    ]
    assert _lines(digest, "retractions") == [
        ("PMID:200", "retraction notice PMID:201", "retracted")
    ]
    assert _lines(digest, "citing") == [("PMID:300", "cites PMID:100", None)]
    # NCT00000002 is new and relevant but already listed as a follow-up: shown once.
    assert _lines(digest, "new_relevant") == [("PMID:400", "new paper", None)]
    follow_up = next(s for s in digest.sections if s.key == "follow_ups").items[0]
    assert set(follow_up.keys) == {
        "new:NCT00000002",
        *(k for k in follow_up.keys if k.startswith("event:")),
    }
    assert len(follow_up.keys) == 3  # role event, first-verdict event, new record


def test_not_relevant_and_unassessed_are_counted_not_listed(engine):
    digest = _digest(engine)
    listed = {item.id for s in digest.sections for item in s.items}
    assert "NCT00000003" not in listed and "NCT00000004" not in listed
    # NCT00000003: one status change; PMID:300 is new but not relevant (listed as citing).
    assert digest.not_relevant == 2
    assert digest.unassessed == 1  # NCT00000004, new and not assessed
    # The event before the window is not there.
    assert all(c.at > T0 for c in digest.changes)


def test_ledger_counts_per_study(engine):
    digest = _digest(engine)
    assert digest.evidence["confirms"] == 2  # NCT00000001 and the index study
    assert digest.evidence["pending"] == 1  # NCT00000002 with PMID:400: one study
    assert digest.evidence["inconclusive"] == 1
    assert digest.state == "confirmed"
    assert digest.standing and digest.standing.startswith("Confirmed: 1 controlled follow-up")


def test_every_item_links_to_its_registry_page(engine):
    digest = _digest(engine)
    for section in digest.sections:
        for item in section.items:
            assert item.url and item.url.startswith("https://"), item
    citing = next(s for s in digest.sections if s.key == "citing").items[0]
    assert citing.url == "https://pubmed.ncbi.nlm.nih.gov/300/"


def _plain(renderable) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=160, color_system=None, force_terminal=False).print(renderable)
    out = buffer.getvalue()
    assert "\x1b[" not in out
    return out


def test_console_render_groups_changes_under_each_record(engine):
    out = _plain(render_digest(_digest(engine)))
    assert out.splitlines()[1].startswith("Confirmed: 1 controlled follow-up")  # standing first
    # NCT00000001 changed its verdict, status, dates, size and results in one window: it is
    # listed once, under its most important section, with every change beneath it.
    assert out.count("NCT00000001") == 1
    assert "Status changes" not in out and "Enrollment changes" not in out
    positions = [
        out.index(title) for title in ("Verdict changes (1)", "NCT00000001", "verdict: pending")
    ]
    positions += [out.index(t) for t in ("results posted on", "status: Recruiting")]
    positions += [out.index(t) for t in ("expected end of the main", "number of participants")]
    positions += [out.index(t) for t in ("New follow-ups (1)", "Retractions and notices (1)")]
    positions += [out.index(t) for t in ("New papers citing the index (1)", "New relevant")]
    positions += [out.index(t) for t in ("Ledger", "Sources")]
    assert positions == sorted(positions)
    assert SCRIPT_TITLE in out and AMP_TITLE in out
    assert "stopped" in out and "+8 months" in out
    assert "2 new records or changes on records judged not relevant; 1 on" in out
    assert "confirms 2 · refutes 0 · inconclusive 1 · pending 1 · not applicable 0" in out
    assert "Deep TMS in depression" not in out


def test_console_says_when_nothing_is_new(engine):
    with Session(engine) as session:
        busy_world(session)
        session.commit()
        digest = build_digest(session, since=T2, until=T2)
    out = _plain(render_digest(digest))
    assert "Nothing new in this window." in out
    assert "Ledger" in out  # the standing is shown even on a quiet week


def test_markdown_and_json(engine):
    digest = _digest(engine)
    md = render_digest_markdown(digest)
    assert "## Verdict changes (1)" in md
    assert md.count("NCT00000001") == 2  # one entry (link text and URL), its changes under it
    assert "  - status: Recruiting → Terminated **stopped**" in md
    assert "\\-" not in md  # no backslash before every hyphen
    assert "role:" not in md and "RetractionIn" not in md
    assert "[NCT00000001](https://clinicaltrials.gov/study/NCT00000001)" in md
    assert "\\<script\\>" in md
    # The standing comes first, right under the title.
    assert md.splitlines()[2].startswith("**Confirmed: 1 controlled follow-up found a benefit")
    data = json.loads(render_digest_json(digest))
    assert data["evidence"]["confirms"] == 2
    assert data["state"] == "confirmed"
    assert data["standing"].startswith("Confirmed: ")
    assert [c["new"] for c in data["verdict_changes"]] == ["confirms", "pending"]
    assert data["sections"]["slipped"]["items"][0]["flag"] == "+8 months"
    assert data["not_listed"] == {"not_relevant": 2, "unassessed": 1}
    assert {i["id"] for i in data["new"]} == {
        "NCT00000002",
        "NCT00000004",
        "PMID:300",
        "PMID:400",
    }


def test_without_drops_items_whose_keys_were_all_reported(engine):
    digest = _digest(engine)
    keys = digest.item_keys
    assert len(keys) == len(set(keys))
    verdict = next(s for s in digest.sections if s.key == "verdict_changes").items[0]
    follow_up = next(s for s in digest.sections if s.key == "follow_ups").items[0]
    remaining = digest.without({*verdict.keys, follow_up.keys[0]})
    assert remaining.item_count == digest.item_count - 1
    listed = [i for s in remaining.sections for i in s.items]
    assert verdict not in listed and follow_up in listed


def test_console_ids_are_terminal_hyperlinks(engine):
    buffer = io.StringIO()
    console = Console(file=buffer, width=160, force_terminal=True, color_system="standard")
    console.print(render_digest(_digest(engine)))
    out = buffer.getvalue()
    # OSC 8: ESC ] 8 ; params ; URL ESC \  (rich adds an id parameter)
    assert "\x1b]8;" in out
    assert ";https://clinicaltrials.gov/study/NCT00000001\x1b\\" in out
    assert ";https://pubmed.ncbi.nlm.nih.gov/200/\x1b\\" in out


def test_two_events_that_read_the_same_are_one_line_with_both_keys(engine):
    """A retracted paper gets a 'retraction' event and a 'corrections' event naming the
    same notice: the digest says it once, flagged, and an email marks both as reported."""
    with Session(engine) as session:
        busy_world(session)
        event(session, "PMID:200", "corrections", None, "RetractionIn PMID:201", T1)
        session.commit()
        digest = build_digest(session, since=T0, until=T2)
    assert _lines(digest, "retractions") == [
        ("PMID:200", "retraction notice PMID:201", "retracted")
    ]
    (line,) = next(s for s in digest.sections if s.key == "retractions").items
    assert len(line.keys) == 2 and all(k.startswith("event:") for k in line.keys)
