"""credit objections: an enterprise disputes one of its credit records (异议申诉)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "credit_objections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("filed_at", UTC, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["credit_records.id"],
                                name=op.f("fk_credit_objections_record_id_credit_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_objections")),
    )  # fmt: skip
    with op.batch_alter_table("credit_objections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_objections_enterprise_uscc"), ["enterprise_uscc"]
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_objections_enterprise_uscc"))
    op.drop_table("credit_objections")
