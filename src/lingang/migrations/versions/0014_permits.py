"""permits: applications, their steps and materials, e-licences, 告知承诺 verifications
(一网通办, issue #8)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "permit_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("catalogue_version", sa.String(length=16), nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("applicant", sa.String(length=120), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("commitment", sa.String(length=2000), nullable=True),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("correction_count", sa.Integer(), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=True),
        sa.Column("receipt_at", UTC, nullable=True),
        sa.Column("deemed_accepted", sa.Boolean(), nullable=False),
        sa.Column("extended_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("decision_reason", sa.String(length=2000), nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("sla_limit", sa.Integer(), nullable=True),
        sa.Column("sla_started_at", UTC, nullable=True),
        sa.Column("sla_pauses", sa.JSON(), nullable=False),
        sa.Column("sla_due_at", UTC, nullable=True),
        sa.Column("escalated_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_applications")),
    )
    with op.batch_alter_table("permit_applications", schema=None) as batch_op:
        for column in ("item_id", "enterprise_uscc", "state", "department", "sla_due_at"):
            batch_op.create_index(batch_op.f(f"ix_permit_applications_{column}"), [column])
    op.create_table(
        "permit_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["permit_applications.id"],
                                name=op.f("fk_permit_events_application_id_permit_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_events")),
    )  # fmt: skip
    with op.batch_alter_table("permit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_events_application_id"), ["application_id"])
    op.create_table(
        "permit_materials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=80), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("uploaded_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["permit_applications.id"],
                                name=op.f("fk_permit_materials_application_id_permit_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_materials")),
    )  # fmt: skip
    with op.batch_alter_table("permit_materials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_materials_application_id"), ["application_id"])
    op.create_table(
        "permit_licences",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("revoked_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["permit_applications.id"],
                                name=op.f("fk_permit_licences_application_id_permit_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_licences")),
    )  # fmt: skip
    with op.batch_alter_table("permit_licences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_licences_application_id"), ["application_id"])
        batch_op.create_index(batch_op.f("ix_permit_licences_enterprise_uscc"), ["enterprise_uscc"])
    op.create_table(
        "permit_verifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.String(length=40), nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=2000), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["permit_applications.id"],
                                name=op.f("fk_permit_verifications_application_id_permit_applications")),
        sa.ForeignKeyConstraint(["licence_id"], ["permit_licences.id"],
                                name=op.f("fk_permit_verifications_licence_id_permit_licences")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_verifications")),
    )  # fmt: skip
    with op.batch_alter_table("permit_verifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_verifications_application_id"),
                              ["application_id"])  # fmt: skip
        batch_op.create_index(batch_op.f("ix_permit_verifications_enterprise_uscc"),
                              ["enterprise_uscc"])  # fmt: skip


def downgrade() -> None:
    for table, columns in (
        ("permit_verifications", ("application_id", "enterprise_uscc")),
        ("permit_licences", ("application_id", "enterprise_uscc")),
        ("permit_materials", ("application_id",)),
        ("permit_events", ("application_id",)),
        ("permit_applications",
         ("item_id", "enterprise_uscc", "state", "department", "sla_due_at")),
    ):  # fmt: skip
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
