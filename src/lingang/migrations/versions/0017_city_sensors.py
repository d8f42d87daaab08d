"""city sensors: the sensor registry (map markers) and the dead-letter store of malformed
sensor messages (一网统管, issue #9 item 1)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UTC = lingang.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "city_sensors",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("grid", sa.String(length=40), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.Column("battery", sa.Float(), nullable=True),
        sa.Column("first_seen", UTC, nullable=False),
        sa.Column("last_seen", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_sensors")),
    )
    with op.batch_alter_table("city_sensors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_sensors_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_city_sensors_grid"), ["grid"], unique=False)
    op.create_table(
        "city_dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("encoding", sa.String(length=8), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_dead_letters")),
    )
    with op.batch_alter_table("city_dead_letters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_city_dead_letters_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_city_dead_letters_field"), ["field"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("city_dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_city_dead_letters_field"))
        batch_op.drop_index(batch_op.f("ix_city_dead_letters_received_at"))
    op.drop_table("city_dead_letters")
    with op.batch_alter_table("city_sensors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_city_sensors_grid"))
        batch_op.drop_index(batch_op.f("ix_city_sensors_kind"))
    op.drop_table("city_sensors")
