"""Rule-set persistence: one row per version, the document stored whole as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime


class RuleSetVersionRow(Base):
    """A version of the scenario library and where it is in its life."""

    __tablename__ = "risk_rule_set_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    based_on: Mapped[int | None] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    shadow: Mapped[bool] = mapped_column(Boolean, default=False)


def by_version(session: Session, version: int) -> RuleSetVersionRow | None:
    """A version's row."""
    return session.scalar(select(RuleSetVersionRow).where(RuleSetVersionRow.version == version))


def published(session: Session) -> RuleSetVersionRow | None:
    """The version in force."""
    return session.scalar(select(RuleSetVersionRow).where(RuleSetVersionRow.status == "published"))


def in_shadow(session: Session) -> RuleSetVersionRow | None:
    """The candidate running in shadow, if any."""
    return session.scalar(select(RuleSetVersionRow).where(RuleSetVersionRow.shadow.is_(True)))


def all_versions(session: Session) -> list[RuleSetVersionRow]:
    """Every version, newest first."""
    newest_first = select(RuleSetVersionRow).order_by(RuleSetVersionRow.version.desc())
    return list(session.scalars(newest_first))


def next_version(session: Session) -> int:
    """The number the next version gets."""
    rows = all_versions(session)
    return rows[0].version + 1 if rows else 1
