"""Risk-list persistence: lists, and items that are never deleted — removal is a timestamp."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.risk.lists.model import ElementType, ListChange, ListKind, RiskList


class RiskListRow(Base):
    """A named list."""

    __tablename__ = "risk_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    element_type: Mapped[str] = mapped_column(String(16))
    description_zh: Mapped[str] = mapped_column(String(200), default="")
    description_en: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class RiskListItemRow(Base):
    """One value's membership interval in a list."""

    __tablename__ = "risk_list_items"
    __table_args__ = (Index("ix_risk_list_items_list_value", "list_id", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("risk_lists.id"))
    value: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    added_by: Mapped[str] = mapped_column(String(120))
    removed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    removed_by: Mapped[str | None] = mapped_column(String(120))
    removal_note: Mapped[str | None] = mapped_column(String(200))


def find(session: Session, name: str) -> RiskListRow | None:
    """A list row by name."""
    return session.scalar(select(RiskListRow).where(RiskListRow.name == name))


def all_lists(session: Session) -> list[RiskListRow]:
    """Every list, by name."""
    return list(session.scalars(select(RiskListRow).order_by(RiskListRow.name)))


def values_at(session: Session, list_id: int, at: dt.datetime | None) -> frozenset[str]:
    """The values in the list now, or as they were at ``at``."""
    statement = select(RiskListItemRow.value).where(RiskListItemRow.list_id == list_id)
    if at is None:
        statement = statement.where(RiskListItemRow.removed_at.is_(None))
    else:
        statement = statement.where(
            RiskListItemRow.added_at <= at,
            or_(RiskListItemRow.removed_at.is_(None), RiskListItemRow.removed_at > at),
        )
    return frozenset(session.scalars(statement))


def remove(session: Session, list_id: int, values: set[str], *, at: dt.datetime, actor: str,
           note: str) -> set[str]:  # fmt: skip
    """End the membership of these values; returns those that were members."""
    current = set(values_at(session, list_id, None) & values)
    if current:
        session.execute(
            update(RiskListItemRow)
            .where(RiskListItemRow.list_id == list_id, RiskListItemRow.value.in_(current),
                   RiskListItemRow.removed_at.is_(None))
            .values(removed_at=at, removed_by=actor, removal_note=note)
        )  # fmt: skip
    return current


def history(session: Session, list_id: int) -> list[ListChange]:
    """Every addition and removal, oldest first."""
    rows = session.scalars(select(RiskListItemRow).where(RiskListItemRow.list_id == list_id))
    changes: list[ListChange] = []
    for row in rows:
        changes.append(ListChange(row.value, "added", row.added_at, row.added_by, row.note))
        if row.removed_at is not None:
            changes.append(ListChange(row.value, "removed", row.removed_at,
                                      row.removed_by or "", row.removal_note or ""))  # fmt: skip
    return sorted(changes, key=lambda c: (c.at, c.action != "added", c.value))


def to_list(row: RiskListRow, values: frozenset[str]) -> RiskList:
    """Row and values → domain list."""
    return RiskList(row.name, ListKind(row.kind), ElementType(row.element_type),
                    row.description_zh, row.description_en, values, row.version)  # fmt: skip
