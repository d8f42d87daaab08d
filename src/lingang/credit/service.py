"""Credit records of enterprises (issue #6): written from the platform's events, read by
staff and by an enterprise for itself. ``CreditRecords`` is wired as
``platform.credit_records``; ``record_case_closed`` is subscribed to ``CaseClosed`` as the
``credit-records`` consumer (each event once).

- Every closing of a case becomes a ``case_outcome`` record of its enterprise with the
  outcome, the rules, the disposal amounts and who closed it; a confirmed violation also
  becomes a ``violation`` record.
- A record is unique on ``(source, source_ref)``; ``source_ref`` names the case and its
  closing (``<case id>/<reopen count>/<kind>``), so a replayed event adds nothing and a case
  closed again after reopening adds records of its new closing.
- Staff holding ``VIEW_ENTERPRISES`` read any enterprise's records; an enterprise user reads
  only its own enterprise's, any other USCC answers ``NotFound``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission
from lingang.auth.service import require
from lingang.bus.events import Event
from lingang.cases.events import CaseClosed, CaseReopened
from lingang.cases.model import Outcome
from lingang.credit.model import CreditRecord, RecordKind
from lingang.credit.store import CreditRecordRow, to_record
from lingang.db import UnitOfWorkFactory
from lingang.entities.model import validate_uscc
from lingang.errors import Conflict, Invalid, NotFound
from lingang.types import Actor, utcnow
from lingang.workdays import SHANGHAI

EnterpriseOf = Callable[[Actor], str | None]
"""The USCC of an enterprise user's own enterprise (None when it has none)."""

CASES = "cases"
#: a record's details key: the day it stopped counting (a reopened case, a correction)
WITHDRAWN_ON = "withdrawn_on"
CREDIT_CONSUMER = "credit-records"


Regrade = Callable[[Session, str, str], object]
"""Regrade an enterprise in the caller's transaction (``CreditService.regrade``)."""
Validate = Callable[[CreditRecord], None]
"""Raise ``Invalid`` naming ``details.<key>`` when a record's facts cannot be graded."""
MAX_IMPORT_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class RecordDraft:
    """A credit record to add: from an import, an officer, or another domain."""

    enterprise_uscc: str
    kind: RecordKind
    occurred_on: dt.date
    source: str
    source_ref: str
    summary: str
    details: dict[str, Any]

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, where: str = "") -> RecordDraft:
        """Validate one mapping (an import row, an API body); errors name ``where`` + field."""
        unknown = sorted(set(data) - set(DRAFT_FIELDS))
        if unknown:
            raise Invalid(f"{where}{unknown[0]}", f"unknown field; expected {DRAFT_FIELDS}")
        try:
            uscc = validate_uscc(str(data.get("enterprise_uscc", "")))
        except Invalid as exc:
            raise Invalid(f"{where}enterprise_uscc", exc.reason) from None
        return cls(
            enterprise_uscc=uscc, kind=_kind(data.get("kind"), where),
            occurred_on=_day(data.get("occurred_on"), f"{where}occurred_on"),
            source=_word(data.get("source"), f"{where}source", 40),
            source_ref=_word(data.get("source_ref"), f"{where}source_ref", 120),
            summary=_word(data.get("summary"), f"{where}summary", 500),
            details=_details(data.get("details", {}), f"{where}details"),
        )  # fmt: skip


DRAFT_FIELDS = ("enterprise_uscc", "kind", "occurred_on", "source", "source_ref", "summary",
                "details")  # fmt: skip


