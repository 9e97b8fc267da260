"""Evidence engine accuracy on the labelled evaluation set (tests/evaluation).

    uv run python benchmarks/evidence_accuracy.py [--set main|heldout|unseen|all|tofersen]

`--set heldout` measures tests/evaluation_heldout, labelled without looking at the engine (the
honest figure); `--set unseen` measures tests/evaluation_unseen, a second set labelled the
same way; `all` measures the main and held-out sets together; the default is the main
(tuning) set.
`--set tofersen` measures the second question's set (examples/tofersen-sod1-als/evaluation)
with that example's own config instead of the shipped one.

Stores every labelled record through the project's own parsers and save functions into an
empty SQLite database, runs `reassess` with the shipped [claim] config on the set's date of
judgement, and compares the stored judgements with the labels: relevance precision and
recall, role and verdict agreement, studies (pairs of records put in one study), and every
miss, one line each. tests/evidence/test_evidence_accuracy.py holds the floor.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from tests.evaluation import HELDOUT, HERE, TODAY, UNSEEN, Case, load_cases, store_cases  # noqa: E402
from tracker.config import DEFAULT_CONFIG, Config, load_config  # noqa: E402
from tracker.evidence.reassess import reassess  # noqa: E402
from tracker.store.db import open_database, session_scope  # noqa: E402
from tracker.store.models import Assessment  # noqa: E402

FOLLOW_UP_FORBIDDEN = ("diagnostic_use", "other_condition")
"""Exclusions that must never be counted as follow-ups (the issue's hard target)."""


@dataclass
class Accuracy:
    records: int = 0
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    roles_right: int = 0
    verdicts_right: int = 0
    exclusions_right: int = 0
    excluded: int = 0
    pairs_right: int = 0
    pairs: int = 0
    empty_reasons: list[str] = field(default_factory=list)
    forbidden_follow_ups: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_neg)

    @property
    def role_accuracy(self) -> float:
        return self.roles_right / max(1, self.records)

    @property
    def verdict_agreement(self) -> float:
        return self.verdicts_right / max(1, self.records)

    @property
    def study_agreement(self) -> float:
        return self.pairs_right / max(1, self.pairs)


def measure(cases: list[Case], config: Config, *, db_url: str) -> Accuracy:
    """Store, reassess and compare; `db_url` names an empty database."""
    engine = open_database(db_url)
    try:
        store_cases(engine, cases, now=datetime(2026, 11, 25, 6, 0, tzinfo=UTC))
        with session_scope(engine) as session:
            reassess(session, config, TODAY)
        with session_scope(engine) as session:
            rows = {a.record_id: a for a in session.scalars(select(Assessment))}
            session.expunge_all()
    finally:
        engine.dispose()
    return compare(cases, rows)


def compare(cases: list[Case], rows: dict[str, Assessment]) -> Accuracy:
    acc = Accuracy()
    for case in cases:
        label, row = case.label, rows.get(case.id)
        acc.records += 1
        if row is None:
            acc.misses.append(f"{case.id}: not assessed (stored under another id?)")
            acc.false_neg += label.relevant
            continue
        _score(acc, case, row)
    _score_studies(acc, cases, rows)
    return acc


def _score(acc: Accuracy, case: Case, row: Assessment) -> None:
    label = case.label
    acc.true_pos += label.relevant and row.relevant
    acc.false_pos += row.relevant and not label.relevant
    acc.false_neg += label.relevant and not row.relevant
    if label.relevant != row.relevant:
        acc.misses.append(
            f"{case.id}: relevant {row.relevant}, label {label.relevant} "
            f"({row.exclusion or 'relevant'} vs {label.exclusion or 'relevant'}): {row.reason}"
        )
    if not label.relevant:
        acc.excluded += 1
        acc.exclusions_right += row.exclusion == label.exclusion
        if label.relevant == row.relevant and row.exclusion != label.exclusion:
            acc.misses.append(f"{case.id}: exclusion {row.exclusion}, label {label.exclusion}")
    if row.role == label.role:
        acc.roles_right += 1
    else:
        acc.misses.append(f"{case.id}: role {row.role}, label {label.role}")
    if row.verdict == label.verdict:
        acc.verdicts_right += 1
    else:
        acc.misses.append(
            f"{case.id}: verdict {row.verdict} ({row.rule}), label {label.verdict}: {row.reason}"
        )
    if not row.reason.strip() or not [e for e in json.loads(row.evidence) if e.strip()]:
        acc.empty_reasons.append(case.id)
    if row.role == "follow_up" and label.exclusion in FOLLOW_UP_FORBIDDEN:
        acc.forbidden_follow_ups.append(case.id)


def _score_studies(acc: Accuracy, cases: list[Case], rows: dict[str, Assessment]) -> None:
    """Pairwise: two records share a study in the labels iff they do in the engine."""
    present = [c for c in cases if c.id in rows]
    for a, b in combinations(present, 2):
        want = a.label.study == b.label.study
        got = rows[a.id].study == rows[b.id].study
        if want or got:
            acc.pairs += 1
            if want == got:
                acc.pairs_right += 1
            else:
                how = "joined" if got else "kept apart"
                acc.misses.append(f"{a.id} + {b.id}: {how}, labels say the opposite")


def report(acc: Accuracy) -> str:
    relevant_found = acc.true_pos + acc.false_pos
    relevant_labelled = acc.true_pos + acc.false_neg
    lines = [
        f"records                {acc.records}",
        f"relevance precision    {acc.precision:.3f}  ({acc.true_pos} of {relevant_found})",
        f"relevance recall       {acc.recall:.3f}  ({acc.true_pos} of {relevant_labelled})",
        f"exclusion reason       {acc.exclusions_right} of {acc.excluded}",
        f"role accuracy          {acc.role_accuracy:.3f}  ({acc.roles_right} of {acc.records})",
        f"verdict agreement      {acc.verdict_agreement:.3f}  "
        f"({acc.verdicts_right} of {acc.records})",
        f"study pairs            {acc.study_agreement:.3f}  ({acc.pairs_right} of {acc.pairs})",
        f"empty reason/evidence  {len(acc.empty_reasons)} {acc.empty_reasons or ''}",
        f"diagnostic/other-disease counted as follow-up  {len(acc.forbidden_follow_ups)}",
    ]
    if acc.misses:
        lines.append(f"misses ({len(acc.misses)}):")
        lines += [f"  {m}" for m in acc.misses]
    return "\n".join(lines)


EXAMPLE = ROOT / "examples" / "tofersen-sod1-als"
SETS = {
    "main": (HERE,),
    "heldout": (HELDOUT,),
    "unseen": (UNSEEN,),
    "all": (HERE, HELDOUT),
    "tofersen": (EXAMPLE / "evaluation",),
}
CONFIGS = {"tofersen": EXAMPLE / "config.toml"}
"""A set judged with another question's config; every other set uses the shipped one."""


def main() -> None:
    parser = argparse.ArgumentParser(description="Evidence engine accuracy on a labelled set")
    parser.add_argument("--set", choices=sorted(SETS), default="main", dest="which")
    which = parser.parse_args().which
    cases = [case for root in SETS[which] for case in load_cases(root)]
    config = load_config(CONFIGS.get(which, DEFAULT_CONFIG), env={})
    with tempfile.TemporaryDirectory() as tmp:
        acc = measure(cases, config, db_url=f"sqlite:///{tmp}/evidence.db")
    print(report(acc))


if __name__ == "__main__":
    main()
