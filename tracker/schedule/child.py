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


@dataclass
class ChildResult:
    code: int
    errors: list[str] = field(default_factory=list)
    """The child's `tracker: error:` lines, or its last stderr lines if it had none."""


def tracker_argv(cfg: Config, args: list[str]) -> list[str]:
    """`python -m tracker [--config FILE] ARGS`, with the config this scheduler runs on."""
    argv = [sys.executable, "-m", "tracker"]
    if cfg.source_path != str(DEFAULT_CONFIG) and not cfg.source_path.startswith("<"):
        argv += ["--config", cfg.source_path]
    return argv + args


def run_child(argv: list[str], *, log: logging.Logger, lock_token: str | None) -> ChildResult:
    """Run one child to its end, its stderr logged as it comes."""
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
        with _current_lock:
            _current = None
    return ChildResult(code, errors or ([] if code == 0 else tail))


def forward_stop() -> None:
    """Ask the running child, if any, to stop after its page (SIGTERM, once)."""
    with _current_lock:
        if _current is not None and _current.poll() is None:
            _current.send_signal(signal.SIGTERM)
