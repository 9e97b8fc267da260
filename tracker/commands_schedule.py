"""`tracker schedule`: run the configured jobs until stopped (systemd, a terminal, a container)."""

from __future__ import annotations

import logging

from tracker.cli import Source, State, app
from tracker.commands import _engine, run_sync

log = logging.getLogger("tracker.schedule.jobs")


def _sync_job(source: Source) -> None:
    from tracker.schedule.jobs import JobFailed

    failures = run_sync([source], full=False)
    if failures:
        raise JobFailed("; ".join(failures))


def _email_job() -> None:
    """The email report, as `tracker email` sends it: each item once, nothing when empty."""
    from tracker.email.report import send_report
    from tracker.runs import utcnow

    outcome = send_report(_engine(), State.config().email, now=utcnow())
    if outcome.status == "sent":
        log.info("email: sent %s with %d items", outcome.message_id, outcome.items)
    else:
        log.info("email: nothing new since the last report; no email sent")


@app.command()
def schedule() -> None:
    """Run the jobs of [schedule] on their cron times until SIGTERM or Ctrl-C.

    One scheduler per database runs jobs; a second one waits until the first is gone."""
    # APScheduler is imported here, not at start-up: other commands stay quick to start.
    from tracker.schedule.scheduler import run_scheduler

    logging.getLogger("tracker.schedule").setLevel(logging.INFO)
    bodies = {
        "ctgov": lambda: _sync_job(Source.CTGOV),
        "pubmed": lambda: _sync_job(Source.PUBMED),
        "europepmc": lambda: _sync_job(Source.EUROPEPMC),
        "email": _email_job,
    }
    run_scheduler(State.config(), _engine(), bodies)
