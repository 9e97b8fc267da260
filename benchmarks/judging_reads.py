"""How many records the judging after a sync has to read itself, for want of the signals the
sync should have stored with them (record_signals), on a PubMed and Europe PMC world whose
efetch bodies are all small (parsed in the main process, no parse worker).

    uv run python benchmarks/judging_reads.py               # the sync as `tracker sync` runs it
    uv run python benchmarks/judging_reads.py --no-reader   # the sync reads no signals
    uv run python benchmarks/judging_reads.py --articles 1200 --preprints 400

The simulator holds N bulk PubMed articles (about 6 KB each, efetch batches of
--batch-size, so each body stays under the parse workers' 2 MB threshold), Europe PMC's
view of the first half of them (merged into PubMed's records: no new records) and M
preprints and MED records only Europe PMC has (stored as Europe PMC's own records). Both
sources are synced in this process into an empty SQLite database, with the evidence
reader `tracker sync` gives them; then the judging pass runs and its tally says how many
of the records it judged it had to read from their stored JSON. Times are wall clock.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlmodel import col  # noqa: E402

from tracker.config import DEFAULT_CONFIG, Config, load_config  # noqa: E402
from tracker.evidence.reassess import Tally, reassess_database  # noqa: E402
from tracker.evidence.signal_rows import ClaimReader  # noqa: E402
from tracker.http import HttpStats, make_client  # noqa: E402
from tracker.ids import Source  # noqa: E402
from tracker.ingest.every import sync_sources  # noqa: E402
from tracker.simulator import (  # noqa: E402
    EpmcRecord,
    RegistrySimulator,
    from_pubmed,
    make_bulk_articles,
    make_epmc_record,
    make_preprint,
)
from tracker.store.db import open_database, session_scope  # noqa: E402
from tracker.store.models import Article, RecordSignals  # noqa: E402

TOPICS = (
    "Repetitive transcranial magnetic stimulation",
    "Transcranial static magnetic stimulation",
    "Theta burst stimulation",
)


def europepmc_only(count: int) -> list[EpmcRecord]:
    """Preprints and MED records PubMed lacks, every one found by the shipped query."""
    records: list[EpmcRecord] = []
    for i in range(count):
        title = f"{TOPICS[i % 3]} in amyotrophic lateral sclerosis: cohort {i}"
        abstract = (
            f"{20 + i % 40} patients with amyotrophic lateral sclerosis were randomised to "
            "real or sham stimulation. ALSFRS-R decline did not differ between groups "
            f"(p = 0.{10 + i % 80})."
        )
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        if i % 2:
            records.append(
                make_preprint(
                    f"PPR{700000 + i}", title=title, abstract=abstract, first_publication_date=day
                )
            )
        else:
            records.append(
                make_epmc_record(
                    str(29000000 + i), title=title, abstract=abstract, first_publication_date=day
                )
            )
    return records


def configure(sim: RegistrySimulator, db_url: str, batch_size: int) -> Config:
    shipped = load_config(DEFAULT_CONFIG, env={})
    return shipped.model_copy(
        update={
            "database": shipped.database.model_copy(update={"url": db_url}),
            "pubmed": shipped.pubmed.model_copy(
                update={"url": sim.pubmed_url, "rps": 0.0, "batch_size": batch_size}
            ),
            "europepmc": shipped.europepmc.model_copy(
                update={"url": sim.europepmc_url, "rps": 0.0}
            ),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--preprints", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--no-reader", action="store_true")
    args = parser.parse_args()
    with RegistrySimulator() as sim, tempfile.TemporaryDirectory() as tmp:
        papers = make_bulk_articles(args.articles)
        sim.pubmed.add_many(papers)
        sim.europepmc.add_many(
            [from_pubmed(p) for p in papers[: len(papers) // 2]] + europepmc_only(args.preprints)
        )
        cfg = configure(sim, f"sqlite:///{Path(tmp) / 'tracker.db'}", args.batch_size)
        engine = open_database(cfg.database.url)
        reader = None if args.no_reader else ClaimReader.of(cfg.claim)
        stats = HttpStats()
        start = time.perf_counter()
        with make_client(cfg, rps_by_host={}, stats=stats) as client:
            report = sync_sources(
                [Source.PUBMED, Source.EUROPEPMC],
                engine,
                cfg,
                client,
                stats,
                full=True,
                reader=reader,
            )
        synced = time.perf_counter() - start
        if report.failures:
            raise SystemExit(f"sync failed: {report.failures}")
        with session_scope(engine) as session:
            by_source = dict(
                session.execute(
                    select(col(Article.in_pubmed), func.count()).group_by(col(Article.in_pubmed))
                ).all()
            )
            signals = session.scalar(select(func.count()).select_from(RecordSignals)) or 0
        tally = Tally()
        start = time.perf_counter()
        reassess_database(engine, cfg, tally=tally)
        judging = time.perf_counter() - start
        engine.dispose()
    print(
        f"stored: {by_source.get(True, 0):,} PubMed records, {by_source.get(False, 0):,} "
        f"Europe PMC records; {signals:,} record_signals rows after the sync "
        f"({'no reader' if reader is None else 'with the reader'})"
    )
    print(f"sync {synced:.2f} s; judging {judging:.2f} s")
    print(f"judging: {tally.judged:,} records judged, {tally.read:,} read by the judging itself")


if __name__ == "__main__":
    main()
