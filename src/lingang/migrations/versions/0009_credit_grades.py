"""credit grades: the history of each enterprise's grade, its current standing, its profile
(customs broker or not) and its credit-repair applications

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def _grade_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("customs_category", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("zone_class", sa.String(length=1), nullable=False),
        sa.Column("on_serious_list", sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "credit_grades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_grade_columns(),
        sa.Column("dishonest_reasons", sa.JSON(), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("ruleset_versions", sa.JSON(), nullable=False),
        sa.Column("trigger", sa.String(length=120), nullable=False),
        sa.Column("graded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_grades")),
    )
    with op.batch_alter_table("credit_grades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_grades_enterprise_uscc"), ["enterprise_uscc"])
    op.create_table(
        "credit_standings",
        *_grade_columns(),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["grade_id"], ["credit_grades.id"],
                                name=op.f("fk_credit_standings_grade_id_credit_grades")),
        sa.PrimaryKeyConstraint("enterprise_uscc", name=op.f("pk_credit_standings")),
    )  # fmt: skip
    with op.batch_alter_table("credit_standings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_standings_zone_class"), ["zone_class"])
    op.create_table(
        "credit_profiles",
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("is_broker", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("enterprise_uscc", name=op.f("pk_credit_profiles")),
    )
    op.create_table(
        "credit_repairs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("determined_on", sa.Date(), nullable=False),
        sa.Column("eligible_from", sa.Date(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("applied_by", sa.String(length=64), nullable=False),
        sa.Column("applied_at", UTC, nullable=False),
        sa.Column("publicity_from", sa.Date(), nullable=True),
        sa.Column("publicity_until", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_repairs")),
    )
    with op.batch_alter_table("credit_repairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_repairs_enterprise_uscc"), ["enterprise_uscc"])


def downgrade() -> None:
    with op.batch_alter_table("credit_repairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_repairs_enterprise_uscc"))
    op.drop_table("credit_repairs")
    op.drop_table("credit_profiles")
    with op.batch_alter_table("credit_standings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_standings_zone_class"))
    op.drop_table("credit_standings")
    with op.batch_alter_table("credit_grades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_grades_enterprise_uscc"))
    op.drop_table("credit_grades")
