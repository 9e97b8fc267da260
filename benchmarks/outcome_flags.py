"""Precision and recall of "severe change of the primary outcome" on the labelled set of
real trials (tests/outcome_switching/cases.toml), with added, omitted and moved apart.

    uv run python benchmarks/outcome_flags.py [--cases PATH] [--verbose]

Each case's two versions are written in the CT.gov v2 shape, parsed as a sync parses
them, and given to the flag rules as tracker would (tracker.evidence.rules.flags_study);
the severe changes they report are compared with the labels, one per outcome and kind.
Exits 1 when precision or recall of the severe-change decision per trial is below 0.9.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.flag_support import version  # noqa: E402
from tracker.config import FlagsConfig  # noqa: E402
from tracker.evidence.rules.flags_outcomes import SEVERE  # noqa: E402
from tracker.evidence.rules.flags_study import trial_flags  # noqa: E402

CASES = ROOT / "tests" / "outcome_switching" / "cases.toml"
GROUPS = {
    "added": "added",
    "omitted": "omitted",
    "secondary_to_primary": "moved",
    "primary_to_secondary": "moved",
}


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    with path.open("rb") as f:
        cases: list[dict[str, Any]] = tomllib.load(f)["case"]
    return cases


def detected(case: dict[str, Any], settings: FlagsConfig | None = None) -> list[str]:
    """The severe change kinds the flag rules find between the case's two versions."""
    versions = [
        version(
            n,
            nct_id="NCT09999999",
            primary=[tuple(o) for o in v["primary"]],
            secondary=[tuple(o) for o in v["secondary"]],
            start=case["start"],
            first_submitted=case["baseline"]["posted"],
            primary_completion=case["primary_completion"],
            last_update=v["posted"],
        )
        for n, v in ((1, case["baseline"]), (2, case["latest"]))
    ]
    flags = trial_flags(versions, date(2030, 1, 1), settings or FlagsConfig())
    kinds = [f.subject.split(":", 1)[0] for f in flags if f.rule == "outcomes.primary_changed"]
    return sorted(k for k in kinds if k in SEVERE)


def score(cases: list[dict[str, Any]], *, verbose: bool = False) -> dict[str, dict[str, float]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for case in cases:
        want = Counter(GROUPS[k] for k in case["severe"])
        got = Counter(GROUPS[k] for k in detected(case))
        for group in ("added", "omitted", "moved"):
            tp[group] += min(want[group], got[group])
            fp[group] += max(0, got[group] - want[group])
            fn[group] += max(0, want[group] - got[group])
        trial = "trial"
        tp[trial] += bool(want) and bool(got)
        fp[trial] += (not want) and bool(got)
        fn[trial] += bool(want) and not got
        if verbose:
            print(f"{case['id']:<16} want {sorted(case['severe'])} got {detected(case)}")
    out = {}
    for key in ("trial", "added", "omitted", "moved"):
        p = tp[key] / (tp[key] + fp[key]) if tp[key] + fp[key] else 1.0
        r = tp[key] / (tp[key] + fn[key]) if tp[key] + fn[key] else 1.0
        out[key] = {"precision": p, "recall": r, "tp": tp[key], "fp": fp[key], "fn": fn[key]}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    cases = load_cases(args.cases)
    result = score(cases, verbose=args.verbose)
    print(f"{len(cases)} trials, {sum(len(c['severe']) for c in cases)} labelled severe changes")
    print(f"{'':<26}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}")
    labels = {
        "trial": "severe change (per trial)",
        "added": "  added",
        "omitted": "  omitted",
        "moved": "  moved (either way)",
    }
    for key, label in labels.items():
        m = result[key]
        print(
            f"{label:<26}{m['precision']:>10.3f}{m['recall']:>8.3f}"
            f"{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}"
        )
    trial = result["trial"]
    return 0 if trial["precision"] >= 0.9 and trial["recall"] >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
