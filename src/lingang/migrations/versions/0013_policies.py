"""incentive policies, matches, inbox, grants and declared profiles (惠企政策, issue #8)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=120), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("benefit_zh", sa.Text(), nullable=False),
        sa.Column("benefit_en", sa.Text(), nullable=False),
        sa.Column("amount_wan", sa.Float(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("exempt_application", sa.Boolean(), nullable=False),
        sa.Column("eligibility", sa.Text(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
    )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policies_area"), ["area"])
    op.create_table(
        "policy_matches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("failed", sa.Text(), nullable=True),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("evaluated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_matches")),
        sa.UniqueConstraint("enterprise_uscc", "policy_id", name="uq_policy_matches_enterprise"),
    )
    with op.batch_alter_table("policy_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_matches_enterprise_uscc"), ["enterprise_uscc"])
        batch_op.create_index(batch_op.f("ix_policy_matches_policy_id"), ["policy_id"])
    op.create_table(
        "policy_inbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("read_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_inbox")),
    )
    with op.batch_alter_table("policy_inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_inbox_enterprise_uscc"), ["enterprise_uscc"])
    op.create_table(
        "policy_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("amount_wan", sa.Float(), nullable=True),
        sa.Column("granted_at", UTC, nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_grants")),
        sa.UniqueConstraint("enterprise_uscc", "policy_id", name="uq_policy_grants_enterprise"),
    )
    with op.batch_alter_table("policy_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_grants_enterprise_uscc"), ["enterprise_uscc"])
    op.create_table(
        "policy_profiles",
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("enterprise_uscc", name=op.f("pk_policy_profiles")),
    )


def downgrade() -> None:
    op.drop_table("policy_profiles")
    with op.batch_alter_table("policy_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_grants_enterprise_uscc"))
    op.drop_table("policy_grants")
    with op.batch_alter_table("policy_inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_inbox_enterprise_uscc"))
    op.drop_table("policy_inbox")
    with op.batch_alter_table("policy_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_matches_policy_id"))
        batch_op.drop_index(batch_op.f("ix_policy_matches_enterprise_uscc"))
    op.drop_table("policy_matches")
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policies_area"))
    op.drop_table("policies")
