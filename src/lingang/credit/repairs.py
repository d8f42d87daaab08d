"""Credit repair (信用修复) and appeals: an application, its publicity period and a decision,
each step audited. ``RepairService`` is wired as ``platform.credit_repairs``.

1. ``apply`` — the enterprise (or a credit officer for it) names the 失信 cause to repair —
   one of its grade's ``dishonest_reasons`` — and makes a public credit commitment
   (信用承诺). Refused before the waiting period of the customs rule set in force has passed
   since the cause was determined (Order 251: 12 months for smuggling or obstruction, 6 for
   the violation thresholds, 3 for unpaid duties or fines), and for unpaid debts until every
   one of them is paid.
2. ``start_publicity`` — a credit officer publishes the application for
   ``repair_publicity_working_days`` working days (公示; the length is policy data, [U]).
3. ``decide`` — after the publicity period a credit officer other than the applicant approves
   (the cause's records no longer make the enterprise 失信; they still weigh in the score) or
   rejects with a reason (at any time before approval). Approval regrades the enterprise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission
from lingang.auth.service import require
from lingang.credit.events import CreditRepairDecided
from lingang.credit.grades import APPROVED, CreditService
from lingang.credit.model import RecordKind
from lingang.credit.repair import repair_eligible_from
from lingang.credit.store import CreditGradeRow, CreditRecordRow, CreditRepairRow
from lingang.db import UnitOfWorkFactory
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.types import Actor, utcnow
from lingang.workdays import SHANGHAI, WorkCalendar, default_calendar

MIN_STATEMENT = 10
MAX_TEXT = 2000
#: the record kinds behind each repairable 失信 cause
CAUSE_KINDS: dict[str, tuple[RecordKind, ...]] = {
    "smuggling_administrative": (RecordKind.SMUGGLING,),
    "obstruction": (RecordKind.VIOLATION,),
    "violation_threshold": (RecordKind.VIOLATION,),
    "unpaid_duty": (RecordKind.UNPAID_DUTY,),
    "unpaid_fine": (RecordKind.UNPAID_FINE,),
}
DEBT_CAUSES = frozenset({"unpaid_duty", "unpaid_fine"})


class RepairStatus(StrEnum):
    """Where an application is."""

    APPLIED = "applied"
    PUBLICIZED = "publicized"
    APPROVED = APPROVED
    REJECTED = "rejected"

    def label(self, lang: str = "zh-CN") -> str:
        """The status for people (zh-CN, or ``en``)."""
        zh, en = {
            RepairStatus.APPLIED: ("已申请", "Applied"),
            RepairStatus.PUBLICIZED: ("公示中", "In publicity"),
            RepairStatus.APPROVED: ("已修复", "Approved"),
            RepairStatus.REJECTED: ("不予修复", "Rejected"),
        }[self]
        return en if lang == "en" else zh


@dataclass(frozen=True, slots=True)
class Repair:
    """A credit-repair application as read."""

    id: int
    enterprise_uscc: str
    cause: str
    record_ids: tuple[int, ...]
    determined_on: dt.date
    eligible_from: dt.date
    statement: str
    status: RepairStatus
    applied_by: str
    applied_at: dt.datetime
    publicity_from: dt.date | None
    publicity_until: dt.date | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None


class RepairService:
    """Applications, publicity and decisions of credit repair."""

    def __init__(
        self, uow: UnitOfWorkFactory, audit: AuditService, credit: CreditService, *,
        calendar: WorkCalendar | None = None, clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._audit = audit
        self._credit = credit
        self._calendar = calendar or default_calendar()
        self._now = clock

    def apply(self, uscc: str, cause: str, statement: str, *, actor: Actor) -> Repair:
        """Apply to repair one 失信 cause of the enterprise (its own user, or a credit
        officer); ``Invalid`` names what is missing or when it becomes possible."""
        code = self._credit.readable(uscc, actor)
        if not actor.is_enterprise:
            require(actor, Permission.MANAGE_CREDIT)
        text = statement.strip()
        if len(text) < MIN_STATEMENT:
            raise Invalid("statement", f"the credit commitment needs at least {MIN_STATEMENT} "
                                       "characters (信用承诺)")  # fmt: skip
        today = self._today()
        graded = self._credit.grade(code, actor=actor)
        if cause not in graded.dishonest_reasons:
            fired = ", ".join(graded.dishonest_reasons) or "none"
            raise Invalid("cause", f"{cause!r} is not a 失信 cause of {code} now (causes: {fired})")
        with self._uow() as uow:
            session = uow.session
            records = _records_of(session, code, cause, today)
            if cause in DEBT_CAUSES and any(not r.details.get("paid_on") for r in records):
                raise Invalid("cause", "pay every overdue amount first (paid_on is missing)")
            determined = _determined_on(session, code, cause) or max(r.occurred_on for r in records)
            eligible = repair_eligible_from(cause, determined, self._credit.rulesets.customs(today))
            if today < eligible:
                raise Invalid("cause", f"{cause} was determined on {determined}; repair may be "
                                       f"applied for from {eligible}")  # fmt: skip
            if _pending(session, code, cause):
                raise Conflict(f"an application to repair {cause} of {code} is already open")
            row = CreditRepairRow(
                enterprise_uscc=code, cause=cause, record_ids=[r.id for r in records],
                determined_on=determined, eligible_from=eligible, statement=text[:MAX_TEXT],
                status=RepairStatus.APPLIED.value, applied_by=actor.username,
                applied_at=self._now(),
            )  # fmt: skip
            session.add(row)
            session.flush()
            self._audit_step(session, row, actor, "credit.repair_applied", f"{code} {cause}")
            uow.commit()
            return _repair(row)

    def start_publicity(self, repair_id: int, *, actor: Actor) -> Repair:
        """Publish an application for the policy's number of working days (公示)."""
        require(actor, Permission.MANAGE_CREDIT)
        days = self._credit.effects_policy().repair_publicity_working_days
        with self._uow() as uow:
            row = _locked(uow.session, repair_id)
            _expect(row, RepairStatus.APPLIED)
            today = self._today()
            row.status = RepairStatus.PUBLICIZED.value
            row.publicity_from = today
            row.publicity_until = self._calendar.add_working_days(today, days)
            self._audit_step(uow.session, row, actor, "credit.repair_publicized",
                             f"until {row.publicity_until}")  # fmt: skip
            uow.commit()
            return _repair(row)

    def decide(self, repair_id: int, approve: bool, note: str = "", *, actor: Actor) -> Repair:
        """Approve after the publicity period, or reject with a reason; never by the
        applicant. Approval regrades the enterprise."""
        require(actor, Permission.MANAGE_CREDIT)
        with self._uow() as uow:
            session = uow.session
            row = _locked(session, repair_id)
            if row.applied_by == actor.username:
                raise Forbidden("another credit officer must decide: the applicant cannot")
            if approve:
                _expect(row, RepairStatus.PUBLICIZED)
                assert row.publicity_until is not None
                if self._today() <= row.publicity_until:
                    raise Conflict(f"repair {repair_id} is in publicity until "
                                   f"{row.publicity_until}")  # fmt: skip
            else:
                if row.status not in (RepairStatus.APPLIED, RepairStatus.PUBLICIZED):
                    raise Conflict(f"repair {repair_id} is {row.status}")
                if not note.strip():
                    raise Invalid("note", "give the reason for not repairing")
            status = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
            row.status, row.decided_by, row.decided_at = status.value, actor.username, self._now()
            row.decision_note = note.strip()[:MAX_TEXT] or None
            session.flush()
            self._audit_step(session, row, actor, f"credit.repair_{status.value}", note[:200])
            if approve:
                self._credit.regrade(session, row.enterprise_uscc, trigger=f"repair {row.id}")
            uow.emit(CreditRepairDecided(repair_id=row.id, enterprise_uscc=row.enterprise_uscc,
                                         approved=approve, decided_by=actor.username))  # fmt: skip
            uow.commit()
            return _repair(row)

    def repairs(self, uscc: str, *, actor: Actor) -> list[Repair]:
        """The enterprise's applications, newest first (its own user, or credit readers)."""
        code = self._credit.readable(uscc, actor)
        with self._uow.read() as session:
            rows = session.scalars(select(CreditRepairRow)
                                   .where(CreditRepairRow.enterprise_uscc == code)
                                   .order_by(CreditRepairRow.id.desc()))  # fmt: skip
            return [_repair(row) for row in rows]

    def open_applications(self, *, actor: Actor) -> list[Repair]:
        """Applications waiting for publicity or a decision, oldest first (credit officers)."""
        require(actor, Permission.MANAGE_CREDIT)
        waiting = (RepairStatus.APPLIED.value, RepairStatus.PUBLICIZED.value)
        with self._uow.read() as session:
            rows = session.scalars(select(CreditRepairRow)
                                   .where(CreditRepairRow.status.in_(waiting))
                                   .order_by(CreditRepairRow.id))  # fmt: skip
            return [_repair(row) for row in rows]

    def _today(self) -> dt.date:
        return self._now().astimezone(SHANGHAI).date()

    def _audit_step(
        self, session: Session, row: CreditRepairRow, actor: Actor, action: str, detail: str
    ) -> None:
        self._audit.record(session, actor=actor, action=action, object_type="credit_repair",
                           object_id=str(row.id),
                           after={"status": row.status, "cause": row.cause,
                                  "enterprise": row.enterprise_uscc},
                           detail=detail)  # fmt: skip


