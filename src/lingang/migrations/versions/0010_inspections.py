"""inspections: 双随机、一公开 — the catalogue of items, the library of inspectors, the draw
plans (frozen inputs, committed seed, stored result) and the inspection results

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inspection_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("key", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_items")),
        sa.UniqueConstraint("code", name=op.f("uq_inspection_items_code")),
    )
    op.create_table(
        "inspection_inspectors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("qualifications", sa.JSON(), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_inspectors")),
        sa.UniqueConstraint("code", name=op.f("uq_inspection_inspectors_code")),
    )
    with op.batch_alter_table("inspection_inspectors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_inspectors_department"), ["department"])
    op.create_table(
        "inspection_plans",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("key_item", sa.Boolean(), nullable=False),
        sa.Column("rates", sa.JSON(), nullable=False),
        sa.Column("inspectors_per_target", sa.Integer(), nullable=False),
        sa.Column("required_qualification", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("seed_commitment", sa.String(length=64), nullable=True),
        sa.Column("inputs_digest", sa.String(length=64), nullable=True),
        sa.Column("inputs", sa.Text(), nullable=True),
        sa.Column("ungraded", sa.Integer(), nullable=True),
        sa.Column("seed", sa.String(length=128), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("committed_at", UTC, nullable=True),
        sa.Column("drawn_at", UTC, nullable=True),
        sa.Column("publish_by", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plans")),
    )
    with op.batch_alter_table("inspection_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_plans_year"), ["year"])
        batch_op.create_index(batch_op.f("ix_inspection_plans_status"), ["status"])
    op.create_table(
        "inspection_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.String(length=40), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("inspectors", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("finding", sa.String(length=2000), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.Column("published_at", UTC, nullable=True),
        sa.Column("credit_record_ref", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["inspection_plans.id"],
                                name=op.f("fk_inspection_results_plan_id_inspection_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_results")),
        sa.UniqueConstraint("plan_id", "uscc", name="uq_inspection_results_target"),
    )  # fmt: skip
    with op.batch_alter_table("inspection_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_results_plan_id"), ["plan_id"])
        batch_op.create_index(batch_op.f("ix_inspection_results_uscc"), ["uscc"])


def downgrade() -> None:
    with op.batch_alter_table("inspection_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_results_uscc"))
        batch_op.drop_index(batch_op.f("ix_inspection_results_plan_id"))
    op.drop_table("inspection_results")
    with op.batch_alter_table("inspection_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_plans_status"))
        batch_op.drop_index(batch_op.f("ix_inspection_plans_year"))
    op.drop_table("inspection_plans")
    with op.batch_alter_table("inspection_inspectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_inspectors_department"))
    op.drop_table("inspection_inspectors")
    op.drop_table("inspection_items")
