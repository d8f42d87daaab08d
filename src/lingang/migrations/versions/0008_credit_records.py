"""credit records: one row per record of an enterprise, unique on its source reference

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "credit_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_records")),
        sa.UniqueConstraint("source", "source_ref", name="uq_credit_records_source_ref"),
    )
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        for column in ("enterprise_uscc", "kind"):
            batch_op.create_index(batch_op.f(f"ix_credit_records_{column}"), [column])


def downgrade() -> None:
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        for column in ("kind", "enterprise_uscc"):
            batch_op.drop_index(batch_op.f(f"ix_credit_records_{column}"))
    op.drop_table("credit_records")
