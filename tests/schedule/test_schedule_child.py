"""A job's command as a child process: errors, stderr into the log, the lock token, timeouts."""

from __future__ import annotations

import logging
import signal
import sys

from tracker.schedule.child import INHERIT_ENV, run_child

log = logging.getLogger("tracker.schedule.jobs.test")


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_error_lines_become_the_runs_error_and_stderr_goes_to_the_log(caplog):
    code = (
        "import os, sys\n"
        f"print('token', os.environ.get('{INHERIT_ENV}'), file=sys.stderr)\n"
        "print('tracker: error: ctgov: HTTP 500', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    with caplog.at_level(logging.INFO, logger="tracker.schedule"):
        result = run_child(python(code), log=log, lock_token="abc123")
    assert result.code == 1 and not result.timed_out
    assert result.errors == ["ctgov: HTTP 500"]
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("INFO", "token abc123") in messages
    assert ("ERROR", "tracker: error: ctgov: HTTP 500") in messages


def test_a_failure_without_an_error_line_keeps_the_last_lines():
    code = "import sys\nprint('Traceback: boom', file=sys.stderr)\nsys.exit(3)\n"
    result = run_child(python(code), log=log, lock_token=None)
    assert result.code == 3 and result.errors == ["Traceback: boom"]


def test_a_job_past_its_timeout_is_asked_to_stop_after_its_page():
    code = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        "    print('stopping after the page', file=sys.stderr, flush=True)\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('started', file=sys.stderr, flush=True)\n"
        "time.sleep(30)\n"
    )
    result = run_child(python(code), log=log, lock_token=None, timeout=1.0)
    assert result.timed_out and result.code == 0
    assert result.errors[0] == "timed out after 1 s"


def test_a_job_that_ignores_the_stop_is_killed():
    code = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('started', file=sys.stderr, flush=True)\n"
        "time.sleep(30)\n"
    )
    result = run_child(python(code), log=log, lock_token=None, timeout=1.0, kill_after=0.5)
    assert result.timed_out and result.code == -signal.SIGKILL
