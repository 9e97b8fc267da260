"""How long the evidence rules take to read one record's signals (the work the sync's parse
workers now do for every new or changed record), in CPU milliseconds a record.

    uv run python benchmarks/evidence_signals.py [--records 2000] [--repeats 3]

Reads N bulk CT.gov studies (about 30 KB each, with results) and N bulk PubMed articles
(every one relevant) from the simulator, parsed once, then times `read_records` over them
in this process: the median of the repeats, CPU time (the machine is shared).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.config import DEFAULT_CONFIG, load_config  # noqa: E402
from tracker.evidence.rules.assess import read_records  # noqa: E402
from tracker.evidence.rules.judgement import Record  # noqa: E402
from tracker.ids import Source  # noqa: E402
from tracker.simulator import make_bulk_articles, make_bulk_studies  # noqa: E402
from tracker.sources.ctgov_parse import parse_study  # noqa: E402
from tracker.sources.pubmed_parse import iter_records  # noqa: E402

DOC = b'<?xml version="1.0" ?><PubmedArticleSet>%s</PubmedArticleSet>'


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n = args.records
    claim = load_config(DEFAULT_CONFIG, env={}).claim
    trials = [
        Record(Source.CTGOV, parse_study(msgspec.json.encode(s))) for s in make_bulk_studies(n)
    ]
    body = DOC % b"".join(a.xml for a in make_bulk_articles(n))
    papers = [Record(Source.PUBMED, r) for r, _raw in iter_records(body)]
    read_records(trials[:5], claim)  # compiles the vocabularies once, outside the timing
    for label, records in (("CT.gov studies", trials), ("PubMed articles", papers)):
        times = []
        for _ in range(args.repeats):
            start = time.process_time()
            read = read_records(records, claim)
            times.append(time.process_time() - start)
        relevant = sum(is_relevant for _s, is_relevant in read.values())
        cpu = statistics.median(times)
        print(
            f"{label}: {n:,} read in {cpu:.2f} s CPU = {cpu / n * 1000:.3f} ms a record"
            f" (median of {args.repeats}; {relevant:,} relevant)"
        )


if __name__ == "__main__":
    main()
