"""The consistency flag rules as tables, on version pairs written in the CT.gov v2 shape."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from tests import paths
from tests.flag_support import version
from tracker.config import ClaimConfig, FlagsConfig, load_config
from tracker.evidence.rules.flags import Flag, Version, needs_check, weaken
from tracker.evidence.rules.flags_study import paper_flags, trial_flags
from tracker.evidence.rules.flags_text import time_points
from tracker.evidence.rules.vocab import compile_vocab
from tracker.records.article import AbstractSection
from tracker.sources import europepmc
from tracker.sources.ctgov_parse import parse_study

TODAY = date(2025, 1, 15)
SETTINGS = FlagsConfig()
ALS = "ALSFRS-R total score"
FVC = "Forced vital capacity"
SURV = "Tracheostomy-free survival"
ROOT = paths.TESTS


def flags(*versions: Version, settings: FlagsConfig = SETTINGS) -> list[Flag]:
    return trial_flags(list(versions), TODAY, settings)


def of(found: list[Flag], rule: str) -> list[Flag]:
    return [f for f in found if f.rule == rule]


def changes(found: list[Flag]) -> list[tuple[str, str]]:
    return sorted(
        (f.subject.split(":", 1)[0], f.severity) for f in of(found, "outcomes.primary_changed")
    )


BEFORE = "2020-01-10"  # posted before the start (2020-01-15)
DURING = "2021-03-01"  # after the start, before primary completion (2022-06-30)
AFTER = "2022-09-01"  # after primary completion


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # unchanged, or only reworded: no change of substance
        ({"primary": [(ALS, "12 months")]}, {"primary": [(ALS, "12 months")]}, []),
        (
            {"primary": [("ALSFRS-R score", "12 months")]},
            {"primary": [("Change in ALSFRS-R score from baseline", "12 months")]},
            [],
        ),
        # severe: added, omitted, moved either way
        (
            {"primary": [(ALS, "12 months")]},
            {"primary": [(ALS, "12 months"), (FVC, "12 months")]},
            [("added", "minor")],
        ),
        (
            {"primary": [(ALS, "12 months"), (FVC, "12 months")]},
            {"primary": [(ALS, "12 months")]},
            [("omitted", "minor")],
        ),
        (
            {"primary": [(ALS, "6 months")], "secondary": [(SURV, "24 months")]},
            {"primary": [(SURV, "24 months")], "secondary": [(ALS, "6 months")]},
            [("primary_to_secondary", "minor"), ("secondary_to_primary", "minor")],
        ),
        # non-severe: the time frame (parsed numbers and units), the measurement
        (
            {"primary": [(ALS, "12 months")]},
            {"primary": [(ALS, "Baseline to week 24")]},
            [("time_frame", "info")],
        ),
        ({"primary": [(ALS, "one year")]}, {"primary": [(ALS, "12 months")]}, []),
        (
            {"primary": [(ALS, "12 months", "Mean change in the score")]},
            {"primary": [(ALS, "12 months", "Proportion of participants losing 6 points or more")]},
            [("measurement", "info")],
        ),
    ],
    ids=[
        "same",
        "reworded",
        "added",
        "omitted",
        "swapped",
        "time-frame",
        "same-time-in-other-words",
        "measurement",
    ],
)
def test_primary_outcome_changes_in_holst_terms(old, new, expected):
    found = flags(version(1, last_update=BEFORE, **old), version(2, last_update=DURING, **new))
    assert changes(found) == expected


@pytest.mark.parametrize(
    ("latest", "severity", "why"),
    [
        ({"last_update": DURING}, "minor", None),
        ({"last_update": AFTER, "status": "COMPLETED"}, "major", "primary completion date"),
        (
            {"last_update": "2022-05-01", "results_first_submitted": "2022-04-01"},
            "major",
            "results were first submitted",
        ),
        # the completion date gives only a month and the change falls in it: not escalated
        ({"last_update": "2022-06-20", "primary_completion": "2022-06"}, "minor", None),
        ({"last_update": "2022-07-02", "primary_completion": "2022-06"}, "major", "completion"),
    ],
    ids=["before", "after-completion", "after-results", "month-only-within", "month-only-after"],
)
def test_a_change_after_completion_is_major(latest, severity, why):
    old = version(1, last_update=BEFORE, primary=[ALS])
    new = version(2, primary=[FVC], **{"primary_completion": "2022-06-30", **latest})
    found = of(flags(old, new), "outcomes.primary_changed")
    assert {f.severity for f in found} == {severity}
    assert all((why in f.summary) if why else ("made" not in f.summary) for f in found)
    assert needs_check(found) == (severity == "major")


def test_flag_quotes_both_texts_with_versions_and_dates():
    found = flags(
        version(1, last_update=BEFORE, primary=[(ALS, "6 months")]),
        version(2, last_update=DURING, primary=[(ALS, "6 months")]),
        version(3, last_update=AFTER, primary=[(FVC, "12 months")]),
    )
    added = [f for f in of(found, "outcomes.primary_changed") if f.subject.startswith("added")]
    assert len(added) == 1
    assert added[0].evidence[0].startswith(f"baseline v1, {BEFORE}: (no such primary outcome)")
    assert added[0].evidence[1] == f"v3, {AFTER}: “{FVC}” (time frame: “12 months”)"
    assert added[0].severity == "major"


def test_baseline_is_the_last_version_on_or_before_the_start():
    # changed twice before the start, never after: nothing to flag
    found = flags(
        version(1, last_update="2019-11-01", primary=[FVC]),
        version(2, last_update="2020-01-14", primary=[ALS]),
        version(3, last_update=DURING, primary=[ALS]),
    )
    assert of(found, "outcomes.primary_changed") == []
    # no version before the start: the first one seen is the baseline
    found = flags(
        version(1, last_update="2020-03-01", primary=[FVC]),
        version(2, last_update=DURING, primary=[ALS]),
    )
    assert changes(found) == [("added", "minor"), ("omitted", "minor")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"primary": [""]}, {"primary": ["TBD"]}),
        ({"primary": ["---"]}, {"primary": [ALS]}),
        ({"primary": [ALS, "  "]}, {"primary": [ALS, "..."]}),
    ],
    ids=["empty-to-tbd", "garbage-to-real", "blank-beside-real"],
)
def test_unreadable_measures_give_an_info_flag_not_a_change(old, new):
    found = flags(version(1, last_update=BEFORE, **old), version(2, last_update=DURING, **new))
    assert of(found, "outcomes.primary_changed") == [] or all(
        f.subject.startswith("added") for f in of(found, "outcomes.primary_changed")
    )
    unreadable = of(found, "outcomes.unreadable")
    assert [f.severity for f in unreadable] == ["info"]
    assert "empty or unreadable" in unreadable[0].summary


def test_garbage_to_real_is_an_addition_and_nothing_else():
    found = flags(
        version(1, last_update=BEFORE, primary=["---"]),
        version(2, last_update=DURING, primary=[ALS]),
    )
    assert changes(found) == [("added", "minor")]


def test_versions_out_of_order_say_so_and_still_compare_by_number():
    found = flags(
        version(2, last_update="2020-01-01", primary=[FVC]),
        version(1, last_update="2021-01-01", primary=[ALS]),
    )
    assert [f.severity for f in of(found, "versions.out_of_order")] == ["info"]
    assert changes(found) == [("added", "minor"), ("omitted", "minor")]


def test_a_version_dated_in_the_future_is_undated():
    found = flags(
        version(1, last_update=BEFORE, primary=[ALS]),
        version(2, last_update="2031-01-01", primary=[FVC]),
    )
    assert all("date unknown" in f.evidence[1] for f in of(found, "outcomes.primary_changed"))


@pytest.mark.parametrize(
    ("start", "submitted", "flagged"),
    [
        ("2020-01-15", "2019-12-01", False),
        ("2020-01-15", "2020-02-10", False),  # within the 30 days' grace
        ("2020-01-15", "2020-06-01", True),
        ("2020-01", "2020-02-20", False),  # a month-only start counts from its last day
        ("2020-01", "2020-03-15", True),
        (None, "2020-03-15", False),
    ],
)
def test_retrospective_registration(start, submitted, flagged):
    found = flags(version(1, start=start, first_submitted=submitted, primary=[ALS]))
    got = of(found, "registration.retrospective")
    assert bool(got) == flagged
    if flagged:
        assert got[0].severity == "minor"
        assert got[0].evidence == [f"start date: {start}", f"first submitted: {submitted}"]


def test_grace_is_configurable():
    v = version(1, start="2020-01-15", first_submitted="2020-02-10", primary=[ALS])
    assert of(
        flags(v, settings=FlagsConfig(retrospective_grace_days=0)), "registration.retrospective"
    )


@pytest.mark.parametrize(
    ("estimate", "actual", "severity", "text"),
    [
        (100, 50, "minor", "Enrolled 50 of 100 planned (50%), below 80%"),
        (100, 90, "info", "Enrolled 90 of 100 planned (90%)."),
        (40, 40, "info", "Enrolled 40 of 40 planned (100%)."),
    ],
)
def test_sample_size_ratio_is_always_shown_and_flagged_below_threshold(
    estimate, actual, severity, text
):
    found = flags(
        version(1, last_update=BEFORE, enrollment=estimate, primary=[ALS]),
        version(
            2,
            last_update=AFTER,
            enrollment=actual,
            enrollment_type="ACTUAL",
            status="COMPLETED",
            primary=[ALS],
        ),
    )
    got = of(found, "enrolment.sample_size")
    assert [f.severity for f in got] == [severity]
    assert got[0].summary.startswith(text)
    assert got[0].evidence == [
        f"v1, {BEFORE}: enrolment {estimate} (estimated)",
        f"v2, {AFTER}: enrolment {actual} (actual)",
    ]


def test_an_increase_after_completion_is_flagged():
    common = {"enrollment_type": "ACTUAL", "status": "COMPLETED", "primary": [ALS]}
    found = flags(
        version(1, last_update=BEFORE, enrollment=100, primary=[ALS]),
        version(2, last_update="2022-08-01", enrollment=60, **common),
        version(3, last_update="2022-10-01", enrollment=80, **common),
    )
    got = of(found, "enrolment.raised_after_completion")
    assert [f.severity for f in got] == ["major"]
    assert "from 60 to 80" in got[0].summary


@pytest.mark.parametrize(
    ("status", "why", "severity", "says"),
    [
        ("TERMINATED", "Slow recruitment", "minor", "never refutes"),
        ("TERMINATED", "Futility at interim analysis", "minor", "futility"),
        ("SUSPENDED", "Safety concerns raised by the DSMB", "major", "safety"),
        ("WITHDRAWN", None, "minor", "do not classify"),
        ("COMPLETED", None, None, None),
    ],
)
def test_early_stop_with_the_class_of_why_stopped(status, why, severity, says):
    got = of(flags(version(1, status=status, why_stopped=why, primary=[ALS])), "status.early_stop")
    if severity is None:
        assert got == []
        return
    assert [f.severity for f in got] == [severity]
    assert says in got[0].summary


def test_posted_primary_against_registered_primary():
    v = version(
        1,
        status="COMPLETED",
        primary=[ALS],
        secondary=[SURV],
        posted_primary=[SURV],
        last_update=AFTER,
    )
    found = flags(v)
    assert [f.severity for f in of(found, "results.primary_not_registered")] == ["major"]
    assert "only as secondary" in of(found, "results.primary_not_registered")[0].summary
    assert [f.severity for f in of(found, "results.registered_primary_missing")] == ["minor"]
    same = version(1, status="COMPLETED", primary=[ALS], posted_primary=[f"Change in {ALS}"])
    assert of(flags(same), "results.primary_not_registered") == []


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Baseline, 6 and 12 months", (183.0, 365.0)),
        ("up to 24 weeks", (168.0,)),
        ("six months", (183.0,)),
        ("Day 28", (28.0,)),
        ("at the end of treatment", ()),
        ("", ()),
    ],
)
def test_time_frames_parse_numbers_and_units(text, points):
    assert time_points(text) == points


def test_flags_weaken_strength_and_never_below_weak():
    minor = Flag("r", "minor", "s")
    major = Flag("r", "major", "s")
    info = Flag("r", "info", "s")
    assert weaken("strong", [info]) == "strong"
    assert weaken("strong", [minor]) == "moderate"
    assert weaken("strong", [major]) == "weak"
    assert weaken("weak", [major, minor]) == "weak"
    assert weaken(None, [major]) is None


def _stimals():
    trial = parse_study((ROOT / "fixtures/ctgov/NCT04393467.json").read_bytes())
    raw = (ROOT / "evaluation/europepmc/DOI-10.1016-j.lanepe.2024.101019.json").read_bytes()
    paper = europepmc.read_result(msgspec.Raw(raw)).record
    assert paper is not None
    return trial, paper


def _vocab() -> ClaimConfig:
    return load_config(ROOT.parent / "config.toml").claim


def test_the_index_paper_carries_the_benefit_on_secondary_flag():
    trial, paper = _stimals()
    vocab = compile_vocab(_vocab())
    found = paper_flags(paper, [[Version(1, "2024-11-15", trial)]], vocab, SETTINGS)
    got = of(found, "publication.benefit_on_secondary")
    assert [f.severity for f in got] == ["minor"]
    assert "survival" in got[0].summary
    assert any("tracheostomy-free survival was significantly higher" in e for e in got[0].evidence)
    assert any("ALSFRS-R monthly progression rate" in e for e in got[0].evidence)
    # its stated primary outcome (the ALSFRS-R progression rate) is the registered one
    assert of(found, "publication.primary_registered_secondary") == []


def test_a_paper_whose_primary_is_a_registered_secondary():
    trial, paper = _stimals()
    abstract = [
        AbstractSection(
            label=None,
            category=None,
            text="The primary outcome was tracheostomy-free "
            "survival at 24 months. Survival was significantly longer with tSMS.",
        )
    ]
    switched = msgspec.structs.replace(paper, abstract=abstract)
    vocab = compile_vocab(_vocab())
    found = paper_flags(switched, [[Version(1, "2024-11-15", trial)]], vocab, SETTINGS)
    got = of(found, "publication.primary_registered_secondary")
    assert [f.severity for f in got] == ["major"]
    assert "tracheostomy-free survival at 24 months" in got[0].summary