def _records_of(session: Session, uscc: str, cause: str, today: dt.date) -> list[_Rec]:
    kinds = [k.value for k in CAUSE_KINDS.get(cause, ())]
    if not kinds:
        raise Invalid("cause", f"{cause!r} cannot be repaired by application")
    rows = session.scalars(select(CreditRecordRow).where(
        CreditRecordRow.enterprise_uscc == uscc, CreditRecordRow.kind.in_(kinds),
        CreditRecordRow.occurred_on <= today))  # fmt: skip
    found = [_Rec(r.id, r.occurred_on, dict(r.details or {})) for r in rows]
    if not found:
        raise Invalid("cause", f"no record of {uscc} stands behind {cause}")
    return found


@dataclass(frozen=True, slots=True)
class _Rec:
    id: int
    occurred_on: dt.date
    details: dict[str, object]


def _determined_on(session: Session, uscc: str, cause: str) -> dt.date | None:
    """The first day of the latest run of stored grades that carry ``cause``."""
    rows = session.scalars(select(CreditGradeRow).where(CreditGradeRow.enterprise_uscc == uscc)
                           .order_by(CreditGradeRow.id.desc()))  # fmt: skip
    start: dt.date | None = None
    for row in rows:
        if cause not in row.dishonest_reasons:
            break
        start = row.as_of
    return start