class CreditRecords:
    """The credit records of enterprises; ``enterprise_of`` names an enterprise user's USCC,
    ``regrade`` regrades an enterprise whose records changed, ``validate`` checks a record's
    facts the way grading reads them."""

    def __init__(
        self, uow: UnitOfWorkFactory, *, enterprise_of: EnterpriseOf,
        audit: AuditService | None = None, regrade: Regrade | None = None,
        validate: Validate | None = None, clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._enterprise_of = enterprise_of
        self._audit = audit
        self._regrade = regrade
        self._validate = validate
        self._now = clock

    # --- writing (doors) ------------------------------------------------------------------------

    def add_records(
        self, drafts: Sequence[RecordDraft], *, actor: Actor, trigger: str = "records",
        regrade: bool = True, where: Sequence[str] | None = None,
    ) -> list[CreditRecord]:  # fmt: skip
        """Add records by hand or from an import, all or nothing, and regrade their
        enterprises (unless ``regrade`` is off: a bulk load regrades the zone once after).
        A repeated ``(source, source_ref)`` is refused (``Conflict``)."""
        require(actor, Permission.MANAGE_CREDIT)
        if len(drafts) > MAX_IMPORT_ROWS:
            raise Invalid("rows", f"at most {MAX_IMPORT_ROWS} records at once")
        for index, draft in enumerate(drafts):
            prefix = f"rows[{index}]." if len(drafts) > 1 else ""
            self._check(draft, where[index] if where is not None else prefix)
        with self._uow() as uow:
            added = [self._insert(uow.session, draft, strict=True) for draft in drafts]
            for uscc in dict.fromkeys(d.enterprise_uscc for d in drafts) if regrade else ():
                self._changed(uow.session, uscc, f"{trigger} by {actor.username}")
            if self._audit is not None:
                self._audit.record(uow.session, actor=actor, action="credit.records_added",
                                   object_type="credit_records", object_id=str(added[0].id),
                                   after={"count": len(added), "ids": [r.id for r in added]},
                                   detail=f"{len(added)} credit record(s)")  # fmt: skip
            uow.commit()
            return [to_record(row) for row in added]

    def settle_debt(self, record_id: int, paid_on: dt.date, *, actor: Actor) -> CreditRecord:
        """Record that an unpaid duty or fine was paid on ``paid_on`` (audited; the
        enterprise is regraded: a paid debt no longer makes it 失信)."""
        require(actor, Permission.MANAGE_CREDIT)
        with self._uow() as uow:
            row = uow.session.get(CreditRecordRow, record_id, with_for_update=True)
            if row is None:
                raise NotFound(f"credit record {record_id} not found")
            if row.kind not in (RecordKind.UNPAID_DUTY.value, RecordKind.UNPAID_FINE.value):
                raise Invalid("record_id", f"record {record_id} is a {row.kind}, not a debt")
            if paid_on < row.occurred_on or paid_on > self._now().astimezone(SHANGHAI).date():
                raise Invalid("paid_on", f"must fall between {row.occurred_on} and today")
            before = dict(row.details or {})
            if before.get("paid_on"):
                raise Conflict(f"record {record_id} was settled on {before['paid_on']}")
            row.details = {**before, "paid_on": paid_on.isoformat()}
            if self._audit is not None:
                self._audit.record(uow.session, actor=actor, action="credit.debt_settled",
                                   object_type="credit_record", object_id=str(record_id),
                                   before=before, after=row.details,
                                   detail=f"paid on {paid_on}")  # fmt: skip
            uow.session.flush()
            self._changed(uow.session, row.enterprise_uscc, f"settled by {actor.username}")
            uow.commit()
            return to_record(row)

    def add_public_record(
        self, uscc: str, occurred_on: dt.date, source: str, source_ref: str, summary: str,
        details: dict[str, Any],
    ) -> None:  # fmt: skip
        """A ``public_credit`` record from another domain (e.g. a published 双随机 result),
        in its own transaction; a repeat of ``(source, source_ref)`` adds nothing."""
        draft = RecordDraft(validate_uscc(uscc), RecordKind.PUBLIC_CREDIT, occurred_on,
                            source, source_ref, summary, details)  # fmt: skip
        self._check(draft, "")
        with self._uow() as uow:
            if self._insert(uow.session, draft, strict=False) is not None:
                self._changed(uow.session, draft.enterprise_uscc, f"{source} {source_ref}")
            uow.commit()

    def _check(self, draft: RecordDraft, where: str) -> None:
        if self._validate is None:
            return
        probe = CreditRecord(0, draft.enterprise_uscc, draft.kind, draft.occurred_on,
                             draft.source, draft.source_ref, draft.summary, draft.details,
                             utcnow())  # fmt: skip
        try:
            self._validate(probe)
        except Invalid as exc:
            reason = exc.reason.removeprefix(f"record {probe.id}: ")
            raise Invalid(f"{where}{exc.field}", reason) from None

    def _insert(self, session: Session, draft: RecordDraft, *, strict: bool) -> Any:
        exists = session.scalar(select(CreditRecordRow.id).where(
            CreditRecordRow.source == draft.source,
            CreditRecordRow.source_ref == draft.source_ref))  # fmt: skip
        if exists is not None:
            if strict:
                raise Conflict(f"record {draft.source}/{draft.source_ref} exists already")
            return None
        row = CreditRecordRow(
            enterprise_uscc=draft.enterprise_uscc, kind=draft.kind.value,
            occurred_on=draft.occurred_on, source=draft.source, source_ref=draft.source_ref,
            summary=draft.summary[:500], details=draft.details, recorded_at=utcnow(),
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row

    def _changed(self, session: Session, uscc: str, trigger: str) -> None:
        if self._regrade is not None:
            self._regrade(session, uscc, trigger)

    # --- writing (bus handlers) -------------------------------------------------------------

    def record_case_event(self, session: Session, event: Event) -> None:
        """Bus handler of the ``credit-records`` consumer: a ``CaseClosed`` adds records, a
        ``CaseReopened`` withdraws them. Never commits."""
        if isinstance(event, CaseReopened):
            self.record_case_reopened(session, event)
        else:
            self.record_case_closed(session, event)

    def record_case_reopened(self, session: Session, event: Event) -> None:
        """A reopened case withdraws the records of its earlier closings (their details get
        ``withdrawn_on`` and the reason; grades from that day on ignore them, earlier days
        still see them) and regrades the enterprise. Never commits."""
        if not isinstance(event, CaseReopened):
            raise Invalid("event", f"expected {CaseReopened.name}, got {event.name}")
        day = event.occurred_at.astimezone(SHANGHAI).date()
        rows = session.scalars(select(CreditRecordRow).where(
            CreditRecordRow.source == CASES,
            CreditRecordRow.source_ref.like(f"{event.case_id}/%"),
        ).with_for_update())  # fmt: skip
        changed = False
        for row in rows:
            if (row.details or {}).get(WITHDRAWN_ON):
                continue
            why = f"案件 {event.case_id} 重新打开：{event.reason}"
            row.details = {**(row.details or {}), WITHDRAWN_ON: day.isoformat(),
                           "withdrawn_reason": why}  # fmt: skip
            changed = True
        if changed:
            session.flush()
            self._changed(session, event.enterprise_uscc, f"case {event.case_id} reopened")

    def record_case_closed(self, session: Session, event: Event) -> None:
        """Bus handler for ``CaseClosed`` (wrap it in ``IdempotentConsumer``); never commits."""
        if not isinstance(event, CaseClosed):
            raise Invalid("event", f"expected {CaseClosed.name}, got {event.name}")
        outcome = Outcome(event.outcome)
        occurred_on = event.occurred_at.astimezone(SHANGHAI).date()
        details: dict[str, Any] = {
            "case_id": event.case_id, "scenario": event.scenario,
            "department": event.department, "outcome": outcome.value,
            "rules": list(event.rules), "alert_count": event.alert_count,
            "disposal": dict(event.disposal), "closed_by": event.closed_by,
            "approved_by": event.approved_by, "reopen_count": event.reopen_count,
        }  # fmt: skip
        ref = f"{event.case_id}/{event.reopen_count}"
        summary = f"案件 {event.case_id}（{event.scenario}）办结：{outcome.label()}"
        self._add(session, event.enterprise_uscc, RecordKind.CASE_OUTCOME, occurred_on,
                  f"{ref}/{RecordKind.CASE_OUTCOME.value}", summary, details)  # fmt: skip
        if outcome is Outcome.CONFIRMED_VIOLATION:
            rules = "、".join(event.rules) or "—"
            self._add(session, event.enterprise_uscc, RecordKind.VIOLATION, occurred_on,
                      f"{ref}/{RecordKind.VIOLATION.value}",
                      f"案件 {event.case_id} 查实违规（规则 {rules}）", details)  # fmt: skip
        self._changed(session, event.enterprise_uscc, f"case {event.case_id} closed")

    def _add(
        self, session: Session, uscc: str, kind: RecordKind, occurred_on: dt.date,
        source_ref: str, summary: str, details: dict[str, Any],
    ) -> None:  # fmt: skip
        """Add a record unless its ``(source, source_ref)`` is already there."""
        exists = session.scalar(
            select(CreditRecordRow.id).where(
                CreditRecordRow.source == CASES, CreditRecordRow.source_ref == source_ref
            )
        )
        if exists is not None:
            return
        session.add(CreditRecordRow(
            enterprise_uscc=uscc, kind=kind.value, occurred_on=occurred_on, source=CASES,
            source_ref=source_ref, summary=summary[:500], details=details,
            recorded_at=utcnow(),
        ))  # fmt: skip
        session.flush()

    # --- reading ------------------------------------------------------------------------------

    def count_from(self, source: str) -> int:
        """How many records came from ``source`` (e.g. whether a history was loaded)."""
        with self._uow.read() as session:
            found = session.scalar(select(func.count(CreditRecordRow.id))
                                   .where(CreditRecordRow.source == source))  # fmt: skip
            return int(found or 0)

    def records(self, enterprise_uscc: str, *, actor: Actor) -> list[CreditRecord]:
        """The enterprise's credit records, newest first."""
        if actor.is_enterprise:
            if self._enterprise_of(actor) != enterprise_uscc:
                raise NotFound(f"enterprise {enterprise_uscc} not found")
        else:
            require(actor, Permission.VIEW_ENTERPRISES)
        with self._uow.read() as session:
            rows = session.scalars(
                select(CreditRecordRow)
                .where(CreditRecordRow.enterprise_uscc == enterprise_uscc)
                .order_by(CreditRecordRow.occurred_on.desc(), CreditRecordRow.id.desc())
            )
            return [to_record(row) for row in rows]



def _kind(value: object, where: str) -> RecordKind:
    try:
        return RecordKind(str(value))
    except ValueError:
        kinds = ", ".join(k.value for k in RecordKind)
        raise Invalid(f"{where}kind", f"{value!r} is not one of: {kinds}") from None


def _day(value: object, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(field, f"{value!r} is not a date YYYY-MM-DD") from None


def _word(value: object, field: str, longest: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise Invalid(field, "required")
    if len(text) > longest:
        raise Invalid(field, f"at most {longest} characters")
    return text


def _details(value: object, field: str) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as exc:
            raise Invalid(field, f"not JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise Invalid(field, "must be an object of the kind's facts")
    return dict(value)
