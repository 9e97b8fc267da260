"""What tracker itself did: sync runs, digests and emails produced and the items they
carried, process locks, scheduled job runs and the scheduler's next-run times."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, Index, Table, Text, Unicode
from sqlmodel import Field, SQLModel

from tracker.store.models.columns import text


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
    errors: str = Field(default="[]", sa_column=text(nullable=False))
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
    items: str = Field(default="[]", sa_column=text(nullable=False))
    """JSON list of the item keys this message carries."""
    recipients: str = Field(sa_column=text(nullable=False))
    created_at: datetime
    sent_at: datetime | None = None
    error: str | None = Field(default=None, sa_column=text())
    stage: str | None = Field(default=None, max_length=16)
    """How far delivery got (tracker.email.smtp.STAGES): a 'sending' row left before
    'handing over' cannot have been delivered and is sent again."""


class ReportedItem(SQLModel, table=True):
    """An item (a change event or a new record) that an accepted email carried: never again."""

    __tablename__ = "reported_items"

    item_key: str = Field(primary_key=True, max_length=80)
    """'event:<change_events.id>' or 'new:<record id>'."""
    email_id: int = Field(foreign_key="email_reports.id", index=True)
    reported_at: datetime


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
    error: str | None = Field(default=None, sa_column=text())
    host: str = Field(max_length=255)
    pid: int
    notice: str | None = Field(default=None, max_length=16)
    """'alert' or 'recovery' when that email was sent after this run."""


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
