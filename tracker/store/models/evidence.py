"""What is known about the records beyond their own text: links between papers and trials,
citations, the evidence engine's judgements, registrations joined across registries, the
consistency flags, how far the engine has read, and human verdicts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.store.models.columns import text


class Link(SQLModel, table=True):
    """A paper reports (or is about) a registered trial, and how we know.

    No foreign keys: either side may be a record no query fetched (yet)."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("article_id", "trial_id", "provenance", name="uq_links_article_trial_how"),
        Index("ix_links_trial", "trial_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: str = Field(max_length=64, index=True)
    trial_id: str = Field(max_length=16)
    provenance: str = Field(max_length=32)
    """'databank' (PubMed DataBank list), 'abstract' (NCT id in the title or abstract),
    'ctgov_reference' (the trial record cites the PMID), 'europepmc_annotation', 'inferred'."""
    first_seen_at: datetime


class Citation(SQLModel, table=True):
    """One paper cites another, as a given source reports it."""

    __tablename__ = "citations"
    __table_args__ = (
        UniqueConstraint("citing_id", "cited_id", "source", name="uq_citations_pair_source"),
        Index("ix_citations_cited", "cited_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    citing_id: str = Field(max_length=64)
    cited_id: str = Field(max_length=64)
    source: str = Field(max_length=32)
    """'pubmed_elink' or 'europepmc'."""
    first_seen_at: datetime


class CitationChase(SQLModel, table=True):
    """When one source was last asked who cites one paper, so that an unchanged paper is
    not asked about again on every run (tracker.ingest.chase)."""

    __tablename__ = "citation_chases"

    cited_id: str = Field(primary_key=True, max_length=64)
    source: str = Field(primary_key=True, max_length=32)
    """'pubmed_elink' or 'europepmc', as in citations.source."""
    chased_on: date
    citing: int = 0
    """How many citing papers the source listed then."""


class Assessment(SQLModel, table=True):
    """The evidence engine's automatic judgement of one stored record (tracker.evidence).

    One row per record, rewritten by every assessment; a change of `verdict` or `role` is
    also written as a ChangeEvent (field 'verdict' or 'role') so that reports show it."""

    __tablename__ = "assessments"

    record_id: str = Field(primary_key=True, max_length=64)
    """'NCT…', 'PMID:…', 'PPR:…' or 'DOI:…', as in trials.nct_id / articles.id."""
    source: str = Field(max_length=16)
    """'ctgov', 'pubmed' or 'europepmc': where the record came from."""
    study: str = Field(max_length=64, index=True)
    """The key shared by every record of one study (a trial, its papers, duplicates)."""
    relevant: bool = Field(index=True)
    role: str = Field(max_length=16)
    """'index', 'follow_up', 'prior', 'review', 'background' or 'excluded'."""
    exclusion: str | None = Field(default=None, max_length=32)
    verdict: str = Field(max_length=16)
    """'confirms', 'refutes', 'inconclusive', 'pending' or 'not_applicable'."""
    rule: str = Field(max_length=64)
    """Id of the rule that gave the verdict, e.g. 'registry.pending_status'."""
    reason: str = Field(sa_column=text(nullable=False))
    evidence: str = Field(default="[]", sa_column=text(nullable=False))
    """JSON list of quoted sentences or result numbers the verdict rests on."""
    strength: str | None = Field(default=None, max_length=16)
    """'weak', 'moderate' or 'strong'; None where the verdict weighs nothing."""
    participants: int | None = None
    signals: str = Field(default="{}", sa_column=text(nullable=False))
    """JSON object of the signals the rules read (for `tracker show`)."""
    record_version: int = 0
    """The record version assessed: an unchanged record need not be re-read."""
    rules_hash: str = Field(default="", max_length=64)
    """Hash of the claim configuration and rule set; a change re-assesses everything."""
    members: str = Field(default="[]", sa_column=text(nullable=False))
    """JSON list of the study's record ids, this one included: the judgement rests on them,
    so a change of membership (a new link, a new paper of the study) re-judges it."""
    recheck_on: date | None = Field(default=None, index=True)
    """The first day the judgement can change with the date alone (results falling due,
    the months overdue counting on); None when it never can. Judged again from that day."""
    assessed_at: datetime
    changed_at: datetime
    """When the verdict last changed."""


class RecordSignals(SQLModel, table=True):
    """What the evidence rules read from one record version (its signals and relevance), as
    the sync's parse workers read it, so that judging need not parse the record again; or
    why the rules could not read it, so that it is not tried again until the record or
    the rules change."""

    __tablename__ = "record_signals"

    record_id: str = Field(primary_key=True, max_length=64)
    version: int
    """The record version read (trials.version / articles.version)."""
    rules_hash: str = Field(max_length=64)
    """The rules hash the signals were read under; any other is stale."""
    relevant: bool | None = None
    signals: str | None = Field(default=None, sa_column=text())
    """JSON of the signals; None when the rules could not read the record."""
    error: str | None = Field(default=None, sa_column=text())
    """Why the rules could not read the record, else None."""


class Registration(SQLModel, table=True):
    """A study's number in another registry (EudraCT, CTIS, ISRCTN, an NCT alias...), as one
    record declared it. Records that share a number are one study
    (tracker.evidence.rules.registration_joins)."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint(
            "record_id", "reg_id", "provenance", name="uq_registrations_record_id_how"
        ),
        Index("ix_registrations_reg_id", "reg_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(max_length=64, index=True)
    reg_id: str = Field(max_length=64)
    """Canonical: 'ISRCTN12345678', 'EudraCT:2020-001234-56', 'NCT01234567' (an alias)."""
    registry_name: str = Field(max_length=32)
    provenance: str = Field(max_length=32)
    """'ctgov_secondary_id', 'ctgov_alias', 'databank' or 'abstract'."""
    first_seen_at: datetime


class Flag(SQLModel, table=True):
    """A consistency flag on one record: registered against reported (outcome switching,
    sample size, early stop...). It weakens the verdict and never flips it; a `major` one
    asks for a human check. Kept while its rule still finds it; `first_seen_at` survives
    every reassessment."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("record_id", "key", name="uq_flags_record_key"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(max_length=64, index=True)
    study: str = Field(max_length=64, index=True)
    rule: str = Field(max_length=64)
    key: str = Field(max_length=255)
    """The rule and what it is about: one flag per record and key."""
    severity: str = Field(max_length=8)
    """'info', 'minor' or 'major'."""
    summary: str = Field(sa_column=text(nullable=False))
    evidence: str = Field(default="[]", sa_column=text(nullable=False))
    """JSON list of the quoted texts compared, each with its version and date."""
    first_seen_at: datetime
    updated_at: datetime
    """When its severity, summary or evidence last changed (first_seen_at until then)."""


class EvidenceMark(SQLModel, table=True):
    """How far the evidence engine has read a table that only grows (the links): the
    next pass judges the records a newer row touches, and only those."""

    __tablename__ = "evidence_marks"

    name: str = Field(primary_key=True, max_length=32)
    value: int


class Override(SQLModel, table=True):
    """A human verdict on one record (`tracker judge`). Kept for ever: clearing one sets
    `cleared_at`; the active override of a record is its newest uncleared row."""

    __tablename__ = "overrides"
    __table_args__ = (Index("ix_overrides_record_at", "record_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(max_length=64)
    verdict: str = Field(max_length=16)
    note: str = Field(sa_column=text(nullable=False))
    by: str | None = Field(default=None, max_length=200)
    at: datetime
    cleared_at: datetime | None = None
