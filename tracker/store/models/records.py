"""The stored records: one row per trial and per article with the columns reports filter and
sort on, every version kept, and one change event per changed material field."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.store.models.columns import text


class Trial(SQLModel, table=True):
    """The current state of one ClinicalTrials.gov study."""

    __tablename__ = "trials"

    nct_id: str = Field(primary_key=True, max_length=16)
    brief_title: str | None = Field(default=None, sa_column=text())
    acronym: str | None = Field(default=None, max_length=200)
    overall_status: str | None = Field(default=None, max_length=64)
    study_type: str | None = Field(default=None, max_length=64)
    phases: str | None = Field(default=None, max_length=128)
    """Phases joined with '|', e.g. 'PHASE1|PHASE2'; None when the record has none."""
    enrollment: int | None = None
    start_date: str | None = Field(default=None, max_length=10)
    primary_completion_date: str | None = Field(default=None, max_length=10)
    completion_date: str | None = Field(default=None, max_length=10)
    why_stopped: str | None = Field(default=None, sa_column=text())
    has_results: bool = False
    results_submitted: str | None = Field(default=None, max_length=10)
    last_update_posted: str | None = Field(default=None, max_length=10, index=True)
    lead_sponsor: str | None = Field(default=None, sa_column=text())
    version: int = 1
    content_hash: str = Field(max_length=64)
    version_holder: str | None = Field(default=None, max_length=10)
    first_seen_at: datetime = Field(index=True)
    last_seen_at: datetime
    last_changed_at: datetime
    parse_error: str | None = Field(default=None, sa_column=text())
    data: str = Field(sa_column=text(nullable=False))
    """Canonical JSON of the current parsed record."""
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """The registry payload of the current version, byte for byte, zstd-compressed
    (tracker.store.payload.unpack; `tracker show ID --raw`)."""


class TrialVersion(SQLModel, table=True):
    """One distinct parsed content of a study, kept for ever with the payload it came from.

    The current version's `data` and `raw` are NULL here because they are the `trials`
    row's own: writing each 30-100 KB payload once instead of twice halves the cost of a
    first sync. When a newer version arrives, the previous payload moves into its version
    row, so every version always has its payload (see `store.version_payload`)."""

    __tablename__ = "trial_versions"
    __table_args__ = (UniqueConstraint("nct_id", "version", name="uq_trial_versions_nct_version"),)

    id: int | None = Field(default=None, primary_key=True)
    nct_id: str = Field(foreign_key="trials.nct_id", max_length=16, index=True)
    version: int
    content_hash: str = Field(max_length=64)
    seen_at: datetime
    last_update_posted: str | None = Field(default=None, max_length=10)
    changed_fields: str = Field(sa_column=text(nullable=False))
    """JSON list of the parsed fields that differ from the previous version."""
    data: str | None = Field(default=None, sa_column=text())
    """Canonical JSON of the parsed record; NULL while this is the current version."""
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    """The compressed registry payload; NULL while this is the current version."""


class ChangeEvent(SQLModel, table=True):
    """One change of a material field (status, dates, results...) of one record."""

    __tablename__ = "change_events"
    __table_args__ = (Index("ix_change_events_record_at", "record_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(max_length=64)
    source: str = Field(max_length=16)
    field: str = Field(max_length=64)
    old: str | None = Field(default=None, sa_column=text())
    new: str | None = Field(default=None, sa_column=text())
    at: datetime = Field(index=True)
    version: int | None = None
    run_id: int | None = Field(default=None, foreign_key="sync_runs.id")


class Article(SQLModel, table=True):
    """The current state of one paper, chapter or preprint, whatever sources reported it."""

    __tablename__ = "articles"

    id: str = Field(primary_key=True, max_length=64)
    """'PMID:12345678', or 'PPR:…' / 'DOI:…' for records PubMed does not have."""
    pmid: str | None = Field(default=None, max_length=16, index=True)
    doi: str | None = Field(default=None, max_length=255, index=True)
    """Lower-cased, so that two sources' spellings of one DOI match."""
    pmcid: str | None = Field(default=None, max_length=32)
    title: str | None = Field(default=None, sa_column=text())
    journal: str | None = Field(default=None, sa_column=text())
    pub_date: str | None = Field(default=None, max_length=10)
    entrez_date: str | None = Field(default=None, max_length=10, index=True)
    publication_types: str | None = Field(default=None, sa_column=text())
    """Publication type names joined with '|'."""
    retracted: bool = False
    deleted: bool = False
    in_pubmed: bool = False
    in_europepmc: bool = False
    """Which sources reported it: one paper is one record whatever reported it."""
    cites_index: bool = False
    """It cites the index publication of the claim (see the citations table for who said so)."""
    provenance: str | None = Field(default=None, max_length=80)
    """How it first came in when no query found it: 'cites:' and the id of the paper of a
    relevant study it cites ('cites:PMID:…', 'cites:PPR:…', 'cites:PMC:…', 'cites:DOI:…'),
    fetched because it cites that paper (None for a query's result)."""
    version: int = 1
    content_hash: str = Field(max_length=64)
    first_seen_at: datetime = Field(index=True)
    last_seen_at: datetime
    last_changed_at: datetime
    parse_error: str | None = Field(default=None, sa_column=text())
    data: str = Field(sa_column=text(nullable=False))
    """Canonical JSON of the current parsed record (ArticleData)."""
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """The source payload of the current version (XML or JSON), zstd-compressed."""


class ArticleVersion(SQLModel, table=True):
    """One distinct parsed content of an article; payloads as for TrialVersion."""

    __tablename__ = "article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "version", name="uq_article_versions_id_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: str = Field(foreign_key="articles.id", max_length=64, index=True)
    version: int
    content_hash: str = Field(max_length=64)
    seen_at: datetime
    changed_fields: str = Field(sa_column=text(nullable=False))
    data: str | None = Field(default=None, sa_column=text())
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


# Every digest shows how many records each source has stored. Without these, counting a
# million articles by source reads the whole table (seconds); with them it reads a small
# index. Migration 0004 creates them (with the email tables).
Index("ix_articles_in_pubmed", Article.__table__.c.in_pubmed)  # type: ignore[attr-defined]
Index("ix_articles_in_europepmc", Article.__table__.c.in_europepmc)  # type: ignore[attr-defined]
