"""双随机、一公开 (regulations digest §3): the catalogue of items, the library of inspectors, the
library of targets, verifiable draws and the publication of inspection results.

Rules in docs/inspections.md. In short: a plan is created as a draft; committing it freezes
its inputs (every registered enterprise with its current credit class, the department's
inspectors) and commits to a secret seed, announcing ``{seed_commitment, inputs_digest}``;
the draw runs :func:`~lingang.inspections.draw.draw` on the frozen inputs, stores the result
and reveals the seed, so anyone can check it with ``lingang inspections verify-draw``.
Results are recorded per drawn target and published within 20 working days of the draw;
each published result becomes a credit record of its enterprise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission, can
from lingang.db import UnitOfWorkFactory
from lingang.entities.model import validate_uscc
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.inspections import draw as drawing
from lingang.inspections import store
from lingang.inspections.model import (
    PUBLISH_WITHIN_WORKING_DAYS,
    UNGRADED_CLASS,
    DrawPlan,
    DrawResult,
    InspectionItem,
    InspectionOutcome,
    Inspector,
    PlanStatus,
    SamplingRates,
    Target,
)
from lingang.types import Actor, utcnow
from lingang.workdays import SHANGHAI, WorkCalendar, default_calendar

Directed = Callable[[str], Sequence[str]]
"""The enterprises a department must inspect whatever the draw (open 告知承诺 checks)."""
DirectedFed = Callable[[str, str, Sequence[str]], object]
"""Told ``(plan_id, department, usccs)`` once a committed plan took the directed targets."""
Targets = Callable[[], Sequence[tuple[str, str]]]
"""The library of targets: every registered enterprise as ``(uscc, name)``."""
ClassOf = Callable[[Sequence[str]], Mapping[str, str]]
"""The current credit class ``"A"``..``"D"`` of enterprises (missing ones are ungraded)."""
RecordCredit = Callable[[str, dt.date, str, str, dict[str, Any]], None]
"""Add a public credit record: ``(uscc, occurred_on, source_ref, zh summary, details)``;
repeating a ``source_ref`` must add nothing."""

MAX_FINDING = 2000
_TRUE = {"true", "1", "yes", "y", "是", "key", "重点"}
_FALSE = {"false", "0", "no", "n", "否", "", "general", "一般"}


@dataclass(frozen=True, slots=True)
class Plan:
    """A draw plan; ``seed`` is None until the draw reveals it, ``result`` until it runs."""

    id: str
    year: int
    item_code: str
    item_name_zh: str
    item_name_en: str
    department: str
    key_item: bool
    rates: SamplingRates
    inspectors_per_target: int
    required_qualification: str | None
    status: PlanStatus
    seed_commitment: str | None
    inputs_digest: str | None
    ungraded: int | None
    seed: str | None
    result: DrawResult | None
    created_by: str
    created_at: dt.datetime
    committed_at: dt.datetime | None
    drawn_at: dt.datetime | None
    publish_by: dt.date | None

    def announcement(self) -> dict[str, str] | None:
        """What was published at commit: the seed commitment and the inputs digest."""
        if self.seed_commitment is None or self.inputs_digest is None:
            return None
        return {"format": drawing.ANNOUNCEMENT_FORMAT, "plan_id": self.id,
                "seed_commitment": self.seed_commitment,
                "inputs_digest": self.inputs_digest}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DrawnTarget:
    """A drawn enterprise with its credit class and inspectors (none when unstaffed);
    ``directed`` when it was inspected whatever the draw (a 告知承诺 check)."""

    uscc: str
    name: str
    credit_class: str
    inspector_ids: tuple[str, ...]
    directed: bool = False


@dataclass(frozen=True, slots=True)
class InspectionResult:
    """The result of inspecting one drawn target."""

    plan_id: str
    uscc: str
    inspector_ids: tuple[str, ...]
    outcome: InspectionOutcome
    finding: str
    recorded_by: str
    recorded_at: dt.datetime
    published_at: dt.datetime | None
    credit_record_ref: str | None


@dataclass(frozen=True, slots=True)
class PlanDetail:
    """A plan, its drawn targets (after the draw), its results, and whether it is overdue:
    drawn, not every target's result published, and past ``publish_by``."""

    plan: Plan
    targets: tuple[DrawnTarget, ...]
    results: tuple[InspectionResult, ...]
    overdue: bool


