"""Enterprise persistence."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.entities.model import Enterprise
from lingang.types import EnterpriseId


class EnterpriseRow(Base):
    """One enterprise."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


def to_enterprise(row: EnterpriseRow) -> Enterprise:
    """Row → domain object."""
    return Enterprise(
        id=EnterpriseId(row.id),
        uscc=row.uscc,
        name_zh=row.name_zh,
        name_en=row.name_en,
        created_at=row.created_at,
    )


def get(session: Session, enterprise_id: int) -> Enterprise | None:
    """One enterprise by id."""
    row = session.get(EnterpriseRow, enterprise_id)
    return to_enterprise(row) if row else None


def get_by_uscc(session: Session, uscc: str) -> Enterprise | None:
    """One enterprise by its USCC."""
    row = session.scalar(select(EnterpriseRow).where(EnterpriseRow.uscc == uscc))
    return to_enterprise(row) if row else None


def add(session: Session, row: EnterpriseRow) -> Enterprise:
    """Insert and flush, returning the stored enterprise."""
    session.add(row)
    session.flush()
    return to_enterprise(row)


def page(session: Session, *, limit: int, offset: int) -> list[Enterprise]:
    """Enterprises ordered by id."""
    statement = select(EnterpriseRow).order_by(EnterpriseRow.id).limit(limit).offset(offset)
    return [to_enterprise(row) for row in session.scalars(statement)]


def count(session: Session) -> int:
    """Number of enterprises."""
    return int(session.scalar(select(func.count()).select_from(EnterpriseRow)) or 0)
