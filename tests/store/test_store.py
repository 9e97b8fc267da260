"""Versioning and change events, on both backends: a version only when parsed content
changes, one event per changed material field, and the raw payload always kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from tests import paths
from tests.rows import stored
from tracker.sources.ctgov import read_study
from tracker.store.db import session_scope
from tracker.store.models import ChangeEvent, Trial, TrialVersion
from tracker.store.payload import unpack
from tracker.store.trials import save_trials, version_payload

FIXTURES = paths.FIXTURES / "ctgov"
T0 = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)


def study_bytes(name: str, **edits) -> bytes:
    """A fixture study, optionally edited: edits map 'module.key' paths under protocolSection."""
    data = json.loads((FIXTURES / name).read_text())
    for path, value in edits.items():
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[leaf] = value
    return json.dumps(data).encode()


def save(engine, *payloads: bytes, at: datetime = T0):
    with session_scope(engine) as session:
        return save_trials(
            session.connection(), [read_study(p) for p in payloads], seen_at=at, run_id=None
        )


def status_in_payload(conn, nct_id: str, version: int) -> str:
    """The overall status in the registry payload stored for one version."""
    found = version_payload(conn, nct_id, version)
    assert found is not None, f"no payload for {nct_id} version {version}"
    status: str = json.loads(found[1])["protocolSection"]["statusModule"]["overallStatus"]
    return status


def count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_save_stores_trial_version_and_raw(engine):
    raw = study_bytes("NCT04393467.json")
    outcome = save(engine, raw)
    assert (outcome.new_records, outcome.new_versions, outcome.events) == (1, 1, 0)
    with session_scope(engine) as session:
        trial = stored(session, Trial, "NCT04393467")
        assert trial.version == 1
        assert trial.acronym == "STIMALS"
        assert trial.start_date == "2020-06"  # month precision kept, not padded to a day
        assert json.loads(unpack(trial.raw)) == json.loads(raw)
        version = session.scalars(select(TrialVersion)).one()
        assert version.raw is None  # the current payload is stored once, on the trial row
        found = version_payload(session.connection(), "NCT04393467", 1)
        assert found is not None
        data, payload = found
        assert json.loads(payload) == json.loads(raw)
        assert json.loads(data)["nct_id"] == "NCT04393467"
        assert trial.first_seen_at == T0


def test_unchanged_content_makes_no_version(engine):
    save(engine, study_bytes("NCT04393467.json"))
    # A new data-version date and reordered keys are not content changes.
    again = study_bytes(
        "NCT04393467.json", **{"derivedSection.miscInfoModule.versionHolder": "2026-01-06"}
    )
    outcome = save(engine, again, at=T0 + timedelta(days=1))
    assert (outcome.new_versions, outcome.unchanged, outcome.events) == (0, 1, 0)
    assert count(engine, TrialVersion) == 1
    with session_scope(engine) as session:
        trial = stored(session, Trial, "NCT04393467")
        assert trial.last_seen_at == T0 + timedelta(days=1)
        assert trial.version_holder == "2026-01-06"


def test_material_changes_make_one_version_and_one_event_each(engine):
    save(engine, study_bytes("NCT06200000_terminated.json"))
    changed = study_bytes(
        "NCT06200000_terminated.json",
        **{
            "protocolSection.statusModule.overallStatus": "COMPLETED",
            "protocolSection.statusModule.whyStopped": None,
            "protocolSection.designModule.enrollmentInfo.count": 80,
            "protocolSection.descriptionModule.briefSummary": "Reworded summary.",
        },
    )
    outcome = save(engine, changed, at=T0 + timedelta(days=2))
    assert (outcome.new_versions, outcome.events) == (1, 3)
    with session_scope(engine) as session:
        events = session.scalars(select(ChangeEvent).order_by(ChangeEvent.field)).all()
        assert [(e.field, e.old, e.new) for e in events] == [
            ("enrollment", "64", "80"),
            ("overall_status", "TERMINATED", "COMPLETED"),
            ("why_stopped", "Futility at interim analysis", None),
        ]
        assert {e.version for e in events} == {2}
        v2 = session.scalars(select(TrialVersion).where(col(TrialVersion.version) == 2)).one()
        assert set(json.loads(v2.changed_fields)) == {
            "overall_status",
            "why_stopped",
            "enrollment",
            "brief_summary",
        }
        assert stored(session, Trial, "NCT06200000").version == 2


def test_non_material_change_versions_without_events(engine):
    save(engine, study_bytes("NCT04393467.json"))
    edited = study_bytes(
        "NCT04393467.json", **{"protocolSection.descriptionModule.briefSummary": "New words."}
    )
    outcome = save(engine, edited)
    assert (outcome.new_versions, outcome.events) == (1, 0)


def test_reference_added_is_one_event_naming_the_new_pmid(engine):
    save(engine, study_bytes("NCT06200000_terminated.json"))
    data = json.loads(study_bytes("NCT06200000_terminated.json"))
    refs = data["protocolSection"].setdefault("referencesModule", {}).setdefault("references", [])
    refs.append({"pmid": "39999999", "type": "RESULT", "citation": "A paper."})
    save(engine, json.dumps(data).encode())
    with session_scope(engine) as session:
        event = session.scalars(select(ChangeEvent)).one()
        assert (event.field, event.new) == ("references", "PMID:39999999")


def test_unparseable_study_is_stored_raw_and_reported(engine):
    broken = study_bytes(
        "NCT04393467.json", **{"protocolSection.designModule.enrollmentInfo.count": "forty"}
    )
    outcome = save(engine, broken)
    assert outcome.parse_errors and "NCT04393467" in outcome.parse_errors[0]
    with session_scope(engine) as session:
        trial = stored(session, Trial, "NCT04393467")
        assert trial.parse_error
        assert (
            json.loads(unpack(trial.raw))["protocolSection"]["designModule"]["enrollmentInfo"][
                "count"
            ]
            == "forty"
        )
    # Once it parses again, it becomes a proper new version.
    outcome = save(engine, study_bytes("NCT04393467.json"))
    assert outcome.new_versions == 1
    with session_scope(engine) as session:
        assert stored(session, Trial, "NCT04393467").parse_error is None


def test_duplicate_within_a_page_is_one_record(engine):
    raw = study_bytes("NCT04393467.json")
    outcome = save(engine, raw, raw)
    assert outcome.new_records == 1
    assert count(engine, Trial) == 1


def test_every_version_keeps_its_own_payload(engine):
    first = study_bytes("NCT06200000_terminated.json")
    second = study_bytes(
        "NCT06200000_terminated.json", **{"protocolSection.statusModule.overallStatus": "COMPLETED"}
    )
    third = study_bytes(
        "NCT06200000_terminated.json", **{"protocolSection.statusModule.overallStatus": "WITHDRAWN"}
    )
    for day, payload in enumerate((first, second, third)):
        save(engine, payload, at=T0 + timedelta(days=day))
    with session_scope(engine) as session:
        conn = session.connection()
        statuses = [status_in_payload(conn, "NCT06200000", v) for v in (1, 2, 3)]
        assert statuses == ["TERMINATED", "COMPLETED", "WITHDRAWN"]
        assert version_payload(conn, "NCT06200000", 4) is None
        events = session.scalars(select(ChangeEvent).order_by(col(ChangeEvent.id))).all()
        assert [(e.old, e.new, e.version) for e in events] == [
            ("TERMINATED", "COMPLETED", 2),
            ("COMPLETED", "WITHDRAWN", 3),
        ]
