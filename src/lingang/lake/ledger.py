"""The import journal: one ``lake_imports`` row per import, in the operational store."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.lake.model import ImportRecord, ImportSummary

Count = BigInteger().with_variant(Integer(), "sqlite")


class LakeImportRow(Base):
    """One import through the lake's door: what came in, what was kept, who did it."""

    __tablename__ = "lake_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[str] = mapped_column(String(32), index=True)
    dataset: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[str | None] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Count)
    accepted: Mapped[int] = mapped_column(Count)
    duplicates: Mapped[int] = mapped_column(Count)
    rejected: Mapped[int] = mapped_column(Count)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(120))


def add_import(session: Session, summary: ImportSummary, actor: str) -> ImportRecord:
    """Journal one finished import (flushed, not committed)."""
    row = LakeImportRow(
        import_id=summary.import_id, dataset=summary.dataset, source=summary.source[:500],
        sha256=summary.sha256, mapping=summary.mapping, rows=summary.rows,
        accepted=summary.accepted, duplicates=summary.duplicates, rejected=summary.rejected,
        started_at=summary.started_at, finished_at=summary.finished_at, actor=actor,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return to_record(row)


def to_record(row: LakeImportRow) -> ImportRecord:
    """Row → domain value."""
    return ImportRecord(
        id=row.id, import_id=row.import_id, dataset=row.dataset, source=row.source,
        sha256=row.sha256, mapping=row.mapping, rows=row.rows, accepted=row.accepted,
        duplicates=row.duplicates, rejected=row.rejected, started_at=row.started_at,
        finished_at=row.finished_at, actor=row.actor,
    )  # fmt: skip


def list_imports(session: Session, dataset: str | None, limit: int) -> list[ImportRecord]:
    """Newest imports first, of one dataset or all."""
    query = select(LakeImportRow).order_by(LakeImportRow.id.desc()).limit(limit)
    if dataset is not None:
        query = query.where(LakeImportRow.dataset == dataset)
    return [to_record(r) for r in session.scalars(query)]


def count_by_dataset(session: Session) -> dict[str, int]:
    """How many imports each dataset has had."""
    query = select(LakeImportRow.dataset, func.count()).group_by(LakeImportRow.dataset)
    return {str(row[0]): int(row[1]) for row in session.execute(query)}


def last_by_dataset(session: Session) -> dict[str, ImportRecord]:
    """The newest import of each dataset."""
    newest = select(func.max(LakeImportRow.id)).group_by(LakeImportRow.dataset)
    rows = session.scalars(select(LakeImportRow).where(LakeImportRow.id.in_(newest)))
    return {r.dataset: to_record(r) for r in rows}
