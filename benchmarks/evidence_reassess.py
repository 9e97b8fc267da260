"""How long `reassess` takes after a sync brings N new papers, and on the next, quiet run.

    uv run python benchmarks/evidence_reassess.py [--articles 20000]

Stores N simulator papers (make_bulk_articles: real efetch XML, all matching the shipped
PubMed query, so every one mentions ALS and a magnetic-stimulation kind and is fully read)
through the project's parser and save functions into an empty SQLite database, then times
a first `reassess` (every record judged) and a second one a day later (nothing has
changed: nothing judged, nothing written). CPU seconds are printed beside wall seconds
because the development machine is shared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.config import DEFAULT_CONFIG, load_config  # noqa: E402
from tracker.evidence.reassess import Tally, reassess  # noqa: E402
from tracker.simulator import make_bulk_articles  # noqa: E402
from tracker.sources.pubmed_parse import iter_records  # noqa: E402
from tracker.store.articles import FetchedArticle, save_articles  # noqa: E402
from tracker.store.db import open_database, session_scope  # noqa: E402

DOC = b'<?xml version="1.0" ?><PubmedArticleSet>%s</PubmedArticleSet>'
T0 = datetime(2026, 11, 25, 6, tzinfo=UTC)


def store(url: str, n: int) -> None:
    engine = open_database(url)
    articles = make_bulk_articles(n)
    for i in range(0, n, 2000):
        body = DOC % b"".join(a.xml for a in articles[i : i + 2000])
        page = [FetchedArticle(id=r.id, raw=raw, record=r) for r, raw in iter_records(body)]
        with session_scope(engine) as session:
            save_articles(session.connection(), page, source="pubmed", seen_at=T0, run_id=None)
    engine.dispose()


def timed(url: str, today: date) -> tuple[float, float, int, Tally]:
    engine = open_database(url)
    config = load_config(DEFAULT_CONFIG, env={})
    tally = Tally()
    wall, cpu = time.perf_counter(), time.process_time()
    with session_scope(engine) as session:
        at = datetime.combine(today, T0.timetz())
        changes = reassess(session, config, today, now=at, tally=tally)
    result = time.perf_counter() - wall, time.process_time() - cpu, len(changes), tally
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    n = parser.parse_args().articles
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/reassess.db"
        store(url, n)
        for label, today in (("first", date(2026, 11, 25)), ("second", date(2026, 11, 26))):
            wall, cpu, changes, tally = timed(url, today)
            print(
                f"{label} reassess of {n:,} stored papers: {wall:.1f} s wall, {cpu:.1f} s CPU "
                f"({cpu / n * 1000:.2f} ms CPU a paper), {tally.judged:,} judged, "
                f"{tally.written:,} rows written, {changes:,} changes"
            )


if __name__ == "__main__":
    main()
