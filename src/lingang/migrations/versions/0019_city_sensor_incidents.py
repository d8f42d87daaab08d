"""city sensor events: one open event per (sensor, category) instead of per (sensor, rule) —
a flooded gauge's warning, critical and fast-rise alarms are one incident (一网统管, issue #9)

Open sensor events are re-keyed ``sensor_id|category``; where a sensor had several open events
of one category (one per rule, as before), the earliest takes the new key and later alarms
count on it, the others keep their old key until they are closed. The downgrade re-keys them
``sensor_id|rule_id`` where that key is free.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 11:40:00
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

EVENTS = sa.table(
    "city_events",
    sa.column("id", sa.Integer()),
    sa.column("sensor_id", sa.String()),
    sa.column("rule_id", sa.String()),
    sa.column("category", sa.String()),
    sa.column("open_key", sa.String()),
)


def upgrade() -> None:
    _rekey(lambda sensor, rule, category: f"{sensor}|{category}")


def downgrade() -> None:
    _rekey(lambda sensor, rule, category: f"{sensor}|{rule}")


def _rekey(key_of: Callable[[str, str, str], str]) -> None:
    """Give each open sensor event its key under ``key_of``, oldest first, where it is free."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(EVENTS.c.id, EVENTS.c.sensor_id, EVENTS.c.rule_id, EVENTS.c.category,
                  EVENTS.c.open_key)
        .where(EVENTS.c.open_key.is_not(None))
        .order_by(EVENTS.c.id)
    ).all()  # fmt: skip
    taken = {row.open_key for row in rows}
    for row in rows:
        wanted = key_of(row.sensor_id, row.rule_id, row.category)[:140]
        if wanted == row.open_key or wanted in taken:
            continue
        connection.execute(
            sa.update(EVENTS).where(EVENTS.c.id == row.id).values(open_key=wanted)
        )
        taken.discard(row.open_key)
        taken.add(wanted)
