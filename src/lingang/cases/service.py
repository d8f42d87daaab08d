"""Case management (核查处置): alert intake, the case lifecycle, SLA clocks, closing.

Rules in docs/cases.md. In short: alerts from the risk engine, from credit changes and from
officers (hotline tips) are grouped into one open case per enterprise and scenario; duplicates
(same source and reference, e.g. the assessment id) are ignored; an alert whose every rule is
suppressed for the enterprise that day opens nothing. Cases move through the lifecycle of
:mod:`lingang.cases.model`; a confirmed violation closes only with a second officer's approval.
Every change writes a timeline entry and an audit record; closing labels the alerts and emits
:class:`~lingang.cases.events.CaseClosed`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission, User, can
from lingang.auth.service import require
from lingang.bus.events import Event
from lingang.cases import store
from lingang.cases.access import department_scope
from lingang.cases.events import CaseClosed, CaseEscalated, CaseReopened
from lingang.cases.model import (
    DEFAULT_ROUTING,
    UNCLASSIFIED,
    AlertDisposition,
    AlertSource,
    CaseRouting,
    CaseState,
    Disposal,
    Outcome,
    SlaPolicy,
    TaskKind,
    TaskStatus,
    check_closing,
    check_transition,
)
from lingang.db import UnitOfWork, UnitOfWorkFactory
from lingang.entities.model import validate_uscc
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.risk.assessments.events import AlertRaised
from lingang.types import SYSTEM, Actor, utcnow
from lingang.workdays import (
    SHANGHAI,
    SlaClock,
    SlaStatus,
    WorkCalendar,
    default_calendar,
    pauses_to_json,
)

Officers = Callable[[str], Sequence[User]]
"""The active case officers of a department (``AuthService.active_users`` bound to a role)."""

MAX_TEXT = 2000
MAX_NOTE = 1000
#: where a timeline entry keeps the English of its detail
DETAIL_EN = "detail_en"
#: a timeline detail: one text, or its (zh-CN, English) pair
Text = str | tuple[str, str]


@dataclass(frozen=True, slots=True)
class AlertInput:
    """An alert as intake receives it, whatever its source."""

    source: AlertSource
    reference: str
    enterprise_uscc: str | None
    scenario: str
    rules: tuple[str, ...]
    raised_at: dt.datetime
    raised_by: str
    text: str = ""
    risk_outcome: str | None = None
    score: float | None = None
    rule_set_version: int | None = None
    dataset: str | None = None
    record_key: str | None = None

    @classmethod
    def from_event(cls, event: AlertRaised) -> AlertInput:
        """The intake form of the risk engine's ``AlertRaised``. An enterprise code that is
        not a valid USCC is not trusted: the alert is kept unattributed, the code in its text."""
        uscc, text = event.enterprise_uscc, ""
        if event.enterprise_uscc is not None:
            try:
                uscc = validate_uscc(event.enterprise_uscc)
            except Invalid as exc:
                raw = event.enterprise_uscc[:40]
                uscc, text = None, f"企业代码无效 invalid enterprise code {raw!r}: {exc}"
        return cls(
            source=AlertSource.RISK, reference=event.assessment_id, text=text,
            enterprise_uscc=uscc, scenario=event.scenario or UNCLASSIFIED,
            rules=tuple(event.rules), raised_at=event.occurred_at, raised_by=SYSTEM.username,
            risk_outcome=event.outcome, score=event.score,
            rule_set_version=event.rule_set_version, dataset=event.dataset,
            record_key=event.record_key,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert as officers see it."""

    id: int
    source: AlertSource
    reference: str
    enterprise_uscc: str | None
    scenario: str
    rules: list[str]
    risk_outcome: str | None
    score: float | None
    text: str
    raised_by: str
    raised_at: dt.datetime
    disposition: AlertDisposition
    case_id: int | None
    label: Outcome | None


