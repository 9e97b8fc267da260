"""How long `reassess` takes after a sync brings N new papers, and on the next, quiet run.

    uv run python benchmarks/evidence_reassess.py [--articles 20000] [--trials 0]
        [--without-flags]

Stores N simulator papers (make_bulk_articles: real efetch XML, all matching the shipped
PubMed query, so every one mentions ALS and a magnetic-stimulation kind and is fully read)
through the project's parser and save functions into an empty SQLite database, then times
a first `reassess` (every record judged) and a second one a day later (only relevant
records re-read). CPU seconds are printed beside wall seconds because the development
machine is shared.

`--trials N` also stores N simulator studies (make_bulk_studies, each stored twice with the
second version's outcomes and enrolment moved, so the consistency flags have versions to
compare). `--without-flags` skips the registration joins and the flag pass, to measure what
they add to judging.
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

import msgspec  # noqa: E402

from tests.simulator import make_bulk_articles, make_bulk_studies  # noqa: E402
from tracker.config import DEFAULT_CONFIG, load_config  # noqa: E402
from tracker.evidence import reassess as reassess_module  # noqa: E402
from tracker.evidence.reassess import reassess  # noqa: E402
from tracker.sources.ctgov_parse import read_study  # noqa: E402
from tracker.sources.pubmed_parse import iter_records  # noqa: E402
from tracker.store.articles import FetchedArticle, save_articles  # noqa: E402
from tracker.store.db import open_database, session_scope  # noqa: E402
from tracker.store.trials import save_trials  # noqa: E402

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


def store_trials(url: str, n: int) -> None:
    """N studies, each in two versions: the second swaps its first two outcomes and halves
    the enrolment, a year later."""
    engine = open_database(url)
    studies = make_bulk_studies(n, size_kb=8)
    for version, seen in ((1, T0.replace(year=2025)), (2, T0)):
        fetched = []
        for study in studies:
            if version == 2:
                outcomes = study["protocolSection"].get("outcomesModule", {})
                if outcomes.get("secondaryOutcomes"):
                    outcomes["primaryOutcomes"], outcomes["secondaryOutcomes"][:1] = (
                        outcomes["secondaryOutcomes"][:1],
                        outcomes["primaryOutcomes"],
                    )
                design = study["protocolSection"].get("designModule", {})
                if design.get("enrollmentInfo"):
                    count = design["enrollmentInfo"].get("count") or 2
                    design["enrollmentInfo"] = {"count": count // 2, "type": "ACTUAL"}
            fetched.append(read_study(msgspec.json.encode(study)))
        for i in range(0, n, 1000):
            with session_scope(engine) as session:
                save_trials(session.connection(), fetched[i : i + 1000], seen_at=seen, run_id=None)
    engine.dispose()


def timed(url: str, today: date) -> tuple[float, float, int]:
    engine = open_database(url)
    config = load_config(DEFAULT_CONFIG, env={})
    wall, cpu = time.perf_counter(), time.process_time()
    with session_scope(engine) as session:
        changes = reassess(session, config, today, now=datetime.combine(today, T0.timetz()))
    result = time.perf_counter() - wall, time.process_time() - cpu, len(changes)
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--trials", type=int, default=0)
    parser.add_argument("--without-flags", action="store_true")
    args = parser.parse_args()
    n = args.articles
    if args.without_flags:
        reassess_module.flag_pass = lambda *a, **k: 0  # type: ignore[assignment]
        reassess_module.save_registration_links = lambda *a, **k: None  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/reassess.db"
        store(url, n)
        if args.trials:
            store_trials(url, args.trials)
        for label, today in (("first", date(2026, 11, 25)), ("second", date(2026, 11, 26))):
            wall, cpu, changes = timed(url, today)
            print(
                f"{label} reassess of {n:,} papers: {wall:.1f} s wall, {cpu:.1f} s CPU "
                f"({cpu / n * 1000:.2f} ms CPU a paper), {changes:,} changes"
            )


if __name__ == "__main__":
    main()
