"""ledger_summary over a large store: the digest reads it on every run, so it must stay
under a second with 1,000,000 assessed articles (issue #4 contract).

    uv run python benchmarks/evidence_summary.py [--rows 1000000] [--relevant 2000]

Fills an empty SQLite database (migrated by the project's own Alembic scripts) with
assessment rows, a few thousand relevant ones spread over studies and a few overrides,
then times ledger_summary (best of 5).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from tracker.evidence.rules.terms import VERDICTS  # noqa: E402
from tracker.evidence.summary import ledger_summary  # noqa: E402
from tracker.store.db import open_database, session_scope  # noqa: E402
from tracker.store.models import Assessment, Override  # noqa: E402

T0 = datetime(2026, 11, 25, tzinfo=UTC)


def fill(url: str, rows: int, relevant: int) -> None:
    engine = open_database(url)
    table = Assessment.__table__  # type: ignore[attr-defined]
    batch = []
    with engine.begin() as conn:
        for i in range(rows):
            rel = i < relevant
            batch.append(
                {
                    "record_id": f"PMID:{i}",
                    "source": "pubmed",
                    "study": f"S{i // 2}" if rel else f"PMID:{i}",
                    "relevant": rel,
                    "role": "follow_up" if rel else "excluded",
                    "exclusion": None if rel else "other_condition",
                    "verdict": VERDICTS[(i // 2) % 5] if rel else "not_applicable",
                    "rule": "bench",
                    "reason": "bench",
                    "evidence": "[]",
                    "participants": 40 if rel else None,
                    "signals": "{}",
                    "record_version": 1,
                    "rules_hash": "",
                    "assessed_at": T0,
                    "changed_at": T0,
                }
            )
            if len(batch) == 20_000:
                conn.execute(insert(table), batch)
                batch.clear()
        if batch:
            conn.execute(insert(table), batch)
        conn.execute(
            insert(Override.__table__),  # type: ignore[attr-defined]
            [
                {"record_id": f"PMID:{i}", "verdict": "refutes", "note": "x", "at": T0}
                for i in range(5)
            ],
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--relevant", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/summary.db"
        started = time.perf_counter()
        fill(url, args.rows, args.relevant)
        print(f"filled {args.rows:,} assessments in {time.perf_counter() - started:.1f} s")
        engine = open_database(url)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            with session_scope(engine) as session:
                summary = ledger_summary(session)
            times.append(time.perf_counter() - started)
        print(f"ledger_summary: best {min(times) * 1000:.1f} ms of 5 ({summary.studies} studies)")
        print(summary.standing)


if __name__ == "__main__":
    main()
