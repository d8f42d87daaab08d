"""Incentive-policy matching (惠企政策一键直达): ``PolicyService`` wired as ``platform.policies``.

- The catalogue is shipped data (``catalogue/policies-v*.yaml``) loaded into the editable
  ``policies`` table; ``upsert_policy`` changes one policy and re-evaluates every enterprise.
- ``match(uscc)`` lists every policy with its verdict — eligible, maybe (missing data
  named) or not eligible (failed condition named) — and the trace of each condition. Rules
  are the risk engine's expressions over the enterprise profile: registry facts, the credit
  grade's effects and facts the enterprise declared itself (``policy_profiles``).
- Eligibility is scoped by the policy's own area (``in_lingang``/``in_shanghai``), never the
  issuer's.
- ``rematch_enterprise`` (on a policy change, a declared fact, a ``credit.grade_changed``)
  stores the verdicts; a NEW eligibility goes to the enterprise's inbox, and a 免申即享 policy
  is granted at once with an audit record.
- Staff with ``policies.view`` read every enterprise; an enterprise user only its own (any
  other USCC answers ``NotFound``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission
from lingang.auth.service import require
from lingang.bus.events import Event
from lingang.bus.relay import write_outbox
from lingang.credit.effects import CreditEffects
from lingang.credit.events import CreditGradeChanged
from lingang.db import UnitOfWorkFactory
from lingang.entities.model import Enterprise, validate_uscc
from lingang.errors import Invalid, LingangError, NotFound
from lingang.policies.catalogue import load_catalogue, parse_policy
from lingang.policies.eligibility import evaluate
from lingang.policies.events import PolicyEligibilityFound, PolicyGranted
from lingang.policies.model import (
    DECLARED_FIELDS,
    PROFILE_FIELDS,
    Grant,
    InboxMessage,
    Match,
    Policy,
    Verdict,
)
from lingang.policies.store import (
    PolicyGrantRow,
    PolicyInboxRow,
    PolicyMatchRow,
    PolicyProfileRow,
    PolicyRow,
    fill,
    to_grant,
    to_match,
    to_message,
    to_policy,
)
from lingang.risk.rules.types import Type
from lingang.types import SYSTEM, Actor, utcnow
from lingang.workdays import SHANGHAI

EnterpriseOf = Callable[[Actor], str | None]
"""The USCC of an enterprise user's own enterprise (None when it has none)."""
EnterpriseLookup = Callable[[str], Enterprise | None]
CreditLookup = Callable[[str], CreditEffects]
Enterprises = Callable[[], Sequence[str]]
"""Every registered enterprise's USCC."""

POLICY_CONSUMER = "policy-matching"
LINGANG_MARKERS = ("临港", "南汇新城", "洋山", "Lingang")
SHANGHAI_MARKERS = ("上海", "Shanghai")
DAYS_PER_YEAR = 365.25
CHUNK = 200


def size_of(capital_wan: float) -> str:
    """An illustrative size class from registered capital (万元)."""
    if capital_wan < 100:
        return "micro"
    if capital_wan < 1000:
        return "small"
    return "medium" if capital_wan < 10000 else "large"


@dataclass(frozen=True, slots=True)
class RematchReport:
    """What a re-evaluation of every enterprise did."""

    enterprises: int
    new_eligibilities: int
    grants: int


