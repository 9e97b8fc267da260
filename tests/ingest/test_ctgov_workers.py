"""CT.gov pages parsed in a worker process: the same stored result as parsing in the main
process, a worker's failure left to the main process, and a sync that really uses it."""

from __future__ import annotations

import gc
import json
import weakref

import httpx
import msgspec
import pytest
from sqlalchemy import select
from sqlmodel import col

from tests import paths
from tests.e2e_support import EXPECTED_IDS, build_world, last_run, make_config, run_sync
from tracker.ingest import ctgov as ctgov_sync
from tracker.ingest import ctgov_workers
from tracker.ingest.ctgov_workers import prepare, split_page
from tracker.runtime.workers import WorkerFailed, WorkerPool
from tracker.sources.request import fetch
from tracker.store.models import Trial
from tracker.store.trial_rows import PreparedStudy
from tracker.store.versioning import content_hash

FIXTURES = paths.FIXTURES / "ctgov"
_RAWS = msgspec.json.Decoder(list[msgspec.Raw])


def page_studies() -> list[msgspec.Raw]:
    """The fixture studies, one that is not a study at all, and one without an NCT id, as
    a page's studies (exact byte slices of one body, as the sync has them)."""
    studies = [
        (FIXTURES / name).read_bytes()
        for name in ("NCT04393467.json", "NCT05100000_observational.json")
    ]
    studies.append(b'{"protocolSection": 7}')
    studies.append(json.dumps({"protocolSection": {"statusModule": {}}}).encode())
    studies.append((FIXTURES / "NCT06200000_terminated.json").read_bytes())
    return _RAWS.decode(b"[" + b",".join(studies) + b"]")


def test_the_worker_prepares_exactly_what_the_main_process_prepares():
    parts = split_page(page_studies(), 2)
    assert [len(p) for p in parts] == [2, 2, 1]
    here = [prepare(part) for part in parts]
    with WorkerPool(1) as pool:
        results = pool.run(prepare, parts)
        assert results is not None
        there = list(results)
    assert there == here
    studies = [s for part in here for s in part]
    assert [s.nct_id for s in studies] == ["NCT04393467", "NCT05100000", "", "", "NCT06200000"]
    parsed, broken = studies[0], studies[2]
    assert parsed.data and parsed.raw == b"" and parsed.error is None
    assert parsed.columns["brief_title"] and parsed.links  # the index trial cites its paper
    # A study that does not parse keeps its exact bytes (hashed and stored as they came).
    assert broken.data is None and broken.raw == b'{"protocolSection": 7}' and broken.error


def test_no_workers_means_the_main_process_parses():
    assert WorkerPool(0).run(prepare, [page_studies()]) is None
    small = split_page(page_studies(), 250)
    assert ctgov_workers.submit(WorkerPool(1), small) is None  # far below MIN_PARALLEL_BYTES


def _page(parts, results) -> ctgov_sync._Page:
    return ctgov_sync._Page(1, sum(len(p) for p in parts), None, list(parts), results)


def test_a_failed_worker_leaves_the_rest_of_the_page_to_the_main_process():
    parts = split_page(page_studies(), 2)

    def fails_after_the_first_part():
        yield prepare(parts[0])
        raise WorkerFailed("the worker died")

    page = _page(parts, fails_after_the_first_part())
    got: list[list[PreparedStudy]] = list(ctgov_sync._prepared(page))
    assert got == [prepare(p) for p in parts]  # every part once, in order
    assert page.parts == [None, None, None]  # each dropped once taken


@pytest.fixture
def worker_for_any_page(monkeypatch):
    """The worker for the simulator's small pages (the default wants megabytes), and a
    record of what it was given."""
    monkeypatch.setattr(ctgov_workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(ctgov_workers, "worker_count", lambda: 2)
    runs: list[int] = []
    run = WorkerPool.run

    def counted(self, fn, parts):
        runs.append(len(parts))
        return run(self, fn, parts)

    monkeypatch.setattr(WorkerPool, "run", counted)
    return runs


def test_a_sync_through_the_worker_stores_what_the_main_process_would(
    simulator, engine, db_url, worker_for_any_page
):
    build_world(simulator.ctgov)
    cfg = make_config(simulator, db_url)
    outcome, _ = run_sync(engine, cfg)
    assert worker_for_any_page  # every page went to the worker...
    assert sum(worker_for_any_page) == last_run(engine).pages  # ...in parts of up to PART_STUDIES
    assert outcome.complete and outcome.new_records == len(EXPECTED_IDS)
    with engine.connect() as conn:
        rows = conn.execute(
            select(col(Trial.nct_id), col(Trial.data), col(Trial.content_hash))
        ).all()
    assert sorted(r.nct_id for r in rows) == EXPECTED_IDS
    # What the main process makes of the same studies, as the simulator serves them.
    body = httpx.get(f"{simulator.ctgov_url}/studies", params={"pageSize": "1000"}).content
    studies = _RAWS.decode(msgspec.json.decode(body, type=dict[str, msgspec.Raw])["studies"])
    here = {s.nct_id: s for s in prepare(studies)}
    for row in rows:
        data = here[row.nct_id].data
        assert data is not None, f"{row.nct_id} did not parse"
        assert row.data == data.decode()
        assert row.content_hash == content_hash(data)


def test_a_fetched_body_does_not_wait_for_the_garbage_collector(simulator):
    """httpx's response and its stream refer to each other: unbroken, every 30 MB page
    body lived until the cyclic collector happened to run, and a sync held several."""
    build_world(simulator.ctgov)
    seen: list[weakref.ref[httpx.Response]] = []
    with httpx.Client(event_hooks={"response": [lambda r: seen.append(weakref.ref(r))]}) as client:
        gc.disable()
        try:
            body = fetch(
                client, "GET", f"{simulator.ctgov_url}/studies", source="ctgov", where="test"
            )
            assert body.startswith(b"{")
            assert len(seen) == 1 and seen[0]() is None  # freed as soon as fetch returned
        finally:
            gc.enable()
