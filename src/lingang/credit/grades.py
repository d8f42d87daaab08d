"""Enterprise credit grades (信用分级分类, issue #6): ``CreditService`` wired as
``platform.credit``.

- ``grade(uscc, as_of=)`` grades live from the enterprise's records under the rule sets in
  force on ``as_of`` — any past date gives the grade of that day (only records that occurred
  by then count; repairs approved by then are honoured).
- ``regrade`` (in the caller's transaction) stores a grade when it differs from the current
  one: a row of history (``credit_grades``), the current standing (``credit_standings``) and
  a ``CreditGradeChanged`` event. New records regrade their enterprise at once (the
  ``credit-records`` consumer, imports, inspections); ``regrade_all`` grades the whole zone.
- ``effects(uscc)`` is the one call the rest of the platform makes: sampling weight,
  commitment-based approval, fast tracks, restrictions and policy eligibility.
- Staff with ``credit.view`` read every enterprise; an enterprise user only its own (any
  other USCC answers ``NotFound``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission
from lingang.auth.service import require
from lingang.bus.relay import write_outbox
from lingang.credit.effects import CreditEffects, EffectsPolicy, effects_of, policy_on
from lingang.credit.events import CreditGradeChanged
from lingang.credit.grading import CreditGrade, Factor, GradingInput, grade
from lingang.credit.model import CreditRecord
from lingang.credit.rulesets import CustomsCategory, Rulesets, ZoneClass
from lingang.credit.store import (
    CreditGradeRow,
    CreditObjectionRow,
    CreditProfileRow,
    CreditRecordRow,
    CreditRepairRow,
    CreditStandingRow,
    to_record,
)
from lingang.db import UnitOfWorkFactory
from lingang.entities.model import AeoStatus, validate_uscc
from lingang.errors import Invalid, NotFound
from lingang.types import Actor, utcnow
from lingang.workdays import SHANGHAI

EnterpriseOf = Callable[[Actor], str | None]
"""The USCC of an enterprise user's own enterprise (None when it has none)."""
Registry = Callable[[Sequence[str] | None], Mapping[str, AeoStatus]]
"""The registered AEO status of registered enterprises among the USCCs given (all: None)."""
DeclarationCounts = Callable[[int], Mapping[str, int]]
"""Declarations per enterprise USCC in a calendar year (from the lake)."""
Progress = Callable[[int, int], None]
APPROVED = "approved"
UPHELD = "upheld"
DECLARATIONS_TTL_S = 60.0
#: a class for an enterprise that has never been graded (inspections treat it as general)
UNGRADED_CLASS = ZoneClass.B


@dataclass(frozen=True, slots=True)
class StoredGrade:
    """A grade as kept in the history (and, the newest, as the standing)."""

    id: int
    enterprise_uscc: str
    as_of: dt.date
    instrument: str
    customs_category: CustomsCategory
    score: int
    zone_class: ZoneClass
    on_serious_list: bool
    dishonest_reasons: tuple[str, ...]
    factors: tuple[Factor, ...]
    ruleset_versions: dict[str, str]
    trigger: str
    graded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Standing:
    """An enterprise's current grade in brief (lists)."""

    enterprise_uscc: str
    as_of: dt.date
    zone_class: ZoneClass
    score: int
    customs_category: CustomsCategory
    on_serious_list: bool


@dataclass(frozen=True, slots=True)
class Distribution:
    """How the zone's current grades spread over classes and customs categories."""

    total: int
    by_class: dict[ZoneClass, int]
    by_category: dict[CustomsCategory, int]
    ungraded: int


@dataclass(frozen=True, slots=True)
class RegradeReport:
    """What a zone-wide regrade did."""

    as_of: dt.date
    graded: int
    changed: int
    by_class: dict[ZoneClass, int]


