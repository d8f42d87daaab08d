"""Incentive policies (惠企政策), the enterprise profile they are matched against, and the
verdict of one match with its trace (eligible / maybe / not eligible)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lingang.risk.rules.types import RuleSchema, Type


class Verdict(StrEnum):
    """Whether an enterprise qualifies for a policy."""

    ELIGIBLE = "eligible"
    MAYBE = "maybe"
    NOT_ELIGIBLE = "not_eligible"

    def label(self, lang: str = "zh-CN") -> str:
        """The verdict for people (zh-CN, or ``en``)."""
        zh, en = {
            Verdict.ELIGIBLE: ("符合", "Eligible"),
            Verdict.MAYBE: ("可能符合（缺少信息）", "Maybe (data missing)"),
            Verdict.NOT_ELIGIBLE: ("不符合", "Not eligible"),
        }[self]
        return en if lang == "en" else zh


class Area(StrEnum):
    """The area a policy applies to (its own scope, never its issuer's)."""

    LINGANG = "lingang"
    SHANGHAI = "shanghai"
    NATIONAL = "national"


AREA_FIELDS: dict[Area, str | None] = {
    Area.LINGANG: "in_lingang",
    Area.SHANGHAI: "in_shanghai",
    Area.NATIONAL: None,
}
"""The profile field that says an enterprise is inside each area (national: everyone)."""

DECLARED_FIELDS: dict[str, Type] = {
    "high_tech": Type.BOOL,
    "rd_expense_wan": Type.NUMBER,
    "revenue_wan": Type.NUMBER,
    "employees": Type.NUMBER,
    "talents": Type.NUMBER,
}
"""Facts an enterprise declares itself (``policy_profiles``): 高新技术企业, R&D spending and
revenue in 万元, employees, recognised talents (人才)."""

PROFILE_FIELDS: dict[str, Type] = {
    "industry_code": Type.STRING,
    "age_years": Type.NUMBER,
    "registered_capital_wan": Type.NUMBER,
    "size": Type.STRING,
    "in_lingang": Type.BOOL,
    "in_shanghai": Type.BOOL,
    "aeo_status": Type.STRING,
    "credit_class": Type.STRING,
    "customs_category": Type.STRING,
    "credit_policy": Type.STRING,
    "rd_ratio": Type.NUMBER,
    **DECLARED_FIELDS,
}
"""Every field an eligibility rule may name (risk-engine expression language)."""

PROFILE_SCHEMA = RuleSchema(fields=PROFILE_FIELDS)


@dataclass(frozen=True, slots=True)
class Policy:
    """One incentive policy; ``eligibility`` is an expression over the profile fields."""

    id: str
    title_zh: str
    title_en: str
    issuer: str
    area: Area
    benefit_zh: str
    benefit_en: str
    amount_wan: float | None
    valid_from: dt.date
    valid_to: dt.date | None
    exempt_application: bool
    eligibility: str
    illustrative: bool = True
    version: str = ""

    def in_force(self, on: dt.date) -> bool:
        """Whether the policy's period covers ``on``."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Condition:
    """One step of a trace: a condition, its result (None: could not tell) and the fields it
    needed that the profile lacks."""

    kind: str  # "period", "area" or "rule"
    source: str
    result: bool | None
    missing: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON form kept with a match."""
        return {"kind": self.kind, "source": self.source, "result": self.result,
                "missing": list(self.missing)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Match:
    """A policy's verdict for one enterprise: the failed condition (not eligible) or the
    missing data (maybe) named, and every condition's trace."""

    policy_id: str
    enterprise_uscc: str
    verdict: Verdict
    trace: tuple[Condition, ...]
    failed: str | None = None
    missing: tuple[str, ...] = field(default_factory=tuple)
    evaluated_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class InboxMessage:
    """A policy pushed to an enterprise's inbox (a new eligibility)."""

    id: int
    enterprise_uscc: str
    policy_id: str
    text: str
    created_at: dt.datetime
    read_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Grant:
    """A benefit granted without an application (免申即享)."""

    id: int
    enterprise_uscc: str
    policy_id: str
    amount_wan: float | None
    granted_at: dt.datetime
    granted_by: str
