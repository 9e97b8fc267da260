"""The writer lock on both backends: one holder, a clear refusal, stale locks taken over."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tracker.errors import LockedError
from tracker.runtime.interrupt import stop_requested
from tracker.schedule.lock import LOCKS, WRITER, WriterLock, holding


def make_lock(engine, command="tracker sync", **kw):
    kw.setdefault("heartbeat", 0.2)
    kw.setdefault("stale_after", 30.0)
    return WriterLock(engine, WRITER, command=command, **kw)


def test_second_holder_is_refused_with_who_and_since_when(engine):
    first = make_lock(engine, "tracker schedule: ctgov")
    first.acquire(wait=False)
    try:
        second = make_lock(engine, "tracker sync")
        with pytest.raises(LockedError) as info:
            second.acquire(wait=False)
        message = str(info.value)
        assert "tracker schedule: ctgov" in message
        assert f"pid {first.pid} on {first.host}" in message
        assert "since " in message and "UTC" in message
        assert second.token is None
    finally:
        first.release()
    assert first.holder() is None


def test_released_lock_can_be_taken_again(engine):
    with holding(make_lock(engine), wait=False):
        pass
    with holding(make_lock(engine, "tracker run"), wait=False) as lock:
        holder = lock.holder()
        assert holder is not None and holder.command == "tracker run"


def test_waiting_holder_gets_the_lock_when_it_is_released(engine):
    first = make_lock(engine)
    first.acquire(wait=False)
    got = threading.Event()

    def wait_for_it():
        second = make_lock(engine, "tracker schedule: pubmed")
        second.acquire(wait=True, poll=0.05)
        got.set()
        second.release()

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    time.sleep(0.3)
    assert not got.is_set()  # still waiting while the first holds it
    first.release()
    waiter.join(timeout=10)
    assert got.is_set()


def test_waiting_gives_up_when_a_stop_is_requested(engine):
    with holding(make_lock(engine), wait=False):
        with pytest.raises(LockedError, match="stopped while waiting"):
            make_lock(engine).acquire(wait=True, should_stop=lambda: True, poll=0.01)


def test_lock_of_a_killed_process_on_this_host_is_taken_over(engine, tmp_path):
    """A process that took the lock and was killed -9 leaves its row; its pid is gone."""
    url = engine.url.render_as_string(hide_password=False)
    script = (
        "import os, sys, time\n"
        "from tracker.store.db import make_engine\n"
        "from tracker.schedule.lock import WriterLock, WRITER\n"
        "lock = WriterLock(make_engine(sys.argv[1]), WRITER, command='tracker sync',"
        " heartbeat=60, stale_after=600)\n"
        "lock.acquire(wait=False)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(LockedError, match=f"pid {child.pid} "):
            make_lock(engine, stale_after=600).acquire(wait=False)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    # The heartbeat is fresh (stale_after 600 s), but the process is gone from this host.
    with holding(make_lock(engine, "tracker run", stale_after=600), wait=False) as lock:
        holder = lock.holder()
        assert holder is not None and holder.pid == lock.pid


def test_lock_with_an_expired_heartbeat_is_taken_over(engine):
    """A holder on another machine cannot be checked by pid: its silent heartbeat decides."""
    other = make_lock(engine, "tracker schedule: ctgov")
    other.acquire(wait=False)
    other._stop_beat.set()  # it hangs: no more heartbeats
    other._beat.join()
    with engine.begin() as conn:
        conn.execute(
            update(LOCKS).values(host="elsewhere.example", pid=1, heartbeat_at=_ago(seconds=5))
        )
    # Within stale_after it is still held ...
    with pytest.raises(LockedError, match="on elsewhere.example"):
        make_lock(engine, stale_after=30).acquire(wait=False)
    # ... past it, it is taken over.
    lock = make_lock(engine, stale_after=2)
    lock.acquire(wait=False)
    try:
        assert lock.holder().host == lock.host
    finally:
        lock.release()


def test_heartbeat_keeps_a_lock_fresh_and_notices_a_takeover(engine):
    lost = threading.Event()
    lock = make_lock(engine, heartbeat=0.1, on_lost=lost.set)
    lock.acquire(wait=False)
    first_beat = lock.holder().heartbeat_at
    time.sleep(0.5)
    assert lock.holder().heartbeat_at > first_beat
    # Someone decided we were stale and took the lock: our next heartbeat finds out.
    with engine.begin() as conn:
        conn.execute(update(LOCKS).values(token="someone-else", pid=1, host="elsewhere"))
    assert lost.wait(5)
    assert lock.lost.is_set()
    lock.release()  # releases nothing that is not ours
    assert lock.holder().host == "elsewhere"


def test_only_one_of_several_contenders_wins(engine):
    winners = []
    barrier = threading.Barrier(4)

    def contend(i):
        lock = make_lock(engine, f"contender {i}")
        barrier.wait()
        try:
            lock.acquire(wait=False)
        except LockedError:
            return
        winners.append(lock)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    winners[0].release()


def _ago(*, seconds):
    return datetime.now(UTC) - timedelta(seconds=seconds)


def test_a_child_inherits_its_parents_lock_by_token(engine):
    """`tracker schedule` holds the lock and runs `tracker sync` as a child with the token:
    the child neither takes nor releases it; a wrong token is just another contender."""
    parent = make_lock(engine, "tracker schedule: ctgov")
    parent.acquire(wait=False)
    try:
        child = make_lock(engine, "tracker sync")
        with holding(child, wait=False, inherit=parent.token):
            assert child.token is None
        assert parent.holder().command == "tracker schedule: ctgov"  # still the parent's
        with pytest.raises(LockedError, match="tracker schedule: ctgov"):
            with holding(make_lock(engine), wait=False, inherit="not-the-token"):
                pass
    finally:
        parent.release()
    assert parent.holder() is None


def test_a_scheduler_that_loses_its_lock_stops_and_exits_with_an_error(engine):
    """Another scheduler took over (this one stalled past lock_stale_after): this one stops
    instead of running jobs beside it, and fails, so systemd restarts it as a standby."""
    from tracker.config import DEFAULT_CONFIG, load_config
    from tracker.schedule.lock import SCHEDULER
    from tracker.schedule.scheduler import run_scheduler

    cfg = load_config(DEFAULT_CONFIG, env={})
    jobs_off = dict.fromkeys(("ctgov", "pubmed", "europepmc", "email"), "")
    cfg = cfg.model_copy(
        update={"schedule": cfg.schedule.model_copy(update={**jobs_off, "lock_heartbeat": 0.1})}
    )

    def steal():
        probe = WriterLock(engine, SCHEDULER, command="probe")
        deadline = time.monotonic() + 20
        while probe.holder() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the scheduler is running by now
        with engine.begin() as conn:
            conn.execute(
                update(LOCKS)
                .where(LOCKS.c.name == SCHEDULER)
                .values(token="other", host="elsewhere", pid=1)
            )

    thief = threading.Thread(target=steal)
    thief.start()
    started = time.monotonic()
    with pytest.raises(LockedError, match="lost the scheduler lock"):
        run_scheduler(cfg, engine, {})
    thief.join()
    assert time.monotonic() - started < 20
    holder = WriterLock(engine, SCHEDULER, command="probe").holder()
    assert holder is not None and holder.host == "elsewhere"
    assert not stop_requested()  # nothing else in this process is asked to stop