class CreditService:
    """Grades, their history, the zone's distribution and what a grade decides."""

    def __init__(
        self, uow: UnitOfWorkFactory, audit: AuditService, *, rulesets: Rulesets,
        policies: Sequence[EffectsPolicy], registry: Registry,
        declarations: DeclarationCounts, enterprise_of: EnterpriseOf,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._audit = audit
        self.rulesets = rulesets
        self.policies = list(policies)
        self._registry = registry
        self._declarations = declarations
        self._enterprise_of = enterprise_of
        self._now = clock
        self._declaration_cache: dict[int, tuple[float, dict[str, int]]] = {}

    def registry(self, usccs: Sequence[str] | None = None) -> Mapping[str, AeoStatus]:
        """The registered AEO status of registered enterprises (among ``usccs``)."""
        return self._registry(usccs)

    def declarations(self, year: int) -> Mapping[str, int]:
        """Declarations per enterprise in ``year`` (the 失信 per-mille base), read from the
        lake at most once a minute per year."""
        now = time.monotonic()
        cached = self._declaration_cache.get(year)
        if cached is None or now - cached[0] > DECLARATIONS_TTL_S:
            cached = (now, dict(self._declarations(year)))
            self._declaration_cache[year] = cached
        return cached[1]

    def today(self) -> dt.date:
        """Today in Asia/Shanghai (the platform's grading day)."""
        return self._now().astimezone(SHANGHAI).date()

    # --- grading ----------------------------------------------------------------------------

    def grade(self, uscc: str, *, actor: Actor, as_of: dt.date | None = None) -> CreditGrade:
        """The enterprise's grade on ``as_of`` (default today), computed from its records."""
        code = self._readable(uscc, actor)
        day = as_of or self.today()
        with self._uow.read() as session:
            return self._grade(session, code, day, _Facts.load(self, session, [code], day))

    def regrade(self, session: Session, uscc: str, *, trigger: str) -> CreditGrade:
        """Grade today in the caller's transaction; store it and emit ``CreditGradeChanged``
        when it differs from the standing. Never commits."""
        day = self.today()
        graded = self._grade(session, uscc, day, _Facts.load(self, session, [uscc], day))
        self._store(session, graded, trigger)
        return graded

    def regrade_in(self, session: Session, uscc: str, trigger: str) -> None:
        """``regrade`` as the callable ``CreditRecords`` takes."""
        self.regrade(session, uscc, trigger=trigger)

    def regrade_all(
        self, *, actor: Actor, progress: Progress | None = None, chunk: int = 500
    ) -> RegradeReport:
        """Grade every registered enterprise (and any other with records) today, one
        transaction per ``chunk``; report how many grades changed."""
        require(actor, Permission.MANAGE_CREDIT)
        day = self.today()
        registry = self._registry(None)
        with self._uow.read() as session:
            recorded = set(session.scalars(select(CreditRecordRow.enterprise_uscc).distinct()))
        usccs = sorted(set(registry) | recorded)
        changed, classes = 0, Counter[ZoneClass]()
        for start in range(0, len(usccs), chunk):
            part = usccs[start : start + chunk]
            with self._uow() as uow:
                facts = _Facts.load(self, uow.session, part, day, registry=registry)
                for uscc in part:
                    graded = self._grade(uow.session, uscc, day, facts)
                    changed += self._store(uow.session, graded, "regrade_all")
                    classes[graded.zone_class] += 1
                self._audit.record(uow.session, actor=actor, action="credit.regraded",
                                   object_type="zone", object_id=day.isoformat(),
                                   after={"graded": len(part), "from": part[0]},
                                   detail=f"{len(part)} enterprises graded")  # fmt: skip
                uow.commit()
            if progress is not None:
                progress(min(start + chunk, len(usccs)), len(usccs))
        by_class = {c: classes.get(c, 0) for c in ZoneClass}
        return RegradeReport(day, len(usccs), changed, by_class)

    def _grade(self, session: Session, uscc: str, day: dt.date, facts: _Facts) -> CreditGrade:
        inp = GradingInput(
            uscc=uscc, as_of=day, is_broker=facts.brokers.get(uscc, False),
            aeo_status=facts.aeo.get(uscc, AeoStatus.NONE),
            declarations_previous_year=facts.declarations.get(uscc) or None,
            records=tuple(facts.records.get(uscc, ())),
            repaired=frozenset(facts.repaired.get(uscc, ())),
        )  # fmt: skip
        return grade(inp, self.rulesets)

    def _store(self, session: Session, graded: CreditGrade, trigger: str) -> int:
        """Keep ``graded`` when it differs from the standing; 1 when kept, else 0."""
        standing = session.get(CreditStandingRow, graded.uscc, with_for_update=True)
        if standing is not None and _same(standing, graded):
            return 0
        row = CreditGradeRow(
            enterprise_uscc=graded.uscc, as_of=graded.as_of, instrument=graded.instrument,
            customs_category=graded.customs_category.value, score=graded.score,
            zone_class=graded.zone_class.value, on_serious_list=graded.on_serious_list,
            dishonest_reasons=list(graded.dishonest_reasons),
            factors=[_factor_data(f) for f in graded.factors],
            ruleset_versions=dict(graded.ruleset_versions), trigger=trigger[:120],
            graded_at=self._now(),
        )  # fmt: skip
        session.add(row)
        session.flush()
        event = CreditGradeChanged(
            enterprise_uscc=graded.uscc, as_of=graded.as_of, zone_class=row.zone_class,
            customs_category=row.customs_category, score=row.score,
            previous_class=standing.zone_class if standing else None,
            previous_category=standing.customs_category if standing else None,
            previous_score=standing.score if standing else None, trigger=row.trigger,
        )  # fmt: skip
        if standing is None:
            standing = CreditStandingRow(enterprise_uscc=graded.uscc)
            session.add(standing)
        for name in ("as_of", "instrument", "customs_category", "score", "zone_class",
                     "on_serious_list"):  # fmt: skip
            setattr(standing, name, getattr(row, name))
        standing.grade_id, standing.updated_at = row.id, row.graded_at
        write_outbox(session, [event])
        return 1

    def validate_record(self, record: CreditRecord) -> None:
        """Check a record before it is stored: not in the future, and facts that grading can
        read (``Invalid`` names ``details.<key>``)."""
        if record.occurred_on > self.today():
            raise Invalid("occurred_on", f"{record.occurred_on} is in the future")
        probe = GradingInput(uscc=record.enterprise_uscc, as_of=self.today(), is_broker=False,
                             aeo_status=AeoStatus.NONE, declarations_previous_year=None,
                             records=(record,))  # fmt: skip
        grade(probe, self.rulesets)

    # --- reading ----------------------------------------------------------------------------

    def standing(self, uscc: str, *, actor: Actor) -> StoredGrade | None:
        """The enterprise's current stored grade (None when never graded)."""
        code = self._readable(uscc, actor)
        with self._uow.read() as session:
            standing = session.get(CreditStandingRow, code)
            if standing is None:
                return None
            row = session.get(CreditGradeRow, standing.grade_id)
            assert row is not None
            return _stored(row)

    def history(self, uscc: str, *, actor: Actor) -> list[StoredGrade]:
        """Every stored change of the enterprise's grade, oldest first (the history chart)."""
        code = self._readable(uscc, actor)
        with self._uow.read() as session:
            rows = session.scalars(select(CreditGradeRow)
                                   .where(CreditGradeRow.enterprise_uscc == code)
                                   .order_by(CreditGradeRow.id))  # fmt: skip
            return [_stored(row) for row in rows]

    def distribution(self, *, actor: Actor) -> Distribution:
        """Current grades by class and by customs category (staff only)."""
        require(actor, Permission.VIEW_CREDIT)
        with self._uow.read() as session:
            rows = session.execute(
                select(CreditStandingRow.zone_class, CreditStandingRow.customs_category)
            ).all()
        registered = len(self._registry(None))
        classes = Counter(ZoneClass(c) for c, _ in rows)
        categories = Counter(CustomsCategory(k) for _, k in rows)
        return Distribution(
            total=len(rows), by_class={c: classes.get(c, 0) for c in ZoneClass},
            by_category=dict(sorted(categories.items())),
            ungraded=max(registered - len(rows), 0),
        )  # fmt: skip

    def standings(
        self, *, actor: Actor, zone_class: ZoneClass | None = None, limit: int = 100
    ) -> list[Standing]:
        """Current grades, lowest score first (optionally of one class; staff only)."""
        require(actor, Permission.VIEW_CREDIT)
        query = select(CreditStandingRow).order_by(CreditStandingRow.score,
                                                    CreditStandingRow.enterprise_uscc)  # fmt: skip
        if zone_class is not None:
            query = query.where(CreditStandingRow.zone_class == zone_class.value)
        with self._uow.read() as session:
            rows = session.scalars(query.limit(max(1, min(limit, 1000))))
            return [Standing(r.enterprise_uscc, r.as_of, ZoneClass(r.zone_class), r.score,
                             CustomsCategory(r.customs_category), r.on_serious_list)
                    for r in rows]  # fmt: skip

    def class_of(self, usccs: Sequence[str]) -> dict[str, str]:
        """The current class of each graded enterprise among ``usccs`` (for 双随机 draws);
        the ungraded are left out."""
        wanted = set(usccs)
        with self._uow.read() as session:
            rows = session.execute(
                select(CreditStandingRow.enterprise_uscc, CreditStandingRow.zone_class)
            ).all()
        return {uscc: cls for uscc, cls in rows if uscc in wanted}

    # --- effects ----------------------------------------------------------------------------

    def effects_policy(self, on: dt.date | None = None) -> EffectsPolicy:
        """The effects data in force on ``on`` (default today)."""
        return policy_on(self.policies, on or self.today())

    def effects(self, uscc: str, *, actor: Actor | None = None) -> CreditEffects:
        """What the enterprise's current grade decides (its stored standing; graded now when
        it has none). Other domains call it without an actor; a door passes the reader."""
        code = self._readable(uscc, actor) if actor is not None else validate_uscc(uscc)
        with self._uow.read() as session:
            standing = session.get(CreditStandingRow, code)
            if standing is not None:
                zone_class = ZoneClass(standing.zone_class)
                category = CustomsCategory(standing.customs_category)
                serious, day = standing.on_serious_list, self.today()
            else:
                day = self.today()
                graded = self._grade(session, code, day, _Facts.load(self, session, [code], day))
                zone_class, category = graded.zone_class, graded.customs_category
                serious = graded.on_serious_list
        return effects_of(self.effects_policy(day), code, day, zone_class, category,
                          serious_list=serious)  # fmt: skip

    # --- profile ----------------------------------------------------------------------------

    def set_broker(self, uscc: str, is_broker: bool, *, actor: Actor) -> CreditGrade:
        """Mark an enterprise a customs broker (报关企业: lower 失信 thresholds) or not, and
        regrade it."""
        require(actor, Permission.MANAGE_CREDIT)
        code = validate_uscc(uscc)
        with self._uow() as uow:
            row = uow.session.get(CreditProfileRow, code)
            before = row.is_broker if row else None
            if row is None:
                row = CreditProfileRow(enterprise_uscc=code)
                uow.session.add(row)
            row.is_broker, row.updated_by, row.updated_at = is_broker, actor.username, self._now()
            self._audit.record(uow.session, actor=actor, action="credit.profile_set",
                               object_type="enterprise", object_id=code,
                               before={"is_broker": before}, after={"is_broker": is_broker},
                               detail=f"{code} broker={is_broker}")  # fmt: skip
            uow.session.flush()
            graded = self.regrade(uow.session, code, trigger=f"profile by {actor.username}")
            uow.commit()
            return graded

    # --- access -----------------------------------------------------------------------------

    def own_uscc(self, actor: Actor) -> str | None:
        """An enterprise user's own USCC (None for staff, or an unbound user)."""
        return self._enterprise_of(actor) if actor.is_enterprise else None

    def readable(self, uscc: str, actor: Actor) -> str:
        """The normalised USCC when ``actor`` may read its credit; else NotFound/Forbidden."""
        return self._readable(uscc, actor)

    def _readable(self, uscc: str, actor: Actor) -> str:
        try:
            code = validate_uscc(uscc)
        except Invalid:
            raise NotFound(f"enterprise {uscc} not found") from None
        if actor.is_enterprise:
            if self._enterprise_of(actor) != code:
                raise NotFound(f"enterprise {uscc} not found")
            return code
        require(actor, Permission.VIEW_CREDIT)
        return code


@dataclass(frozen=True, slots=True)
class _Facts:
    """What grading a set of enterprises reads, loaded once for all of them."""

    records: dict[str, list[CreditRecord]]
    repaired: dict[str, set[int]]
    brokers: dict[str, bool]
    aeo: Mapping[str, AeoStatus]
    declarations: Mapping[str, int]

    @classmethod
    def load(
        cls, service: CreditService, session: Session, usccs: Sequence[str], day: dt.date,
        *, registry: Mapping[str, AeoStatus] | None = None,
    ) -> _Facts:  # fmt: skip
        wanted = list(usccs)
        withdrawn = _withdrawn(session, wanted, day)
        records: dict[str, list[CreditRecord]] = defaultdict(list)
        query = select(CreditRecordRow).where(CreditRecordRow.enterprise_uscc.in_(wanted))
        for row in session.scalars(query):
            if row.id not in withdrawn and not _withdrawn_by(row, day):
                records[row.enterprise_uscc].append(to_record(row))
        repaired: dict[str, set[int]] = defaultdict(set)
        approved = select(CreditRepairRow).where(
            CreditRepairRow.enterprise_uscc.in_(wanted), CreditRepairRow.status == APPROVED
        )
        for repair in session.scalars(approved):
            decided = repair.decided_at
            if decided is not None and decided.astimezone(SHANGHAI).date() <= day:
                repaired[repair.enterprise_uscc].update(repair.record_ids)
        profiles = select(CreditProfileRow).where(CreditProfileRow.enterprise_uscc.in_(wanted))
        brokers = {row.enterprise_uscc: row.is_broker for row in session.scalars(profiles)}
        aeo = registry if registry is not None else service.registry(wanted)
        return cls(records, repaired, brokers, aeo, service.declarations(day.year - 1))


def _withdrawn(session: Session, usccs: Sequence[str], day: dt.date) -> set[int]:
    """Records withdrawn by an objection upheld on or before ``day`` (异议成立)."""
    upheld = select(CreditObjectionRow).where(
        CreditObjectionRow.enterprise_uscc.in_(list(usccs)), CreditObjectionRow.status == UPHELD
    )
    return {
        row.record_id for row in session.scalars(upheld)
        if row.decided_at is not None and row.decided_at.astimezone(SHANGHAI).date() <= day
    }  # fmt: skip


def _withdrawn_by(row: CreditRecordRow, day: dt.date) -> bool:
    """Whether the record's details say it stopped counting on or before ``day``."""
    withdrawn = (row.details or {}).get("withdrawn_on")
    return bool(withdrawn) and str(withdrawn) <= day.isoformat()


def _same(standing: CreditStandingRow, graded: CreditGrade) -> bool:
    return (standing.zone_class, standing.customs_category, standing.score,
            standing.on_serious_list, standing.instrument) == (
        graded.zone_class.value, graded.customs_category.value, graded.score,
        graded.on_serious_list, graded.instrument)  # fmt: skip


def _factor_data(factor: Factor) -> dict[str, Any]:
    data = asdict(factor)
    data["record_ids"] = list(factor.record_ids)
    return data


def _stored(row: CreditGradeRow) -> StoredGrade:
    return StoredGrade(
        id=row.id, enterprise_uscc=row.enterprise_uscc, as_of=row.as_of,
        instrument=row.instrument, customs_category=CustomsCategory(row.customs_category),
        score=row.score, zone_class=ZoneClass(row.zone_class),
        on_serious_list=row.on_serious_list, dishonest_reasons=tuple(row.dishonest_reasons),
        factors=tuple(_factor(f) for f in row.factors), ruleset_versions=dict(row.ruleset_versions),
        trigger=row.trigger, graded_at=row.graded_at,
    )  # fmt: skip


def _factor(data: Mapping[str, Any]) -> Factor:
    return Factor(code=str(data["code"]), label_zh=str(data["label_zh"]),
                  label_en=str(data["label_en"]), points=int(data["points"]),
                  detail=str(data["detail"]),
                  record_ids=tuple(int(i) for i in data.get("record_ids", ())))  # fmt: skip

