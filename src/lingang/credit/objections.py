"""Objections to credit records (异议申诉, 上海市社会信用条例 Art. 36): an enterprise disputes
one of its records; the record is marked at once (the statute allows 1 working day) and a
credit officer other than the filer decides within ``DECIDE_WORKING_DAYS`` (5) working days.
An upheld objection withdraws the record — it no longer counts in any grade from the day of
the decision, and the enterprise is regraded; a dismissed one changes nothing. Wired as
``platform.credit_objections``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission
from lingang.auth.service import require
from lingang.credit.grades import UPHELD, CreditService
from lingang.credit.store import CreditObjectionRow, CreditRecordRow
from lingang.db import UnitOfWorkFactory
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.types import Actor, utcnow
from lingang.workdays import SHANGHAI, WorkCalendar, default_calendar

DECIDE_WORKING_DAYS = 5  # Art. 36: the centre decides within 5 working days (its own data)
MIN_REASON = 5
MAX_TEXT = 2000


class ObjectionStatus(StrEnum):
    """Where an objection is."""

    FILED = "filed"
    UPHELD = UPHELD
    DISMISSED = "dismissed"

    def label(self, lang: str = "zh-CN") -> str:
        """The status for people (zh-CN, or ``en``)."""
        zh, en = {
            ObjectionStatus.FILED: ("异议处理中", "Under review"),
            ObjectionStatus.UPHELD: ("异议成立，记录撤销", "Upheld: record withdrawn"),
            ObjectionStatus.DISMISSED: ("异议不成立", "Dismissed"),
        }[self]
        return en if lang == "en" else zh


@dataclass(frozen=True, slots=True)
class Objection:
    """An objection as read; ``overdue`` when still open after ``due_on``."""

    id: int
    enterprise_uscc: str
    record_id: int
    reason: str
    status: ObjectionStatus
    filed_by: str
    filed_at: dt.datetime
    due_on: dt.date
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    overdue: bool


class ObjectionService:
    """Filing and deciding objections to credit records."""

    def __init__(
        self, uow: UnitOfWorkFactory, audit: AuditService, credit: CreditService, *,
        calendar: WorkCalendar | None = None, clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._audit = audit
        self._credit = credit
        self._calendar = calendar or default_calendar()
        self._now = clock

    def file(self, uscc: str, record_id: int, reason: str, *, actor: Actor) -> Objection:
        """Dispute a record of the enterprise ``uscc`` — the actor's own, or any for a credit
        officer; one open objection per record. A record of another enterprise answers
        ``NotFound``."""
        text = reason.strip()
        if len(text) < MIN_REASON:
            raise Invalid("reason", f"explain the objection in at least {MIN_REASON} characters")
        with self._uow() as uow:
            session = uow.session
            code = self._credit.readable(uscc, actor)
            record = session.get(CreditRecordRow, record_id)
            if record is None or record.enterprise_uscc != code:
                raise NotFound(f"credit record {record_id} not found")
            if not actor.is_enterprise:
                require(actor, Permission.MANAGE_CREDIT)
            if _open_for(session, record_id):
                raise Conflict(f"credit record {record_id} already has an open objection")
            now = self._now()
            row = CreditObjectionRow(
                enterprise_uscc=record.enterprise_uscc, record_id=record_id,
                reason=text[:MAX_TEXT], status=ObjectionStatus.FILED.value,
                filed_by=actor.username, filed_at=now,
                due_on=self._calendar.add_working_days(_day(now), DECIDE_WORKING_DAYS),
            )  # fmt: skip
            session.add(row)
            session.flush()
            self._audit_step(session, row, actor, "credit.objection_filed", text[:200])
            uow.commit()
            return self._objection(row)

    def decide(self, objection_id: int, uphold: bool, note: str, *, actor: Actor) -> Objection:
        """Uphold (the record is withdrawn, the enterprise regraded) or dismiss, with a
        reason; never by the filer."""
        require(actor, Permission.MANAGE_CREDIT)
        if not note.strip():
            raise Invalid("note", "give the reason for the decision")
        with self._uow() as uow:
            session = uow.session
            row = session.get(CreditObjectionRow, objection_id, with_for_update=True)
            if row is None:
                raise NotFound(f"objection {objection_id} not found")
            if row.status != ObjectionStatus.FILED.value:
                raise Conflict(f"objection {objection_id} is {row.status}")
            if row.filed_by == actor.username:
                raise Forbidden("another credit officer must decide: the filer cannot")
            status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
            row.status, row.decided_by, row.decided_at = status.value, actor.username, self._now()
            row.decision_note = note.strip()[:MAX_TEXT]
            session.flush()
            self._audit_step(session, row, actor, f"credit.objection_{status.value}", note[:200])
            if uphold:
                self._credit.regrade(session, row.enterprise_uscc,
                                     trigger=f"objection {row.id} upheld")  # fmt: skip
            uow.commit()
            return self._objection(row)

    def objections(self, uscc: str, *, actor: Actor) -> list[Objection]:
        """The enterprise's objections, newest first (its own user, or credit readers)."""
        code = self._credit.readable(uscc, actor)
        with self._uow.read() as session:
            rows = session.scalars(select(CreditObjectionRow)
                                   .where(CreditObjectionRow.enterprise_uscc == code)
                                   .order_by(CreditObjectionRow.id.desc()))  # fmt: skip
            return [self._objection(row) for row in rows]

    def open_objections(self, *, actor: Actor) -> list[Objection]:
        """Objections waiting for a decision, oldest first (credit officers)."""
        require(actor, Permission.MANAGE_CREDIT)
        with self._uow.read() as session:
            rows = session.scalars(select(CreditObjectionRow)
                                   .where(CreditObjectionRow.status == ObjectionStatus.FILED.value)
                                   .order_by(CreditObjectionRow.id))  # fmt: skip
            return [self._objection(row) for row in rows]

    def _objection(self, row: CreditObjectionRow) -> Objection:
        status = ObjectionStatus(row.status)
        late = status is ObjectionStatus.FILED and _day(self._now()) > row.due_on
        return Objection(
            id=row.id, enterprise_uscc=row.enterprise_uscc, record_id=row.record_id,
            reason=row.reason, status=status, filed_by=row.filed_by, filed_at=row.filed_at,
            due_on=row.due_on, decided_by=row.decided_by, decided_at=row.decided_at,
            decision_note=row.decision_note, overdue=late,
        )  # fmt: skip

    def _audit_step(
        self, session: Session, row: CreditObjectionRow, actor: Actor, action: str, detail: str
    ) -> None:
        self._audit.record(session, actor=actor, action=action, object_type="credit_objection",
                           object_id=str(row.id),
                           after={"status": row.status, "record_id": row.record_id,
                                  "enterprise": row.enterprise_uscc},
                           detail=detail)  # fmt: skip


def _open_for(session: Session, record_id: int) -> bool:
    found = session.scalar(select(CreditObjectionRow.id).where(
        CreditObjectionRow.record_id == record_id,
        CreditObjectionRow.status == ObjectionStatus.FILED.value))  # fmt: skip
    return found is not None


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()