class PolicyService:
    """The policy catalogue, matches with their traces, the inbox and 免申即享 grants."""

    def __init__(
        self, uow: UnitOfWorkFactory, audit: AuditService, *, enterprise: EnterpriseLookup,
        credit: CreditLookup, enterprises: Enterprises, enterprise_of: EnterpriseOf,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._audit = audit
        self._enterprise = enterprise
        self._credit = credit
        self._enterprises = enterprises
        self._enterprise_of = enterprise_of
        self._now = clock

    def today(self) -> dt.date:
        """Today in Shanghai."""
        return self._now().astimezone(SHANGHAI).date()

    # --- catalogue --------------------------------------------------------------------------

    def load_catalogue(self, *, actor: Actor, directory: Path | None = None) -> RematchReport:
        """Load the shipped catalogue (or ``directory``'s) into the editable table, replacing
        policies of the same id, then re-evaluate every enterprise."""
        require(actor, Permission.MANAGE_POLICIES)
        shipped = load_catalogue(directory)
        with self._uow() as uow:
            for policy in shipped:
                self._put(uow.session, policy, actor)
            self._audit.record(uow.session, actor=actor, action="policies.loaded",
                               object_type="policy_catalogue",
                               object_id=shipped[0].version if shipped else "",
                               after={"policies": [p.id for p in shipped]},
                               detail=f"{len(shipped)} policies loaded")  # fmt: skip
            uow.commit()
        return self.rematch_all()

    def policies(self, *, actor: Actor) -> list[Policy]:
        """Every policy of the catalogue, by id."""
        _require_view(actor)
        with self._uow.read() as session:
            return self._stored(session)

    def policy(self, policy_id: str, *, actor: Actor) -> Policy:
        """One policy."""
        _require_view(actor)
        with self._uow.read() as session:
            row = session.get(PolicyRow, policy_id)
            if row is None:
                raise NotFound(f"policy {policy_id} not found")
            return to_policy(row)

    def upsert_policy(self, data: Mapping[str, Any], *, actor: Actor) -> Policy:
        """Add or change one policy (checked like the catalogue), then re-evaluate every
        enterprise: new eligibilities reach their inboxes."""
        require(actor, Permission.MANAGE_POLICIES)
        policy = parse_policy(dict(data), "policy", version=str(data.get("version", "edited")))
        with self._uow() as uow:
            self._put(uow.session, policy, actor)
            uow.commit()
        self.rematch_all()
        return policy

    def _put(self, session: Session, policy: Policy, actor: Actor) -> None:
        row = session.get(PolicyRow, policy.id)
        before = _policy_data(to_policy(row)) if row is not None else None
        if row is None:
            row = PolicyRow(id=policy.id)
            session.add(row)
        fill(row, policy)
        row.updated_by, row.updated_at = actor.username, self._now()
        self._audit.record(session, actor=actor, action="policies.upserted", object_type="policy",
                           object_id=policy.id, before=before, after=_policy_data(policy),
                           detail=policy.title_zh)  # fmt: skip

    @staticmethod
    def _stored(session: Session) -> list[Policy]:
        return [to_policy(r) for r in session.scalars(select(PolicyRow).order_by(PolicyRow.id))]

    # --- profile and matching ---------------------------------------------------------------

    def profile(self, uscc: str, *, actor: Actor) -> dict[str, Any]:
        """The facts an enterprise is matched on (None where unknown)."""
        return self._profile(self._readable(uscc, actor))

    def _profile(self, code: str) -> dict[str, Any]:
        facts: dict[str, Any] = dict.fromkeys(PROFILE_FIELDS)
        found = self._enterprise(code)
        if found is not None:
            facts["industry_code"] = found.industry_code or None
            if found.registered_on is not None:
                age = (self.today() - found.registered_on).days / DAYS_PER_YEAR
                facts["age_years"] = round(age, 2)
            if found.registered_capital_wan > 0:
                facts["registered_capital_wan"] = found.registered_capital_wan
                facts["size"] = size_of(found.registered_capital_wan)
            if found.address.strip():
                inside = any(m in found.address for m in LINGANG_MARKERS)
                facts["in_lingang"] = inside
                facts["in_shanghai"] = inside or any(m in found.address for m in SHANGHAI_MARKERS)
            facts["aeo_status"] = found.aeo_status.value
        try:
            effects = self._credit(code)
        except LingangError:
            effects = None
        if effects is not None:
            facts["credit_class"] = effects.zone_class.value
            facts["customs_category"] = effects.customs_category.value
            facts["credit_policy"] = effects.policy.value
        with self._uow.read() as session:
            declared = session.get(PolicyProfileRow, code)
            facts.update((declared.facts or {}) if declared else {})
        rd, revenue = facts.get("rd_expense_wan"), facts.get("revenue_wan")
        if rd is not None and revenue:
            facts["rd_ratio"] = round(float(rd) / float(revenue), 4)
        return facts

    def match(self, uscc: str, *, actor: Actor) -> list[Match]:
        """Every policy's verdict for the enterprise now, each with its trace."""
        code = self._readable(uscc, actor)
        profile = self._profile(code)
        with self._uow.read() as session:
            policies = self._stored(session)
        now, day = self._now(), self.today()
        return [_stamped(evaluate(p, code, profile, day), now) for p in policies]

    def matches(self, uscc: str, *, actor: Actor) -> list[Match]:
        """The stored verdicts (as of the last re-evaluation)."""
        code = self._readable(uscc, actor)
        with self._uow.read() as session:
            rows = session.scalars(
                select(PolicyMatchRow)
                .where(PolicyMatchRow.enterprise_uscc == code)
                .order_by(PolicyMatchRow.policy_id)
            )
            return [to_match(r) for r in rows]

    def declare(self, uscc: str, facts: Mapping[str, Any], *, actor: Actor) -> dict[str, Any]:
        """Set self-declared facts (R&D spending, employees…; None clears one) and
        re-evaluate the enterprise. Enterprise users declare for their own enterprise."""
        code = self._readable(uscc, actor)
        if not actor.is_enterprise:
            require(actor, Permission.MANAGE_POLICIES)
        clean = _declared(facts)
        with self._uow() as uow:
            row = uow.session.get(PolicyProfileRow, code)
            before = dict(row.facts or {}) if row else {}
            if row is None:
                row = PolicyProfileRow(enterprise_uscc=code, facts={})
                uow.session.add(row)
            after = {k: v for k, v in (before | clean).items() if v is not None}
            row.facts, row.updated_by, row.updated_at = after, actor.username, self._now()
            self._audit.record(uow.session, actor=actor, action="policies.profile_declared",
                               object_type="enterprise", object_id=code, before=before,
                               after=after, detail=f"{code} declared {sorted(clean)}")  # fmt: skip
            uow.commit()
        self.rematch_enterprise(code)
        return after

    # --- re-evaluation ----------------------------------------------------------------------

    def rematch_enterprise(self, uscc: str) -> list[str]:
        """Re-evaluate one enterprise and store its verdicts; the ids of the policies it
        NEWLY qualifies for (each pushed to its inbox; 免申即享 ones granted)."""
        code = validate_uscc(uscc)
        profile = self._profile(code)
        with self._uow() as uow:
            new, _ = self._apply(uow.session, code, profile)
            uow.commit()
        return new

    def on_grade_changed(self, session: Session, event: Event) -> None:
        """Bus handler of the ``policy-matching`` consumer: a changed credit grade
        re-evaluates its enterprise. Never commits."""
        if isinstance(event, CreditGradeChanged):
            self._apply(session, event.enterprise_uscc, self._profile(event.enterprise_uscc))

    def rematch_all(self) -> RematchReport:
        """Re-evaluate every registered enterprise (and any with declared facts), one
        transaction per chunk."""
        with self._uow.read() as session:
            declared = set(session.scalars(select(PolicyProfileRow.enterprise_uscc)))
        usccs = sorted(set(self._enterprises()) | declared)
        new = grants = 0
        for start in range(0, len(usccs), CHUNK):
            part = usccs[start : start + CHUNK]
            profiles = {code: self._profile(code) for code in part}
            with self._uow() as uow:
                for code in part:
                    found, granted = self._apply(uow.session, code, profiles[code])
                    new, grants = new + len(found), grants + granted
                uow.commit()
        return RematchReport(len(usccs), new, grants)

    def _apply(
        self, session: Session, code: str, profile: Mapping[str, Any]
    ) -> tuple[list[str], int]:
        now, day = self._now(), self.today()
        rows = {r.policy_id: r for r in session.scalars(
            select(PolicyMatchRow).where(PolicyMatchRow.enterprise_uscc == code))}  # fmt: skip
        new: list[str] = []
        events: list[Event] = []
        granted = 0
        for policy in self._stored(session):
            found = evaluate(policy, code, profile, day)
            row = rows.get(policy.id)
            was = row.verdict if row is not None else None
            if row is None:
                row = PolicyMatchRow(enterprise_uscc=code, policy_id=policy.id)
                session.add(row)
            row.verdict, row.failed, row.missing = (
                found.verdict.value,
                found.failed,
                list(found.missing),
            )
            row.trace, row.evaluated_at = [c.as_dict() for c in found.trace], now
            if found.verdict is not Verdict.ELIGIBLE or was == Verdict.ELIGIBLE.value:
                continue
            new.append(policy.id)
            session.add(PolicyInboxRow(enterprise_uscc=code, policy_id=policy.id,
                                       text=_message(policy, found), created_at=now))  # fmt: skip
            events.append(
                PolicyEligibilityFound(
                    enterprise_uscc=code,
                    policy_id=policy.id,
                    exempt_application=policy.exempt_application,
                )
            )
            if policy.exempt_application and self._grant(session, code, policy, found, now):
                granted += 1
                events.append(PolicyGranted(enterprise_uscc=code, policy_id=policy.id,
                                            amount_wan=policy.amount_wan))  # fmt: skip
        session.flush()
        write_outbox(session, events)
        return new, granted

    def _grant(self, session: Session, code: str, policy: Policy, found: Match,
               now: dt.datetime) -> bool:  # fmt: skip
        exists = session.scalar(
            select(PolicyGrantRow.id).where(
                PolicyGrantRow.enterprise_uscc == code, PolicyGrantRow.policy_id == policy.id
            )
        )
        if exists is not None:
            return False
        session.add(PolicyGrantRow(enterprise_uscc=code, policy_id=policy.id,
                                   amount_wan=policy.amount_wan, granted_at=now,
                                   granted_by=SYSTEM.username))  # fmt: skip
        self._audit.record(session, actor=SYSTEM, action="policies.granted",
                           object_type="enterprise", object_id=code,
                           after={"policy_id": policy.id, "amount_wan": policy.amount_wan,
                                  "trace": [c.as_dict() for c in found.trace]},
                           detail=f"免申即享 {policy.id} → {code}")  # fmt: skip
        return True

    # --- inbox and grants -------------------------------------------------------------------

    def inbox(self, *, actor: Actor, uscc: str | None = None) -> list[InboxMessage]:
        """An enterprise's inbox, newest first: the user's own (staff name the USCC)."""
        if uscc is None:
            own = self._enterprise_of(actor) if actor.is_enterprise else None
            if own is None:
                raise Invalid("uscc", "name the enterprise whose inbox to read")
            uscc = own
        code = self._readable(uscc, actor)
        with self._uow.read() as session:
            rows = session.scalars(
                select(PolicyInboxRow)
                .where(PolicyInboxRow.enterprise_uscc == code)
                .order_by(PolicyInboxRow.id.desc())
            )
            return [to_message(r) for r in rows]

    def mark_read(self, message_id: int, *, actor: Actor) -> InboxMessage:
        """Mark one of the enterprise user's own messages read."""
        with self._uow() as uow:
            row = uow.session.get(PolicyInboxRow, message_id)
            if row is None or not actor.is_enterprise or \
                    self._enterprise_of(actor) != row.enterprise_uscc:  # fmt: skip
                raise NotFound(f"message {message_id} not found")
            if row.read_at is None:
                row.read_at = self._now()
            message = to_message(row)
            uow.commit()
            return message

    def grants(self, uscc: str, *, actor: Actor) -> list[Grant]:
        """The 免申即享 benefits granted to the enterprise, oldest first."""
        code = self._readable(uscc, actor)
        with self._uow.read() as session:
            rows = session.scalars(select(PolicyGrantRow).where(
                PolicyGrantRow.enterprise_uscc == code).order_by(PolicyGrantRow.id))  # fmt: skip
            return [to_grant(r) for r in rows]

    # --- access -----------------------------------------------------------------------------

    def _readable(self, uscc: str, actor: Actor) -> str:
        try:
            code = validate_uscc(uscc)
        except Invalid:
            raise NotFound(f"enterprise {uscc} not found") from None
        if actor.is_enterprise:
            require(actor, Permission.VIEW_POLICIES)
            if self._enterprise_of(actor) != code:
                raise NotFound(f"enterprise {uscc} not found")
            return code
        require(actor, Permission.VIEW_POLICIES)
        return code


def _stamped(found: Match, now: dt.datetime) -> Match:
    return Match(found.policy_id, found.enterprise_uscc, found.verdict, found.trace,
                 failed=found.failed, missing=found.missing, evaluated_at=now)  # fmt: skip


def _message(policy: Policy, found: Match) -> str:
    reasons = "；".join(c.source for c in found.trace)
    exempt = "免申即享，已直接兑现，无需申请。" if policy.exempt_application else "请在线申请。"
    return f"您的企业符合「{policy.title_zh}」：{policy.benefit_zh}。{exempt}依据：{reasons}"


def _declared(facts: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in facts.items():
        kind = DECLARED_FIELDS.get(key)
        if kind is None:
            raise Invalid(key, f"not a declared fact (one of {', '.join(DECLARED_FIELDS)})")
        if value is None:
            clean[key] = None
        elif kind is Type.BOOL:
            if not isinstance(value, bool):
                raise Invalid(key, "true or false")
            clean[key] = value
        else:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise Invalid(key, "a non-negative number")
            clean[key] = float(value)
    return clean


def _policy_data(policy: Policy) -> dict[str, Any]:
    return {"title_zh": policy.title_zh, "area": policy.area.value,
            "amount_wan": policy.amount_wan, "valid_from": policy.valid_from.isoformat(),
            "valid_to": policy.valid_to.isoformat() if policy.valid_to else None,
            "exempt_application": policy.exempt_application,
            "eligibility": policy.eligibility}  # fmt: skip



def _require_view(actor: Actor) -> None:
    require(actor, Permission.VIEW_POLICIES)
