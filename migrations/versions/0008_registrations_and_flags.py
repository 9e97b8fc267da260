"""registrations in other registries and consistency flags (issue 16)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", _STR(length=64), nullable=False),
        sa.Column("reg_id", _STR(length=64), nullable=False),
        sa.Column("registry_name", _STR(length=32), nullable=False),
        sa.Column("provenance", _STR(length=32), nullable=False),
        sa.Column("first_seen_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "record_id", "reg_id", "provenance", name="uq_registrations_record_id_how"
        ),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index("ix_registrations_reg_id", ["reg_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registrations_record_id"), ["record_id"], unique=False)
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", _STR(length=64), nullable=False),
        sa.Column("study", _STR(length=64), nullable=False),
        sa.Column("rule", _STR(length=64), nullable=False),
        sa.Column("key", _STR(length=255), nullable=False),
        sa.Column("severity", _STR(length=8), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("first_seen_at", _TIME(), nullable=False),
        sa.Column("updated_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id", "key", name="uq_flags_record_key"),
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flags_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_flags_study"), ["study"], unique=False)


def downgrade() -> None:
    op.drop_table("flags")
    op.drop_table("registrations")
