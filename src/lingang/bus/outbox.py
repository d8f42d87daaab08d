"""Transactional outbox and consumer ledger tables.

Events are stored in ``outbox`` in the same transaction as the change that caused them, and
relayed to the bus after commit. ``processed_events`` records which event ids each consumer
has handled, so redelivered events are not handled twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from lingang.db import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxRow(Base):
    """One event waiting for, or done with, publication."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


class ProcessedEvent(Base):
    """An event id that a named consumer has handled (the idempotency ledger)."""

    __tablename__ = "processed_events"

    consumer: Mapped[str] = mapped_column(String(120), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    processed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
