"""Renderers: registry text stays text in the terminal and in Markdown; JSON keeps the
contract's keys."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from rich.console import Console

from tracker.ids import Source
from tracker.reports.digest_data import Change, Digest, Item, NewItem, Section, SourceHealth
from tracker.reports.render.console import render_digest
from tracker.reports.render.json import render_digest_json
from tracker.reports.render.markdown import md_escape, render_digest_markdown

AT = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
HOSTILE = "[bold red]Effect[/bold red] of tSMS on ALS <script>alert(1)</script> & *more*"


def digest() -> Digest:
    return Digest(
        since=datetime(2026, 11, 1, tzinfo=UTC),
        until=AT,
        new=[
            NewItem(
                "NCT05000001",
                Source.CTGOV,
                HOSTILE,
                "RECRUITING",
                AT,
                "https://clinicaltrials.gov/study/NCT05000001",
            )
        ],
        changes=[
            Change(
                "NCT05000001",
                HOSTILE,
                "overall_status",
                "RECRUITING",
                "TERMINATED [early]",
                AT,
                None,
            )
        ],
        verdict_changes=[],
        evidence={},
        health=[SourceHealth(Source.CTGOV, AT, "ok", AT, 10, 10, True, 0, [], 10)],
        # The renderers list the digest's sections (built by build_digest from the above).
        sections=[
            Section(
                "status",
                "Status changes",
                [
                    Item(
                        "NCT05000001",
                        HOSTILE,
                        "https://clinicaltrials.gov/study/NCT05000001",
                        "RECRUITING → TERMINATED [early]",
                        AT,
                        ("event:1",),
                        "stopped",
                    )
                ],
            )
        ],
    )


def render_text(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(renderable)
    return out.getvalue()


def test_console_prints_registry_text_literally():
    text = render_text(render_digest(digest()))
    assert "[bold red]Effect[/bold red] of tSMS on ALS <script>alert(1)</script>" in text
    assert "TERMINATED [early]" in text
    assert "complete" in text and "10/10" in text


def test_markdown_escapes_registry_text():
    out = render_digest_markdown(digest())
    assert "\\[bold red\\]Effect" in out
    assert "\\<script\\>" in out and "\\*more\\*" in out
    assert "[NCT05000001](https://clinicaltrials.gov/study/NCT05000001)" in out
    assert md_escape("a|b\nc") == "a\\|b c"  # a title cannot break a table row


def test_json_digest_has_the_contract_keys_and_utc_times():
    data = json.loads(render_digest_json(digest()))
    assert set(data) >= {
        "since",
        "until",
        "new",
        "changes",
        "verdict_changes",
        "evidence",
        "health",
    }
    assert data["since"] == "2026-11-01T00:00:00Z"
    assert data["new"][0]["title"] == HOSTILE
    change = data["changes"][0]
    assert {"id", "field", "old", "new", "at"} <= set(change)
    assert data["health"]["ctgov"]["complete"] is True
