"""好差评 persistence: one rating per application (一事一评) and the rectification task
(整改) a 差评 opens. Rules in ``lingang.permits.ratings`` and docs/permits.md.

Dates of the working-day deadlines (``contact_due``, ``due_on``, ``appeal_due``) are local
Asia/Shanghai dates; instants are aware UTC like the rest of the store.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime


class PermitRatingRow(Base):
    """A rating of one application on the national five levels (1–5 stars)."""

    __tablename__ = "permit_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("permit_applications.id"), unique=True
    )
    item_id: Mapped[str] = mapped_column(String(64), index=True)
    department: Mapped[str] = mapped_column(String(80), index=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    rater: Mapped[str] = mapped_column(String(120))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    real_name: Mapped[bool] = mapped_column(Boolean, default=True)
    rated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class PermitRectificationRow(Base):
    """The rectification task of a 差评: contact, result (published), one appeal."""

    __tablename__ = "permit_rectifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("permit_ratings.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("permit_applications.id"), index=True)
    department: Mapped[str] = mapped_column(String(80), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    contact_due: Mapped[dt.date | None] = mapped_column(Date)
    contacted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    contacted_by: Mapped[str | None] = mapped_column(String(120))
    contact_note: Mapped[str | None] = mapped_column(String(1000))
    contact_late: Mapped[bool | None] = mapped_column(Boolean)
    due_on: Mapped[dt.date] = mapped_column(Date)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    result: Mapped[str | None] = mapped_column(String(2000))
    resolved_late: Mapped[bool | None] = mapped_column(Boolean)
    appeal_due: Mapped[dt.date | None] = mapped_column(Date)
    appealed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    appeal_reason: Mapped[str | None] = mapped_column(String(1000))
    appeal_decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    appeal_decided_by: Mapped[str | None] = mapped_column(String(120))
    appeal_upheld: Mapped[bool | None] = mapped_column(Boolean)
    appeal_note: Mapped[str | None] = mapped_column(String(1000))


def rating_of(session: Session, application_id: int) -> PermitRatingRow | None:
    """The rating of an application, if it was rated."""
    statement = select(PermitRatingRow).where(PermitRatingRow.application_id == application_id)
    return session.scalars(statement).first()


def rectification_of(session: Session, rating_id: int) -> PermitRectificationRow | None:
    """The rectification task a rating opened (差评 only)."""
    statement = select(PermitRectificationRow).where(PermitRectificationRow.rating_id == rating_id)
    return session.scalars(statement).first()
