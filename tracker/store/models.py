"""Database tables (SQLModel). All times are timezone-aware UTC: SQLModel's UTCDateTime
stores them as UTC on both backends and gives them back aware, so SQLite and
PostgreSQL compare times the same way.

Parsed records are stored twice over: as columns for the fields reports filter and sort
on, and as `data`, the canonical JSON of the whole parsed record, which is what versions
compare and what rules re-read. `raw` is the registry's payload, byte for byte
(zstd-compressed, see tracker.store.payload).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Float, Index, LargeBinary, Table, Text, Unicode, UniqueConstraint
from sqlmodel import Field, SQLModel


def _text(nullable: bool = True) -> Column[str]:
    return Column(Text, nullable=nullable)


class Trial(SQLModel, table=True):
    """The current state of one ClinicalTrials.gov study."""

    __tablename__ = "trials"

    nct_id: str = Field(primary_key=True, max_length=16)
    brief_title: str | None = Field(default=None, sa_column=_text())
    acronym: str | None = Field(default=None, max_length=200)
    overall_status: str | None = Field(default=None, max_length=64)
    study_type: str | None = Field(default=None, max_length=64)
    phases: str | None = Field(default=None, max_length=128)
    """Phases joined with '|', e.g. 'PHASE1|PHASE2'; None when the record has none."""
    enrollment: int | None = None
    start_date: str | None = Field(default=None, max_length=10)
    primary_completion_date: str | None = Field(default=None, max_length=10)
    completion_date: str | None = Field(default=None, max_length=10)
    why_stopped: str | None = Field(default=None, sa_column=_text())
    has_results: bool = False
    results_submitted: str | None = Field(default=None, max_length=10)
    last_update_posted: str | None = Field(default=None, max_length=10, index=True)
    lead_sponsor: str | None = Field(default=None, sa_column=_text())
    version: int = 1
    content_hash: str = Field(max_length=64)
    version_holder: str | None = Field(default=None, max_length=10)
    first_seen_at: datetime = Field(index=True)
    last_seen_at: datetime
    last_changed_at: datetime
    parse_error: str | None = Field(default=None, sa_column=_text())
    data: str = Field(sa_column=_text(nullable=False))
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
    changed_fields: str = Field(sa_column=_text(nullable=False))
    """JSON list of the parsed fields that differ from the previous version."""
    data: str | None = Field(default=None, sa_column=_text())
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
    old: str | None = Field(default=None, sa_column=_text())
    new: str | None = Field(default=None, sa_column=_text())
    at: datetime = Field(index=True)
    version: int | None = None
    run_id: int | None = Field(default=None, foreign_key="sync_runs.id")


class SyncRun(SQLModel, table=True):
    """One sync of one source: what was asked, what came back, and whether it is complete."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_source_started", "source", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)
    started_at: datetime
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=16)
    """'running', 'ok', 'failed' or 'interrupted'."""
    full: bool = False
    pages: int = 0
    fetched: int = 0
    expected: int | None = None
    new_records: int = 0
    new_versions: int = 0
    complete: bool = False
    retries: int = 0
    errors: str = Field(default="[]", sa_column=_text(nullable=False))
    """JSON list of one-line messages."""
    watermark: str | None = Field(default=None, max_length=10)
    """Latest LastUpdatePostDate seen; an incremental sync starts from it (minus the overlap)."""
    query_hash: str | None = Field(default=None, max_length=64)
    """Hash of the queries asked; a changed query set makes the next sync a full one."""


class Report(SQLModel, table=True):
    """A digest or email that was produced, so the next one starts where it ended."""

    __tablename__ = "reports"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    since: datetime | None = None
    until: datetime
    created_at: datetime


class Article(SQLModel, table=True):
    """The current state of one paper, chapter or preprint, whatever sources reported it."""

    __tablename__ = "articles"

    id: str = Field(primary_key=True, max_length=64)
    """'PMID:12345678', or 'PPR:…' / 'DOI:…' for records PubMed does not have."""
    pmid: str | None = Field(default=None, max_length=16, index=True)
    doi: str | None = Field(default=None, max_length=255, index=True)
    """Lower-cased, so that two sources' spellings of one DOI match."""
    pmcid: str | None = Field(default=None, max_length=32)
    title: str | None = Field(default=None, sa_column=_text())
    journal: str | None = Field(default=None, sa_column=_text())
    pub_date: str | None = Field(default=None, max_length=10)
    entrez_date: str | None = Field(default=None, max_length=10, index=True)
    publication_types: str | None = Field(default=None, sa_column=_text())
    """Publication type names joined with '|'."""
    retracted: bool = False
    deleted: bool = False
    in_pubmed: bool = False
    in_europepmc: bool = False
    """Which sources reported it: one paper is one record whatever reported it."""
    cites_index: bool = False
    """It cites the index publication of the claim (see the citations table for who said so)."""
    version: int = 1
    content_hash: str = Field(max_length=64)
    first_seen_at: datetime = Field(index=True)
    last_seen_at: datetime
    last_changed_at: datetime
    parse_error: str | None = Field(default=None, sa_column=_text())
    data: str = Field(sa_column=_text(nullable=False))
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
    changed_fields: str = Field(sa_column=_text(nullable=False))
    data: str | None = Field(default=None, sa_column=_text())
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


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
    reason: str = Field(sa_column=_text(nullable=False))
    evidence: str = Field(default="[]", sa_column=_text(nullable=False))
    """JSON list of quoted sentences or result numbers the verdict rests on."""
    strength: str | None = Field(default=None, max_length=16)
    """'weak', 'moderate' or 'strong'; None where the verdict weighs nothing."""
    participants: int | None = None
    signals: str = Field(default="{}", sa_column=_text(nullable=False))
    """JSON object of the signals the rules read (for `tracker show`)."""
    record_version: int = 0
    """The record version assessed: an unchanged record need not be re-read."""
    rules_hash: str = Field(default="", max_length=64)
    """Hash of the claim configuration and rule set; a change re-assesses everything."""
    members: str = Field(default="[]", sa_column=_text(nullable=False))
    """JSON list of the study's record ids, this one included: the judgement rests on them,
    so a change of membership (a new link, a new paper of the study) re-judges it."""
    recheck_on: date | None = Field(default=None, index=True)
    """The first day the judgement can change with the date alone (results falling due,
    the months overdue counting on); None when it never can. Judged again from that day."""
    assessed_at: datetime
    changed_at: datetime
    """When the verdict last changed."""


