"""Email size for a busy week: 500 listed items, with the chart. Target: < 200 KB.

    uv run python benchmarks/email_size.py               # 500 items
    uv run python benchmarks/email_size.py --items 1000

A throw-away SQLite database gets 500 change events and new records spread over every
digest section, on relevant records with real-length titles (106 characters; ClinicalTrials.gov
brief titles and PubMed titles are mostly 80 to 130); the message is built by the same
code as `tracker email --dry-run` and measured as sent (MIME, quoted-printable parts,
base64 chart).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from tests.digest_support import article, assess, event, trial  # noqa: E402
from tracker.config import EmailConfig  # noqa: E402
from tracker.email.report import send_report  # noqa: E402
from tracker.store.db import open_database  # noqa: E402

NOW = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
TITLE = (
    "Randomised Sham-Controlled Trial of Home Static Magnetic Stimulation in "
    "Amyotrophic Lateral Sclerosis #{n:03d}"
)
EVENTS = (
    ("verdict", "pending", "confirms"),
    ("overall_status", "RECRUITING", "TERMINATED"),
    ("why_stopped", None, "The sponsor ended the study after an interim analysis"),
    ("primary_completion_date", "2026-06", "2027-09"),
    ("enrollment", "60", "90"),
    ("results_submitted", None, "2026-11-20"),
    ("role", None, "follow_up"),
    ("start_date", "2026-01", "2026-04"),
)


def build(session: Session, items: int) -> None:
    at = NOW - timedelta(days=3)
    old = NOW - timedelta(days=400)
    trials = items * 3 // 4
    for n in range(trials):
        nct = f"NCT0{6000000 + n}"
        trial(session, nct, TITLE.format(n=n), first_seen=old)
        assess(session, nct, relevant=True, verdict="pending", participants=60)
        field, before, after = EVENTS[n % len(EVENTS)]
        event(session, nct, field, before, after, at)
    for n in range(items - trials):
        pmid = f"PMID:{39000000 + n}"
        article(
            session, pmid, TITLE.format(n=n).replace("A Randomised", "Results of a"), first_seen=at
        )
        assess(session, pmid, relevant=True, verdict="inconclusive")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'size.db'}")
        with Session(engine) as session:
            build(session, args.items)
            session.commit()
        settings = EmailConfig(from_addr="tracker@example.org", to=("you@example.org",))
        # The window starts a week ago, as after last week's report.
        path = Path(tmp) / "week.eml"
        outcome = send_report(engine, settings, now=NOW, dry_run=path)
        engine.dispose()
        data = path.read_bytes()
    message = message_from_bytes(data, policy=policy.default)
    sizes = {
        part.get_content_type(): len(part.as_bytes())
        for part in message.walk()
        if not part.is_multipart()
    }
    print(f"items listed: {outcome.items}")
    for kind, size in sizes.items():
        print(f"  {kind:<12} {size / 1024:7.1f} KB (encoded)")
    print(f"message: {len(data) / 1024:.1f} KB (target < 200 KB)")


if __name__ == "__main__":
    main()
