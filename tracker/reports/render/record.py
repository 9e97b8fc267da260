"""Render a RecordView for the terminal. Registry text goes in as Text, never markup."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tracker.ids import Source, record_url
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData
from tracker.reports.explain import Explanation
from tracker.reports.record import RecordView
from tracker.reports.render.console import linked_id, when
from tracker.reports.render.flags import consistency_parts


def render_record(view: RecordView) -> RenderableType:
    head = Text.assemble(linked_id(view.id, view.url), "  ", Text(view.title, style="bold"))
    parts: list[RenderableType] = [head]
    if view.parse_error:
        parts.append(Text(f"stored unparsed: {view.parse_error}", style="red"))
    if isinstance(view.record, TrialData):
        parts.append(_facts(_trial_facts(view.record)))
    elif isinstance(view.record, ArticleData):
        parts.append(_facts(_article_facts(view.record, view.cites_index, view.found_by)))
    if view.links:
        parts.append(_links(view))
    if view.cited_by:
        parts.append(Text(f"cited by {len(view.cited_by)}: " + ", ".join(view.cited_by)))
    parts.append(_judgement(view.assessment))
    if view.consistency is not None:
        parts += consistency_parts(view.consistency)
    parts.append(_timeline(view))
    return Group(*parts)


def _judgement(e: Explanation | None) -> RenderableType:
    """Relevance, role and verdict, each with the signals it rests on."""
    if e is None:
        return Text("not assessed yet (run `tracker evidence`)", style="dim")
    table = Table(title="Evidence", title_justify="left", show_header=False)
    table.add_column(style="dim")
    table.add_column(overflow="fold")
    relevance = "relevant" if e.relevant else f"not relevant ({e.exclusion})"
    table.add_row("relevance", _lines(f"{relevance}: {e.relevance_reason}", e.relevance_evidence))
    table.add_row("role", Text(f"{e.role}: {e.role_reason}"))
    verdict = (
        e.verdict if e.verdict == e.automatic else f"{e.verdict} (human; automatic {e.automatic})"
    )
    strength = f", {e.strength}" if e.strength else ""
    table.add_row("verdict", _lines(f"{verdict} [{e.rule}{strength}]: {e.reason}", e.evidence))
    own = e.own
    if own and own.get("rule") != e.rule:
        table.add_row(
            "own reading",
            _lines(
                f"{own.get('verdict')} [{own.get('rule')}]: {own.get('reason')}",
                own.get("evidence", []),
            ),
        )
    if len(e.study_records) > 1:
        table.add_row("study", Text(f"{e.study}: " + ", ".join(e.study_records)))
    if e.participants:
        table.add_row("participants", Text(str(e.participants)))
    table.add_row("signals", Text(_signal_summary(e.signals)))
    for o in e.overrides:
        state = f"cleared {when(o.cleared_at)}" if o.cleared_at else "active"
        by = f" by {o.by}" if o.by else ""
        table.add_row("human verdict", Text(f"{o.verdict}{by}, {when(o.at)} ({state}): {o.note}"))
    return table


def _lines(head: str, quotes: list[str]) -> Text:
    text = Text(head)
    for quote in quotes:
        text.append("\n  " + quote, style="italic")
    return text


def _signal_summary(signals: dict[str, Any]) -> str:
    design = signals.get("design") or {}
    flags = [
        k for k in ("randomised", "sham", "blinded", "controlled", "uncontrolled") if design.get(k)
    ]
    parts = [
        "therapy: "
        + (", ".join(f"{k} ({v})" for k, v in (signals.get("therapy") or {}).items()) or "none"),
        "measurement: "
        + (
            ", ".join(f"{k} ({v})" for k, v in (signals.get("measurement") or {}).items()) or "none"
        ),
        "population: " + ("; ".join(signals.get("population") or []) or "none"),
        "design: "
        + (", ".join(flags) or "not stated")
        + (f", n = {design['n']}" if design.get("n") else ""),
        "claim outcomes: "
        + (", ".join(signals.get("claim_outcomes") or []) or "none")
        + (
            f" (primary: {', '.join(signals['primary_claim'])})"
            if signals.get("primary_claim")
            else ""
        ),
        "other outcomes: " + (", ".join(signals.get("other_outcomes") or []) or "none"),
    ]
    if signals.get("inferred"):
        parts.append("matched by inference to: " + ", ".join(signals["inferred"]))
    return "\n".join(parts)


def _facts(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(overflow="fold")
    for label, value in rows:
        if value:
            table.add_row(label, Text(value))
    return table


def _trial_facts(t: TrialData) -> list[tuple[str, str]]:
    results = (
        "posted"
        if t.has_results
        else (f"submitted {t.results_submitted}, not yet posted" if t.results_submitted else "none")
    )
    return [
        ("status", t.overall_status or "–"),
        ("why stopped", t.why_stopped or ""),
        ("type / phase", f"{t.study_type or '–'} / {'|'.join(t.phases) or 'no phase'}"),
        ("design", " · ".join(x for x in (t.allocation, t.masking, t.intervention_model) if x)),
        (
            "enrollment",
            f"{t.enrollment if t.enrollment is not None else '–'} {t.enrollment_type or ''}",
        ),
        ("start", t.start_date.value if t.start_date else "–"),
        (
            "primary completion",
            t.primary_completion_date.value if t.primary_completion_date else "–",
        ),
        ("conditions", "; ".join(t.conditions)),
        ("interventions", "; ".join(f"{i.type}: {i.name}" for i in t.interventions)),
        ("sponsor", t.lead_sponsor or "–"),
        ("results", results),
    ]


def _article_facts(
    a: ArticleData, cites_index: bool, found_by: str | None
) -> list[tuple[str, str]]:
    journal = a.journal.title if a.journal and a.journal.title else "–"
    authors = ", ".join(
        x.collective_name or f"{x.last_name or ''} {x.initials or ''}".strip()
        for x in a.authors[:6]
    )
    return [
        ("journal", f"{journal} {a.pub_date.value if a.pub_date else a.pub_date_text or ''}"),
        ("authors", authors + (" et al." if len(a.authors) > 6 else "")),
        ("types", "; ".join(p.name for p in a.publication_types)),
        ("doi", a.doi or ""),
        ("status", "RETRACTED" if a.retracted else ("deleted from PubMed" if a.deleted else "")),
        ("cites the index", "yes" if cites_index else ""),
        ("found by", found_by or ""),
        ("abstract", a.abstract_text[:600] + ("…" if len(a.abstract_text) > 600 else "")),
    ]


def _links(view: RecordView) -> Table:
    title = "Reported in" if view.source == Source.CTGOV else "Reports trials"
    table = Table(title=title, title_justify="left")
    for name in ("record", "how we know", "title"):
        table.add_column(name, overflow="fold")
    for link in view.links:
        table.add_row(
            linked_id(link.id, record_url(link.id)),
            Text(link.provenance),
            Text(link.title or "(not stored)"),
        )
    return table


def _timeline(view: RecordView) -> Table:
    table = Table(title="Timeline", title_justify="left")
    for name in ("when", "version", "what"):
        table.add_column(name, overflow="fold")
    rows = [
        (
            v.seen_at,
            str(v.version),
            "first seen" if v.version == 1 else "changed: " + ", ".join(v.changed_fields),
        )
        for v in view.versions
    ] + [
        (e.at, str(e.version or ""), f"{e.field}: {e.old or '–'} → {e.new or '–'}")
        for e in view.events
    ]
    for at, version, what in sorted(rows, key=lambda row: row[0]):
        table.add_row(when(at), version, Text(what))
    return table
