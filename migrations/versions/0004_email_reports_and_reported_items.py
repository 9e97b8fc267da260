"""email reports and reported items (issue 5)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("email_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_reports_message_id"), ["message_id"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_email_reports_status"), ["status"], unique=False)

    op.create_table(
        "reported_items",
        sa.Column("item_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["email_id"], ["email_reports.id"]),
        sa.PrimaryKeyConstraint("item_key"),
    )
    with op.batch_alter_table("reported_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reported_items_email_id"), ["email_id"], unique=False)

    # The digest counts stored records per source on every run (tracker.reports.digest).
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_in_pubmed", ["in_pubmed"], unique=False)
        batch_op.create_index("ix_articles_in_europepmc", ["in_europepmc"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_in_europepmc")
        batch_op.drop_index("ix_articles_in_pubmed")
    with op.batch_alter_table("reported_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reported_items_email_id"))
    op.drop_table("reported_items")
    with op.batch_alter_table("email_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_reports_status"))
        batch_op.drop_index(batch_op.f("ix_email_reports_message_id"))
    op.drop_table("email_reports")
