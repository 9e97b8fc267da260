"""The sync that `tracker sync` and `tracker run` share: every source in turn with progress
bars, then the evidence engine over what arrived. Not a command module, so that both command
modules can use it without importing each other."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from tracker.cli.app import State, say
from tracker.cli.common import engine, progress_bar
from tracker.errors import UsageError
from tracker.ids import SOURCES, Source

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
    from sqlalchemy import Engine

    from tracker.config import Config
    from tracker.ingest.every import SyncReport
    from tracker.ingest.runs import Progress as SyncProgress
    from tracker.ingest.runs import SyncOutcome


def run_sync(sources: list[Source], *, full: bool) -> SyncReport:
    """Sync each source in turn, then judge; the report has one error line per source that
    failed."""
    from tracker.evidence.signal_rows import ClaimReader
    from tracker.http import HttpStats, make_client
    from tracker.ingest.every import chase_again, rps_by_host, sync_sources
    from tracker.runtime.memory import collect_less, unmap_large_buffers

    missing = [s for s in sources if s not in SOURCES]
    if missing:
        names = ", ".join(s.value for s in missing)
        have = ", ".join(s.value for s in SOURCES)
        raise UsageError(f"--source {names}: not available in this version of tracker ({have})")
    unmap_large_buffers()  # pages freed are given back, not kept on the heap
    collect_less()  # the judging's many long-lived objects: fewer whole-heap collections
    cfg = State.config()
    db = engine()
    stats = HttpStats()
    rates = rps_by_host(cfg, has_api_key=bool(os.environ.get("NCBI_API_KEY")))
    reader = ClaimReader.of(cfg.claim)
    with make_client(cfg, rps_by_host=rates, stats=stats) as client:
        with progress_bar() as bar:
            tasks: dict[str, TaskID] = {}

            def show(p: SyncProgress) -> None:
                key = f"{p.source}:{p.query}"
                if key not in tasks:
                    tasks[key] = bar.add_task(f"{p.source} · {p.query}", total=p.expected)
                bar.update(tasks[key], completed=p.fetched, total=p.expected or p.fetched)

            def finished(outcome: SyncOutcome) -> None:
                if outcome.complete:  # everything expected arrived: its bars end full
                    for key, task in tasks.items():
                        if key.startswith(f"{outcome.source}:"):
                            done = bar.tasks[task].completed
                            bar.update(task, completed=done, total=done)
                _report_outcome(outcome)

            ordered = [s for s in SOURCES if s in sources]
            report = sync_sources(
                ordered,
                db,
                cfg,
                client,
                stats,
                full=full,
                progress=show,
                on_outcome=finished,
                # The parse workers read the evidence signals too: the judging then reads none.
                reader=reader,
            )
        for source in report.skipped:
            say(f"{source.value}: skipped: no query configured")
        if report.outcomes or not report.failures:
            # Judge what arrived: a changed verdict or a new follow-up is a change event the
            # digest shows. Stored records are judged even when a source failed (not when
            # every one did: then nothing arrived to judge).
            _judge(db, cfg, "evidence: judged {judged} records (only what could have changed)")
            # The chase in each sync asked about the studies relevant before it; those the
            # judging just found relevant are chased now, not at the next sync, and what that
            # brings in is judged in turn (each round asks only papers not asked yet).
            while (
                chased := chase_again(report, db, cfg, client, stats, full=full, reader=reader)
            ).asked:
                papers = "paper" if chased.asked == 1 else "papers"
                say(
                    f"citations: asked who cites {chased.asked} {papers} of newly relevant "
                    f"studies; {chased.stored} records new or changed"
                )
                if not chased.stored:
                    break
                _judge(db, cfg, "evidence: judged {judged} more records after the citation chase")
    _report_unchaseable(report)
    return report


def _judge(db: Engine, cfg: Config, summary: str) -> None:
    """One judging pass over what can have changed, and its summary line."""
    # Imported only now: the rules and the judging need no memory during the sync.
    from tracker.evidence.reassess import Tally, reassess_database

    tally = Tally()
    with progress_bar() as bar:
        changed = reassess_database(db, cfg, progress=_judging(bar), tally=tally)
    say(f"{summary.format(judged=tally.judged)}; {changed} verdict or role changes")


def _report_unchaseable(report: SyncReport) -> None:
    """Relevant papers no citation source can be asked about are said, not skipped quietly."""
    spent = report.chases.get(Source.EUROPEPMC)
    if spent and spent.unchaseable:
        say(unchaseable_line(spent.unchaseable))


def unchaseable_line(ids: list[str]) -> str:
    """One line naming relevant papers the citation chase cannot ask about (the first few)."""
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    papers = "paper" if len(ids) == 1 else "papers"
    return (
        f"europepmc: {len(ids)} relevant {papers} with no PMID and no Europe PMC id "
        f"cannot be chased for citations: {shown}"
    )


def _judging(bar: Progress) -> Callable[[int, int], None]:
    """Show the evidence engine at work after a sync (minutes, after a first large one)."""
    task: list[TaskID] = []

    def show(done: int, total: int) -> None:
        if not total:
            return  # nothing new to judge: no bar at all
        if not task:
            task.append(bar.add_task("evidence · judging", total=total))
        bar.update(task[0], completed=done, total=total)

    return show


def _report_outcome(outcome: SyncOutcome) -> None:
    kind = "full" if outcome.full else f"incremental since {outcome.since}"
    say(
        f"{outcome.source}: {kind}: fetched {outcome.fetched} of {outcome.expected} expected; "
        f"{outcome.new_records} new, {outcome.new_versions} new versions, {outcome.events} changes"
    )
    for error in outcome.errors:
        say(f"warning: {error}", style="yellow")
