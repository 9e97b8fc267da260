"""End-to-end syncs over real sockets against the loopback simulator, on both backends:
first sync, a moving world, an unchanged world, and every injected fault."""

from __future__ import annotations

import pytest

from tests.e2e_support import (
    EXPECTED_IDS,
    build_world,
    count,
    events,
    last_run,
    make_config,
    run_sync,
    stored_ids,
    try_sync,
    versions_of,
)
from tracker.errors import SourceError
from tracker.simulator import RegistrySimulator
from tracker.store.models import ChangeEvent, TrialVersion


@pytest.fixture
def world(simulator):
    build_world(simulator.ctgov)
    return simulator


def studies_requests(sim: RegistrySimulator) -> int:
    return sim.requests.count("/api/v2/studies")


def test_first_sync_stores_everything_the_queries_match(world, engine, db_url):
    cfg = make_config(world, db_url)
    outcome, stats = run_sync(engine, cfg)
    assert stored_ids(engine) == EXPECTED_IDS  # the whole family, TMS-as-measure too, no distractor
    assert outcome.complete and outcome.full
    # Two queries; the second also finds the family trials that mention stimulation.
    assert outcome.fetched == outcome.expected
    assert outcome.new_records == len(EXPECTED_IDS)
    run = last_run(engine)
    assert (run.status, run.complete, run.fetched, run.expected) == (
        "ok",
        True,
        outcome.fetched,
        outcome.expected,
    )
    assert run.watermark == "2025-01-15"
    assert run.pages >= 4  # page_size 3: both queries span several pages
    assert count(engine, TrialVersion) == len(EXPECTED_IDS)
    assert count(engine, ChangeEvent) == 0
    assert stats.retries == 0


def test_unchanged_world_one_request_per_query_and_no_versions(world, engine, db_url):
    cfg = make_config(world, db_url, page_size=1000)
    run_sync(engine, cfg)
    before = studies_requests(world)
    outcome, _ = run_sync(engine, cfg)
    assert studies_requests(world) - before == len(cfg.ctgov.queries)
    assert not outcome.full and outcome.since is not None
    assert (outcome.new_records, outcome.new_versions, outcome.events) == (0, 0, 0)
    assert count(engine, TrialVersion) == len(EXPECTED_IDS)
    # Each incremental request asks only for records updated since the watermark - overlap.
    incremental = [r for r in world.requests.snapshot() if r.path == "/api/v2/studies"][-1]
    assert incremental.params["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2025-01-12,MAX]"


def test_moving_world_records_exactly_the_right_versions_and_events(world, engine, db_url):
    from tracker.simulator import make_study

    cfg = make_config(world, db_url)
    run_sync(engine, cfg)
    sim = world.ctgov
    sim.advance(7)  # 2025-01-22
    sim.add(
        make_study(
            "NCT05300001",
            title="Home tSMS in ALS, phase 3",
            conditions=["ALS"],
            interventions=[("DEVICE", "tSMS")],
            last_update=sim.today,
        )
    )
    sim.set_status("NCT05000001", "TERMINATED", why_stopped="Futility at interim analysis")
    sim.post_results("NCT05000002", p_values=("0.41",))
    outcome, _ = run_sync(engine, cfg)
    assert outcome.complete
    assert outcome.new_records == 1
    assert outcome.new_versions == 3  # the new study plus two changed ones
    assert "NCT05300001" in stored_ids(engine)
    got = {(rid, field) for rid, field, _, _ in events(engine)}
    assert ("NCT05000001", "overall_status") in got
    assert ("NCT05000001", "why_stopped") in got
    assert ("NCT05000002", "results_posted") in got
    status = [e for e in events(engine) if e[:2] == ("NCT05000001", "overall_status")]
    assert status == [("NCT05000001", "overall_status", "RECRUITING", "TERMINATED")]
    posted = [e for e in events(engine) if e[:2] == ("NCT05000002", "results_posted")]
    assert posted == [("NCT05000002", "results_posted", None, "2025-01-22")]
    assert all(rid in {"NCT05000001", "NCT05000002"} for rid, *_ in events(engine))
    assert versions_of(engine, "NCT05000001") == 2
    assert versions_of(engine, "NCT04393467") == 1
    assert last_run(engine).watermark == "2025-01-22"
    # A third sync of the now-unchanged world adds nothing.
    outcome, _ = run_sync(engine, cfg)
    assert (outcome.new_records, outcome.new_versions, outcome.events) == (0, 0, 0)


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("429", {}),
        ("429", {"retry_after": "0"}),
        ("500", {}),
        ("503", {"count": 2}),
        ("403", {}),
        ("truncate", {}),
        ("timeout", {"delay": 1.5}),
    ],
    ids=["429", "429-retry-after", "500", "503x2", "403", "truncate", "timeout"],
)
def test_transient_faults_are_retried_to_success(world, engine, db_url, kind, options):
    cfg = make_config(world, db_url, timeout=0.5)
    world.faults.inject(kind, after=2, **options)  # mid-way, on the third page request
    outcome, stats = run_sync(engine, cfg)
    assert outcome.complete
    assert stored_ids(engine) == EXPECTED_IDS
    assert stats.retries >= options.get("count", 1)
    assert last_run(engine).retries == stats.retries


