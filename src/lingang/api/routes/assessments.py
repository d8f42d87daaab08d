"""Online assessment (POST /api/assessments) and the live feed of verdicts."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.assessments import (
    AssessmentPublic,
    AssessmentsPublic,
    AssessmentSummaries,
    AssessRequest,
    assessment_public,
    assessment_summary,
)
from lingang.errors import Invalid
from lingang.risk.scenarios.model import Outcome

router = APIRouter(prefix="/api/assessments", tags=["risk-assessments"])


@router.post("", operation_id="assessments-create", status_code=201, response_model=None,
             responses={201: {"model": AssessmentsPublic | AssessmentSummaries}})  # fmt: skip
def assess(
    body: AssessRequest,
    platform: PlatformDep,
    actor: CurrentActor,
    detail: Literal["full", "summary"] = Query(
        "full", description="full: every hit, reason, feature and the record; summary: verdicts"
    ),
) -> Response:
    """Score one event (``record``) or a batch (``records``) with the published rule set.

    Review and hold outcomes raise ``risk.alert_raised``. A refused record is a 422 naming it
    (``records[3].hs_code``); in a batch, nothing is stored when one is refused. With
    ``detail=summary`` each verdict is its id, key, score, outcome, scenario and rule ids.
    """
    if (body.record is None) == (body.records is None):
        raise Invalid("record", "give either 'record' or 'records'")
    if body.record is not None:
        done = [platform.assessments.assess(body.dataset, body.record, actor=actor)]
    else:
        assert body.records is not None
        done = platform.assessments.assess_many(body.dataset, body.records, actor=actor)
    answer: BaseModel
    if detail == "summary":
        answer = AssessmentSummaries(assessments=[assessment_summary(a) for a in done])
    else:
        answer = AssessmentsPublic(assessments=[assessment_public(a) for a in done])
    # serialised once, by pydantic (a response_model would validate the answer again)
    return Response(answer.model_dump_json(), status_code=201, media_type="application/json")


@router.get("", operation_id="assessments-list", response_model=list[AssessmentPublic])
def recent(
    platform: PlatformDep,
    actor: CurrentActor,
    limit: int = Query(50, ge=1, le=500),
    outcome: Outcome | None = None,
    enterprise: str | None = Query(None, max_length=18),
    since: dt.datetime | None = None,
) -> list[AssessmentPublic]:
    """Newest verdicts first (the live feed), filtered by outcome, enterprise or time."""
    rows = platform.assessments.recent(actor=actor, limit=limit, outcome=outcome,
                                       enterprise=enterprise, since=since)  # fmt: skip
    return [assessment_public(a) for a in rows]


@router.get("/{assessment_id}", operation_id="assessments-get", response_model=AssessmentPublic)
def get(assessment_id: str, platform: PlatformDep, actor: CurrentActor) -> AssessmentPublic:
    """One verdict with its hits, reasons, features and the event itself."""
    return assessment_public(platform.assessments.get(assessment_id, actor=actor))
