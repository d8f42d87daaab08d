"""Wire schemas of incentive-policy matching (惠企政策). Rules in docs/policies.md."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lingang.api.schemas.cases import LabelPublic
from lingang.policies.model import Area, Grant, InboxMessage, Match, Policy, Verdict


class PolicyPublic(BaseModel):
    """One incentive policy; ``eligibility`` is an expression of the risk-rule language."""

    id: str = Field(examples=["LG-RD-2026"])
    title: LabelPublic
    issuer: str
    area: Area = Field(description="the policy's own scope (decides eligibility)")
    benefit: LabelPublic
    amount_wan: float | None = Field(description="the most granted, 万元")
    valid_from: dt.date
    valid_to: dt.date | None
    exempt_application: bool = Field(description="免申即享: granted without an application")
    eligibility: str = Field(examples=["rd_expense_wan >= 100 and rd_ratio >= 0.03"])
    illustrative: bool
    version: str


class PolicyRequest(BaseModel):
    """A policy to add or change (checked like the shipped catalogue)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    title_zh: str
    title_en: str
    issuer: str
    area: Area
    benefit_zh: str
    benefit_en: str
    amount_wan: float | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    exempt_application: bool = False
    eligibility: str
    illustrative: bool = True


class ConditionPublic(BaseModel):
    """One step of a match's trace; ``result`` null: could not tell (data missing)."""

    kind: str = Field(examples=["rule"])
    source: str = Field(examples=["employees >= 10"])
    result: bool | None
    missing: list[str]


class MatchPublic(BaseModel):
    """A policy's verdict for an enterprise, with the trace of every condition."""

    policy_id: str
    enterprise_uscc: str
    verdict: Verdict
    verdict_label: LabelPublic
    failed: str | None = Field(description="the first failed condition (not eligible)")
    missing: list[str] = Field(description="the data that would decide it (maybe)")
    trace: list[ConditionPublic]
    evaluated_at: dt.datetime | None


class DeclareRequest(BaseModel):
    """Self-declared facts; null clears one."""

    model_config = ConfigDict(extra="forbid")

    high_tech: bool | None = None
    rd_expense_wan: float | None = Field(default=None, ge=0)
    revenue_wan: float | None = Field(default=None, ge=0)
    employees: float | None = Field(default=None, ge=0)
    talents: float | None = Field(default=None, ge=0)


class InboxMessagePublic(BaseModel):
    """A new eligibility pushed to an enterprise."""

    id: int
    enterprise_uscc: str
    policy_id: str
    text: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class GrantPublic(BaseModel):
    """A 免申即享 benefit granted without an application."""

    id: int
    enterprise_uscc: str
    policy_id: str
    amount_wan: float | None
    granted_at: dt.datetime
    granted_by: str


class RematchPublic(BaseModel):
    """What a re-evaluation of every enterprise did."""

    enterprises: int
    new_eligibilities: int
    grants: int


def policy_public(policy: Policy) -> PolicyPublic:
    """The wire form of a policy."""
    return PolicyPublic(
        id=policy.id, title=LabelPublic(zh=policy.title_zh, en=policy.title_en),
        issuer=policy.issuer, area=policy.area,
        benefit=LabelPublic(zh=policy.benefit_zh, en=policy.benefit_en),
        amount_wan=policy.amount_wan, valid_from=policy.valid_from, valid_to=policy.valid_to,
        exempt_application=policy.exempt_application, eligibility=policy.eligibility,
        illustrative=policy.illustrative, version=policy.version,
    )  # fmt: skip


def match_public(found: Match) -> MatchPublic:
    """The wire form of a match."""
    return MatchPublic(
        policy_id=found.policy_id, enterprise_uscc=found.enterprise_uscc,
        verdict=found.verdict,
        verdict_label=LabelPublic(zh=found.verdict.label(), en=found.verdict.label("en")),
        failed=found.failed, missing=list(found.missing),
        trace=[ConditionPublic(kind=c.kind, source=c.source, result=c.result,
                               missing=list(c.missing)) for c in found.trace],
        evaluated_at=found.evaluated_at,
    )  # fmt: skip


def message_public(message: InboxMessage) -> InboxMessagePublic:
    """The wire form of an inbox message."""
    return InboxMessagePublic(
        id=message.id, enterprise_uscc=message.enterprise_uscc, policy_id=message.policy_id,
        text=message.text, created_at=message.created_at, read_at=message.read_at,
    )  # fmt: skip


def grant_public(grant: Grant) -> GrantPublic:
    """The wire form of a grant."""
    return GrantPublic(
        id=grant.id, enterprise_uscc=grant.enterprise_uscc, policy_id=grant.policy_id,
        amount_wan=grant.amount_wan, granted_at=grant.granted_at, granted_by=grant.granted_by,
    )  # fmt: skip