class Registration(SQLModel, table=True):
    """A study's number in another registry (EudraCT, CTIS, ISRCTN, an NCT alias...), as one
    record declared it. Records that share a number are one study (tracker.evidence.joins)."""

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
    summary: str = Field(sa_column=_text(nullable=False))
    evidence: str = Field(default="[]", sa_column=_text(nullable=False))
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
    note: str = Field(sa_column=_text(nullable=False))
    by: str | None = Field(default=None, max_length=200)
    at: datetime
    cleared_at: datetime | None = None


class ProcessLock(SQLModel, table=True):
    """A lock held by one running tracker process (tracker.schedule.lock).

    'writer' is held by whatever writes records (a sync, a run, a scheduled job);
    'scheduler' by the one `tracker schedule` that runs jobs for this database. A row whose
    heartbeat stopped, or whose process is gone from its host, is stale and taken over."""

    __tablename__ = "process_locks"

    name: str = Field(primary_key=True, max_length=32)
    token: str = Field(max_length=32)
    """Random per acquisition: release and heartbeat touch the row only while it is ours."""
    host: str = Field(max_length=255)
    pid: int
    command: str = Field(max_length=64)
    """What holds it, e.g. 'tracker sync' or 'tracker schedule: ctgov'."""
    acquired_at: datetime
    heartbeat_at: datetime


class JobRun(SQLModel, table=True):
    """One run of one scheduled job, whatever its outcome."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=32)
    started_at: datetime
    finished_at: datetime | None = None
    outcome: str = Field(default="running", max_length=16)
    """'running', 'ok', 'failed' or 'interrupted' (stopped on request; not a failure)."""
    error: str | None = Field(default=None, sa_column=_text())
    host: str = Field(max_length=255)
    pid: int
    notice: str | None = Field(default=None, max_length=16)
    """'alert' or 'recovery' when that email was sent after this run."""


class EmailReport(SQLModel, table=True):
    """One email report: written (status 'sending') with its Message-ID and items BEFORE the
    message goes to the server, so a crash between the server's acceptance and the marking
    cannot make the next run send the same items again (tracker.email.outbox)."""

    __tablename__ = "email_reports"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=255, unique=True, index=True)
    status: str = Field(default="sending", max_length=16, index=True)
    """'sending' (handed to the server, outcome not yet recorded), 'sent', 'failed', or
    'unknown' (a run died while sending; its items count as reported, never sent twice)."""
    since: datetime | None = None
    until: datetime
    """The window's end: the next report starts here once this one is sent."""
    items: str = Field(default="[]", sa_column=_text(nullable=False))
    """JSON list of the item keys this message carries."""
    recipients: str = Field(sa_column=_text(nullable=False))
    created_at: datetime
    sent_at: datetime | None = None
    error: str | None = Field(default=None, sa_column=_text())
    stage: str | None = Field(default=None, max_length=16)
    """How far delivery got (tracker.email.smtp.STAGES): a 'sending' row left before
    'handing over' cannot have been delivered and is sent again."""


# Every digest shows how many records each source has stored. Without these, counting a
# million articles by source reads the whole table (seconds); with them it reads a small
# index. Declared here, with the email tables, because migration 0004 creates them.
Index("ix_articles_in_pubmed", Article.__table__.c.in_pubmed)  # type: ignore[attr-defined]
Index("ix_articles_in_europepmc", Article.__table__.c.in_europepmc)  # type: ignore[attr-defined]


class ReportedItem(SQLModel, table=True):
    """An item (a change event or a new record) that an accepted email carried: never again."""

    __tablename__ = "reported_items"

    item_key: str = Field(primary_key=True, max_length=80)
    """'event:<change_events.id>' or 'new:<record id>'."""
    email_id: int = Field(foreign_key="email_reports.id", index=True)
    reported_at: datetime


SCHEDULE_STATE = Table(
    "schedule_state",
    SQLModel.metadata,
    Column("job_id", Unicode(32), primary_key=True),
    Column("signature", Text, nullable=False),
    Column("next_run_time", Float(25)),
)
"""Each scheduled job's next run (an epoch float) and the schedule it was computed from,
as plain values: the scheduler rebuilds its jobs from [schedule] at every start and reads
only these, so nothing stored is ever unpickled or run (tracker.schedule.store)."""
