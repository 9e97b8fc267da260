"""Change events in plain words: what every report says instead of field names."""

from __future__ import annotations

import pytest

from tracker.reports.plain import plain_change


@pytest.mark.parametrize(
    ("field", "old", "new", "text", "flag"),
    [
        ("role", None, "follow_up", "now counted as a follow-up", None),
        (
            "role",
            "follow_up",
            "prior",
            "now counted as earlier evidence (from before the index result)",
            None,
        ),
        ("verdict", None, "pending", "first judged: pending (awaiting results)", None),
        (
            "verdict",
            "pending",
            "refutes",
            "verdict: pending → refutes (goes against the claim)",
            None,
        ),
        (
            "overall_status",
            "RECRUITING",
            "TERMINATED",
            "status: Recruiting → Terminated",
            "stopped",
        ),
        ("overall_status", "RECRUITING", "COMPLETED", "status: Recruiting → Completed", None),
        ("why_stopped", None, "Futility", "reason given for stopping: Futility", None),
        ("retraction", None, "retracted (notice PMID:9)", "retraction notice PMID:9", "retracted"),
        ("retraction", None, "retracted", "retraction notice", "retracted"),
        (
            "corrections",
            None,
            "ErratumIn PMID:2, RetractionIn PMID:1",
            "correction notice PMID:2, retraction notice PMID:1",
            None,
        ),
        ("enrollment", "40", "120", "number of participants: 40 → 120", None),
        (
            "primary_completion_date",
            "2026-05",
            "2027-01",
            "expected end of the main data collection: 2026-05 → 2027-01",
            "+8 months",
        ),
        ("results_posted", None, "2026-11-03", "results posted on 2026-11-03", None),
        ("start_date", "2026-01", "2026-03", "start date: 2026-01 → 2026-03", None),
    ],
)
def test_plain_words(field, old, new, text, flag):
    plain = plain_change(field, old, new)
    assert (plain.text, plain.flag) == (text, flag)
    assert "RetractionIn" not in plain.text and "role:" not in plain.text and "_" not in plain.text
