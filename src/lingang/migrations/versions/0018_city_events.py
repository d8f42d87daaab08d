"""city events: hotline, Open311 and sensor events through 立案 → 派遣 → 处置 → 反馈 → 核查 →
结案, their timeline, and the operators' category overrides kept as training data
(一网统管, issue #9)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EVENT_INDEXES = ("source", "grid_id", "state", "category", "unit", "received_at", "sla_due_at")


def upgrade() -> None:
    op.create_table(
        "city_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("request_type", sa.String(length=16), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("grid_id", sa.String(length=16), nullable=True),
        sa.Column("caller_name", sa.String(length=120), nullable=True),
        sa.Column("caller_phone", sa.String(length=40), nullable=True),
        sa.Column("reporter", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("duplicates", sa.JSON(), nullable=False),
        sa.Column("time_limit", sa.String(length=16), nullable=True),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.Column("unit", sa.String(length=80), nullable=True),
        sa.Column("designated", sa.Boolean(), nullable=False),
        sa.Column("dispatch_reason", sa.String(length=500), nullable=True),
        sa.Column("return_count", sa.Integer(), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("filed_at", UTC, nullable=True),
        sa.Column("done_at", UTC, nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("handled_on_time", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("sla_limit", sa.Integer(), nullable=True),
        sa.Column("sla_started_at", UTC, nullable=True),
        sa.Column("sla_pauses", sa.JSON(), nullable=False),
        sa.Column("sla_due_at", UTC, nullable=True),
        sa.Column("escalated_at", UTC, nullable=True),
        sa.Column("sensor_id", sa.String(length=64), nullable=True),
        sa.Column("rule_id", sa.String(length=64), nullable=True),
        sa.Column("open_key", sa.String(length=140), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("last_at", UTC, nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_events")),
        sa.UniqueConstraint("open_key", name=op.f("uq_city_events_open_key")),
    )
    with op.batch_alter_table("city_events", schema=None) as batch_op:
        for column in EVENT_INDEXES:
            batch_op.create_index(batch_op.f(f"ix_city_events_{column}"), [column])
    op.create_table(
        "city_event_steps",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["city_events.id"],
                                name=op.f("fk_city_event_steps_event_id_city_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_event_steps")),
    )  # fmt: skip
    with op.batch_alter_table("city_event_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_event_steps_event_id"), ["event_id"])
    op.create_table(
        "city_training_examples",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("suggested", sa.String(length=32), nullable=True),
        sa.Column("operator", sa.String(length=120), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["city_events.id"],
                                name=op.f("fk_city_training_examples_event_id_city_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_training_examples")),
    )  # fmt: skip
    with op.batch_alter_table("city_training_examples", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_training_examples_event_id"), ["event_id"])


def downgrade() -> None:
    for table, columns in (
        ("city_training_examples", ("event_id",)),
        ("city_event_steps", ("event_id",)),
        ("city_events", EVENT_INDEXES),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
