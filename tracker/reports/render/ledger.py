"""The ledger in the terminal: the standing sentence on top, the claim and the index, then
studies grouped by verdict with participants, reasons and links. Registry text goes in as
Text, never markup.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tracker.evidence.rules.terms import VERDICTS
from tracker.reports.ledger import Ledger, LedgerItem
from tracker.reports.render.console import linked_id, standing_line
from tracker.reports.render.fold import NBSP, Folded
from tracker.reports.verdicts import VERDICT_LABELS, VERDICT_STYLES


def render_ledger(ledger: Ledger) -> RenderableType:
    claim = ledger.claim
    parts: list[RenderableType] = [
        standing_line(ledger.summary.standing, ledger.summary.state),
        Text(""),
        Folded(
            Text.assemble(("Claim  ", "bold"), claim.statement or "(no statement configured)"),
            hang=7,
        ),
    ]
    parts += _index(ledger)
    studies = _studies([i for i in ledger.items if i.relevant and i.role != "index"])
    for verdict in VERDICTS:
        group = studies.get(verdict, [])
        if group:
            parts += [Text(""), _group_table(verdict, group)]
    parts += [Text(""), _excluded_line(ledger.items)]
    return Group(*parts)


def _index(ledger: Ledger) -> list[RenderableType]:
    index = ledger.claim.index
    ids = [x for x in (index.nct_id, f"doi:{index.doi}" if index.doi else "") if x]
    line = Text.assemble(("Index  ", "bold"), " · ".join(ids) or "(none configured)")
    if index.date:
        line.append(f"  (result public {index.date})".replace(" ", NBSP), style="dim")
    out: list[RenderableType] = [Folded(line, hang=7)]
    out += [
        Folded(Text.assemble("  ", linked_id(i.id, i.url), "  ", i.title), hang=4 + len(i.id))
        for i in ledger.items
        if i.role == "index"
    ]
    return out


def _studies(items: list[LedgerItem]) -> dict[str, list[list[LedgerItem]]]:
    """Verdict -> studies (each the list of its records), biggest first."""
    by_study: dict[str, list[LedgerItem]] = {}
    for item in items:
        by_study.setdefault(item.study, []).append(item)
    grouped: dict[str, list[list[LedgerItem]]] = {}
    for records in by_study.values():
        grouped.setdefault(records[0].verdict, []).append(records)
    for studies in grouped.values():
        studies.sort(key=lambda rs: -(max(r.participants or 0 for r in rs)))
    return grouped


def _group_table(verdict: str, studies: list[list[LedgerItem]]) -> Table:
    n = sum(max(r.participants or 0 for r in rs) for rs in studies)
    title = f"{VERDICT_LABELS[verdict]}: {len(studies)} stud{'y' if len(studies) == 1 else 'ies'}"
    table = Table(
        title=Text(title + (f", n = {n}" if n else ""), style=f"bold {VERDICT_STYLES[verdict]}"),
        title_justify="left",
        show_lines=True,
    )
    for name in ("study", "n", "role", "why"):
        table.add_column(name, overflow="fold")
    for records in studies:
        table.add_row(_ids(records), _n(records), Text(_roles(records)), _why(records))
    return table


def _ids(records: list[LedgerItem]) -> Text:
    text = Text()
    for i, r in enumerate(records):
        if i:
            text.append("\n")
        text.append_text(linked_id(r.id, r.url))
        text.append(" ")
        text.append(r.title[:90] + ("…" if len(r.title) > 90 else ""), style="dim")
    links = sorted({x for r in records for x in r.links} - {r.id for r in records})
    if links:
        text.append("\nlinks: " + ", ".join(links), style="dim")
    regs = [x for x in records[0].registrations if x not in {r.id for r in records}]
    if regs:
        text.append("\nregistrations: " + ", ".join(regs), style="dim")
    return text


def _n(records: list[LedgerItem]) -> str:
    n = max(r.participants or 0 for r in records)
    return str(n) if n else "–"


def _roles(records: list[LedgerItem]) -> str:
    return ", ".join(dict.fromkeys(r.role.replace("_", "-") for r in records))


def _why(records: list[LedgerItem]) -> Text:
    first = records[0]
    text = Text(first.reason)
    strength = f" [{first.strength}]" if first.strength else ""
    text.append(f"{strength} ({first.rule})", style="dim")
    for quote in first.evidence[:2]:
        text.append("\n“" + quote + "”", style="italic")
    _flag_lines(text, first)
    o = first.override
    if o is not None:
        by = f" by {o.by}" if o.by else ""
        text.append(
            f"\nHUMAN VERDICT: {VERDICT_LABELS[o.verdict]}{by}, {o.at:%Y-%m-%d} on {o.record_id}: ",
            style="bold magenta",
        )
        text.append(o.note)
        text.append(f"\n(automatic verdict: {VERDICT_LABELS[first.automatic]})", style="dim")
    return text


def _flag_lines(text: Text, item: LedgerItem) -> None:
    """The study's consistency flags, worst first; `tracker show` quotes their evidence."""
    if item.needs_check:
        text.append("\nNEEDS A HUMAN CHECK (major consistency flag)", style="bold red")
    for f in [f for f in item.flags if f.severity != "info"][:3]:
        text.append(f"\n⚑ {f.severity} ", style="yellow" if f.severity == "minor" else "red")
        text.append(f.summary)


def _excluded_line(items: list[LedgerItem]) -> RenderableType:
    excluded = Counter(i.exclusion or "other" for i in items if not i.relevant)
    if not excluded:
        return Text("No stored record was excluded.", style="dim")
    # each reason stays whole with its count when the line folds
    detail = ", ".join(f"{k.replace('_', NBSP)}{NBSP}{v}" for k, v in excluded.most_common())
    return Folded(Text(f"{sum(excluded.values())} records not relevant: {detail}.", style="dim"))
