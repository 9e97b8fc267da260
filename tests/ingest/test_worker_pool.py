"""The parse pool's results come back in order, whoever did each part: while the caller
waits for a worker, it does the last part no worker has started itself."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time

import pytest

from tracker.runtime.workers import WorkerFailed, WorkerPool


def slow_in_a_worker(x: int) -> tuple[int, bool]:
    """x squared, and whether a worker did it; a worker takes its time, the caller not."""
    in_worker = multiprocessing.parent_process() is not None
    if in_worker:
        time.sleep(0.3)
    if x == 99:
        raise ValueError("part 99 cannot be done")
    return x * x, in_worker


def test_the_caller_does_parts_while_it_waits_and_the_order_is_kept():
    parts = list(range(8))
    with WorkerPool(1) as pool:
        results = pool.run(slow_in_a_worker, parts)
        assert results is not None
        got = list(results)
    assert [square for square, _ in got] == [x * x for x in parts]
    done_here = [x for x, (_, in_worker) in zip(parts, got, strict=True) if not in_worker]
    assert done_here and pool.done_here == len(done_here)
    # The worker went on in order from the first part, the caller from the last part back.
    assert done_here == parts[-len(done_here) :]
    assert got[0][1]  # the first part had already gone to the worker


def test_a_part_that_fails_here_fails_at_its_turn_after_the_parts_before_it():
    parts = [1, 2, 3, 99]
    got: list[int] = []
    with WorkerPool(1) as pool:
        results = pool.run(slow_in_a_worker, parts)
        assert results is not None
        with pytest.raises(WorkerFailed, match="part 99 cannot be done"):
            for square, _ in results:
                got.append(square)
        assert pool.done_here >= 1  # 99, the last part, was done here, and failed here
    assert got == [1, 4, 9]


def test_a_part_that_fails_in_the_worker_fails_the_same_way():
    with WorkerPool(1) as pool:
        results = pool.run(slow_in_a_worker, [99])  # the only part: no caller takes it
        assert results is not None
        with pytest.raises(WorkerFailed, match="part 99 cannot be done"):
            list(results)
        assert pool.done_here == 0


def test_a_parse_worker_imports_no_database_layer():
    """What a parse worker imports to parse and read a part: no SQLAlchemy, no models
    (they cost each worker 0.3 s of its start and about 20 MiB)."""
    code = (
        "import sys\n"
        "import tracker.ingest.ctgov_workers, tracker.ingest.pubmed_workers\n"
        "import tracker.evidence.signal_rows, tracker.evidence.rules.assess\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'sqlmodel', 'alembic', 'httpx', 'rich', 'typer'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
