"""permit ratings: 好差评 of applications and the rectification tasks of 差评
(一网通办, issue #8 item 5)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "permit_ratings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("rater", sa.String(length=120), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("real_name", sa.Boolean(), nullable=False),
        sa.Column("rated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["permit_applications.id"],
                                name=op.f("fk_permit_ratings_application_id_permit_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_ratings")),
        sa.UniqueConstraint("application_id", name=op.f("uq_permit_ratings_application_id")),
    )  # fmt: skip
    with op.batch_alter_table("permit_ratings", schema=None) as batch_op:
        for column in ("item_id", "department", "enterprise_uscc", "rated_at"):
            batch_op.create_index(batch_op.f(f"ix_permit_ratings_{column}"), [column])
    op.create_table(
        "permit_rectifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("contact_due", sa.Date(), nullable=True),
        sa.Column("contacted_at", UTC, nullable=True),
        sa.Column("contacted_by", sa.String(length=120), nullable=True),
        sa.Column("contact_note", sa.String(length=1000), nullable=True),
        sa.Column("contact_late", sa.Boolean(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("result", sa.String(length=2000), nullable=True),
        sa.Column("resolved_late", sa.Boolean(), nullable=True),
        sa.Column("appeal_due", sa.Date(), nullable=True),
        sa.Column("appealed_at", UTC, nullable=True),
        sa.Column("appeal_reason", sa.String(length=1000), nullable=True),
        sa.Column("appeal_decided_at", UTC, nullable=True),
        sa.Column("appeal_decided_by", sa.String(length=120), nullable=True),
        sa.Column("appeal_upheld", sa.Boolean(), nullable=True),
        sa.Column("appeal_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["rating_id"], ["permit_ratings.id"],
                                name=op.f("fk_permit_rectifications_rating_id_permit_ratings")),
        sa.ForeignKeyConstraint(["application_id"], ["permit_applications.id"],
                                name=op.f("fk_permit_rectifications_application_id_permit_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_rectifications")),
        sa.UniqueConstraint("rating_id", name=op.f("uq_permit_rectifications_rating_id")),
    )  # fmt: skip
    with op.batch_alter_table("permit_rectifications", schema=None) as batch_op:
        for column in ("application_id", "department", "status"):
            batch_op.create_index(batch_op.f(f"ix_permit_rectifications_{column}"), [column])


def downgrade() -> None:
    for table, columns in (
        ("permit_rectifications", ("application_id", "department", "status")),
        ("permit_ratings", ("item_id", "department", "enterprise_uscc", "rated_at")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
