"""plan indicators and their observations (规划指标监测评估, issue #7)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "plan_indicators",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("comparator", sa.String(length=8), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("target_low", sa.Float(), nullable=True),
        sa.Column("target_high", sa.Float(), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("base_value", sa.Float(), nullable=True),
        sa.Column("base_year", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("tolerance", sa.Float(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_indicators")),
    )
    with op.batch_alter_table("plan_indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_indicators_area"), ["area"])
        batch_op.create_index(batch_op.f("ix_plan_indicators_department"), ["department"])
    op.create_table(
        "plan_observations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", UTC, nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["plan_indicators.id"],
                                name=op.f("fk_plan_observations_indicator_id_plan_indicators")),
        sa.ForeignKeyConstraint(["replaces_id"], ["plan_observations.id"],
                                name=op.f("fk_plan_observations_replaces_id_plan_observations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_observations")),
    )  # fmt: skip
    with op.batch_alter_table("plan_observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_observations_indicator_id"), ["indicator_id"])


def downgrade() -> None:
    with op.batch_alter_table("plan_observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_observations_indicator_id"))
    op.drop_table("plan_observations")
    with op.batch_alter_table("plan_indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_indicators_department"))
        batch_op.drop_index(batch_op.f("ix_plan_indicators_area"))
    op.drop_table("plan_indicators")
