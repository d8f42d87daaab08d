"""Audit persistence: the append-only record table and its single head row."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from sqlalchemy import BigInteger, Integer, String, Text, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.audit.model import GENESIS, AuditEntry, AuditHead
from lingang.db import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class AuditRecordRow(Base):
    """One audit record. Rows are only ever inserted."""

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(120), index=True)
    object_type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str] = mapped_column(String(120))
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The single row (id 1) holding the chain's last sequence number and hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigId)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


def claim_next_seq(session: Session) -> tuple[int, str]:
    """Take the next sequence number and the current last hash, locking the head row.

    The ``UPDATE … RETURNING`` takes the write lock first, so concurrent appenders queue
    here on both SQLite and PostgreSQL instead of forking the chain.
    """
    statement = (
        update(AuditHeadRow)
        .where(AuditHeadRow.id == 1)
        .values(seq=AuditHeadRow.seq + 1)
        .returning(AuditHeadRow.seq, AuditHeadRow.hash)
    )
    row = session.execute(statement).one_or_none()
    if row is None:
        session.add(AuditHeadRow(id=1, seq=1, hash=GENESIS, mac=""))
        session.flush()
        return 1, GENESIS
    return int(row[0]), str(row[1])


def append_entry(session: Session, entry: AuditEntry, mac: str) -> None:
    """Insert the entry and move the head to it."""
    session.execute(insert(AuditRecordRow), [dataclasses.asdict(entry)])
    session.execute(
        update(AuditHeadRow).where(AuditHeadRow.id == 1).values(hash=entry.hash, mac=mac)
    )


def load_head(session: Session) -> AuditHead:
    """The head as stored (genesis when nothing was ever recorded)."""
    row = session.get(AuditHeadRow, 1)
    if row is None:
        return AuditHead(seq=0, hash=GENESIS, mac="")
    return AuditHead(seq=row.seq, hash=row.hash, mac=row.mac)


def iter_entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry in sequence order, streamed in batches."""
    statement = (
        select(AuditRecordRow).order_by(AuditRecordRow.seq).execution_options(yield_per=batch)
    )
    for row in session.scalars(statement):
        yield to_entry(row)


def page_entries(session: Session, *, limit: int, before_seq: int | None) -> list[AuditEntry]:
    """The newest entries first, ``limit`` at a time, optionally older than ``before_seq``."""
    statement = select(AuditRecordRow).order_by(AuditRecordRow.seq.desc()).limit(limit)
    if before_seq is not None:
        statement = statement.where(AuditRecordRow.seq < before_seq)
    return [to_entry(row) for row in session.scalars(statement)]


def count_entries(session: Session) -> int:
    """How many records the table holds."""
    return int(session.scalar(select(func.count()).select_from(AuditRecordRow)) or 0)


def to_entry(row: AuditRecordRow) -> AuditEntry:
    """Table row → domain entry."""
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        before_digest=row.before_digest,
        after_digest=row.after_digest,
        detail=row.detail,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
