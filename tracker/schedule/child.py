"""Each job runs as a child `tracker` process, e.g. `tracker sync --source ctgov`.

Why a child: the scheduler lives for months, and a sync of 1,000-study pages or an email
with a chart leaves tens of MB of imports and allocator arenas behind in whatever process
ran it. In a child, all of that is returned to the system when the job ends, so the idle
scheduler stays small; a crash in a C extension ends one run, not the scheduler; and a
scheduled sync is exactly the `tracker sync` a person would run.

The child's stderr is read line by line into the scheduler's log (so the journal and
--log-file see it), and its `tracker: error:` lines become the run's error.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from tracker.config import DEFAULT_CONFIG, Config

INHERIT_ENV = "TRACKER_INHERITED_LOCK"
"""The writer-lock token a child finds in its environment: its parent holds the lock for
it (see tracker.schedule.lock.holding)."""

_current: subprocess.Popen[str] | None = None
_current_lock = threading.Lock()


KILL_AFTER = 60.0
"""Seconds between the SIGTERM of a timed-out child and its SIGKILL."""


@dataclass
class ChildResult:
    code: int
    errors: list[str] = field(default_factory=list)
    """The child's `tracker: error:` lines, or its last stderr lines if it had none."""
    timed_out: bool = False


def tracker_argv(cfg: Config, args: list[str]) -> list[str]:
    """`python -m tracker [--config FILE] ARGS`, with the config this scheduler runs on."""
    argv = [sys.executable, "-m", "tracker"]
    if cfg.source_path != str(DEFAULT_CONFIG) and not cfg.source_path.startswith("<"):
        argv += ["--config", cfg.source_path]
    return argv + args


def run_child(
    argv: list[str],
    *,
    log: logging.Logger,
    lock_token: str | None,
    timeout: float | None = None,
    kill_after: float = KILL_AFTER,
) -> ChildResult:
    """Run one child to its end, its stderr logged as it comes; past `timeout` seconds it is
    asked to stop (SIGTERM), and killed `kill_after` seconds later."""
    global _current
    env = dict(os.environ)
    if lock_token:
        env[INHERIT_ENV] = lock_token
    # A session of its own: a Ctrl-C in the scheduler's terminal reaches the scheduler only,
    # which then asks the child once (forward_stop), so the child stops cleanly.
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env=env,
        start_new_session=True,
    )
    with _current_lock:
        _current = proc
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        log.error("timed out after %.0f s: stopping it", timeout)
        proc.send_signal(signal.SIGTERM)
        if not _wait_quietly(proc, kill_after):
            proc.kill()

    timer = threading.Timer(timeout, expire) if timeout else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    tail: list[str] = []
    errors: list[str] = []
    try:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.rstrip()
            if not line:
                continue
            if line.startswith("tracker: error: "):
                errors.append(line.removeprefix("tracker: error: "))
                log.error("%s", line)
            else:
                log.info("%s", line)
            tail = [*tail[-4:], line]
        code = proc.wait()
    finally:
        if timer is not None:
            timer.cancel()
        if proc.stderr is not None:
            proc.stderr.close()  # a scheduler runs for months: no descriptor left behind
        with _current_lock:
            _current = None
    if timed_out.is_set():
        errors.insert(0, f"timed out after {timeout:.0f} s")
    return ChildResult(code, errors or ([] if code == 0 else tail), timed_out=timed_out.is_set())


def _wait_quietly(proc: subprocess.Popen[str], seconds: float) -> bool:
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def forward_stop() -> None:
    """Ask the running child, if any, to stop after its page (SIGTERM, once)."""
    with _current_lock:
        if _current is not None and _current.poll() is None:
            _current.send_signal(signal.SIGTERM)
