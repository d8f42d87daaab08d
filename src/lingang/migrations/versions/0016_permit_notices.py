"""permit notices (licence renewal reminders) and the inspection plan a 告知承诺 check was fed
to (一网通办, issue #8 items 3-4)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "permit_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("licence_id", sa.String(length=40), nullable=False),
        sa.Column("text_zh", sa.String(length=1000), nullable=False),
        sa.Column("text_en", sa.String(length=1000), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["licence_id"], ["permit_licences.id"],
                                name=op.f("fk_permit_notices_licence_id_permit_licences")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_notices")),
        sa.UniqueConstraint("kind", "licence_id", name="uq_permit_notice_kind"),
    )  # fmt: skip
    with op.batch_alter_table("permit_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permit_notices_enterprise_uscc"), ["enterprise_uscc"], unique=False
        )
    with op.batch_alter_table("permit_verifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("permit_verifications", schema=None) as batch_op:
        batch_op.drop_column("plan_id")
    with op.batch_alter_table("permit_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_notices_enterprise_uscc"))
    op.drop_table("permit_notices")
