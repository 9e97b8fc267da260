"""record_signals: the evidence signals of each record version, read by the sync's parse
workers, or why the rules could not read it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 06:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Empty at first: a record without a row is read by the judging pass, as before.
    op.create_table(
        "record_signals",
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=True),
        sa.Column("signals", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("record_id"),
    )


def downgrade() -> None:
    op.drop_table("record_signals")
