"""Website build speed, memory and page sizes (`tracker site`).

    uv run python benchmarks/site_build.py --world evaluation   # the labelled evaluation set
    uv run python benchmarks/site_build.py --world digest       # the digest benchmark's database

`evaluation`: tests/evaluation and tests/evaluation_heldout stored and judged (as
benchmarks/evidence_accuracy.py does) in a throw-away SQLite database; a full build is
timed. Target: < 2 s.

`digest`: benchmarks/out/digest_1000000_100000.db, built once and reused by
benchmarks/digest_speed.py (1M articles, 100k trials; 22,000 relevant records in 2,000
studies, 40 of them with 501 records each; 201,000 change events). Measured, each build in
its own process (the build runs in that one process; peak RSS from getrusage): a full
build into an empty folder, a rebuild with nothing changed, then a rebuild after one
week's changes: 1,000 change events on random relevant records (so most land in the 40
large studies), 20 of them verdict changes that the assessments also take (new verdict,
new assessment time). The week is inserted for the run and undone afterwards.
Targets: full < 60 s, rebuild < 5 s, peak memory < 300 MB.

Every run also reports the largest page (target < 200 KB), the home page with its chart
(target < 100 KB), and the size of the manifest and cache a rebuild reads (not pages).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, delete, func, select  # noqa: E402
from sqlmodel import col  # noqa: E402

from tracker.config import DEFAULT_CONFIG, SiteConfig, load_config  # noqa: E402
from tracker.site.build import build_site  # noqa: E402
from tracker.store.db import open_database, session_scope  # noqa: E402
from tracker.store.models import Assessment, ChangeEvent  # noqa: E402

DIGEST_DB = ROOT / "benchmarks" / "out" / "digest_1000000_100000.db"
WEEK_START = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def sizes(out: Path) -> str:
    files = {str(p.relative_to(out)): p.stat().st_size for p in out.rglob("*") if p.is_file()}
    state = sum(size for name, size in files.items() if name.startswith("."))
    pages = {name: size for name, size in files.items() if not name.startswith(".")}
    largest = max(pages.items(), key=lambda kv: kv[1])
    home = pages["index.html"] + pages["charts/studies-by-year.svg"]
    return (
        f"{len(pages)} pages and charts, {sum(pages.values()) / 1e6:.1f} MB; largest "
        f"{largest[0]} {largest[1] / 1000:.0f} KB; home with chart {home / 1000:.0f} KB; "
        f"manifest and cache {state / 1e6:.1f} MB"
    )


def one_build(db_url: str, out: Path) -> dict[str, float | int | str]:
    """A build in this process: seconds, peak RSS, files written."""
    config = load_config(DEFAULT_CONFIG, env={})
    engine = open_database(db_url)
    start, cpu = time.perf_counter(), time.process_time()
    result = build_site(engine, config.claim, SiteConfig(), out)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak,
        "pages": result.pages,
        "written": result.written,
        "rendered": result.rendered_studies,
        "read": result.read_records,
        "sizes": sizes(out),
    }


def in_child(db_url: str, out: Path) -> dict[str, float | int | str]:
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT)!r});"
        "from benchmarks.site_build import one_build; from pathlib import Path;"
        f"print(json.dumps(one_build({db_url!r}, Path({str(out)!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, float | int | str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def show(label: str, r: dict[str, float | int | str]) -> None:
    print(
        f"{label}: {r['seconds']:.2f} s ({r['cpu']:.2f} s CPU), peak {r['peak_mb']:.0f} MB, "
        f"{r['pages']} files, "
        f"{r['written']} written, {r['read']} records read, {r['rendered']} study pages "
        f"rendered; {r['sizes']}",
        flush=True,
    )


def evaluation() -> None:
    from benchmarks.evidence_accuracy import measure
    from tests.evaluation import HELDOUT, load_cases

    config = load_config(DEFAULT_CONFIG, env={})
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'eval.db'}"
        measure(load_cases() + load_cases(HELDOUT), config, db_url=url)
        show("evaluation world, full build", in_child(url, Path(tmp) / "site"))
        show("evaluation world, rebuild, nothing changed", in_child(url, Path(tmp) / "site"))


Saved = list[tuple[str, str, datetime, datetime]]
"""Assessments changed for the run: (record, verdict, assessed_at, changed_at) before."""


def a_week_of_changes(engine: Engine, rng: random.Random) -> tuple[int, Saved]:
    """1,000 change events on relevant records, 20 of them verdict changes that the
    assessments also take (verdict, time); returns the first event id and what to restore."""
    saved: Saved = []
    with session_scope(engine) as session:
        first = (session.scalar(select(func.max(col(ChangeEvent.id)))) or 0) + 1
        relevant = list(
            session.scalars(
                select(col(Assessment.record_id))
                .where(col(Assessment.relevant).is_(True))
                .order_by(col(Assessment.record_id))
            )
        )
        fields: list[tuple[str, str | None, str | None]] = [
            ("overall_status", "RECRUITING", "TERMINATED"),
            ("enrollment", "60", "90"),
            ("primary_completion_date", "2027-01", "2027-06"),
            ("results_posted", None, "2026-11-28"),
        ]
        for i in range(1000):
            record = rng.choice(relevant)
            at = WEEK_START + timedelta(minutes=rng.randrange(7 * 24 * 60))
            field, old_value, new_value = fields[i % len(fields)]
            row = session.get(Assessment, record) if i < 20 else None
            if row is not None and all(record != s[0] for s in saved):
                saved.append((record, row.verdict, row.assessed_at, row.changed_at))
                new = "refutes" if row.verdict != "refutes" else "pending"
                field, old_value, new_value = "verdict", row.verdict, new
                row.verdict, row.assessed_at, row.changed_at = new, at, at
                session.add(row)
            session.add(
                ChangeEvent(
                    record_id=record,
                    source="ctgov" if record.startswith("NCT") else "pubmed",
                    field=field,
                    old=old_value,
                    new=new_value,
                    at=at,
                )
            )
    return first, saved


def undo_week(engine: Engine, first: int, saved: Saved) -> None:
    with session_scope(engine) as session:
        session.execute(delete(ChangeEvent).where(col(ChangeEvent.id) >= first))
        for record, verdict, assessed_at, changed_at in saved:
            row = session.get(Assessment, record)
            if row is not None:
                row.verdict, row.assessed_at, row.changed_at = verdict, assessed_at, changed_at
                session.add(row)


def digest() -> None:
    if not DIGEST_DB.exists():
        sys.exit(f"{DIGEST_DB} is missing: run benchmarks/digest_speed.py once to build it")
    url = f"sqlite:///{DIGEST_DB}"
    engine = open_database(url)
    out = ROOT / "benchmarks" / "out" / "site"
    shutil.rmtree(out, ignore_errors=True)
    try:
        show("digest database, full build", in_child(url, out))
        show("digest database, rebuild, nothing changed", in_child(url, out))
        first, saved = a_week_of_changes(engine, random.Random(7))
        try:
            show("digest database, rebuild after a week of changes", in_child(url, out))
        finally:
            undo_week(engine, first, saved)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", choices=("evaluation", "digest"), default="evaluation")
    args = parser.parse_args()
    evaluation() if args.world == "evaluation" else digest()


if __name__ == "__main__":
    main()