def test_retry_after_is_honoured_over_the_wire(world, engine, db_url):
    cfg = make_config(world, db_url)
    world.faults.inject("429", retry_after="1")
    import time

    start = time.monotonic()
    outcome, _ = run_sync(engine, cfg)
    assert outcome.complete
    assert time.monotonic() - start >= 1.0


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("malformed", {}, "malformed JSON"),
        ("500", {"count": 10}, "HTTP 500"),
        ("timeout", {"count": 10, "delay": 1.0}, "ReadTimeout"),
    ],
    ids=["malformed", "500-persistent", "timeout-persistent"],
)
def test_fatal_fault_keeps_what_was_fetched_and_next_run_completes(
    world, engine, db_url, kind, options, message
):
    cfg = make_config(world, db_url, retries=2, timeout=0.4)
    world.faults.inject(kind, after=2, **options)
    error = try_sync(engine, cfg)
    assert isinstance(error, SourceError)
    assert message in str(error) and "page 3" in str(error)
    kept = stored_ids(engine)
    assert len(kept) == 6  # two full pages of three, stored before the fault
    run = last_run(engine)
    assert (run.status, run.complete, run.watermark) == ("failed", False, None)
    assert message in run.errors
    world.faults.clear()
    outcome, _ = run_sync(engine, cfg)
    assert outcome.complete and outcome.full  # no complete run yet: asks for everything again
    assert stored_ids(engine) == EXPECTED_IDS
    assert count(engine, TrialVersion) == len(EXPECTED_IDS)  # refetched pages made no versions


def test_short_answer_is_reported_incomplete_and_asked_again(world, engine, db_url):
    cfg = make_config(world, db_url)
    world.faults.inject("empty_last_page_with_token")
    outcome, _ = run_sync(engine, cfg)
    assert not outcome.complete
    assert any("registry counted" in e for e in outcome.errors)
    run = last_run(engine)
    assert (run.status, run.complete, run.watermark) == ("ok", False, None)
    assert run.expected is not None and run.fetched < run.expected
    outcome, _ = run_sync(engine, cfg)
    assert outcome.complete and outcome.full
    assert stored_ids(engine) == EXPECTED_IDS


def test_token_on_empty_last_page_is_followed(world, engine, db_url):
    cfg = make_config(world, db_url)
    world.faults.inject("trailing_empty_page")
    outcome, _ = run_sync(engine, cfg)
    assert outcome.complete
    assert stored_ids(engine) == EXPECTED_IDS


def test_changed_queries_force_a_full_sync(world, engine, db_url):
    cfg = make_config(world, db_url)
    run_sync(engine, cfg)
    narrower = cfg.model_copy(
        update={"ctgov": cfg.ctgov.model_copy(update={"queries": cfg.ctgov.queries[:1]})}
    )
    outcome, _ = run_sync(engine, narrower)
    assert outcome.full and outcome.complete
