"""Digest speed: build and render the digest of a large database.

    uv run python benchmarks/digest_speed.py              # 1,000,000 articles, 100,000 trials
    uv run python benchmarks/digest_speed.py --articles 100000 --trials 10000
    uv run python benchmarks/digest_speed.py --rebuild    # rebuild the cached database

The database is built once (tracker's migrations, then bulk INSERTs through
tracker.store.bulk.insert_rows in large transactions) into benchmarks/out/digest_<N>.db and
reused. It holds every record with an assessment (2 % relevant, in studies of up to three
records), rows about the size of real ones (parsed JSON ~1.5 KB, payload ~1 KB), 200,000
older change events, and in the window of the last 7 days: 1,000 change events across
every kind (status, dates, enrollment, results, verdict, role, retractions, citations) and
a few hundred new records. Three sync runs per source give the health section something
to read.

Measured: build_digest over the window + rendering it with rich (fixed width, no colour),
which is what `tracker digest` does; the same digest rendered as Markdown and as JSON is
timed on its own. Median of 5 runs, each in a fresh session. Target: < 1 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from sqlmodel import Session  # noqa: E402

from tracker.reports.digest import build_digest  # noqa: E402
from tracker.reports.render.console import render_digest  # noqa: E402
from tracker.reports.render.json import render_digest_json  # noqa: E402
from tracker.reports.render.markdown import render_digest_markdown  # noqa: E402
from tracker.store.bulk import insert_rows  # noqa: E402
from tracker.store.db import open_database  # noqa: E402
from tracker.store.models import (  # noqa: E402
    Article,
    Assessment,
    ChangeEvent,
    SyncRun,
    Trial,
)

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=7)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
BATCH = 20_000
WINDOW_EVENTS = 1_000
OLD_EVENTS = 200_000
STATUSES = ("RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED", "TERMINATED", "SUSPENDED")
FIELDS = (
    ("overall_status", "RECRUITING", "TERMINATED"),
    ("primary_completion_date", "2026-05", "2027-02"),
    ("enrollment", "40", "120"),
    ("results_submitted", None, "2026-11-20"),
    ("results_posted", None, "2026-11-21"),
    ("why_stopped", None, "Funding ended"),
    ("verdict", "pending", "confirms"),
    ("role", None, "follow_up"),
    ("start_date", "2026-01", "2026-03"),
)
LOREM = (
    "Transcranial static magnetic stimulation in amyotrophic lateral sclerosis: a randomised, "
    "sham-controlled, double-blind trial of home treatment with follow-up of disability. "
)


def _time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = int((end - start).total_seconds())
    return (start + timedelta(seconds=rng.randrange(seconds))).replace(second=0)


def _payload(rng: random.Random, n: int) -> bytes:
    return rng.randbytes(n)


def build(path: Path, articles: int, trials: int) -> None:
    rng = random.Random(20261126)
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    engine = open_database(f"sqlite:///{tmp}")
    t0 = time.perf_counter()
    data_blob = json.dumps({"abstract": LOREM * 8, "authors": ["A"] * 20})
    relevant_trials: list[str] = []
    relevant_articles: list[str] = []
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        rows: list[dict[str, Any]] = []
        assessments: list[dict[str, Any]] = []
        for i in range(trials):
            nct = f"NCT{10_000_000 + i:08d}"
            seen = _time(rng, EPOCH, SINCE) if i >= 200 else _time(rng, SINCE, NOW)
            rows.append(
                {
                    "nct_id": nct,
                    "brief_title": f"{LOREM[:90]} #{i}",
                    "overall_status": STATUSES[i % len(STATUSES)],
                    "enrollment": 40 + i % 300,
                    "primary_completion_date": "2027-01",
                    "content_hash": "x" * 64,
                    "first_seen_at": seen,
                    "last_seen_at": seen,
                    "last_changed_at": seen,
                    "data": data_blob,
                    "raw": _payload(rng, 1000),
                }
            )
            relevant = i % 50 == 0
            if relevant:
                relevant_trials.append(nct)
            assessments.append(_assessment(nct, "ctgov", nct, relevant, seen))
            if len(rows) >= BATCH:
                insert_rows(conn, Trial.__table__, rows)  # type: ignore[attr-defined]
                insert_rows(conn, Assessment.__table__, assessments)  # type: ignore[attr-defined]
                rows, assessments = [], []
        insert_rows(conn, Trial.__table__, rows)  # type: ignore[attr-defined]
        insert_rows(conn, Assessment.__table__, assessments)  # type: ignore[attr-defined]
        print(f"  {trials:,} trials in {time.perf_counter() - t0:.0f} s", flush=True)
        rows, assessments = [], []
        for i in range(articles):
            pmid = str(30_000_000 + i)
            record_id = f"PMID:{pmid}"
            seen = _time(rng, EPOCH, SINCE) if i >= 500 else _time(rng, SINCE, NOW)
            rows.append(
                {
                    "id": record_id,
                    "pmid": pmid,
                    "doi": f"10.1000/bench.{i}",
                    "title": f"{LOREM[:110]} ({i})",
                    "journal": "Amyotroph Lateral Scler Frontotemporal Degener",
                    "pub_date": "2025-03",
                    "in_pubmed": True,
                    "in_europepmc": i % 3 == 0,
                    "content_hash": "y" * 64,
                    "first_seen_at": seen,
                    "last_seen_at": seen,
                    "last_changed_at": seen,
                    "data": data_blob,
                    "raw": _payload(rng, 1000),
                }
            )
            relevant = i % 50 == 0
            study = relevant_trials[i % len(relevant_trials)] if relevant else record_id
            if relevant:
                relevant_articles.append(record_id)
            assessments.append(_assessment(record_id, "pubmed", study, relevant, seen))
            if len(rows) >= BATCH:
                insert_rows(conn, Article.__table__, rows)  # type: ignore[attr-defined]
                insert_rows(conn, Assessment.__table__, assessments)  # type: ignore[attr-defined]
                rows, assessments = [], []
                if (i + 1) % 200_000 == 0:
                    print(f"  {i + 1:,} articles, {time.perf_counter() - t0:.0f} s", flush=True)
        insert_rows(conn, Article.__table__, rows)  # type: ignore[attr-defined]
        insert_rows(conn, Assessment.__table__, assessments)  # type: ignore[attr-defined]
        events = [_event(rng, i, relevant_trials, EPOCH, SINCE) for i in range(OLD_EVENTS)]
        all_records = relevant_trials + relevant_articles
        events += [_event(rng, i, all_records, SINCE, NOW) for i in range(WINDOW_EVENTS)]
        for start in range(0, len(events), BATCH):
            insert_rows(conn, ChangeEvent.__table__, events[start : start + BATCH])  # type: ignore[attr-defined]
        runs = [
            {
                "source": source,
                "started_at": NOW - timedelta(days=day),
                "finished_at": NOW - timedelta(days=day) + timedelta(minutes=5),
                "status": "ok",
                "fetched": 1000,
                "expected": 1000,
                "complete": True,
                "errors": "[]",
            }
            for source in ("ctgov", "pubmed", "europepmc")
            for day in (3, 2, 1)
        ]
        insert_rows(conn, SyncRun.__table__, runs)  # type: ignore[attr-defined]
    engine.dispose()
    tmp.rename(path)
    print(f"built {path} in {time.perf_counter() - t0:.0f} s", flush=True)


def _assessment(
    record_id: str, source: str, study: str, relevant: bool, at: datetime
) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "source": source,
        "study": study,
        "relevant": relevant,
        "role": "follow_up" if relevant else "excluded",
        "exclusion": None if relevant else "other_condition",
        "verdict": ("pending", "confirms", "inconclusive")[zlib.crc32(study.encode()) % 3]
        if relevant
        else "not_applicable",
        "rule": "bench",
        "reason": "benchmark row",
        "evidence": "[]",
        "signals": "{}",
        "participants": 60 if relevant else None,
        "assessed_at": at,
        "changed_at": at,
    }


def _event(
    rng: random.Random, i: int, records: list[str], start: datetime, end: datetime
) -> dict[str, Any]:
    record = records[i % len(records)]
    field, old, new = FIELDS[i % len(FIELDS)]
    if not record.startswith("NCT") and field not in ("verdict", "role"):
        field, old, new = ("retraction", None, "retracted") if i % 2 else ("cited_by", None, record)
    return {
        "record_id": record,
        "source": "ctgov" if record.startswith("NCT") else "pubmed",
        "field": field,
        "old": old,
        "new": new,
        "at": _time(rng, start, end),
    }


def measure(path: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    """Per run: build + rich render (what `tracker digest` does), and the Markdown and
    JSON renderings of the same digest on their own."""
    engine = open_database(f"sqlite:///{path}")
    totals, markdown, as_json = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        with Session(engine) as session:
            digest = build_digest(session, since=SINCE, until=NOW)
        built = time.perf_counter()
        console = Console(file=io.StringIO(), width=120, color_system=None)
        console.print(render_digest(digest))
        done = time.perf_counter()
        render_digest_markdown(digest)
        md_done = time.perf_counter()
        render_digest_json(digest)
        json_done = time.perf_counter()
        totals.append(done - start)
        markdown.append(built - start + md_done - done)
        as_json.append(built - start + json_done - md_done)
        print(
            f"  build {built - start:.3f} s + console {done - built:.3f} s = {done - start:.3f} s"
            f"  (markdown {md_done - done:.3f} s, json {json_done - md_done:.3f} s; "
            f"{len(digest.changes) + len(digest.verdict_changes)} changes, "
            f"{len(digest.new)} new, {digest.item_count} listed)",
            flush=True,
        )
    engine.dispose()
    return totals, markdown, as_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    path = out / f"digest_{args.articles}_{args.trials}.db"
    if args.rebuild:
        path.unlink(missing_ok=True)
    if not path.exists():
        print(f"building {args.articles:,} articles + {args.trials:,} trials (once) ...")
        build(path, args.articles, args.trials)
    print(f"database: {path} ({os.path.getsize(path) / 1e9:.2f} GB)")
    totals, markdown, as_json = measure(path, args.runs)
    print(f"median of {args.runs}: build + console render {statistics.median(totals):.3f} s")
    print(f"  build + markdown {statistics.median(markdown):.3f} s")
    print(f"  build + json {statistics.median(as_json):.3f} s")


if __name__ == "__main__":
    main()
