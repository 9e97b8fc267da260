"""A small world for the website tests: follow-ups with hostile titles, a human verdict,
two trials with posted hazard ratios on survival, and a week of changes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from tests.digest_support import BEFORE, T0, T1, article, assess, event, sync_run, trial
from tracker.records.trial import (
    Analysis,
    ResultGroup,
    ResultOutcome,
    TrialData,
    encode_record,
)
from tracker.store.models import Override, Trial

HOSTILE = "tSMS <script>alert('x')</script> & <a href=\"javascript:alert(1)\">ALS</a> \u202etxet"
"""HTML, a script, a javascript: URL and a right-to-left override: must stay literal text."""


def _with_results(session: Session, nct: str, hr: str, lower: str, upper: str) -> None:
    data = TrialData(
        nct_id=nct,
        brief_title=f"tSMS survival trial {nct}",
        first_submitted="2025-02-01",
        study_type="INTERVENTIONAL",
        allocation="RANDOMIZED",
        masking="QUADRUPLE",
        phases=["PHASE3"],
        result_outcomes=[
            ResultOutcome(
                type="PRIMARY",
                title="Tracheostomy-free survival",
                param_type="Number",
                unit="participants",
                time_frame="24 months",
                groups=[
                    ResultGroup(id="OG000", title="Real"),
                    ResultGroup(id="OG001", title="Sham"),
                ],
                values=[],
                analyses=[
                    Analysis(
                        group_ids=["OG000", "OG001"],
                        p_value="0.04",
                        method="Cox",
                        param_type="Hazard Ratio (HR)",
                        param_value=hr,
                        ci_pct="95",
                        ci_lower=lower,
                        ci_upper=upper,
                    )
                ],
            )
        ],
    )
    row = session.get(Trial, nct)
    assert row is not None
    row.data = encode_record(data).decode()
    session.add(row)


def site_world(session: Session) -> None:
    trial(session, "NCT04393467", "Transcranial Static Magnetic Stimulation in ALS (STIMALS)")
    assess(session, "NCT04393467", relevant=True, verdict="confirms", role="index", participants=40)
    trial(session, "NCT06000001", HOSTILE)
    assess(session, "NCT06000001", relevant=True, verdict="refutes", participants=132)
    _with_results(session, "NCT06000001", "0.80", "0.60", "1.07")
    trial(session, "NCT06000002", "Home tSMS in early ALS")
    assess(session, "NCT06000002", relevant=True, verdict="pending", participants=80)
    _with_results(session, "NCT06000002", "0.70", "0.50", "0.98")
    article(session, "PMID:41000001", "Results of home tSMS in early ALS")
    assess(session, "PMID:41000001", relevant=True, verdict="pending", study="NCT06000002")
    trial(session, "NCT06000003", "Deep TMS for depression")
    assess(session, "NCT06000003", relevant=False)
    session.add(
        Override(
            record_id="NCT06000002",
            verdict="inconclusive",
            note="Results <b>posted</b> but the survival analysis was post hoc.",
            by="reviewer",
            at=T0,
        )
    )
    event(session, "NCT06000001", "verdict", None, "pending", BEFORE)
    event(session, "NCT06000001", "role", None, "follow_up", BEFORE)
    event(session, "NCT06000001", "overall_status", "RECRUITING", "TERMINATED", T1)
    event(session, "NCT06000001", "why_stopped", None, "Futility at interim analysis", T1)
    event(session, "NCT06000001", "verdict", "pending", "refutes", T1)
    event(
        session,
        "PMID:41000001",
        "retraction",
        None,
        "retracted (notice PMID:41000009)",
        T1 + timedelta(days=1),
    )
    event(session, "NCT06000003", "overall_status", "RECRUITING", "COMPLETED", T1)
    for source in ("ctgov", "pubmed", "europepmc"):
        sync_run(session, source, at=T1 + timedelta(days=2))


def site_files(root: Path) -> dict[str, bytes]:
    """Every file of a built site, by its path under `root`, with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