class InspectionService:
    """Catalogue, inspector library, plans, draws and results of 双随机、一公开.

    ``targets`` lists the registered enterprises, ``class_of`` their credit classes,
    ``record_credit`` adds a published result to the enterprise's credit record; ``seeds``
    makes the secret seeds and ``clock`` the time (tests pass fixed ones). ``directed``
    names the enterprises a department must inspect whatever the draw (the open post-issue
    checks of 告知承诺 licences); committing a plan freezes them into its inputs and tells
    ``directed_fed``.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        audit: AuditService,
        *,
        targets: Targets,
        class_of: ClassOf,
        record_credit: RecordCredit,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        seeds: Callable[[], str] = drawing.new_seed,
        default_rates: Callable[[], Mapping[str, float]] | None = None,
        directed: Directed | None = None,
        directed_fed: DirectedFed | None = None,
    ) -> None:
        self._uow = uow
        self._directed = directed
        self._directed_fed = directed_fed
        self._audit = audit
        self._targets = targets
        self._class_of = class_of
        self._record_credit = record_credit
        self._calendar = calendar or default_calendar()
        self._now = clock
        self._seeds = seeds
        self._default_rates = default_rates

    def default_rates(self) -> SamplingRates:
        """The sampling rates a plan gets unless it sets its own: the credit-effects policy
        in force (``credit/policy``), else the model's regional defaults."""
        if self._default_rates is None:
            return SamplingRates()
        return SamplingRates.from_mapping(self._default_rates())

    # --- the catalogue and the inspector library --------------------------------------------

    def add_item(
        self, code: str, name_zh: str, name_en: str, department: str, *, key: bool = False,
        actor: Actor,
    ) -> InspectionItem:  # fmt: skip
        """Add an item to the 抽查事项清单 (``key``: a 重点检查事项); a known code is a Conflict."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        item = _item_from_row("item", {"code": code, "name_zh": name_zh, "name_en": name_en,
                                       "department": department, "key": key})  # fmt: skip
        with self._uow() as uow:
            if store.item_by_code(uow.session, item.code) is not None:
                raise Conflict(f"item {item.code!r} is already in the catalogue")
            self._add_items(uow.session, [item], actor)
            uow.commit()
        return item

    def import_items(
        self, rows: Sequence[Mapping[str, Any]], *, actor: Actor
    ) -> list[InspectionItem]:
        """Add many items; any bad row (``rows[n].field``) or known code writes nothing."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        found = [_item_from_row(f"rows[{n}]", row) for n, row in enumerate(rows)]
        _refuse_duplicates([item.code for item in found])
        with self._uow() as uow:
            known = store.existing_item_codes(uow.session, [item.code for item in found])
            _refuse_known([item.code for item in found], known, "in the catalogue")
            self._add_items(uow.session, found, actor)
            uow.commit()
        return found

    def _add_items(self, session: Session, found: list[InspectionItem], actor: Actor) -> None:
        now = self._now()
        for item in found:
            session.add(store.InspectionItemRow(
                code=item.code, name_zh=item.name_zh, name_en=item.name_en,
                department=item.department, key=item.key, active=True,
                created_by=actor.username, created_at=now,
            ))  # fmt: skip
            self._audit.record(session, actor=actor, action="inspections.add_item",
                               object_type="inspection_item", object_id=item.code,
                               after=_item_data(item), detail=item.name_zh)  # fmt: skip
        session.flush()

    def list_items(self, *, actor: Actor) -> list[InspectionItem]:
        """The active items of the catalogue, by code."""
        _require(actor, Permission.VIEW_INSPECTIONS)
        with self._uow.read() as session:
            return [_item(row) for row in store.items(session)]

    def add_inspector(
        self, code: str, name: str, department: str, qualifications: Iterable[str] = (), *,
        actor: Actor,
    ) -> Inspector:  # fmt: skip
        """Add an inspector to the 执法检查人员名录库; a known id is a Conflict."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        inspector = _inspector_from_row("inspector", {
            "id": code, "name": name, "department": department,
            "qualifications": list(qualifications),
        })  # fmt: skip
        with self._uow() as uow:
            if store.existing_inspector_codes(uow.session, [inspector.id]):
                raise Conflict(f"inspector {inspector.id!r} is already in the library")
            self._add_inspectors(uow.session, [inspector], actor)
            uow.commit()
        return inspector

    def import_inspectors(
        self, rows: Sequence[Mapping[str, Any]], *, actor: Actor
    ) -> list[Inspector]:
        """Add many inspectors; any bad row (``rows[n].field``) or known id writes nothing."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        found = [_inspector_from_row(f"rows[{n}]", row) for n, row in enumerate(rows)]
        _refuse_duplicates([inspector.id for inspector in found], field="id")
        with self._uow() as uow:
            known = store.existing_inspector_codes(uow.session, [i.id for i in found])
            _refuse_known([i.id for i in found], known, "in the library", field="id")
            self._add_inspectors(uow.session, found, actor)
            uow.commit()
        return found

    def _add_inspectors(self, session: Session, found: list[Inspector], actor: Actor) -> None:
        now = self._now()
        for inspector in found:
            session.add(store.InspectorRow(
                code=inspector.id, name=inspector.name, department=inspector.department,
                qualifications=sorted(inspector.qualifications),
                conflicts=sorted(inspector.conflicts), active=True, created_by=actor.username,
                created_at=now,
            ))  # fmt: skip
            self._audit.record(session, actor=actor, action="inspections.add_inspector",
                               object_type="inspector", object_id=inspector.id,
                               after=_inspector_data(inspector),
                               detail=f"{inspector.name} ({inspector.department})")  # fmt: skip
        session.flush()

    def list_inspectors(self, *, actor: Actor, department: str | None = None) -> list[Inspector]:
        """Active inspectors (of one department when given), by id."""
        _require(actor, Permission.VIEW_INSPECTIONS)
        with self._uow.read() as session:
            return [_inspector(row) for row in store.inspectors(session, department)]

    def declare_conflict(
        self, inspector_id: str, uscc: str, reason: str, *, actor: Actor
    ) -> Inspector:
        """Record an inspector's conflict of interest with an enterprise (回避); audited."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        code = validate_uscc(uscc)
        if not reason.strip():
            raise Invalid("reason", "a declared conflict needs a reason")
        with self._uow() as uow:
            row = store.inspector_by_code(uow.session, inspector_id)
            if row is None:
                raise NotFound(f"inspector {inspector_id!r} not found")
            before = list(row.conflicts)
            row.conflicts = sorted({*row.conflicts, code})
            self._audit.record(uow.session, actor=actor, action="inspections.declare_conflict",
                               object_type="inspector", object_id=row.code, before=before,
                               after=row.conflicts,
                               detail=f"{code}: {reason.strip()[:200]}")  # fmt: skip
            uow.commit()
            return _inspector(row)

    # --- plans and draws ---------------------------------------------------------------------

    def create_plan(
        self, year: int, item_code: str, *, actor: Actor,
        rates: Mapping[str, float] | None = None, inspectors_per_target: int = 2,
        required_qualification: str | None = None, department: str | None = None,
    ) -> Plan:  # fmt: skip
        """A draft plan for a catalogue item (its department unless ``department`` is given);
        ``rates`` per credit class default to :class:`SamplingRates`."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        chosen = SamplingRates.from_mapping(rates) if rates is not None else self.default_rates()
        with self._uow() as uow:
            item_row = store.item_by_code(uow.session, item_code)
            if item_row is None or not item_row.active:
                raise NotFound(f"item {item_code!r} not found")
            item = _item(item_row)
            plan = DrawPlan(
                plan_id=f"{year}-{uuid.uuid4().hex[:8]}", year=year, item_code=item.code,
                department=(department or "").strip() or item.department, rates=chosen,
                inspectors_per_target=inspectors_per_target,
                required_qualification=(required_qualification or "").strip() or None,
                key_item=item.key,
            )  # fmt: skip
            row = _plan_row(plan, actor, self._now())
            uow.session.add(row)
            uow.session.flush()
            self._audit.record(uow.session, actor=actor, action="inspections.create_plan",
                               object_type="inspection_plan", object_id=row.id,
                               after=_plan_data(row),
                               detail=f"{year} {item_row.code} {item_row.name_zh}")  # fmt: skip
            uow.commit()
            return _plan(row, item_row)

    def commit_plan(self, plan_id: str, *, actor: Actor) -> Plan:
        """Freeze the plan's inputs and commit to a fresh secret seed; the plan's
        :meth:`Plan.announcement` is then what to publish before the draw. Only a draft."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        with self._uow() as uow:
            row = _plan_for_update(uow.session, plan_id)
            _require_status(row, PlanStatus.DRAFT, "commit")
            plan = _draw_plan(row)
            if self._directed is not None:
                found = sorted(set(self._directed(plan.department)))
                plan = dataclasses.replace(plan, directed=tuple(found))
            targets, ungraded = self._freeze_targets(uow.session, plan)
            inspectors = [_inspector(r) for r in store.inspectors(uow.session, plan.department)]
            seed = self._seeds()
            announced = drawing.announcement(plan, targets, inspectors, seed)
            row.inputs = drawing.canonical_inputs(plan, targets, inspectors).decode("utf-8")
            row.inputs_digest, row.seed = announced["inputs_digest"], seed
            row.seed_commitment, row.ungraded = announced["seed_commitment"], ungraded
            row.status, row.committed_at = PlanStatus.COMMITTED.value, self._now()
            self._audit.record(uow.session, actor=actor, action="inspections.commit_plan",
                               object_type="inspection_plan", object_id=row.id,
                               after=announced,
                               detail=f"{len(targets)} targets, {len(inspectors)} inspectors, "
                                      f"{ungraded} ungraded, {len(plan.directed)} directed"
                               )  # fmt: skip
            uow.commit()
            committed = _plan(row, store.item_by_code(uow.session, row.item_code))
        if plan.directed and self._directed_fed is not None:
            self._directed_fed(plan.plan_id, plan.department, plan.directed)
        return committed

    def _freeze_targets(self, session: Session, plan: DrawPlan) -> tuple[list[Target], int]:
        """Every registered enterprise with its class (ungraded: B) and, when drawn by an
        earlier plan of the same year, that year."""
        named = dict(self._targets())  # one entry per USCC
        classes = self._class_of(sorted(named))
        drawn = _drawn_in(session, plan.year)
        targets = [
            Target(uscc, name, classes.get(uscc, UNGRADED_CLASS),
                   plan.year if uscc in drawn else None)
            for uscc, name in sorted(named.items())
        ]  # fmt: skip
        return targets, sum(1 for uscc in named if uscc not in classes)

    def run_draw(self, plan_id: str, *, actor: Actor) -> Plan:
        """Draw on the frozen inputs with the committed seed, store the result, reveal the
        seed and set ``publish_by`` (20 working days). Only a committed plan."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        with self._uow() as uow:
            row = _plan_for_update(uow.session, plan_id)
            _require_status(row, PlanStatus.COMMITTED, "draw")
            inputs = drawing.parse_inputs(row.inputs or "")
            assert row.seed is not None  # committed plans hold their seed
            result = drawing.draw(inputs.plan, inputs.targets, inputs.inspectors, row.seed)
            now = self._now()
            row.result, row.drawn_at = drawing.result_dict(result), now
            row.status = PlanStatus.DRAWN.value
            row.publish_by = self.publish_by(now)
            self._audit.record(uow.session, actor=actor, action="inspections.run_draw",
                               object_type="inspection_plan", object_id=row.id,
                               after={"seed": row.seed, "selected": list(result.selected)},
                               detail=f"{len(result.selected)} drawn, "
                                      f"{len(result.unstaffed)} unstaffed")  # fmt: skip
            uow.commit()
            return _plan(row, store.item_by_code(uow.session, row.item_code))

    def publish_by(self, drawn_at: dt.datetime) -> dt.date:
        """The last day to publish results: 20 working days after the draw's working day."""
        day = self._calendar.working_day_of(drawn_at)
        return self._calendar.add_working_days(day, PUBLISH_WITHIN_WORKING_DAYS)

    # --- reading -----------------------------------------------------------------------------

    def list_plans(self, *, actor: Actor, year: int | None = None) -> list[Plan]:
        """Plans (of one year when given), newest first."""
        _require(actor, Permission.VIEW_INSPECTIONS)
        with self._uow.read() as session:
            names = {row.code: row for row in store.items(session, include_inactive=True)}
            return [_plan(row, names.get(row.item_code)) for row in store.plans(session, year=year)]

    def get_plan(self, plan_id: str, *, actor: Actor) -> PlanDetail:
        """A plan with its drawn targets and every recorded result."""
        _require(actor, Permission.VIEW_INSPECTIONS)
        with self._uow.read() as session:
            row = session.get(store.InspectionPlanRow, plan_id)
            if row is None:
                raise NotFound(f"plan {plan_id!r} not found")
            return self._detail(session, row, published_only=False)

    def overdue_plans(self, *, actor: Actor) -> list[PlanDetail]:
        """Drawn plans past ``publish_by`` with some target's result not yet published."""
        _require(actor, Permission.VIEW_INSPECTIONS)
        with self._uow.read() as session:
            rows = store.plans(session, drawn_only=True)
            found = [self._detail(session, row, published_only=False) for row in rows]
        return [detail for detail in found if detail.overdue]

    def _detail(
        self, session: Session, row: store.InspectionPlanRow, *, published_only: bool
    ) -> PlanDetail:
        plan = _plan(row, store.item_by_code(session, row.item_code))
        results = [_result(r) for r in store.results_of(session, row.id)]
        public = [r for r in results if r.published_at is not None]
        targets = _drawn_targets(row)
        complete = len(public) >= len(targets)
        today = self._now().astimezone(SHANGHAI).date()
        overdue = plan.publish_by is not None and not complete and today > plan.publish_by
        shown = public if published_only else results
        return PlanDetail(plan, targets, tuple(shown), overdue)

    # --- results -----------------------------------------------------------------------------

    def record_result(
        self, plan_id: str, uscc: str, outcome: InspectionOutcome | str, finding: str = "", *,
        actor: Actor,
    ) -> InspectionResult:  # fmt: skip
        """Record (or, until published, correct) the result of inspecting a drawn target."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        chosen = _outcome(outcome)
        text = finding.strip()
        if len(text) > MAX_FINDING:
            raise Invalid("finding", f"at most {MAX_FINDING} characters")
        if chosen is InspectionOutcome.ISSUES_FOUND and not text:
            raise Invalid("finding", "describe the problems found")
        with self._uow() as uow:
            row = _plan_for_update(uow.session, plan_id)
            if row.status not in store.DRAWN_STATES:
                raise Conflict(f"plan {plan_id} has not been drawn")
            result = drawing.result_from(row.result)
            if uscc not in result.selected:
                raise Invalid("uscc", f"{uscc} was not drawn by plan {plan_id}")
            saved = self._save_result(uow.session, row, result, uscc, chosen, text, actor)
            uow.commit()
            return _result(saved)

    def _save_result(
        self, session: Session, plan: store.InspectionPlanRow, result: DrawResult, uscc: str,
        outcome: InspectionOutcome, finding: str, actor: Actor,
    ) -> store.InspectionResultRow:  # fmt: skip
        row = store.result_for_update(session, plan.id, uscc)
        before = None if row is None else {"outcome": row.outcome, "finding": row.finding}
        if row is not None and row.published_at is not None:
            raise Conflict(f"the result for {uscc} is published and can no longer change")
        if row is None:
            row = store.InspectionResultRow(plan_id=plan.id, uscc=uscc)
            session.add(row)
        row.inspectors = list(result.inspectors_of(uscc))
        row.outcome, row.finding = outcome.value, finding
        row.recorded_by, row.recorded_at = actor.username, self._now()
        session.flush()
        self._audit.record(session, actor=actor, action="inspections.record_result",
                           object_type="inspection_result", object_id=f"{plan.id}/{uscc}",
                           before=before, after={"outcome": row.outcome, "finding": finding},
                           detail=f"{uscc}: {outcome.label()}")  # fmt: skip
        return row

    def publish_results(self, plan_id: str, *, actor: Actor) -> PlanDetail:
        """Make every recorded result of the plan public (公示) and add each to its
        enterprise's credit record (results published earlier but not yet recorded there are
        recorded again: the credit side ignores a repeated reference)."""
        _require(actor, Permission.MANAGE_INSPECTIONS)
        with self._uow() as uow:
            row = _plan_for_update(uow.session, plan_id)
            if row.status not in store.DRAWN_STATES:
                raise Conflict(f"plan {plan_id} has not been drawn")
            now = self._now()
            fresh = [r for r in store.results_of(uow.session, plan_id) if r.published_at is None]
            if not fresh and row.status == PlanStatus.DRAWN.value:
                raise Conflict(f"plan {plan_id} has no recorded result to publish")
            for result in fresh:
                result.published_at = now
            row.status = PlanStatus.RESULTS_PUBLISHED.value
            late = row.publish_by is not None and now.astimezone(SHANGHAI).date() > row.publish_by
            note = f", late (due {row.publish_by})" if late else ""
            self._audit.record(uow.session, actor=actor, action="inspections.publish_results",
                               object_type="inspection_plan", object_id=row.id,
                               after=[r.uscc for r in fresh],
                               detail=f"{len(fresh)} result(s){note}")  # fmt: skip
            item = store.item_by_code(uow.session, row.item_code)
            uow.commit()
        self._feed_credit(row, item)
        return self.get_plan(plan_id, actor=actor)

    def _feed_credit(
        self, plan: store.InspectionPlanRow, item: store.InspectionItemRow | None
    ) -> None:
        """Record each published result not yet in the credit record, one by one (outside the
        plan's transaction: the credit side commits on its own)."""
        with self._uow.read() as session:
            pending = [r for r in store.results_of(session, plan.id)
                       if r.published_at is not None and r.credit_record_ref is None]  # fmt: skip
        name = item.name_zh if item is not None else plan.item_code
        for result in pending:
            ref = f"{plan.id}/{result.uscc}"
            self._record_credit(result.uscc, result.recorded_at.astimezone(SHANGHAI).date(), ref,
                                _credit_summary(plan, name, result),
                                _credit_details(plan, result))  # fmt: skip
            with self._uow() as uow:
                saved = store.result_for_update(uow.session, plan.id, result.uscc)
                if saved is not None:
                    saved.credit_record_ref = ref
                uow.commit()

    # --- public ------------------------------------------------------------------------------

    def published(self, plan_id: str) -> dict[str, Any]:
        """The public record of a drawn plan (anyone may read it): the inputs, the result, the
        revealed ``seed`` and the ``announcement`` made at commit; NotFound before the draw."""
        with self._uow.read() as session:
            row = session.get(store.InspectionPlanRow, plan_id)
            if row is None or row.status not in store.DRAWN_STATES:
                raise NotFound(f"no published draw {plan_id!r}")
            plan = _plan(row, store.item_by_code(session, row.item_code))
        inputs = drawing.parse_inputs(row.inputs or "")
        assert plan.seed is not None and plan.result is not None  # drawn plans hold both
        record = drawing.published_record(inputs.plan, inputs.targets, inputs.inspectors,
                                          plan.seed, plan.result)  # fmt: skip
        drawn_at = plan.drawn_at.isoformat() if plan.drawn_at else None
        return {**record, "seed": plan.seed, "announcement": plan.announcement(),
                "drawn_at": drawn_at, "item": {"code": plan.item_code,
                "name_zh": plan.item_name_zh, "name_en": plan.item_name_en}}  # fmt: skip

    def public_results(self, year: int | None = None) -> list[PlanDetail]:
        """Every drawn plan (of one year when given) with its published results only."""
        with self._uow.read() as session:
            rows = store.plans(session, year=year, drawn_only=True)
            return [self._detail(session, row, published_only=True) for row in rows]


# --- helpers ---------------------------------------------------------------------------------


def _require(actor: Actor, permission: Permission) -> None:
    if not can(actor.role, permission):
        raise Forbidden(f"role {actor.role.value} may not {permission.value}")


def _plan_for_update(session: Session, plan_id: str) -> store.InspectionPlanRow:
    row = store.plan_for_update(session, plan_id)
    if row is None:
        raise NotFound(f"plan {plan_id!r} not found")
    return row


def _require_status(row: store.InspectionPlanRow, status: PlanStatus, verb: str) -> None:
    if row.status != status.value:
        current = PlanStatus(row.status)
        raise Conflict(f"plan {row.id} is {current.value} ({current.label()}); only a "
                       f"{status.value} plan can {verb}")  # fmt: skip


def _drawn_in(session: Session, year: int) -> set[str]:
    """Targets drawn by the drawn plans of ``year`` (any item)."""
    drawn: set[str] = set()
    for row in store.plans(session, year=year, drawn_only=True):
        drawn.update((row.result or {}).get("selected", []))
    return drawn


def _outcome(value: InspectionOutcome | str) -> InspectionOutcome:
    try:
        return InspectionOutcome(value)
    except ValueError:
        names = ", ".join(o.value for o in InspectionOutcome)
        raise Invalid("outcome", f"must be one of {names}") from None


def _text(row: Mapping[str, Any], key: str, f: str, limit: int) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{f}.{key}", "required")
    if len(value.strip()) > limit:
        raise Invalid(f"{f}.{key}", f"at most {limit} characters")
    return value.strip()


def _flag(row: Mapping[str, Any], key: str, f: str) -> bool:
    value = row.get(key, False)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise Invalid(f"{f}.{key}", "must be true or false (是/否)")


def _words(row: Mapping[str, Any], key: str, f: str) -> list[str]:
    """A list of strings, or one string separated by ``;``, ``,`` or ``、``."""
    value = row.get(key) or []
    if isinstance(value, str):
        value = value.replace("、", ";").replace(",", ";").split(";")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{f}.{key}", "must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _item_from_row(f: str, row: Mapping[str, Any]) -> InspectionItem:
    if not isinstance(row, Mapping):
        raise Invalid(f, "must be an object")
    return InspectionItem(
        code=_text(row, "code", f, 40), name_zh=_text(row, "name_zh", f, 200),
        name_en=_text(row, "name_en", f, 200), department=_text(row, "department", f, 80),
        key=_flag(row, "key", f),
    )  # fmt: skip


def _inspector_from_row(f: str, row: Mapping[str, Any]) -> Inspector:
    if not isinstance(row, Mapping):
        raise Invalid(f, "must be an object")
    conflicts = []
    for n, uscc in enumerate(_words(row, "conflicts", f)):
        try:
            conflicts.append(validate_uscc(uscc))
        except Invalid as error:
            raise Invalid(f"{f}.conflicts[{n}]", error.reason) from None
    return Inspector(
        id=_text(row, "id", f, 40), name=_text(row, "name", f, 120),
        department=_text(row, "department", f, 80),
        qualifications=frozenset(q[:80] for q in _words(row, "qualifications", f)),
        conflicts=frozenset(conflicts),
    )  # fmt: skip


def _refuse_duplicates(codes: list[str], field: str = "code") -> None:
    seen: dict[str, int] = {}
    for n, code in enumerate(codes):
        if code in seen:
            raise Invalid(f"rows[{n}].{field}", f"duplicate of rows[{seen[code]}]")
        seen[code] = n


def _refuse_known(codes: list[str], known: set[str], where: str, field: str = "code") -> None:
    for n, code in enumerate(codes):
        if code in known:
            raise Invalid(f"rows[{n}].{field}", f"{code!r} is already {where}")


def _item(row: store.InspectionItemRow) -> InspectionItem:
    return InspectionItem(row.code, row.name_zh, row.name_en, row.department, row.key)


def _item_data(item: InspectionItem) -> dict[str, Any]:
    return {"code": item.code, "name_zh": item.name_zh, "name_en": item.name_en,
            "department": item.department, "key": item.key}  # fmt: skip


def _inspector(row: store.InspectorRow) -> Inspector:
    return Inspector(row.code, row.name, row.department, frozenset(row.qualifications),
                     frozenset(row.conflicts))  # fmt: skip


def _inspector_data(inspector: Inspector) -> dict[str, Any]:
    return {"id": inspector.id, "name": inspector.name, "department": inspector.department,
            "qualifications": sorted(inspector.qualifications),
            "conflicts": sorted(inspector.conflicts)}  # fmt: skip


def _plan_row(plan: DrawPlan, actor: Actor, now: dt.datetime) -> store.InspectionPlanRow:
    return store.InspectionPlanRow(
        id=plan.plan_id, year=plan.year, item_code=plan.item_code, department=plan.department,
        key_item=plan.key_item, rates=plan.rates.as_dict(),
        inspectors_per_target=plan.inspectors_per_target,
        required_qualification=plan.required_qualification, status=PlanStatus.DRAFT.value,
        created_by=actor.username, created_at=now,
    )  # fmt: skip


def _plan_data(row: store.InspectionPlanRow) -> dict[str, Any]:
    return {"year": row.year, "item_code": row.item_code, "department": row.department,
            "rates": row.rates, "inspectors_per_target": row.inspectors_per_target,
            "required_qualification": row.required_qualification}  # fmt: skip


def _draw_plan(row: store.InspectionPlanRow) -> DrawPlan:
    return DrawPlan(
        plan_id=row.id, year=row.year, item_code=row.item_code, department=row.department,
        rates=SamplingRates.from_mapping(row.rates),
        inspectors_per_target=row.inspectors_per_target,
        required_qualification=row.required_qualification, key_item=row.key_item,
    )  # fmt: skip


def _plan(row: store.InspectionPlanRow, item: store.InspectionItemRow | None) -> Plan:
    drawn = row.status in store.DRAWN_STATES
    return Plan(
        id=row.id, year=row.year, item_code=row.item_code,
        item_name_zh=item.name_zh if item else row.item_code,
        item_name_en=item.name_en if item else row.item_code, department=row.department,
        key_item=row.key_item, rates=SamplingRates.from_mapping(row.rates),
        inspectors_per_target=row.inspectors_per_target,
        required_qualification=row.required_qualification, status=PlanStatus(row.status),
        seed_commitment=row.seed_commitment, inputs_digest=row.inputs_digest,
        ungraded=row.ungraded, seed=row.seed if drawn else None,
        result=drawing.result_from(row.result) if drawn and row.result else None,
        created_by=row.created_by, created_at=row.created_at, committed_at=row.committed_at,
        drawn_at=row.drawn_at, publish_by=row.publish_by,
    )  # fmt: skip


def _drawn_targets(row: store.InspectionPlanRow) -> tuple[DrawnTarget, ...]:
    if row.status not in store.DRAWN_STATES or row.result is None or row.inputs is None:
        return ()
    result = drawing.result_from(row.result)
    frozen = {t.uscc: t for t in drawing.parse_inputs(row.inputs).targets}
    directed = set(result.directed)

    def drawn(uscc: str) -> DrawnTarget:
        known = frozen.get(uscc)  # a directed target may be outside the library
        return DrawnTarget(uscc, known.name if known else uscc,
                           known.credit_class if known else UNGRADED_CLASS,
                           result.inspectors_of(uscc), uscc in directed)  # fmt: skip

    return tuple(drawn(uscc) for uscc in result.selected)


def _result(row: store.InspectionResultRow) -> InspectionResult:
    return InspectionResult(
        plan_id=row.plan_id, uscc=row.uscc, inspector_ids=tuple(row.inspectors),
        outcome=InspectionOutcome(row.outcome), finding=row.finding,
        recorded_by=row.recorded_by, recorded_at=row.recorded_at,
        published_at=row.published_at, credit_record_ref=row.credit_record_ref,
    )  # fmt: skip


def _credit_summary(
    plan: store.InspectionPlanRow, item_name: str, result: store.InspectionResultRow
) -> str:
    outcome = InspectionOutcome(result.outcome)
    return f"双随机抽查（{plan.year}年，{item_name}）：{outcome.label()}"


def _credit_details(
    plan: store.InspectionPlanRow, result: store.InspectionResultRow
) -> dict[str, Any]:
    outcome = InspectionOutcome(result.outcome)
    return {"polarity": outcome.polarity, "severity": outcome.severity, "plan_id": plan.id,
            "item": plan.item_code, "outcome": outcome.value, "finding": result.finding,
            "inspectors": list(result.inspectors)}  # fmt: skip
