"""cases: users.department, cases, alerts, timeline, tasks, rule suppressions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_department"), ["department"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("open_key", sa.String(length=90), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("assignee", sa.String(length=120), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("disposal", sa.JSON(), nullable=True),
        sa.Column("closure_requested_by", sa.String(length=120), nullable=True),
        sa.Column("closure_approved_by", sa.String(length=120), nullable=True),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("sla_limit", sa.Integer(), nullable=False),
        sa.Column("sla_started_at", UTC, nullable=False),
        sa.Column("sla_pauses", sa.JSON(), nullable=False),
        sa.Column("sla_stopped_at", UTC, nullable=True),
        sa.Column("sla_due_at", UTC, nullable=False),
        sa.Column("escalated_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("open_key", name=op.f("uq_cases_open_key")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for column in ("enterprise_uscc", "state", "department", "assignee", "sla_due_at"):
            batch_op.create_index(batch_op.f(f"ix_cases_{column}"), [column], unique=False)

    op.create_table(
        "case_rule_suppressions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_rule_suppressions")),
    )
    with op.batch_alter_table("case_rule_suppressions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_rule_suppressions_rule", ["rule_id", "enterprise_uscc"], unique=False
        )

    op.create_table(
        "case_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=True),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("risk_outcome", sa.String(length=8), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rule_set_version", sa.Integer(), nullable=True),
        sa.Column("dataset", sa.String(length=32), nullable=True),
        sa.Column("record_key", sa.String(length=80), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("raised_by", sa.String(length=120), nullable=False),
        sa.Column("raised_at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("suppression_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=24), nullable=True),
        sa.Column("labelled_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_alerts_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["suppression_id"],
            ["case_rule_suppressions.id"],
            name=op.f("fk_case_alerts_suppression_id_case_rule_suppressions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_alerts")),
        sa.UniqueConstraint("source", "reference", name="uq_case_alerts_reference"),
    )
    with op.batch_alter_table("case_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_alerts_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_alerts_enterprise_uscc"), ["enterprise_uscc"], unique=False
        )

    op.create_table(
        "case_timeline",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_timeline_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_timeline")),
    )
    with op.batch_alter_table("case_timeline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_timeline_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("assignee", sa.String(length=120), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("to_enterprise", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=2000), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("closed_by", sa.String(length=120), nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_tasks_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_tasks")),
    )
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_tasks_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_tasks_case_id"))
    op.drop_table("case_tasks")

    with op.batch_alter_table("case_timeline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_timeline_case_id"))
    op.drop_table("case_timeline")

    with op.batch_alter_table("case_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_alerts_enterprise_uscc"))
        batch_op.drop_index(batch_op.f("ix_case_alerts_case_id"))
    op.drop_table("case_alerts")

    with op.batch_alter_table("case_rule_suppressions", schema=None) as batch_op:
        batch_op.drop_index("ix_case_rule_suppressions_rule")
    op.drop_table("case_rule_suppressions")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        for column in ("sla_due_at", "assignee", "department", "state", "enterprise_uscc"):
            batch_op.drop_index(batch_op.f(f"ix_cases_{column}"))
    op.drop_table("cases")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_department"))
        batch_op.drop_column("department")
