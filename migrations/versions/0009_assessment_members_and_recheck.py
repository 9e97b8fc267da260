"""assessments: the study's members and the date a judgement can change by time alone;
the evidence engine's mark of the links it has read

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        # Existing rows get no members and an empty rules hash, so the next pass judges
        # them all once and fills both in.
        batch_op.add_column(sa.Column("members", sa.Text(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("recheck_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_assessments_recheck_on"), ["recheck_on"], unique=False)
    op.execute("UPDATE assessments SET rules_hash = ''")
    op.create_table(
        "evidence_marks",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("evidence_marks")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_recheck_on"))
        batch_op.drop_column("recheck_on")
        batch_op.drop_column("members")
