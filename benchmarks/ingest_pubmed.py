"""PubMed ingest benchmark: sync N PubMed articles from the loopback simulator into an empty
SQLite database, and time two baselines on the same efetch XML (Biopython's Entrez parser,
and a bare lxml iterparse loop, the practical Python parsing limit).

    uv run python benchmarks/ingest_pubmed.py                  # 100,000 articles, 3 pairs
    uv run python benchmarks/ingest_pubmed.py --flat-check     # also a 20,000 run for RSS
    uv run python benchmarks/ingest_pubmed.py --articles 20000 --bio-repeats 0

Records come from make_bulk_articles: the real efetch XML format, about 6 KB each, all
matching the shipped PubMed query. The sync runs as a real `tracker sync --source pubmed
--full` subprocess (pacing off, tracker's default batch_size of 1,000), so its wall time
includes interpreter start-up. Its peak memory is its own plus its parse workers' (sampled
from /proc by benchmarks/launch.py), not this process's, which also holds the simulator's
world.
The sync's time is its run's own, from the sync_runs row tracker writes (start to finish:
HTTP, parse, store, links); the judging is the rest of the command (the evidence engine
judging what the sync brought); the whole command (after its imports, measured inside the
child by benchmarks/timed_tracker.py) is what the user waits for. A second, incremental
sync of the unchanged world follows each full one: its requests, the records it judged
and the rows of judgements it wrote.

The lxml loop and the sync run in turns (pair 1, pair 2...), so each pair's ratio is taken
under the same load on the machine; the median of the pairs is the figure to quote.

ESearch reaches only 9,999 ids of a query, so the sync splits the Entrez-date range into
windows; the baseline bodies are fetched here the same way (esearch with usehistory, then
efetch by WebEnv/query_key in batches), so they are byte for byte the bodies the sync
receives (the script checks the sync made as many efetch requests). The simulator evaluates
each esearch over its whole world in Python (about a second a window at 100,000 articles,
printed as "esearch"); that fetch leaves the answers in the simulator's search cache, so the
sync's identical esearches cost it what a real server's would, not the simulator's Python.
Everything stays on 127.0.0.1: the sync only talks to the simulator (no index publication
is configured, so the full sync's run asks nobody who cites what; after its judging the
command asks elink about the first [citations] max_per_run papers that judging found
relevant, and the incremental sync about the next ones),
and Biopython is refused any DTD download.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TIMED = ROOT / "benchmarks" / "timed_tracker.py"
BASELINE = ROOT / "benchmarks" / "baseline_pubmed.py"
sys.path.insert(0, str(ROOT))

from benchmarks.launch import (  # noqa: E402
    evidence_rows,
    judged,
    launch,
    shipped_claim,
    sync_run_window,
)
from tracker.simulator import RegistrySimulator, make_bulk_articles  # noqa: E402

DEFAULT_BATCH_SIZE = 1000  # tracker's default [pubmed] batch_size
BATCH_SIZE = DEFAULT_BATCH_SIZE  # --batch-size changes it
ESEARCH_CAP = 9999  # ids one PubMed esearch can page through
EARLIEST = date(1781, 1, 1)  # where tracker's full sync starts its Entrez-date window
QUERY = tomllib.loads((ROOT / "tracker" / "config" / "default_config.toml").read_text())["pubmed"][
    "query"
]


def config_text() -> str:
    """PubMed only: the shipped query, no CT.gov queries, no index publication (so the full
    sync makes no citation lookups: this measures the query sync)."""
    return (
        f"[http]\ntimeout = 300.0\n[ctgov]\n"
        f"[pubmed]\nbatch_size = {BATCH_SIZE}\nquery = {json.dumps(QUERY)}\n"
        f"{shipped_claim()}"
    )


@dataclass
class Fetched:
    files: list[Path]
    esearches: int
    efetch_seconds: float
    esearch_seconds: float


def fetch_bodies(url: str, workdir: Path, today: date) -> Fetched:
    """Every efetch body of a full sync, as the sync receives it, saved to files: the same
    Entrez-date windows (halved until each is under the esearch cap), the same batches."""
    files: list[Path] = []
    timing = {"esearch": 0.0, "efetch": 0.0, "n": 0.0}
    common = {"db": "pubmed", "tool": "tracker-benchmark", "email": "bench@example.org"}

    def post(client: httpx.Client, name: str, form: dict[str, str]) -> httpx.Response:
        start = time.perf_counter()
        response = client.post(f"{url}/{name}.fcgi", data={**common, **form})
        timing["esearch" if name == "esearch" else "efetch"] += time.perf_counter() - start
        response.raise_for_status()
        return response

    def window(client: httpx.Client, first: date, last: date) -> None:
        form = {
            "term": QUERY,
            "usehistory": "y",
            "retmax": "0",
            "retmode": "json",
            "datetype": "edat",
            "mindate": first.strftime("%Y/%m/%d"),
            "maxdate": last.strftime("%Y/%m/%d"),
        }
        result = post(client, "esearch", form).json()["esearchresult"]
        timing["n"] += 1
        count = int(result["count"])
        if count > ESEARCH_CAP:
            middle = first + (last - first) // 2
            window(client, first, middle)
            window(client, middle + timedelta(days=1), last)
            return
        for start in range(0, count, BATCH_SIZE):
            form = {
                "WebEnv": result["webenv"],
                "query_key": result["querykey"],
                "retstart": str(start),
                "retmax": str(BATCH_SIZE),
                "retmode": "xml",
            }
            path = workdir / f"batch-{len(files):03d}.xml"
            path.write_bytes(post(client, "efetch", form).content)
            files.append(path)

    with httpx.Client(timeout=300, trust_env=False) as client:
        window(client, EARLIEST, today + timedelta(days=1))
    return Fetched(files, int(timing["n"]), timing["efetch"], timing["esearch"])


def time_baseline(mode: str, files: list[Path], repeats: int) -> dict[str, Any]:
    """Median seconds of one baseline over every batch file, each run in a fresh process
    (through the launcher, so its peak RSS is its own, not this process's)."""
    runs = []
    for _ in range(repeats):
        launched = launch([str(BASELINE), mode, *map(str, files)], dict(os.environ))
        measured = json.loads(launched.last)
        if "seconds" not in measured:
            raise SystemExit(f"the {mode} baseline failed")
        runs.append({**measured, "rss": launched.maxrss_mib})
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "rss": max(r["rss"] for r in runs),
        "records": runs[0]["records"],
        "method": runs[0]["method"],
        "version": runs[0]["version"],
    }


