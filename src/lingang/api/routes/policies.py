"""Incentive-policy matching (惠企政策一键直达, issue #8): the catalogue, every policy's verdict
for an enterprise with its trace, self-declared facts, the inbox and 免申即享 grants. Staff
read every enterprise; an enterprise user only its own (any other USCC answers 404). Rules in
docs/policies.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.policies import (
    DeclareRequest,
    GrantPublic,
    InboxMessagePublic,
    MatchPublic,
    PolicyPublic,
    PolicyRequest,
    RematchPublic,
    grant_public,
    match_public,
    message_public,
    policy_public,
)

router = APIRouter(prefix="/api/policies", tags=["policies"])
Uscc = Annotated[str, Path(min_length=18, max_length=18, description="统一社会信用代码")]


@router.get("", operation_id="policies-list", response_model=list[PolicyPublic])
def policies(platform: PlatformDep, actor: CurrentActor) -> list[PolicyPublic]:
    """Every incentive policy of the catalogue."""
    return [policy_public(p) for p in platform.policies.policies(actor=actor)]


@router.put("", operation_id="policies-upsert", response_model=PolicyPublic)
def upsert(platform: PlatformDep, actor: CurrentActor, body: PolicyRequest) -> PolicyPublic:
    """Add or change a policy (service officers, administrators); every enterprise is
    re-evaluated and new eligibilities reach their inboxes."""
    data = body.model_dump(mode="json")
    return policy_public(platform.policies.upsert_policy(data, actor=actor))


@router.post("/load", operation_id="policies-load", response_model=RematchPublic)
def load(platform: PlatformDep, actor: CurrentActor) -> RematchPublic:
    """Load the shipped catalogue and re-evaluate every enterprise."""
    report = platform.policies.load_catalogue(actor=actor)
    return RematchPublic(
        enterprises=report.enterprises,
        new_eligibilities=report.new_eligibilities,
        grants=report.grants,
    )


@router.get("/inbox", operation_id="policies-inbox", response_model=list[InboxMessagePublic])
def inbox(platform: PlatformDep, actor: CurrentActor) -> list[InboxMessagePublic]:
    """The enterprise user's policy inbox, newest first."""
    return [message_public(m) for m in platform.policies.inbox(actor=actor)]


@router.post("/inbox/{message_id}/read", operation_id="policies-inbox-read",
             response_model=InboxMessagePublic)  # fmt: skip
def read(platform: PlatformDep, actor: CurrentActor, message_id: int) -> InboxMessagePublic:
    """Mark one of the enterprise user's messages read."""
    return message_public(platform.policies.mark_read(message_id, actor=actor))


@router.get("/enterprises/{uscc}/matches", operation_id="policies-match",
            response_model=list[MatchPublic])  # fmt: skip
def match(platform: PlatformDep, actor: CurrentActor, uscc: Uscc) -> list[MatchPublic]:
    """Every policy's verdict for the enterprise now — eligible, maybe (missing data named),
    not eligible (failed condition named) — each with its trace."""
    return [match_public(m) for m in platform.policies.match(uscc, actor=actor)]


@router.get("/enterprises/{uscc}/inbox", operation_id="policies-enterprise-inbox",
            response_model=list[InboxMessagePublic])  # fmt: skip
def enterprise_inbox(
    platform: PlatformDep, actor: CurrentActor, uscc: Uscc
) -> list[InboxMessagePublic]:
    """An enterprise's policy inbox, newest first."""
    return [message_public(m) for m in platform.policies.inbox(actor=actor, uscc=uscc)]


@router.put("/enterprises/{uscc}/profile", operation_id="policies-declare",
            response_model=dict[str, float | bool])  # fmt: skip
def declare(
    platform: PlatformDep, actor: CurrentActor, uscc: Uscc, body: DeclareRequest
) -> dict[str, float | bool]:
    """Declare facts for matching (R&D spending, revenue, employees…) and re-evaluate."""
    facts = body.model_dump(exclude_unset=True)
    return platform.policies.declare(uscc, facts, actor=actor)


@router.get("/enterprises/{uscc}/grants", operation_id="policies-grants",
            response_model=list[GrantPublic])  # fmt: skip
def grants(platform: PlatformDep, actor: CurrentActor, uscc: Uscc) -> list[GrantPublic]:
    """The 免申即享 benefits granted to the enterprise."""
    return [grant_public(g) for g in platform.policies.grants(uscc, actor=actor)]
