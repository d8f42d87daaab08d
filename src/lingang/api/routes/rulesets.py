"""Rule-set versions: drafts, submission, second-officer approval, shadow runs."""

from __future__ import annotations

from fastapi import APIRouter

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.assessments import (
    DecisionRequest,
    DraftRequest,
    RuleSetVersionPublic,
    ShadowReportPublic,
    ShadowRequest,
    shadow_public,
    version_public,
)

router = APIRouter(prefix="/api/risk/rule-sets", tags=["risk-rule-sets"])


@router.get("", operation_id="rule-sets-list", response_model=list[RuleSetVersionPublic])
def list_versions(platform: PlatformDep, actor: CurrentActor) -> list[RuleSetVersionPublic]:
    """Every version, newest first."""
    return [version_public(v) for v in platform.rulesets.list_versions(actor=actor)]


@router.get("/{version}", operation_id="rule-sets-get", response_model=RuleSetVersionPublic)
def get(version: int, platform: PlatformDep, actor: CurrentActor) -> RuleSetVersionPublic:
    """One version with its whole document."""
    return version_public(platform.rulesets.get(version, actor=actor), with_document=True)


@router.post("", operation_id="rule-sets-draft", response_model=RuleSetVersionPublic,
             status_code=201)  # fmt: skip
def draft(body: DraftRequest, platform: PlatformDep, actor: CurrentActor) -> RuleSetVersionPublic:
    """Save a draft; the document must load and every rule must compile (422 names the rule)."""
    created = platform.rulesets.create_draft(body.document, actor=actor, note=body.note,
                                             based_on=body.based_on)  # fmt: skip
    return version_public(created, with_document=True)


@router.post("/{version}/submit", operation_id="rule-sets-submit",
             response_model=RuleSetVersionPublic)  # fmt: skip
def submit(version: int, platform: PlatformDep, actor: CurrentActor) -> RuleSetVersionPublic:
    """The author asks for approval."""
    return version_public(platform.rulesets.submit(version, actor=actor))


@router.post("/{version}/approve", operation_id="rule-sets-approve",
             response_model=RuleSetVersionPublic)  # fmt: skip
def approve(version: int, body: DecisionRequest, platform: PlatformDep,
            actor: CurrentActor) -> RuleSetVersionPublic:  # fmt: skip
    """A second officer approves: the version is published (403 for its author)."""
    return version_public(platform.rulesets.approve(version, actor=actor, note=body.note))


@router.post("/{version}/reject", operation_id="rule-sets-reject",
             response_model=RuleSetVersionPublic)  # fmt: skip
def reject(version: int, body: DecisionRequest, platform: PlatformDep,
           actor: CurrentActor) -> RuleSetVersionPublic:  # fmt: skip
    """A second officer sends the version back with the reason."""
    return version_public(platform.rulesets.reject(version, actor=actor, note=body.note))


@router.put("/shadow", operation_id="rule-sets-shadow",
            response_model=RuleSetVersionPublic | None)  # fmt: skip
def shadow(body: ShadowRequest, platform: PlatformDep,
           actor: CurrentActor) -> RuleSetVersionPublic | None:  # fmt: skip
    """Run a draft or pending version in shadow beside the published one (null stops it)."""
    result = platform.rulesets.set_shadow(body.version, actor=actor)
    return version_public(result) if result is not None else None


@router.get("/{version}/shadow-report", operation_id="rule-sets-shadow-report",
            response_model=ShadowReportPublic)  # fmt: skip
def shadow_report(version: int, platform: PlatformDep, actor: CurrentActor) -> ShadowReportPublic:
    """How the candidate's verdicts differed from the published ones on live events."""
    return shadow_public(platform.assessments.shadow_report(version, actor=actor))
