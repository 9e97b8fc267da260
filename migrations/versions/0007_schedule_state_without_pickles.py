"""schedule state without pickles

APScheduler's job table (pickled jobs) is replaced by a plain table of next runs; the
jobs themselves are rebuilt from [schedule] at every start. Next runs carry over (read
from the table's plain next_run_time column, never from its pickles); their schedule
signature is unknown, so each is kept once and replaced as the job next runs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 04:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedule_state",
        sa.Column("job_id", sa.Unicode(length=32), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.execute(
        "INSERT INTO schedule_state (job_id, signature, next_run_time) "
        "SELECT id, '', next_run_time FROM apscheduler_jobs WHERE length(id) <= 32"
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apscheduler_jobs_next_run_time"))
    op.drop_table("apscheduler_jobs")


def downgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_apscheduler_jobs_next_run_time"), ["next_run_time"], unique=False
        )
    op.drop_table("schedule_state")