def run_tracker(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One tracker command in a fresh process: its own time, wall time, memory, exit."""
    launched = launch([str(TIMED), *args], env)
    measured = json.loads(launched.last)
    return {
        "seconds": measured.get("seconds", float("nan")),
        "end": measured.get("end", float("nan")),
        "wall": launched.wall,
        "launched": launched,
        "code": measured.get("code", 1),
    }


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def sync_once(sim: RegistrySimulator, workdir: Path, name: str) -> dict[str, float]:
    db = workdir / f"{name}.db"
    cfg = workdir / "config.toml"
    cfg.write_text(config_text())
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{db}",
        "TRACKER_PUBMED_URL": sim.pubmed_url,
        "TRACKER_PUBMED_RPS": "0",
    }
    env.pop("NCBI_API_KEY", None)
    # An empty database: schema created (Alembic, a one-off cost), no records.
    run_tracker(["--config", str(cfg), "status"], env)
    assert count(db, "articles") == 0
    before = len(sim.requests)
    full = run_tracker(["--config", str(cfg), "sync", "--source", "pubmed", "--full"], env)
    assert full["code"] == 0, f"full sync failed with exit {full['code']}"
    start, finish = sync_run_window(db, "pubmed")
    launched = full.pop("launched")
    full["ingest"] = finish - start
    full["judge"] = full.pop("end") - finish
    full["judged"] = judged(launched.stderr)
    full["sync_pss"], full["sync_rss"] = launched.peak(start, finish)
    full["pss"], _ = launched.peak()
    full["maxrss"] = launched.maxrss_mib
    requests = list(sim.requests)[before:]
    rows = evidence_rows(db)
    before = len(sim.requests)
    again = run_tracker(["--config", str(cfg), "sync", "--source", "pubmed"], env)
    inc_requests = list(sim.requests)[before:]
    out = {
        **full,
        "inc_seconds": again["seconds"],
        "inc_code": again["code"],
        "inc_judged": judged(again.pop("launched").stderr),
        "inc_written": len(evidence_rows(db) ^ rows),
        "inc_searches": sum(r.path.endswith("/esearch.fcgi") for r in inc_requests),
        "inc_fetches": sum(r.path.endswith("/efetch.fcgi") for r in inc_requests),
        # The citation chase: the first command asked about max_per_run of its relevant
        # papers after its judging; this one asks about the next ones not asked yet.
        "inc_elinks": sum(r.path.endswith("/elink.fcgi") for r in inc_requests),
        "relevant": _relevant(db),
        "stored": count(db, "articles"),
        "links": count(db, "links"),
        "efetches": sum(r.path.endswith("/efetch.fcgi") for r in requests),
        "esearches": sum(r.path.endswith("/esearch.fcgi") for r in requests),
        "db_mb": db.stat().st_size / 2**20,
    }
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return out


def _relevant(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM assessments WHERE relevant").fetchone()[0])


def build(sim: RegistrySimulator, n: int, size_kb: float) -> float:
    """Fill the simulator with `n` bulk articles; returns their mean XML size in bytes."""
    articles = make_bulk_articles(n, size_kb=size_kb)
    mean = sum(len(a.xml) for a in articles) / max(n, 1)
    sim.pubmed.add_many(articles)
    return mean


def flat_check(n: int, size_kb: float) -> dict[str, float]:
    """One sync of a smaller world, for its peak RSS."""
    with RegistrySimulator() as sim, tempfile.TemporaryDirectory() as tmp:
        build(sim, n, size_kb)
        run = sync_once(sim, Path(tmp), "flat")
    assert run["stored"] == n, f"stored {run['stored']} of {n}"
    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--size-kb", type=float, default=6)
    parser.add_argument("--repeats", type=int, default=3, help="sync / lxml loop pairs")
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="efetch batch size"
    )
    parser.add_argument(
        "--bio-repeats", type=int, default=1, help="Biopython runs (about 1.4 ms a record; 0: none)"
    )
    parser.add_argument(
        "--flat-check",
        type=int,
        nargs="?",
        const=20_000,
        default=None,
        metavar="N",
        help="also sync N articles (default 20,000) once, to compare peak RSS",
    )
    args = parser.parse_args()
    global BATCH_SIZE  # noqa: PLW0603 - one setting for the whole script
    BATCH_SIZE = args.batch_size
    n = args.articles
    today = datetime.now(UTC).date()  # the sync's own clock (tracker.ingest.runs.utcnow)

    with RegistrySimulator() as sim, tempfile.TemporaryDirectory() as tmp:
        mean = build(sim, n, args.size_kb)
        fetched = fetch_bodies(sim.pubmed_url, Path(tmp), today)
        files = fetched.files
        mib = sum(f.stat().st_size for f in files) / 2**20
        print(
            f"world: {n:,} PubMed articles, mean {mean:,.0f} bytes ({mean / 1024:.2f} KiB)"
            f" of XML each; {fetched.esearches} esearch windows, {len(files)} efetch"
            f" batches of <= {BATCH_SIZE:,}, {mib:,.0f} MiB of efetch XML"
        )
        print(
            f"simulator (this process) answering the saved fetch: esearch"
            f" {fetched.esearch_seconds:.2f} s, efetch {fetched.efetch_seconds:.2f} s"
        )
        bio = time_baseline("biopython", files, args.bio_repeats) if args.bio_repeats else None
        if bio:
            assert bio["records"] == n, f"Biopython baseline saw {bio['records']} of {n}"
            print(
                f"baseline Biopython {bio['version']} {bio['method']} per batch file (every"
                f" record): {bio['seconds']:.2f} s = {n / bio['seconds']:,.0f} articles/s"
                f" (median of {args.bio_repeats}); peak RSS {bio['rss']} MiB"
            )
        # The lxml loop and the sync take turns, so both see the same load on the machine
        # (other jobs share its cores): each pair's ratio is measured under one load.
        pairs = []
        for i in range(args.repeats):
            load = os.getloadavg()[0]
            loop = time_baseline("lxml", files, 1)
            assert loop["records"] == n, f"lxml baseline saw {loop['records']} of {n}"
            pairs.append((loop, sync_once(sim, Path(tmp), f"run{i}")))
            run = pairs[-1][1]
            print(
                f"  pair {i + 1} (load {load:.1f} -> {os.getloadavg()[0]:.1f}):"
                f" lxml loop {loop['seconds']:.2f} s, sync {run['ingest']:.2f} s"
                f" (whole command {run['seconds']:.2f} s), ratio"
                f" {run['ingest'] / loop['seconds']:.2f}",
                flush=True,
            )
        for path in files:
            path.unlink()

    lxml = pairs[0][0] | {"seconds": statistics.median(p[0]["seconds"] for p in pairs)}
    runs = [run for _, run in pairs]
    print(
        f"baseline lxml {lxml['version']} iterparse loop (same fields, clear as it goes; no"
        f" HTTP, no storage): {lxml['seconds']:.2f} s = {n / lxml['seconds']:,.0f}"
        f" articles/s (median of {args.repeats}); peak RSS {lxml['rss']} MiB"
    )
    first = runs[0]
    for run in runs:
        assert run["stored"] == n, f"stored {run['stored']} of {n} articles"
        assert run["efetches"] == len(files), "the sync fetched other batches than the baseline"
    sync = statistics.median(r["ingest"] for r in runs)
    command = statistics.median(r["seconds"] for r in runs)
    wall = statistics.median(r["wall"] for r in runs)
    sync_pss = max(r["sync_pss"] for r in runs)
    sync_rss = max(r["sync_rss"] for r in runs)
    pss = max(r["pss"] for r in runs)
    maxrss = max(r["maxrss"] for r in runs)
    each = ", ".join(f"{r['ingest']:.2f}" for r in runs)
    ratios = [run["ingest"] / loop["seconds"] for loop, run in pairs]
    print(
        f"tracker sync --source pubmed --full, the sync run (HTTP, parse, store, links;"
        f" batch_size {BATCH_SIZE}): {sync:.2f} s = {n / sync:,.0f} articles/s (median of"
        f" {args.repeats}; runs {each})"
    )
    judge = statistics.median(r["judge"] for r in runs)
    judge_ratios = ", ".join(f"{r['judge'] / r['ingest']:.2f}" for r in runs)
    print(
        f"judging after the sync run (the evidence engine over {first['judged']:,} records,"
        f" {first['relevant']:,} of them relevant): {judge:.2f} s ="
        f" {judge / n * 1000:.2f} ms a record; judging / sync run: median of pairs"
        f" {statistics.median(r['judge'] / r['ingest'] for r in runs):.2f}"
        f" (pairs {judge_ratios}; target <= 1.0)"
    )
    whole = [run["seconds"] / loop["seconds"] for loop, run in pairs]
    print(
        f"the whole command after its imports (the sync, then the judging): {command:.2f} s;"
        f" whole command / lxml loop: median of pairs {statistics.median(whole):.2f};"
        f" wall time with interpreter start-up and imports: {wall:.2f} s"
    )
    print(
        f"ratio sync / lxml loop: median of pairs {statistics.median(ratios):.2f}"
        f" (pairs {', '.join(f'{r:.2f}' for r in ratios)}; target <= 1.5);"
        f" of the medians {sync / lxml['seconds']:.2f}"
    )
    if bio:
        print(
            f"ratio sync / Biopython {bio['method']}: {sync / bio['seconds']:.2f}"
            f" (the sync is {bio['seconds'] / sync:.1f}x faster)"
        )
    print(
        f"peak memory of the sync run ({n:,} articles), the sync process and its parse"
        f" workers together: {sync_pss} MiB PSS (target < 300), {sync_rss} MiB RSS summed;"
        f" the whole command, with the judging after the sync: {pss} MiB PSS (target < 300),"
        f" largest process {maxrss} MiB RSS"
    )
    print(
        f"incremental sync of the unchanged world: {first['inc_searches']} esearch,"
        f" {first['inc_fetches']} efetch, {first['inc_elinks']} elink (citations of the"
        f" relevant papers not asked yet, [citations] max_per_run at a time),"
        f" {first['inc_judged']} records judged,"
        f" {first['inc_written']} rows of judgements, events or links written,"
        f" {first['inc_seconds']:.2f} s, exit {first['inc_code']}"
    )
    print(
        f"stored {first['stored']:,} articles (= {n:,}), {first['links']:,} links;"
        f" database {first['db_mb']:.0f} MiB; requests: {first['esearches']} esearch,"
        f" {first['efetches']} efetch"
    )
    if args.flat_check:
        small = flat_check(args.flat_check, args.size_kb)
        print(
            f"flat check: peak memory of the sync run {small['sync_pss']} MiB PSS (with its"
            f" workers) syncing {args.flat_check:,} articles vs {sync_pss} MiB syncing {n:,}"
            f" ({small['ingest']:.2f} s, database {small['db_mb']:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
