"""`tracker site` rebuilds: only the changed records are read again, and the result is
byte for byte what a full build of the same database gives, after every kind of change."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from tests.digest_support import T1, T2, article, assess, event, trial
from tests.site_support import site_files
from tracker.config import ClaimConfig, IndexConfig, SiteConfig
from tracker.site import pages, timeline
from tracker.site.build import build_site
from tracker.store.models import (
    Article,
    ArticleVersion,
    Assessment,
    ChangeEvent,
    Flag,
    Override,
    Registration,
    Trial,
    TrialVersion,
)

CLAIM = ClaimConfig(
    statement="Magnetic stimulation slows ALS progression or prolongs survival.",
    short_name="STIMALS",
    index=IndexConfig(nct_id="NCT04393467"),
    outcomes={"survival": ("survival", "tracheostomy-free", "tracheostomy", "death")},
    other_outcomes={"respiration": ("FVC",)},
)
SITE = SiteConfig(base_url="https://example.org/stimals")
LATER = T2 + timedelta(days=1)


def _reassess(session: Session, rid: str, **values: object) -> None:
    """As the evidence engine writes a changed judgement: new values, a new time."""
    row = session.get(Assessment, rid)
    assert row is not None
    for name, value in values.items():
        setattr(row, name, value)
    row.assessed_at = LATER
    session.add(row)


def _new_version(session: Session, rid: str, **values: object) -> None:
    """As the store writes a record whose content changed: the next version and its row."""
    row = session.get(Trial, rid) if rid.startswith("NCT") else session.get(Article, rid)
    assert row is not None
    for name, value in values.items():
        setattr(row, name, value)
    row.version += 1
    row.content_hash = f"h{row.version}"
    session.add(row)
    fields = json.dumps(sorted(values))
    if isinstance(row, Trial):
        session.add(
            TrialVersion(
                nct_id=rid,
                version=row.version,
                content_hash=row.content_hash,
                seen_at=LATER,
                changed_fields=fields,
            )
        )
    else:
        session.add(
            ArticleVersion(
                article_id=rid,
                version=row.version,
                content_hash=row.content_hash,
                seen_at=LATER,
                changed_fields=fields,
            )
        )


ABSTRACT = json.dumps(
    {
        "abstract": [
            {
                "label": "RESULTS",
                "category": "RESULTS",
                "text": "Eighty patients were randomised. Death or tracheostomy was less "
                "frequent with real stimulation (hazard ratio 0.75, 95% CI 0.58-0.97; "
                "p = 0.03), and FVC declined more slowly (HR 0.8, 95% CI 0.6 to 0.95).",
            }
        ]
    }
)


def _step(name: str, session: Session) -> int:
    """Apply one change; returns how many records a rebuild must read again."""
    if name == "event":
        event(session, "NCT06000002", "enrollment", "80", "120", LATER)
        return 1
    if name == "new judgement":
        _reassess(session, "NCT06000001", verdict="inconclusive", reason="Judged again")
        return 1
    if name == "human verdict":
        session.add(
            Override(record_id="NCT06000001", verdict="refutes", note="Read it.", by="x", at=LATER)
        )
        return 0  # read afresh on every build: no record to read again
    if name == "new version":
        _new_version(session, "PMID:41000001", title="Results of home tSMS: the final report")
        return 1
    if name == "new study":
        trial(session, "NCT06000009", "A new sham-controlled trial")
        session.add(
            TrialVersion(
                nct_id="NCT06000009",
                version=1,
                content_hash="h",
                seen_at=LATER,
                changed_fields="[]",
            )
        )
        assess(session, "NCT06000009", relevant=True, verdict="pending", participants=30)
        return 1
    if name == "record moves study":
        _reassess(session, "PMID:41000001", study="NCT06000001")
        return 1
    if name == "no longer relevant":
        _reassess(session, "NCT06000009", relevant=False, role="excluded")
        return 0
    if name == "flag":
        session.add(
            Flag(
                record_id="NCT06000001",
                study="NCT06000001",
                rule="outcome_switch",
                key="outcome_switch:1",
                severity="major",
                summary="Primary outcome changed after the start.",
                evidence='["v1: survival", "v4: ALSFRS-R"]',
                first_seen_at=LATER + timedelta(hours=1),  # after the human verdict
                updated_at=LATER + timedelta(hours=1),
            )
        )
        return 0
    if name == "registration":
        session.add(
            Registration(
                record_id="NCT06000002",
                reg_id="EudraCT:2020-001234-56",
                registry_name="EudraCT",
                provenance="ctgov_secondary_id",
                first_seen_at=LATER,
            )
        )
        return 1
    if name == "abstract":
        article(session, "PMID:41000002", "Home tSMS and survival in ALS: a randomised trial")
        session.flush()
        _new_version(session, "PMID:41000002", data=ABSTRACT)
        assess(session, "PMID:41000002", relevant=True, verdict="confirms")
        return 1
    raise AssertionError(name)


STEPS = [
    "event",
    "new judgement",
    "human verdict",
    "new version",
    "new study",
    "record moves study",
    "no longer relevant",
    "flag",
    "registration",
    "abstract",
]


def test_a_rebuild_equals_a_full_build_after_every_kind_of_change(world, tmp_path):
    site = tmp_path / "site"
    first = build_site(world, CLAIM, SITE, site)
    assert first.read_records == 4  # every relevant record
    for n, name in enumerate(STEPS):
        with Session(world) as session:
            expected_reads = _step(name, session)
            session.commit()
        before = site_files(site)
        result = build_site(world, CLAIM, SITE, site)
        assert result.read_records == expected_reads, name
        fresh = build_site(world, CLAIM, SITE, tmp_path / f"fresh-{n}")
        assert site_files(site) == site_files(tmp_path / f"fresh-{n}"), name
        assert site_files(site) != before, name  # every step shows somewhere
    final = site_files(site)
    assert "study/NCT06000009.html" not in final  # no longer relevant: its page is gone
    assert b"EudraCT:2020-001234-56" in final["study/NCT06000002.html"]
    assert b"Needs a human check" in final["study/NCT06000001.html"]
    assert b"Results of home tSMS: the final report" in final["study/NCT06000001.html"]
    assert fresh.read_records == 5


def test_a_table_that_shrank_means_a_full_read(world, tmp_path):
    site = tmp_path / "site"
    build_site(world, CLAIM, SITE, site)
    with Session(world) as session:
        newest = session.scalar(select(func.max(col(ChangeEvent.id))))
        session.execute(delete(ChangeEvent).where(col(ChangeEvent.id) == newest))
        session.commit()
    again = build_site(world, CLAIM, SITE, site)
    assert again.read_records == 4
    build_site(world, CLAIM, SITE, tmp_path / "fresh")
    assert site_files(site) == site_files(tmp_path / "fresh")


def test_a_damaged_cache_means_a_full_read(world, tmp_path):
    site = tmp_path / "site"
    build_site(world, CLAIM, SITE, site)
    (site / ".tracker-site.cache").write_bytes(b"not a cache")
    assert build_site(world, CLAIM, SITE, site).read_records == 4
    assert build_site(world, CLAIM, SITE, site).read_records == 0


def test_abstract_estimates_join_the_forest_plot_labelled_and_pooled_once_per_study(
    world, tmp_path
):
    with Session(world) as session:
        _step("abstract", session)  # a third study, HR 0.75 for death or tracheostomy
        # A paper of NCT06000001, which posted an HR: shown, but the study counts once.
        article(session, "PMID:41000003", "Survival after tSMS")
        session.flush()
        _new_version(
            session,
            "PMID:41000003",
            data=json.dumps(
                {
                    "abstract": [
                        {
                            "label": None,
                            "category": None,
                            "text": "Survival was similar (HR 0.82, 95% CI 0.61–1.10). "
                            "The overall estimate was HR 0.9 (95% CI 0.7-1.2).",
                        }
                    ]
                }
            ),
        )
        assess(session, "PMID:41000003", relevant=True, verdict="refutes", study="NCT06000001")
        session.commit()
    out = tmp_path / "site"
    build_site(world, CLAIM, SITE, out)
    effects = (out / "effects.html").read_text()
    assert "Hazard ratio for survival" in effects
    assert "Fixed-effect inverse-variance pooling of 3 studies&#39; log hazard ratios" in effects
    assert "from posted results and abstract" in effects
    assert "Death or tracheostomy<br>" in effects and "abstract (PMID:41000002)" in effects
    assert "posted results (NCT06000001)" in effects and "abstract (PMID:41000003)" in effects
    assert "<td>0.6 to 0.95</td>" not in effects  # FVC: another outcome, not the claim's
    # The sentence naming no outcome: its own plot, never pooled.
    assert "Hazard ratio (outcome not named)" in effects
    assert "Not pooled: the sentences do not say which outcome" in effects
    svg = (out / "charts" / "forest-1.svg").read_text()
    assert "Pooled (3 studies)" in svg and "(abstract)" in svg and "(posted results)" in svg
    study = (out / "study" / "NCT06000001.html").read_text()
    assert "From the abstract of PMID:41000003: Survival was similar" in study


def test_the_newest_timeline_entries_are_the_same_however_they_are_picked(
    world, tmp_path, monkeypatch
):
    with Session(world) as session:
        for n in range(12):  # a study of many records, with ties at the same time
            rid = f"PMID:4200{n:04d}"
            article(session, rid, f"Paper {n}")
            assess(session, rid, relevant=True, study="NCT06000001")
            for k in range(3):
                event(session, rid, "cited_by", None, f"PMID:9{n}{k}", T1 + timedelta(hours=k))
        session.commit()
    monkeypatch.setattr(pages, "TIMELINE_ROWS", 7)
    monkeypatch.setattr(timeline, "MANY_RECORDS", 1000)  # every entry read and sorted
    build_site(world, CLAIM, SITE, tmp_path / "all")
    monkeypatch.setattr(timeline, "MANY_RECORDS", 2)  # the database picks the newest
    build_site(world, CLAIM, SITE, tmp_path / "picked")
    page = "study/NCT06000001.html"
    assert site_files(tmp_path / "all")[page] == site_files(tmp_path / "picked")[page]
    html = (tmp_path / "picked" / page).read_text()
    assert html.count('<li><time datetime="') == 7
    assert "The 34 oldest entries are left out here" in html  # 36 + 5 of the trial, 7 shown
