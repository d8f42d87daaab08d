"""risk rule sets and assessments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 22:19:56.744795
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("record_key", sa.String(length=80), nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=True),
        sa.Column("event_day", sa.Date(), nullable=False),
        sa.Column("assessed_at", lingang.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("rule_set_version", sa.Integer(), nullable=False),
        sa.Column("scorer_version", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("top_scenario", sa.String(length=64), nullable=True),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("scenarios", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("shadow_version", sa.Integer(), nullable=True),
        sa.Column("shadow_score", sa.Float(), nullable=True),
        sa.Column("shadow_outcome", sa.String(length=8), nullable=True),
        sa.Column("shadow_rules", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index("ix_risk_assessments_assessed_at", ["assessed_at"], unique=False)
        batch_op.create_index(
            "ix_risk_assessments_enterprise", ["enterprise_uscc", "assessed_at"], unique=False
        )
        batch_op.create_index(
            "ix_risk_assessments_outcome", ["outcome", "assessed_at"], unique=False
        )

    op.create_table(
        "risk_rule_set_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("created_at", lingang.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", lingang.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", lingang.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("published_at", lingang.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("retired_at", lingang.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_rule_set_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_risk_rule_set_versions_version")),
    )
    with op.batch_alter_table("risk_rule_set_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_rule_set_versions_status"), ["status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_rule_set_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_rule_set_versions_status"))

    op.drop_table("risk_rule_set_versions")
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_assessments_outcome")
        batch_op.drop_index("ix_risk_assessments_enterprise")
        batch_op.drop_index("ix_risk_assessments_assessed_at")

    op.drop_table("risk_assessments")
