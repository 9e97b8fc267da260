"""Parse workers die with their parent: a `tracker sync` killed with SIGKILL while its parse
worker is alive leaves no process behind, neither the worker nor multiprocessing's resource
tracker (which lives until every process holding its pipe has ended)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tracker.simulator import RegistrySimulator, make_bulk_studies

# The real CLI, with the CT.gov worker forced on: tracker starts one only on a machine with
# a core to spare (tracker.ingest.ctgov_workers.pool), and this test must not depend on that.
TRACKER = """
import sys
import tracker.ingest.ctgov_workers as ctgov_workers
ctgov_workers.worker_count = lambda: 2
from tracker.cli.main import main
sys.argv[0] = "tracker"
main()
"""

CONFIG = """
[http]
timeout = 120.0
[ctgov]
page_size = 200
[[ctgov.queries]]
name = "all"
"""


def _gone(process: psutil.Process) -> bool:
    """Ended (a zombie has ended too: nothing may reap an orphan in a container)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _is_worker(process: psutil.Process) -> bool:
    try:
        return "spawn_main" in " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return False


def test_a_killed_sync_leaves_no_worker_and_no_resource_tracker(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    with RegistrySimulator() as sim:
        # Two pages of about 6 MB (over the size that goes to a worker); the second request
        # stalls, so the sync waits for it with its worker started on the first page.
        sim.ctgov.add_many(make_bulk_studies(400, size_kb=30, with_results=True))
        sim.faults.inject("timeout", after=1, delay=120)
        env.update(
            TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 't.db'}",
            TRACKER_CTGOV_URL=sim.ctgov_url,
            TRACKER_CTGOV_RPS="0",
        )
        sync = subprocess.Popen(
            [sys.executable, "-c", TRACKER, "--config", str(config), "sync", "--source", "ctgov"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=tmp_path,
            start_new_session=True,  # its own group: the cleanup below reaches only it
        )
        children: list[psutil.Process] = []
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and sync.poll() is None:
                children = psutil.Process(sync.pid).children(recursive=True)
                stalled = sim.faults.fired == [("timeout", "/api/v2/studies")]
                # the worker and the resource tracker (started for the pool's queues)
                if stalled and len(children) >= 2 and any(map(_is_worker, children)):
                    break
                time.sleep(0.05)
            else:
                raise AssertionError(f"no worker while the sync waited (exit {sync.poll()})")
            assert any("resource_tracker" in " ".join(c.cmdline()) for c in children)
            os.kill(sync.pid, signal.SIGKILL)
            sync.wait()
            deadline = time.monotonic() + 20
            while not all(map(_gone, children)) and time.monotonic() < deadline:
                time.sleep(0.05)
            left = [(c.pid, c.cmdline()) for c in children if not _gone(c)]
            assert left == [], left
        finally:
            sync.kill()
            sync.wait()
            for child in children:  # whatever a failure left behind
                if not _gone(child):
                    child.kill()
