"""The head of each shipped question's ledger, as `tracker evidence` prints it.

    uv run python benchmarks/ledger_heads.py [--set main|tofersen|both] [--lines 4]

Stores a labelled set (tests/evaluation for the shipped STIMALS question, or the second
question's examples/tofersen-sod1-als/evaluation) into an empty SQLite database through the
project's own parsers and save functions, then runs the real CLI, `tracker --config CONFIG
evidence`, on it (it judges as of today) and prints its first lines: the standing sentence
comes first. With `--format json` it prints `summary.state` and `summary.standing` instead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.evaluation import HERE, load_cases, store_cases  # noqa: E402
from tracker.config import DEFAULT_CONFIG  # noqa: E402
from tracker.store.db import open_database  # noqa: E402

EXAMPLE = ROOT / "examples" / "tofersen-sod1-als"
SETS = {
    "main": (HERE, ROOT / "config.toml" if (ROOT / "config.toml").exists() else DEFAULT_CONFIG),
    "tofersen": (EXAMPLE / "evaluation", EXAMPLE / "config.toml"),
}


def ledger_head(which: str, *, lines: int, as_json: bool) -> str:
    records, config = SETS[which]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/ledger.db"
        engine = open_database(url)
        try:
            store_cases(engine, load_cases(records), now=datetime(2026, 11, 25, 6, 0, tzinfo=UTC))
        finally:
            engine.dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        env |= {"TRACKER_DATABASE_URL": url, "COLUMNS": "200"}
        cmd = [sys.executable, "-m", "tracker", "--config", str(config), "evidence"]
        cmd += ["--format", "json"] if as_json else []
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    if as_json:
        summary = json.loads(out)["summary"]
        return f"state: {summary['state']}\nstanding: {summary['standing']}"
    return "\n".join(out.splitlines()[:lines])


def main() -> None:
    parser = argparse.ArgumentParser(description="The head of each shipped question's ledger")
    parser.add_argument("--set", choices=[*SETS, "both"], default="both", dest="which")
    parser.add_argument("--lines", type=int, default=4)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args()
    for which in SETS if args.which == "both" else [args.which]:
        print(f"== {which}")
        print(ledger_head(which, lines=args.lines, as_json=args.format == "json"))


if __name__ == "__main__":
    main()
