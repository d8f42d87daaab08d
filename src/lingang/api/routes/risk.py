"""Rules: check one as it is typed, and try it on the lake's declarations."""

from __future__ import annotations

from fastapi import APIRouter

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.risk import (
    RuleCheckPublic,
    RuleSource,
    RuleTrialPublic,
    RuleTrialRequest,
    trial_public,
)

router = APIRouter(prefix="/api/risk/rules", tags=["risk-rules"])


@router.post("/check", operation_id="risk-rules-check", response_model=RuleCheckPublic)
def check_rule(body: RuleSource, platform: PlatformDep, actor: CurrentActor) -> RuleCheckPublic:
    """Parse and type-check a rule; 422 points at the line and column, or names the field."""
    rule = platform.risk.check_rule(body.source, actor=actor)
    return RuleCheckPublic(sql=rule.sql, lists=sorted(rule.lists))


@router.post("/trial", operation_id="risk-rules-trial", response_model=RuleTrialPublic)
def trial_rule(
    body: RuleTrialRequest, platform: PlatformDep, actor: CurrentActor
) -> RuleTrialPublic:
    """Count, per day, the declaration lines the rule would have hit."""
    trial = platform.risk.trial_rule(body.source, actor=actor, start=body.start, end=body.end)
    return trial_public(trial)
