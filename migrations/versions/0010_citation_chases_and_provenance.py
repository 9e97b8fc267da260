"""citation_chases: when each source was last asked who cites a paper; articles.provenance:
the paper a record was fetched for because it cites it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "citation_chases",
        sa.Column("cited_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("chased_on", sa.Date(), nullable=False),
        sa.Column("citing", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cited_id", "source"),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provenance", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("provenance")
    op.drop_table("citation_chases")
