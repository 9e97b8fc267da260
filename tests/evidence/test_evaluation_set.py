"""The labelled evaluation sets are well formed: the main set (tests/evaluation) and the
held-out set (tests/evaluation_heldout) alike. Every record parses with the project's own
parsers, every file has exactly one label and every label a file, ids agree, labels use only
the contract's values and say where their facts came from, and each set stores through the
sync's own save path on both backends. Checks of one set only are named for it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import Engine, func, select

from tests.evaluation import (
    EXCLUSIONS,
    HELDOUT,
    HERE,
    RELEVANT_ROLES,
    ROLES,
    TODAY,
    UNSEEN,
    VERDICTS,
    Case,
    index_article_id,
    load_cases,
    load_labels,
    record_files,
    store_cases,
)
from tests.simulator.dtd_check import load_dtd, validate
from tracker.sources import europepmc
from tracker.sources.ctgov_parse import parse_study
from tracker.sources.pubmed_parse import iter_articles
from tracker.store.articles import ARTICLES, CITATIONS, LINKS
from tracker.store.trials import TRIALS

CASES = load_cases()
SETS = {"main": HERE, "heldout": HELDOUT, "unseen": UNSEEN}
ALL_CASES = [c for root in SETS.values() for c in load_cases(root)]
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def _parsed_id(case: Case) -> str:
    if case.source == "ctgov":
        return parse_study(case.payload).nct_id
    if case.source == "pubmed":
        (article,) = list(iter_articles(case.payload))  # one PubmedArticle per file
        return article.id
    result = europepmc.read_result(case.payload)
    assert result.error is None, result.error
    return result.id


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_record_parses_with_the_project_parser_and_its_id_matches_the_label(case: Case) -> None:
    assert _parsed_id(case) == case.id


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_record_carries_the_fields_the_engine_reads(case: Case) -> None:
    if case.source == "ctgov":
        trial = parse_study(case.payload)
        assert trial.title and trial.conditions and trial.study_type
    elif case.source == "pubmed":
        (article,) = list(iter_articles(case.payload))
        assert article.title and article.publication_types and article.pub_date
    else:
        result = europepmc.read_result(case.payload)
        assert result.record is not None and result.record.title


PUBMED_DTD = HERE.parents[2] / "shared" / "data" / "real" / "spec" / "pubmed_250101.dtd"


@pytest.mark.skipif(not PUBMED_DTD.exists(), reason="../shared/data/real is absent")
def test_pubmed_records_are_valid_against_the_real_dtd() -> None:
    dtd = load_dtd(PUBMED_DTD)
    for case in (c for c in ALL_CASES if c.source == "pubmed"):
        assert validate(ET.fromstring(case.payload), dtd) == [], case.id


CTGOV_FIELDS = PUBMED_DTD.parent / "ctgov_studies_metadata_fields_aact_2024-10.json"


def _spec_paths(nodes: list[dict[str, Any]], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for node in nodes:
        path = (*prefix, node["name"])
        found |= {path} | _spec_paths(node.get("children", []), path)
    return found


def _key_paths(value: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from _key_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for child in value:
            yield from _key_paths(child, prefix)


@pytest.mark.skipif(not CTGOV_FIELDS.exists(), reason="../shared/data/real is absent")
def test_ctgov_records_use_only_fields_of_the_real_v2_field_list() -> None:
    known = _spec_paths(json.loads(CTGOV_FIELDS.read_text(encoding="utf-8")))
    for case in (c for c in ALL_CASES if c.source == "ctgov"):
        unknown = {".".join(p) for p in _key_paths(json.loads(case.payload)) if p not in known}
        assert unknown == set(), case.id


@pytest.mark.parametrize("root", SETS.values(), ids=SETS.keys())
def test_every_file_has_exactly_one_label_and_every_label_a_file(root: Path) -> None:
    labels = load_labels(root / "labels.toml")
    files = Counter(label.file for label in labels)
    assert [f for f, n in files.items() if n > 1] == []
    on_disk = {p.relative_to(root).as_posix() for p in record_files(root)}
    assert on_disk == set(files)
    ids = Counter(label.id for label in labels)
    assert [i for i, n in ids.items() if n > 1] == []


def test_file_names_follow_the_record_ids() -> None:
    for case in ALL_CASES:
        name = case.path.stem
        if case.source == "ctgov":
            assert name == case.id
        elif case.source == "pubmed":
            assert f"PMID:{name}" == case.id
        else:
            # Europe PMC ids lower-case DOIs; the file keeps the DOI as published.
            assert name.lower() == case.id.replace(":", "-").replace("/", "-").lower()


@pytest.mark.parametrize("root", SETS.values(), ids=SETS.keys())
def test_labels_use_only_the_contract_values(root: Path) -> None:
    for label in load_labels(root / "labels.toml"):
        assert label.role in ROLES, label.id
        assert label.verdict in VERDICTS, label.id
        assert label.relevant == (label.role in RELEVANT_ROLES), label.id
        if label.relevant:
            assert label.exclusion is None, label.id
        else:
            assert label.exclusion in EXCLUSIONS, label.id
            assert label.verdict == "not_applicable", label.id
        assert label.study.strip(), label.id


@pytest.mark.parametrize("root", SETS.values(), ids=SETS.keys())
def test_every_label_says_where_its_facts_came_from_and_why(root: Path) -> None:
    for label in load_labels(root / "labels.toml"):
        assert label.facts_from and all(f.strip() for f in label.facts_from), label.id
        assert len(label.note) > 40, label.id


@pytest.mark.parametrize("root", SETS.values(), ids=SETS.keys())
def test_records_of_one_study_share_one_verdict(root: Path) -> None:
    verdicts: dict[str, set[str]] = {}
    for label in load_labels(root / "labels.toml"):
        if label.relevant:
            verdicts.setdefault(label.study, set()).add(label.verdict)
    assert {s: v for s, v in verdicts.items() if len(v) > 1} == {}


def test_the_set_covers_what_the_issue_asks_for() -> None:
    labels = load_labels()
    assert len(labels) >= 40
    roles = Counter(label.role for label in labels)
    assert all(roles[r] for r in ROLES), roles
    # not_a_study is missing: no real comment, editorial or erratum on these papers was found.
    assert {label.exclusion for label in labels} >= {
        "other_condition",
        "diagnostic_use",
        "look_alike",
        "healthy_volunteers",
    }
    assert set(VERDICTS) <= {label.verdict for label in labels}
    multi = Counter(label.study for label in labels)
    assert any(n > 1 for n in multi.values()), "no study reported by more than one record"
    assert TODAY.isoformat() == "2026-11-25"


def test_store_cases_stores_every_record_with_the_links_a_sync_derives(engine: Engine) -> None:
    store_cases(engine, CASES, now=NOW)
    trials = {c.id for c in CASES if c.source == "ctgov"}
    articles = {c.id for c in CASES if c.source != "ctgov"}
    with engine.connect() as conn:
        assert set(conn.scalars(select(TRIALS.c.nct_id))) == trials
        assert set(conn.scalars(select(ARTICLES.c.id))) == articles
        links = set(conn.execute(select(LINKS.c.article_id, LINKS.c.trial_id)).all())
        citations = conn.scalar(select(func.count()).select_from(CITATIONS))
    # The index paper names its registry record in its abstract, as a sync would link it; the
    # ezogabine paper is linked through Europe PMC's text-mined accession.
    assert ("DOI:10.1016/j.lanepe.2024.101019", "NCT04393467") in links
    assert ("PMC:PMC7684515", "NCT02450552") in links
    # The 2009 cTBS trial's paper and registry record name each other nowhere: the set's
    # inferred match must stay unlinked, or it would test nothing.
    assert ("PMID:19682544", "NCT00833820") not in links
    citing = [c for c in CASES if c.label.cites_index]
    assert citations == (len(citing) if index_article_id(CASES) else 0)


def test_store_cases_twice_adds_nothing(engine: Engine) -> None:
    store_cases(engine, CASES, now=NOW)
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(LINKS))
    store_cases(engine, CASES, now=NOW)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(LINKS)) == before
        assert conn.scalar(select(func.count()).select_from(TRIALS)) == len(
            [c for c in CASES if c.source == "ctgov"]
        )


@pytest.mark.parametrize("root", SETS.values(), ids=SETS.keys())
def test_label_files_live_under_their_set_folder(root: Path) -> None:
    for case in load_cases(root):
        assert Path(case.label.file).parts[0] in {"ctgov", "pubmed", "europepmc"}
        assert case.path.is_relative_to(root)