def _pending(session: Session, uscc: str, cause: str) -> bool:
    waiting = (RepairStatus.APPLIED.value, RepairStatus.PUBLICIZED.value)
    found = session.scalar(select(CreditRepairRow.id).where(
        CreditRepairRow.enterprise_uscc == uscc, CreditRepairRow.cause == cause,
        CreditRepairRow.status.in_(waiting)))  # fmt: skip
    return found is not None


def _locked(session: Session, repair_id: int) -> CreditRepairRow:
    row = session.get(CreditRepairRow, repair_id, with_for_update=True)
    if row is None:
        raise NotFound(f"repair {repair_id} not found")
    return row


def _expect(row: CreditRepairRow, status: RepairStatus) -> None:
    if row.status != status.value:
        raise Conflict(f"repair {row.id} is {row.status}, not {status.value}")


def _repair(row: CreditRepairRow) -> Repair:
    return Repair(
        id=row.id, enterprise_uscc=row.enterprise_uscc, cause=row.cause,
        record_ids=tuple(row.record_ids), determined_on=row.determined_on,
        eligible_from=row.eligible_from, statement=row.statement,
        status=RepairStatus(row.status), applied_by=row.applied_by, applied_at=row.applied_at,
        publicity_from=row.publicity_from, publicity_until=row.publicity_until,
        decided_by=row.decided_by, decided_at=row.decided_at, decision_note=row.decision_note,
    )  # fmt: skip



def causes(values: Sequence[str]) -> list[str]:
    """The repairable causes among ``values`` (a grade's ``dishonest_reasons``)."""
    return [v for v in values if v in CAUSE_KINDS]
