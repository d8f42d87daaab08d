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
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lingang.auth.model import Permission, can
from lingang.bus.events import Event
from lingang.cases.events import CaseClosed
from lingang.cases.model import Outcome
from lingang.credit.model import CreditRecord, RecordKind
from lingang.credit.store import CreditRecordRow
from lingang.db import UnitOfWorkFactory
from lingang.errors import Forbidden, Invalid, NotFound
from lingang.types import Actor, utcnow
from lingang.workdays import SHANGHAI

EnterpriseOf = Callable[[Actor], str | None]
"""The USCC of an enterprise user's own enterprise (None when it has none)."""

CASES = "cases"
CREDIT_CONSUMER = "credit-records"


def _to_record(row: CreditRecordRow) -> CreditRecord:
    return CreditRecord(
        id=row.id, enterprise_uscc=row.enterprise_uscc, kind=RecordKind(row.kind),
        occurred_on=row.occurred_on, source=row.source, source_ref=row.source_ref,
        summary=row.summary, details=dict(row.details or {}), recorded_at=row.recorded_at,
    )  # fmt: skip


class CreditRecords:
    """The credit records of enterprises; ``enterprise_of`` names an enterprise user's USCC."""

    def __init__(self, uow: UnitOfWorkFactory, *, enterprise_of: EnterpriseOf) -> None:
        self._uow = uow
        self._enterprise_of = enterprise_of

    # --- writing (bus handlers) -------------------------------------------------------------

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

    def records(self, enterprise_uscc: str, *, actor: Actor) -> list[CreditRecord]:
        """The enterprise's credit records, newest first."""
        if actor.is_enterprise:
            if self._enterprise_of(actor) != enterprise_uscc:
                raise NotFound(f"enterprise {enterprise_uscc} not found")
        elif not can(actor.role, Permission.VIEW_ENTERPRISES):
            raise Forbidden(f"role {actor.role.value} may not {Permission.VIEW_ENTERPRISES.value}")
        with self._uow.read() as session:
            rows = session.scalars(
                select(CreditRecordRow)
                .where(CreditRecordRow.enterprise_uscc == enterprise_uscc)
                .order_by(CreditRecordRow.occurred_on.desc(), CreditRecordRow.id.desc())
            )
            return [_to_record(row) for row in rows]