@dataclass(frozen=True, slots=True)
class Suppression:
    """A rule suppressed for one enterprise up to and including ``until``."""

    id: int
    rule_id: str
    enterprise_uscc: str
    until: dt.date
    reason: str
    actor: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One change of a case: ``detail`` in zh-CN, its English (when it differs) in
    ``data["detail_en"]``."""

    at: dt.datetime
    actor: str
    kind: str
    detail: str
    data: dict[str, Any]

    def text(self, lang: str = "zh-CN") -> str:
        """The detail in ``lang`` (zh-CN, or ``en``)."""
        if lang == "en":
            return str(self.data.get(DETAIL_EN, self.detail))
        return self.detail


@dataclass(frozen=True, slots=True)
class Task:
    """A verification task of a case."""

    id: int
    case_id: int
    kind: TaskKind
    title: str
    assignee: str | None
    due_on: dt.date | None
    to_enterprise: bool
    status: TaskStatus
    result: str | None
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Case:
    """A case and its SLA reading at the time it was read."""

    id: int
    enterprise_uscc: str
    scenario: str
    state: CaseState
    department: str
    assignee: str | None
    outcome: Outcome | None
    disposal: Disposal | None
    closure_requested_by: str | None
    closure_approved_by: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    reopen_count: int
    sla: SlaClock
    sla_status: SlaStatus
    due_at: dt.datetime
    escalated_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """A case with its alerts, tasks and timeline."""

    case: Case
    alerts: list[Alert]
    tasks: list[Task]
    timeline: list[TimelineEntry]


class CaseService:
    """Alert intake, the case lifecycle, SLA clocks, four-eyes closing, and the feedback event.

    ``routing`` maps scenarios to departments (with a default department), ``sla`` gives each
    case its limit in working days, ``officers`` lists a department's active case officers
    (for assignment), ``clock`` is the time source (tests pass fixed instants).
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        audit: AuditService,
        *,
        officers: Officers,
        supervisors: Officers | None = None,
        routing: CaseRouting = DEFAULT_ROUTING,
        sla: SlaPolicy | None = None,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._audit = audit
        self._officers = officers
        self._supervisors: Officers = supervisors or (lambda _department: ())
        self.routing = routing
        self.sla = sla or SlaPolicy()
        self._calendar = calendar or default_calendar()
        self._now = clock

    # --- intake ----------------------------------------------------------------------------

    def ingest_alert(self, session: Session, event: Event) -> None:
        """Bus handler for ``AlertRaised`` (wrap it in ``IdempotentConsumer``); never commits."""
        if not isinstance(event, AlertRaised):
            raise Invalid("event", f"expected {AlertRaised.name}, got {event.name}")
        self._intake(session, AlertInput.from_event(event), SYSTEM)

    def raise_manual_alert(
        self, enterprise_uscc: str, category: str, text: str, *, actor: Actor,
        reference: str | None = None,
    ) -> Alert:  # fmt: skip
        """A tip entered by a case officer (e.g. from the hotline), grouped like any alert.

        ``category`` is the scenario it is grouped under; ``reference`` (e.g. the hotline
        ticket number) makes a second entry of the same tip a duplicate.
        """
        require(actor, Permission.MANAGE_CASES)
        if not text.strip():
            raise Invalid("text", "describe the tip")
        alert = AlertInput(
            source=AlertSource.MANUAL, reference=_reference(reference),
            enterprise_uscc=_uscc(enterprise_uscc), scenario=_scenario(category), rules=(),
            raised_at=self._now(), raised_by=actor.username, text=text.strip()[:MAX_TEXT],
        )  # fmt: skip
        return self._intake_in_own_transaction(alert, actor)

    def raise_credit_alert(
        self, enterprise_uscc: str, reference: str, text: str, *,
        scenario: str = "credit_change", actor: Actor = SYSTEM,
    ) -> Alert:  # fmt: skip
        """An alert from a change of the enterprise's credit record (``source="credit"``);
        ``reference`` (the credit change's id) makes a repeat a duplicate."""
        require(actor, Permission.MANAGE_CASES)
        if not reference.strip():
            raise Invalid("reference", "the credit change's id is required")
        alert = AlertInput(
            source=AlertSource.CREDIT, reference=reference.strip()[:80],
            enterprise_uscc=_uscc(enterprise_uscc), scenario=_scenario(scenario), rules=(),
            raised_at=self._now(), raised_by=actor.username, text=text.strip()[:MAX_TEXT],
        )  # fmt: skip
        return self._intake_in_own_transaction(alert, actor)

    def _intake_in_own_transaction(self, alert: AlertInput, actor: Actor) -> Alert:
        with self._uow() as uow:
            row = self._intake(uow.session, alert, actor)
            if row is None:
                raise Conflict(f"{alert.source.value} alert {alert.reference!r} was received")
            uow.commit()
            return _alert(row)

    def _intake(
        self, session: Session, alert: AlertInput, actor: Actor
    ) -> store.CaseAlertRow | None:
        """Record the alert and attach it, or mark it suppressed or unattributed. None for a
        duplicate."""
        if store.alert_by_reference(session, alert.source.value, alert.reference) is not None:
            return None
        row = _alert_row(alert, self._now())
        session.add(row)
        if alert.enterprise_uscc is None:
            row.disposition = AlertDisposition.UNATTRIBUTED.value
            session.flush()
            self._audit_alert(session, row, actor, "cases.alert_unattributed")
            return row
        suppression = self._suppression_of(session, alert)
        if suppression is not None:
            row.disposition = AlertDisposition.SUPPRESSED.value
            row.suppression_id = suppression.id
            session.flush()
            self._audit_alert(session, row, actor, "cases.alert_suppressed")
            return row
        case = self._open_case_for(session, alert.enterprise_uscc, alert.scenario, actor)
        row.case_id, row.disposition = case.id, AlertDisposition.ATTACHED.value
        session.flush()
        self._log(session, case, actor, "alert_attached",
                  (f"{alert.source.label()}预警 {alert.reference}",
                   f"{alert.source.label('en')} alert {alert.reference}"),
                  {"alert_id": row.id, "rules": list(alert.rules)})  # fmt: skip
        return row

    def _suppression_of(
        self, session: Session, alert: AlertInput
    ) -> store.RuleSuppressionRow | None:
        """A suppression covering the alert: every rule it fired is suppressed on its day."""
        if not alert.rules or alert.enterprise_uscc is None:
            return None
        day = alert.raised_at.astimezone(SHANGHAI).date()
        found = store.active_suppressions(session, list(alert.rules), alert.enterprise_uscc, day)
        if set(alert.rules) <= set(found):
            return found[alert.rules[0]]
        return None

    def _open_case_for(
        self, session: Session, uscc: str, scenario: str, actor: Actor
    ) -> store.CaseRow:
        """The open case of the enterprise and scenario, or a new one (state new)."""
        key = store.open_key(uscc, scenario)
        existing = store.open_case(session, key)
        if existing is not None:
            return existing
        now = self._now()
        clock = SlaClock(self.sla.limit_for(scenario), now, calendar=self._calendar)
        department = self.routing.department_for(scenario)
        row = store.CaseRow(
            enterprise_uscc=uscc, scenario=scenario, open_key=key, state=CaseState.NEW.value,
            department=department, opened_at=now, updated_at=now, reopen_count=0,
            sla_limit=clock.limit, sla_started_at=now,
        )  # fmt: skip
        _save_clock(row, clock)
        session.add(row)
        session.flush()
        self._log(session, row, actor, "opened",
                  (f"{scenario} → {department}，时限 {clock.limit} 个工作日",
                   f"{scenario} → {department}, {clock.limit} working days"),
                  {"department": department, "sla_limit": clock.limit})  # fmt: skip
        return row

    def _audit_alert(
        self, session: Session, row: store.CaseAlertRow, actor: Actor, action: str
    ) -> None:
        self._audit.record(session, actor=actor, action=action, object_type="case_alert",
                           object_id=str(row.id), after={"reference": row.reference},
                           detail=f"{row.source} {row.reference}")  # fmt: skip

    # --- suppressions ----------------------------------------------------------------------

    def suppress_rule(
        self, rule_id: str, enterprise_uscc: str, until: dt.date, reason: str, *, actor: Actor
    ) -> Suppression:
        """Silence ``rule_id`` for one enterprise up to and including ``until``; audited."""
        require(actor, Permission.MANAGE_CASES)
        if not rule_id.strip():
            raise Invalid("rule_id", "name the rule to suppress")
        if not reason.strip():
            raise Invalid("reason", "a suppression needs a reason")
        if isinstance(until, dt.datetime) or not isinstance(until, dt.date):
            raise Invalid("until", "must be a date")
        today = self._now().astimezone(SHANGHAI).date()
        if until < today:
            raise Invalid("until", f"{until} is in the past")
        with self._uow() as uow:
            row = store.RuleSuppressionRow(
                rule_id=rule_id.strip()[:64], enterprise_uscc=_uscc(enterprise_uscc),
                until=until, reason=reason.strip()[:500], actor=actor.username,
                created_at=self._now(),
            )  # fmt: skip
            uow.session.add(row)
            uow.session.flush()
            self._audit.record(uow.session, actor=actor, action="cases.suppress_rule",
                               object_type="rule_suppression", object_id=str(row.id),
                               after=_suppression_data(row),
                               detail=f"{row.rule_id} for {row.enterprise_uscc} until "
                                      f"{until}: {row.reason[:120]}")  # fmt: skip
            uow.commit()
            return _suppression(row)

    def suppressions(self, *, actor: Actor, active_only: bool = False) -> list[Suppression]:
        """Suppressions, newest first; ``active_only`` keeps those in force today."""
        require(actor, Permission.VIEW_CASES)
        today = self._now().astimezone(SHANGHAI).date() if active_only else None
        with self._uow.read() as session:
            return [_suppression(row) for row in store.suppressions(session, today)]

    # --- reading ---------------------------------------------------------------------------

    def get(self, case_id: int, *, actor: Actor) -> CaseDetail:
        """One case with its alerts, tasks and timeline (NotFound outside the actor's reach)."""
        require(actor, Permission.VIEW_CASES)
        with self._uow.read() as session:
            row = _visible_or_404(session.get(store.CaseRow, case_id), case_id, actor)
            return CaseDetail(
                case=self._case(row),
                alerts=[_alert(a) for a in store.alerts_of(session, case_id)],
                tasks=[_task(t) for t in store.tasks_of(session, case_id)],
                timeline=[_entry(t) for t in store.timeline_of(session, case_id)],
            )

    def inbox(
        self, *, actor: Actor, state: CaseState | None = None, overdue_only: bool = False
    ) -> list[Case]:
        """The actor's cases (open ones, or those in ``state``), earliest deadline first."""
        require(actor, Permission.VIEW_CASES)
        department = department_scope(actor)
        if department == "":
            return []
        with self._uow.read() as session:
            query = store.cases_query(department=department, state=state)
            cases = [self._case(row) for row in session.scalars(query)]
        if overdue_only:
            return [case for case in cases if case.sla_status is SlaStatus.BREACHED]
        return cases

    def escalations(self, *, actor: Actor) -> list[Case]:
        """The supervisor's inbox (督办): open cases escalated for a breached SLA, in the
        actor's department, earliest deadline first."""
        require(actor, Permission.SUPERVISE_CASES)
        department = department_scope(actor)
        if department == "":
            return []
        with self._uow.read() as session:
            rows = session.scalars(store.cases_query(department=department, state=None))
            return [self._case(row) for row in rows if row.escalated_at is not None]

    def overdue(self, now: dt.datetime, *, actor: Actor) -> list[Case]:
        """Open cases whose SLA is breached at ``now``, within the actor's reach."""
        require(actor, Permission.VIEW_CASES)
        department = department_scope(actor)
        if department == "":
            return []
        with self._uow.read() as session:
            return [self._case(row, now) for row in self._breached(session, department, now)]

    def _breached(
        self, session: Session, department: str | None, now: dt.datetime
    ) -> list[store.CaseRow]:
        query = store.cases_query(department=department, state=None, due_by=now)
        return [
            row
            for row in session.scalars(query)
            if self._clock(row).status(now) is SlaStatus.BREACHED
        ]

    # --- lifecycle -------------------------------------------------------------------------

    def move(self, case_id: int, target: CaseState, *, actor: Actor, note: str = "") -> Case:
        """Move a case to triage or investigating; illegal moves name the allowed ones.

        Closing goes through :meth:`request_closure`, approval through :meth:`approve` or
        :meth:`reject`, reopening through :meth:`reopen`.
        """
        require(actor, Permission.MANAGE_CASES)
        with self._uow() as uow:
            row = self._for_update(uow.session, case_id, actor)
            state = CaseState(row.state)
            check_transition(state, target)
            if state is CaseState.PENDING_APPROVAL:
                raise Conflict("the closure waits for approval: approve or reject it")
            if target not in (CaseState.TRIAGE, CaseState.INVESTIGATING):
                raise Conflict(f"moving to {target.value} goes through request_closure")
            row.state = target.value
            self._log(uow.session, row, actor, "moved",
                      _with_note((f"{state.label()} → {target.label()}",
                                  f"{state.label('en')} → {target.label('en')}"), note),
                      {"from": state.value, "to": target.value})  # fmt: skip
            uow.commit()
            return self._case(row)

    def assign(self, case_id: int, username: str, *, actor: Actor) -> Case:
        """Assign an open case by hand to an active case officer of its department."""
        require(actor, Permission.MANAGE_CASES)
        with self._uow() as uow:
            row = self._for_update(uow.session, case_id, actor)
            _require_open(row)
            names = {user.username for user in self._officers(row.department)}
            if username not in names:
                raise Invalid(
                    "username", f"{username!r} is not an active case officer of {row.department}"
                )
            self._set_assignee(uow.session, row, username, actor, "assigned")
            uow.commit()
            return self._case(row)

    def auto_assign(self, case_id: int, *, actor: Actor = SYSTEM) -> Case:
        """Assign an open case to the least-loaded case officer of its department (fewest open
        cases; ties by username)."""
        require(actor, Permission.MANAGE_CASES)
        with self._uow() as uow:
            row = self._for_update(uow.session, case_id, actor)
            _require_open(row)
            names = sorted(user.username for user in self._officers(row.department))
            if not names:
                raise Conflict(f"department {row.department} has no active case officer")
            load = store.workload(uow.session, row.department)
            if row.assignee is not None:
                load[row.assignee] = load.get(row.assignee, 1) - 1
            chosen = min(names, key=lambda name: (load.get(name, 0), name))
            self._set_assignee(uow.session, row, chosen, actor, "auto_assigned")
            uow.commit()
            return self._case(row)

    def _set_assignee(
        self, session: Session, row: store.CaseRow, username: str, actor: Actor, kind: str
    ) -> None:
        before, row.assignee = row.assignee, username
        self._log(session, row, actor, kind, (f"{before or '—'} → {username}",) * 2,
                  {"from": before, "to": username})  # fmt: skip

    def request_closure(
        self, case_id: int, outcome: Outcome, disposal: Disposal | Mapping[str, Any], *,
        actor: Actor, note: str = "",
    ) -> Case:  # fmt: skip
        """Close with an outcome and a disposal record; a confirmed violation waits in
        pending approval for a second officer. Refused while tasks are open."""
        require(actor, Permission.MANAGE_CASES)
        data = disposal.to_data() if isinstance(disposal, Disposal) else disposal
        record = Disposal.from_data(data)
        with self._uow() as uow:
            row = self._for_update(uow.session, case_id, actor)
            state = CaseState(row.state)
            target = check_closing(state, outcome)
            _refuse_open_tasks(uow.session, row)
            row.outcome, row.disposal = outcome.value, record.to_data()
            row.closure_requested_by = actor.username
            if target is CaseState.CLOSED:
                self._close(uow, row, actor, note)
            else:
                row.state = target.value
                self._log(uow.session, row, actor, "closure_requested",
                          _with_note((f"{outcome.label()}：待另一名核查人员审批",
                                      f"{outcome.label('en')}: waits for a second officer"),
                                     note),
                          {"outcome": outcome.value, "disposal": row.disposal})  # fmt: skip
            uow.commit()
            return self._case(row)

    def approve(self, case_id: int, *, actor: Actor, note: str = "") -> Case:
        """A second officer approves a pending closure: the case closes."""
        require(actor, Permission.MANAGE_CASES)
        with self._uow() as uow:
            row = self._pending(uow.session, case_id, actor)
            _refuse_open_tasks(uow.session, row)
            row.closure_approved_by = actor.username
            self._close(uow, row, actor, note)
            uow.commit()
            return self._case(row)

    def reject(self, case_id: int, *, actor: Actor, note: str) -> Case:
        """A second officer sends a pending closure back to investigating, with the reason."""
        require(actor, Permission.MANAGE_CASES)
        if not note.strip():
            raise Invalid("note", "give the reason for the rejection")
        with self._uow() as uow:
            row = self._pending(uow.session, case_id, actor)
            outcome = row.outcome
            row.state = CaseState.INVESTIGATING.value
            row.outcome = row.disposal = row.closure_requested_by = None
            self._log(uow.session, row, actor, "closure_rejected", note.strip()[:MAX_NOTE],
                      {"outcome": outcome})  # fmt: skip
            uow.commit()
            return self._case(row)

    def _pending(self, session: Session, case_id: int, actor: Actor) -> store.CaseRow:
        """A case pending approval that ``actor`` (not the requester) may decide."""
        row = self._for_update(session, case_id, actor)
        if row.state != CaseState.PENDING_APPROVAL.value:
            raise Conflict(f"case {case_id} is {row.state}, not pending_approval")
        if row.closure_requested_by == actor.username:
            raise Forbidden("a second officer must decide: the requester cannot")
        return row

    def _close(self, uow: UnitOfWork, row: store.CaseRow, actor: Actor, note: str) -> None:
        """Close the case: stop the clock, label the alerts, log, emit ``CaseClosed``."""
        now = self._now()
        outcome = Outcome(str(row.outcome))
        row.state, row.closed_at, row.open_key = CaseState.CLOSED.value, now, None
        _save_clock(row, self._clock(row).stop(max(now, self._clock(row).last_move)))
        alerts = store.alerts_of(uow.session, row.id)
        for alert in alerts:
            alert.label, alert.labelled_at = outcome.value, now
        self._log(uow.session, row, actor, "closed",
                  _with_note((outcome.label(), outcome.label("en")), note),
                  {"outcome": outcome.value, "disposal": row.disposal,
                   "requested_by": row.closure_requested_by,
                   "approved_by": row.closure_approved_by})  # fmt: skip
        uow.emit(CaseClosed(
            case_id=row.id, enterprise_uscc=row.enterprise_uscc, scenario=row.scenario,
            department=row.department, outcome=outcome.value,
            rules=sorted({str(rule) for alert in alerts for rule in alert.rules}),
            assessment_ids=[a.reference for a in alerts if a.source == AlertSource.RISK.value],
            alert_count=len(alerts), disposal=dict(row.disposal or {}),
            closed_by=row.closure_requested_by or actor.username,
            approved_by=row.closure_approved_by, reopen_count=row.reopen_count,
        ))  # fmt: skip

    def reopen(self, case_id: int, *, actor: Actor, reason: str) -> Case:
        """Reopen a closed case with the reason: a new SLA clock starts and the labels of the
        previous closing are withdrawn (``CaseReopened``)."""
        require(actor, Permission.MANAGE_CASES)
        if not reason.strip():
            raise Invalid("reason", "give the reason for reopening")
        with self._uow() as uow:
            row = self._for_update(uow.session, case_id, actor)
            check_transition(CaseState(row.state), CaseState.REOPENED)
            key = store.open_key(row.enterprise_uscc, row.scenario)
            other = store.open_case(uow.session, key)
            if other is not None:
                raise Conflict(f"case {other.id} is open for the same enterprise and scenario")
            previous, now = row.outcome, self._now()
            row.state, row.open_key, row.reopen_count = (
                CaseState.REOPENED.value,
                key,
                row.reopen_count + 1,
            )
            row.outcome = row.disposal = row.closure_requested_by = row.closure_approved_by = None
            row.closed_at = row.escalated_at = None
            row.sla_started_at = now
            _save_clock(row, SlaClock(row.sla_limit, now, calendar=self._calendar))
            for alert in store.alerts_of(uow.session, row.id):
                alert.label = alert.labelled_at = None
            self._log(uow.session, row, actor, "reopened", reason.strip()[:MAX_NOTE],
                      {"previous_outcome": previous})  # fmt: skip
            uow.emit(CaseReopened(case_id=row.id, enterprise_uscc=row.enterprise_uscc,
                                  scenario=row.scenario, previous_outcome=previous,
                                  reason=reason.strip()[:MAX_NOTE],
                                  reopened_by=actor.username))  # fmt: skip
            uow.commit()
            return self._case(row)

    # --- SLA -------------------------------------------------------------------------------

    def pause(self, case_id: int, *, actor: Actor, note: str = "") -> Case:
        """Pause the SLA clock while the case waits for the enterprise."""
        return self._move_clock(case_id, actor, note, "paused", lambda c, at: c.pause(at))

    def resume(self, case_id: int, *, actor: Actor, note: str = "") -> Case:
        """Run the SLA clock again once the enterprise has answered."""
        return self._move_clock(case_id, actor, note, "resumed", lambda c, at: c.resume(at))

    def _move_clock(
        self, case_id: int, actor: Actor, note: str, kind: str,
        step: Callable[[SlaClock, dt.datetime], SlaClock],
    ) -> Case:  # fmt: skip
        require(actor, Permission.MANAGE_CASES)
        with self._uow() as uow:
            row = self._for_update(uow.session, case_id, actor)
            _require_open(row)
            clock = step(self._clock(row), self._now())
            _save_clock(row, clock)
            self._log(uow.session, row, actor, kind, note.strip()[:MAX_NOTE],
                      {"due_at": clock.due_at.isoformat()})  # fmt: skip
            uow.commit()
            return self._case(row)

    def escalate_overdue(self, now: dt.datetime) -> list[int]:
        """Escalate every breached open case not escalated yet to its department's supervisor
        (timeline entry, audit record, ``CaseEscalated``); return their ids. Idempotent."""
        escalated: list[int] = []
        with self._uow() as uow:
            for row in self._breached(uow.session, None, now):
                if row.escalated_at is not None:
                    continue
                clock = self._clock(row)
                row.escalated_at = now
                late = -clock.remaining_working_days(now)
                names = sorted(u.username for u in self._supervisors(row.department))
                supervisors = "、".join(names) or "—"
                self._log(uow.session, row, SYSTEM, "escalated",
                          (f"超出办理时限 {late} 个工作日，上报{row.department}负责人"
                           f"（{supervisors}）",
                           f"SLA breached by {late} working day(s): to the supervisor of "
                           f"{row.department} ({supervisors})"),
                          {"due_at": clock.due_at_as_of(now).isoformat(),
                           "supervisors": names},
                          at=now)  # fmt: skip
                uow.emit(CaseEscalated(
                    case_id=row.id, enterprise_uscc=row.enterprise_uscc, scenario=row.scenario,
                    department=row.department, assignee=row.assignee,
                    due_at=clock.due_at_as_of(now), overdue_working_days=late,
                    supervisors=names,
                ))  # fmt: skip
                escalated.append(row.id)
            uow.commit()
        return escalated

    # --- tasks -----------------------------------------------------------------------------

    def add_task(
        self, case_id: int, kind: TaskKind, title: str, *, actor: Actor,
        assignee: str | None = None, due_on: dt.date | None = None,
        to_enterprise: bool | None = None,
    ) -> Task:  # fmt: skip
        """Add a verification task to an open case. Requests for information are addressed to
        the enterprise unless ``to_enterprise`` says otherwise."""
        require(actor, Permission.MANAGE_CASES)
        if not title.strip():
            raise Invalid("title", "describe the task")
        with self._uow() as uow:
            row = self._for_update(uow.session, case_id, actor)
            _require_open(row)
            addressed = (
                kind is TaskKind.INFORMATION_REQUEST if to_enterprise is None else to_enterprise
            )
            task = store.CaseTaskRow(
                case_id=row.id, kind=kind.value, title=title.strip()[:200], assignee=assignee,
                due_on=due_on, to_enterprise=addressed, status=TaskStatus.OPEN.value,
                created_by=actor.username, created_at=self._now(),
            )  # fmt: skip
            uow.session.add(task)
            uow.session.flush()
            self._log(uow.session, row, actor, "task_added",
                      (f"{kind.label()}：{task.title}", f"{kind.label('en')}: {task.title}"),
                      {"task_id": task.id, "due_on": str(due_on) if due_on else None})  # fmt: skip
            self._pause_for_request(uow.session, row, task, actor)
            uow.commit()
            return _task(task)

    def finish_task(self, task_id: int, result: str, *, actor: Actor) -> Task:
        """Record a task's result and mark it done."""
        if not result.strip():
            raise Invalid("result", "record what the task found")
        return self._end_task(task_id, TaskStatus.DONE, result.strip()[:MAX_TEXT], actor)

    def cancel_task(self, task_id: int, reason: str, *, actor: Actor) -> Task:
        """Cancel an open task, with the reason."""
        if not reason.strip():
            raise Invalid("reason", "give the reason for cancelling")
        return self._end_task(task_id, TaskStatus.CANCELLED, reason.strip()[:MAX_TEXT], actor)

    def _end_task(self, task_id: int, status: TaskStatus, result: str, actor: Actor) -> Task:
        require(actor, Permission.MANAGE_CASES)
        with self._uow() as uow:
            task = uow.session.get(store.CaseTaskRow, task_id)
            if task is None:
                raise NotFound(f"task {task_id} not found")
            row = self._for_update(uow.session, task.case_id, actor, missing=f"task {task_id}")
            if task.status != TaskStatus.OPEN.value:
                raise Conflict(f"task {task_id} is {task.status}")
            task.status, task.result = status.value, result
            task.closed_by, task.closed_at = actor.username, self._now()
            self._log(uow.session, row, actor, f"task_{status.value}", f"{task.title}: {result}",
                      {"task_id": task.id})  # fmt: skip
            self._resume_after_request(uow.session, row, task, actor)
            uow.commit()
            return _task(task)

    # --- automatic SLA pause while the enterprise is asked (information requests) ----------

    def _pause_for_request(
        self, session: Session, row: store.CaseRow, task: store.CaseTaskRow, actor: Actor
    ) -> None:
        """Pause the clock when a request to the enterprise opens (unless already paused)."""
        clock = self._clock(row)
        if not is_enterprise_request(task) or clock.open_pause is not None:
            return
        paused = clock.pause(max(self._now(), clock.last_move))
        _save_clock(row, paused)
        self._log(session, row, actor, "paused",
                  (f"等待企业答复：补充材料请求 #{task.id}",
                   f"waiting for the enterprise: request #{task.id}"),
                  {"due_at": paused.due_at.isoformat(), "task_id": task.id,
                   "auto": True})  # fmt: skip

    def _resume_after_request(
        self, session: Session, row: store.CaseRow, task: store.CaseTaskRow, actor: Actor
    ) -> None:
        """Run the clock again when the last open request to the enterprise ends (answered,
        done or cancelled), if a request paused it: a pause by hand stays."""
        if not is_enterprise_request(task):
            return
        if any(is_enterprise_request(other) for other in store.open_tasks(session, row.id)):
            return
        clock = self._clock(row)
        if clock.open_pause is None:
            return
        moves = [e for e in store.timeline_of(session, row.id) if e.kind in ("paused", "resumed")]
        if not moves or moves[-1].kind != "paused" or not moves[-1].data.get("auto"):
            return
        resumed = clock.resume(max(self._now(), clock.last_move))
        _save_clock(row, resumed)
        self._log(session, row, actor, "resumed",
                  (f"补充材料请求 #{task.id} {TaskStatus(task.status).label()}",
                   f"request #{task.id} {TaskStatus(task.status).label('en')}"),
                  {"due_at": resumed.due_at.isoformat(), "task_id": task.id,
                   "auto": True})  # fmt: skip

    # --- for the companion CaseRecords (cases/records.py); each takes the caller's session -

    def now(self) -> dt.datetime:
        """The service's clock."""
        return self._now()

    def lock_visible(
        self, session: Session, case_id: int, actor: Actor, missing: str | None = None
    ) -> store.CaseRow:
        """The case locked for update; NotFound outside the actor's reach."""
        return self._for_update(session, case_id, actor, missing)

    def visible_case(self, session: Session, case_id: int, actor: Actor) -> store.CaseRow:
        """The case, unlocked (for reading); NotFound outside the actor's reach."""
        return _visible_or_404(session.get(store.CaseRow, case_id), case_id, actor)

    def record_change(
        self, session: Session, row: store.CaseRow, actor: Actor, kind: str, detail: Text = "",
        data: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        """A timeline entry and its audit record, in the caller's transaction; a ``(zh, en)``
        detail is shown in the reader's language."""
        self._log(session, row, actor, kind, detail, data)

    def request_ended(
        self, session: Session, row: store.CaseRow, task: store.CaseTaskRow, actor: Actor
    ) -> None:
        """Resume the clock if ``task`` was the last open request that paused it."""
        self._resume_after_request(session, row, task, actor)

    # --- helpers ---------------------------------------------------------------------------

    def _for_update(
        self, session: Session, case_id: int, actor: Actor, missing: str | None = None
    ) -> store.CaseRow:
        row = store.case_for_update(session, case_id)
        if row is None or not _visible(row, actor):
            raise NotFound(f"{missing or f'case {case_id}'} not found")
        return row

    def _clock(self, row: store.CaseRow) -> SlaClock:
        return store.read_clock(row, self._calendar)

    def _case(self, row: store.CaseRow, now: dt.datetime | None = None) -> Case:
        clock = self._clock(row)
        at = max(now or self._now(), clock.started_at)
        return Case(
            id=row.id, enterprise_uscc=row.enterprise_uscc, scenario=row.scenario,
            state=CaseState(row.state), department=row.department, assignee=row.assignee,
            outcome=Outcome(row.outcome) if row.outcome else None,
            disposal=Disposal.from_data(row.disposal) if row.disposal else None,
            closure_requested_by=row.closure_requested_by,
            closure_approved_by=row.closure_approved_by, opened_at=row.opened_at,
            closed_at=row.closed_at, reopen_count=row.reopen_count, sla=clock,
            sla_status=clock.status(at), due_at=clock.due_at_as_of(at),
            escalated_at=row.escalated_at,
        )  # fmt: skip

    def _log(
        self, session: Session, row: store.CaseRow, actor: Actor, kind: str, detail: Text = "",
        data: dict[str, Any] | None = None, *, at: dt.datetime | None = None,
    ) -> None:  # fmt: skip
        """A timeline entry and its audit record, in the caller's transaction. A ``(zh, en)``
        detail keeps its English in ``data["detail_en"]`` (the entry's ``text("en")``)."""
        when = at or self._now()
        row.updated_at = when
        zh, en = (detail, detail) if isinstance(detail, str) else detail
        data = dict(data or {})
        if en != zh:
            data[DETAIL_EN] = en[:MAX_NOTE]
        session.add(store.CaseTimelineRow(case_id=row.id, at=when, actor=actor.username,
                                          kind=kind, detail=zh[:MAX_NOTE],
                                          data=data))  # fmt: skip
        self._audit.record(session, actor=actor, action=f"cases.{kind}", object_type="case",
                           object_id=str(row.id), after={"state": row.state, **data},
                           detail=zh[:200])  # fmt: skip



def _visible(row: store.CaseRow, actor: Actor) -> bool:
    if not can(actor.role, Permission.VIEW_CASES):
        return False
    scope = department_scope(actor)
    return scope is None or row.department == scope


def _visible_or_404(row: store.CaseRow | None, case_id: int, actor: Actor) -> store.CaseRow:
    if row is None or not _visible(row, actor):
        raise NotFound(f"case {case_id} not found")
    return row


def _require_open(row: store.CaseRow) -> None:
    if row.state == CaseState.CLOSED.value:
        raise Conflict(f"case {row.id} is closed; reopen it first")


def _refuse_open_tasks(session: Session, row: store.CaseRow) -> None:
    pending = store.open_tasks(session, row.id)
    if pending:
        names = ", ".join(f"#{task.id} {task.kind}" for task in pending)
        raise Conflict(f"case {row.id} has {len(pending)} open task(s): {names}")


def _save_clock(row: store.CaseRow, clock: SlaClock) -> None:
    row.sla_limit, row.sla_started_at, row.sla_stopped_at = (
        clock.limit, clock.started_at, clock.stopped_at,
    )  # fmt: skip
    row.sla_pauses = pauses_to_json(clock.pauses)
    row.sla_due_at = clock.due_at


def _with_note(text: tuple[str, str], note: str) -> tuple[str, str]:
    if not note.strip():
        return text
    return f"{text[0]}——{note.strip()}", f"{text[1]} — {note.strip()}"


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except Invalid as exc:
        raise Invalid("enterprise_uscc", exc.reason) from None


def _scenario(value: str) -> str:
    name = value.strip()
    if not name or len(name) > 64:
        raise Invalid("category", "1–64 characters")
    return name


def _reference(value: str | None) -> str:
    if value is None or not value.strip():
        return f"tip-{uuid.uuid4().hex}"
    return value.strip()[:80]


def _alert_row(alert: AlertInput, now: dt.datetime) -> store.CaseAlertRow:
    return store.CaseAlertRow(
        source=alert.source.value, reference=alert.reference[:80],
        enterprise_uscc=alert.enterprise_uscc, scenario=alert.scenario,
        rules=list(alert.rules), risk_outcome=alert.risk_outcome, score=alert.score,
        rule_set_version=alert.rule_set_version, dataset=alert.dataset,
        record_key=alert.record_key, text=alert.text, raised_by=alert.raised_by,
        raised_at=alert.raised_at, received_at=now, disposition=AlertDisposition.ATTACHED.value,
    )  # fmt: skip


def _alert(row: store.CaseAlertRow) -> Alert:
    return Alert(
        id=row.id, source=AlertSource(row.source), reference=row.reference,
        enterprise_uscc=row.enterprise_uscc, scenario=row.scenario,
        rules=[str(rule) for rule in row.rules], risk_outcome=row.risk_outcome,
        score=row.score, text=row.text, raised_by=row.raised_by, raised_at=row.raised_at,
        disposition=AlertDisposition(row.disposition), case_id=row.case_id,
        label=Outcome(row.label) if row.label else None,
    )  # fmt: skip


def _suppression_data(row: store.RuleSuppressionRow) -> dict[str, Any]:
    return {"rule_id": row.rule_id, "enterprise_uscc": row.enterprise_uscc,
            "until": row.until.isoformat(), "reason": row.reason}  # fmt: skip


def _suppression(row: store.RuleSuppressionRow) -> Suppression:
    return Suppression(id=row.id, rule_id=row.rule_id, enterprise_uscc=row.enterprise_uscc,
                       until=row.until, reason=row.reason, actor=row.actor,
                       created_at=row.created_at)  # fmt: skip


def _entry(row: store.CaseTimelineRow) -> TimelineEntry:
    return TimelineEntry(at=row.at, actor=row.actor, kind=row.kind, detail=row.detail,
                         data=dict(row.data))  # fmt: skip


def is_enterprise_request(task: store.CaseTaskRow) -> bool:
    """An information request addressed to the enterprise (while open, it pauses the clock)."""
    return task.kind == TaskKind.INFORMATION_REQUEST.value and task.to_enterprise


def _task(row: store.CaseTaskRow) -> Task:
    return Task(
        id=row.id, case_id=row.case_id, kind=TaskKind(row.kind), title=row.title,
        assignee=row.assignee, due_on=row.due_on, to_enterprise=row.to_enterprise,
        status=TaskStatus(row.status), result=row.result, created_by=row.created_by,
        created_at=row.created_at,
    )  # fmt: skip
