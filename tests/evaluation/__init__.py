"""The labelled evaluation set for the evidence engine (issue #4): real-format records written
from public facts, and the ground truth the engine is measured against (labels.toml).

    from tests.evaluation import TODAY, load_cases, store_cases

`load_cases()` reads every record file with its label; `store_cases(engine, cases, now=...)`
stores them through the project's own parsers and save functions, with the links a sync
derives, so the engine sees exactly what a sync of these records would leave in the database.
Importable from the tests (tests/ is on sys.path there) and from benchmarks, which put the
repository root on sys.path. README.md in this folder says how the labels were decided.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import msgspec
from sqlalchemy import Connection, Engine, select

from tracker.ingest.europepmc import Known, page_links, split_page
from tracker.records.links import article_links, trial_links
from tracker.sources import ctgov, europepmc
from tracker.sources.pubmed_parse import iter_records
from tracker.store.articles import ARTICLES, FetchedArticle, save_articles, save_links
from tracker.store.citations import save_citations
from tracker.store.db import session_scope
from tracker.store.trials import save_trials

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.toml"
HELDOUT = HERE.parent / "evaluation_heldout"
"""The held-out set: same layout, labelled without looking at the engine (its README.md)."""
UNSEEN = HERE.parent / "evaluation_unseen"
"""The unseen set: a second held-out set, labelled without looking at the engine (its README.md)."""

TODAY = date(2026, 11, 25)
"""The date of judgement: 'overdue', 'pending' and 'after the index' are relative to it."""

SOURCES = {"ctgov": "ctgov", "pubmed": "pubmed", "europepmc": "europepmc"}
"""Record folder -> source name (the folder a file sits in says which registry wrote it)."""

RELEVANT_ROLES = ("index", "follow_up", "prior", "review", "background")
ROLES = (*RELEVANT_ROLES, "excluded")
VERDICTS = ("confirms", "refutes", "inconclusive", "pending", "not_applicable")
EXCLUSIONS = (
    "other_condition",
    "diagnostic_use",
    "look_alike",
    "healthy_volunteers",
    "not_a_study",
    "preclinical",
    "no_intervention",
)


@dataclass(frozen=True, slots=True)
class Label:
    """The ground truth for one record (see README.md for how each field was decided)."""

    id: str
    file: str
    relevant: bool
    role: str
    verdict: str
    study: str
    facts_from: tuple[str, ...]
    note: str
    exclusion: str | None = None
    cites_index: bool = False
    """The paper cites the index publication (stored as a citation, as a sync's elink would)."""


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    source: str
    path: Path
    payload: bytes
    label: Label


def load_labels(path: Path = LABELS) -> list[Label]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    labels = []
    for row in data.get("record", []):
        fields = dict(row)
        fields["facts_from"] = tuple(fields.get("facts_from", ()))
        labels.append(Label(**fields))
    return labels


def load_cases(root: Path = HERE) -> list[Case]:
    """Every labelled record of the set in `root` (its labels.toml and record folders) with its
    bytes, in labels.toml order. HELDOUT is the held-out set."""
    cases = []
    for label in load_labels(root / "labels.toml"):
        file = root / label.file
        source = SOURCES[Path(label.file).parts[0]]
        cases.append(Case(label.id, source, file, file.read_bytes(), label))
    return cases


def record_files(root: Path = HERE) -> list[Path]:
    """Every record file in the set, labelled or not (the tests check the two agree)."""
    return sorted(p for folder in SOURCES for p in (root / folder).glob("*") if p.is_file())


def index_article_id(cases: Iterable[Case]) -> str | None:
    """The stored id of the index publication (the paper, not the registry record)."""
    ids = [c.id for c in cases if c.label.role == "index" and c.source != "ctgov"]
    return ids[0] if ids else None


def store_cases(engine: Engine, cases: Sequence[Case], *, now: datetime) -> None:
    """Store the cases as a sync would: trials, then PubMed, then Europe PMC (which merges into
    a stored PubMed record of the same paper), each with the links its sync derives; then the
    citations of the index publication that the labels record."""
    by_source = {s: [c for c in cases if c.source == s] for s in SOURCES.values()}
    with session_scope(engine) as session:
        conn = session.connection()
        _store_trials(conn, by_source["ctgov"], now)
        _store_pubmed(conn, by_source["pubmed"], now)
        _store_europepmc(conn, by_source["europepmc"], now)
        cited = index_article_id(cases)
        citing = [c.id for c in cases if c.label.cites_index]
        if cited and citing:
            save_citations(conn, cited, citing, source="pubmed_elink", seen_at=now, run_id=None)


def _store_trials(conn: Connection, cases: Sequence[Case], now: datetime) -> None:
    studies = [ctgov.read_study(c.payload) for c in cases]
    save_trials(conn, studies, seen_at=now, run_id=None)
    save_links(conn, trial_links([s.trial for s in studies if s.trial]), seen_at=now)


def _store_pubmed(conn: Connection, cases: Sequence[Case], now: datetime) -> None:
    articles = [
        FetchedArticle(id=record.id, raw=raw, record=record)
        for c in cases
        for record, raw in iter_records(c.payload)
    ]
    save_articles(conn, articles, source="pubmed", seen_at=now, run_id=None)
    links = [link for a in articles if a.record for link in article_links(a.record)]
    save_links(conn, links, seen_at=now)


def _store_europepmc(conn: Connection, cases: Sequence[Case], now: datetime) -> None:
    results = [europepmc.read_result(msgspec.Raw(c.payload)) for c in cases]
    stored, merged = split_page(results, _known(conn, results))
    articles = [
        FetchedArticle(id=r.id, raw=bytes(r.raw), record=r.record, error=r.error) for r in stored
    ]
    save_articles(conn, articles, source="europepmc", seen_at=now, run_id=None)
    save_links(conn, page_links(results, merged), seen_at=now)


def _known(conn: Connection, results: Sequence[europepmc.FetchedResult]) -> Known:
    """Which results are papers already stored from PubMed (by PMID, or by DOI)."""
    pmids = [r.id for r in results if r.id.startswith("PMID:")]
    dois = sorted({r.doi.lower() for r in results if r.doi})
    in_pubmed = set(
        conn.scalars(select(ARTICLES.c.id).where(ARTICLES.c.id.in_(pmids), ARTICLES.c.in_pubmed))
    )
    by_doi = dict(
        conn.execute(select(ARTICLES.c.doi, ARTICLES.c.id).where(ARTICLES.c.doi.in_(dois))).all()
    )
    return Known(pubmed_ids=frozenset(in_pubmed), by_doi=by_doi)
