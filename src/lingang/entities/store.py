"""Enterprise persistence: enterprises, persons, shareholdings; shared-attribute links by query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    and_,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.entities.model import AeoStatus, Enterprise, Link, LinkKind, Shareholding
from lingang.types import EnterpriseId


class PersonRow(Base):
    """A natural person; the ID number is stored whole and masked on the way out."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    nationality: Mapped[str] = mapped_column(String(2), default="CN")


class EnterpriseRow(Base):
    """One enterprise."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200), index=True)
    name_en: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    registered_capital_wan: Mapped[float] = mapped_column(Float, default=0.0)
    legal_rep_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="", index=True)
    phone: Mapped[str] = mapped_column(String(40), default="", index=True)
    industry_code: Mapped[str | None] = mapped_column(String(5), index=True)
    aeo_status: Mapped[str] = mapped_column(String(10), default=AeoStatus.NONE.value)


class ShareholdingRow(Base):
    """A holder owning a percentage of an enterprise."""

    __tablename__ = "shareholdings"
    __table_args__ = (
        CheckConstraint(
            "(holder_enterprise_id IS NULL) <> (holder_person_id IS NULL)", name="one_holder"
        ),
        CheckConstraint("percent > 0 AND percent <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    holder_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id"), index=True
    )
    holder_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    percent: Mapped[float] = mapped_column(Float)


def to_enterprise(row: EnterpriseRow) -> Enterprise:
    """Row → domain object."""
    return Enterprise(
        id=EnterpriseId(row.id), uscc=row.uscc, name_zh=row.name_zh, name_en=row.name_en,
        created_at=row.created_at, registered_on=row.registered_on,
        registered_capital_wan=row.registered_capital_wan, legal_rep_id=row.legal_rep_id,
        address=row.address, phone=row.phone, industry_code=row.industry_code,
        aeo_status=AeoStatus(row.aeo_status),
    )  # fmt: skip


def get(session: Session, enterprise_id: int) -> Enterprise | None:
    """One enterprise by id."""
    row = session.get(EnterpriseRow, enterprise_id)
    return to_enterprise(row) if row else None


def get_by_uscc(session: Session, uscc: str) -> Enterprise | None:
    """One enterprise by its USCC."""
    row = session.scalar(select(EnterpriseRow).where(EnterpriseRow.uscc == uscc))
    return to_enterprise(row) if row else None


def existing_usccs(session: Session, usccs: Sequence[str]) -> set[str]:
    """Which of these USCCs are already registered."""
    found: set[str] = set()
    for start in range(0, len(usccs), 500):
        chunk = list(usccs[start : start + 500])
        found.update(
            session.scalars(select(EnterpriseRow.uscc).where(EnterpriseRow.uscc.in_(chunk)))
        )
    return found


def add(session: Session, row: EnterpriseRow) -> Enterprise:
    """Insert and flush, returning the stored enterprise."""
    session.add(row)
    session.flush()
    return to_enterprise(row)


def bulk_insert(session: Session, table: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of one table with a single executemany."""
    if rows:
        session.execute(insert(table), list(rows))


def page(session: Session, *, limit: int, offset: int) -> list[Enterprise]:
    """Enterprises ordered by id."""
    statement = select(EnterpriseRow).order_by(EnterpriseRow.id).limit(limit).offset(offset)
    return [to_enterprise(row) for row in session.scalars(statement)]


def search(session: Session, query: str, *, limit: int) -> list[Enterprise]:
    """Enterprises whose USCC starts with, or whose Chinese or English name contains, ``query``."""
    pattern = f"%{query}%"
    statement = (
        select(EnterpriseRow)
        .where(or_(EnterpriseRow.uscc.startswith(query.upper()),
                   EnterpriseRow.name_zh.like(pattern), EnterpriseRow.name_en.ilike(pattern)))
        .order_by(EnterpriseRow.id)
        .limit(limit)
    )  # fmt: skip
    return [to_enterprise(row) for row in session.scalars(statement)]


def count(session: Session) -> int:
    """Number of enterprises."""
    return int(session.scalar(select(func.count()).select_from(EnterpriseRow)) or 0)


def persons(session: Session, ids: Sequence[int]) -> list[PersonRow]:
    """Person rows by id."""
    return list(session.scalars(select(PersonRow).where(PersonRow.id.in_(list(ids)))))


def shareholdings_of(session: Session, enterprise_id: int) -> list[Shareholding]:
    """Who holds this enterprise, and what this enterprise holds."""
    statement = select(ShareholdingRow).where(
        or_(ShareholdingRow.enterprise_id == enterprise_id,
            ShareholdingRow.holder_enterprise_id == enterprise_id)
    )  # fmt: skip
    return [
        Shareholding(r.enterprise_id, r.holder_enterprise_id, r.holder_person_id, r.percent)
        for r in session.scalars(statement)
    ]


def shared_attribute_links(session: Session, enterprise_id: int, limit: int) -> list[Link]:
    """Other enterprises sharing this one's legal representative, address or phone."""
    me, other = aliased(EnterpriseRow), aliased(EnterpriseRow)
    links: list[Link] = []
    for kind, column in (
        (LinkKind.SHARED_LEGAL_REP, "legal_rep_id"),
        (LinkKind.SHARED_ADDRESS, "address"),
        (LinkKind.SHARED_PHONE, "phone"),
    ):
        mine, theirs = getattr(me, column), getattr(other, column)
        present = mine.is_not(None) if column == "legal_rep_id" else mine != ""
        statement = (
            select(other.id)
            .join(me, and_(me.id == enterprise_id, theirs == mine, other.id != me.id))
            .where(present)
            .limit(limit)
        )
        links.extend(Link(kind, enterprise_id, int(i)) for i in session.scalars(statement))
    return links


def persons_by_numbers(session: Session, numbers: Sequence[str]) -> list[PersonRow]:
    """Person rows by identity number."""
    rows: list[PersonRow] = []
    for start in range(0, len(numbers), 500):
        chunk = list(numbers[start : start + 500])
        rows.extend(session.scalars(select(PersonRow).where(PersonRow.id_number.in_(chunk))))
    return rows


def ids_by_uscc(session: Session, usccs: set[str]) -> dict[str, int]:
    """Enterprise ids for these USCCs."""
    found: dict[str, int] = {}
    codes = sorted(usccs)
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        statement = select(EnterpriseRow.uscc, EnterpriseRow.id).where(
            EnterpriseRow.uscc.in_(chunk)
        )
        found.update({str(u): int(i) for u, i in session.execute(statement)})
    return found


def aeo_statuses(session: Session, usccs: Sequence[str] | None) -> dict[str, AeoStatus]:
    """USCC → registered AEO status of the enterprises among ``usccs`` (all when None)."""
    query = select(EnterpriseRow.uscc, EnterpriseRow.aeo_status)
    if usccs is not None:
        query = query.where(EnterpriseRow.uscc.in_(list(usccs)))
    return {uscc: AeoStatus(status) for uscc, status in session.execute(query)}
