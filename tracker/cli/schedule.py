"""`tracker schedule`: run the configured jobs until stopped (systemd, a terminal, a container)."""

from __future__ import annotations

import logging

from tracker.cli.app import State, app
from tracker.cli.common import engine, examples
from tracker.ids import SOURCES

COMMANDS: dict[str, list[str]] = {
    **{source.value: ["sync", "--source", source.value] for source in SOURCES},
    "email": ["email"],
}
"""What each job runs: exactly the command a person would type (each in a child process)."""


@app.command(
    epilog=examples(
        "tracker schedule                                 until Ctrl-C",
        "tracker schedule --log-file /var/log/tracker.log  (under systemd or in a container)",
    )
)
def schedule() -> None:
    """Run the configured jobs (config section 'schedule') on time until SIGTERM or Ctrl-C.

    One scheduler per database runs jobs; a second one waits until the first is gone. The
    email job needs [email] (a sender and recipients): without it, schedule refuses to
    start; set [schedule] email = "" to run the syncs only."""
    # APScheduler is imported here, not at start-up: other commands stay quick to start.
    from tracker.schedule.scheduler import run_scheduler
    from tracker.schedule.triggers import job_specs

    cfg = State.config()
    # A bad cron expression, or an email job with no [email] to send with: exit 2 with one
    # line, before the database is opened or created.
    job_specs(cfg)
    logging.getLogger("tracker.schedule").setLevel(logging.INFO)
    run_scheduler(cfg, engine(), COMMANDS)
