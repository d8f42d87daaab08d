"""好差评 of 一网通办 applications (issue #8 item 5): the applicant rates an application once on
the five levels; a 差评 opens a rectification task (contact, published result, one appeal);
staff see ratings, tasks and the satisfaction dashboard; anyone sees the published results
(no sign-in). Rules in docs/permits.md (好差评 ratings)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.permit_ratings import (
    AppealDecisionRequest,
    AppealRequest,
    NoteRequest,
    PublishedResult,
    RatingPublic,
    RatingRequest,
    RectificationPublic,
    ResultRequest,
    SatisfactionPublic,
)
from lingang.permits.ratings import Rating, Rectification

router = APIRouter(prefix="/api/permits", tags=["permits"])
public_router = APIRouter(prefix="/api/public/ratings", tags=["public"])


def _rating(found: Rating) -> RatingPublic:
    return RatingPublic.model_validate(found, from_attributes=True)


def _task(found: Rectification) -> RectificationPublic:
    return RectificationPublic.model_validate(found, from_attributes=True)


@router.post("/applications/{application_id}/rating", operation_id="permits-rate",
             status_code=201, response_model=RatingPublic)  # fmt: skip
def rate(application_id: int, body: RatingRequest, platform: PlatformDep,
         actor: CurrentActor) -> RatingPublic:  # fmt: skip
    """Rate an application once (一事一评), as its applicant; a 差评 opens a rectification task."""
    return _rating(platform.permit_ratings.rate(application_id, body.score, body.comment,
                                                actor=actor, real_name=body.real_name))  # fmt: skip


@router.get("/ratings", operation_id="permits-ratings", response_model=list[RatingPublic])
def ratings(
    platform: PlatformDep, actor: CurrentActor,
    item_id: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=80)] = None,
) -> list[RatingPublic]:  # fmt: skip
    """Ratings for staff, newest first (anonymous ones without the rater)."""
    found = platform.permit_ratings.ratings(actor=actor, item_id=item_id, department=department)
    return [_rating(r) for r in found]


@router.get("/ratings/mine", operation_id="permits-ratings-mine",
            response_model=list[RatingPublic])  # fmt: skip
def my_ratings(platform: PlatformDep, actor: CurrentActor) -> list[RatingPublic]:
    """The enterprise's ratings with their rectification results."""
    return [_rating(r) for r in platform.permit_ratings.my_ratings(actor=actor)]


@router.get("/rectifications", operation_id="permits-rectifications",
            response_model=list[RectificationPublic])  # fmt: skip
def rectifications(
    platform: PlatformDep, actor: CurrentActor,
    open_only: Annotated[bool, Query(description="only tasks needing action")] = True,
    overdue_only: Annotated[bool, Query(description="only tasks past their deadline")] = False,
) -> list[RectificationPublic]:  # fmt: skip
    """Rectification tasks of 差评, earliest deadline first."""
    found = platform.permit_ratings.rectifications(actor=actor, open_only=open_only,
                                                   overdue_only=overdue_only)  # fmt: skip
    return [_task(t) for t in found]


@router.get("/rectifications/{task_id}", operation_id="permits-rectification",
            response_model=RectificationPublic)  # fmt: skip
def rectification(task_id: int, platform: PlatformDep, actor: CurrentActor
                  ) -> RectificationPublic:  # fmt: skip
    """One task (staff, or the rating enterprise)."""
    return _task(platform.permit_ratings.rectification(task_id, actor=actor))


@router.post("/rectifications/{task_id}/contact", operation_id="permits-rectification-contact",
             response_model=RectificationPublic)  # fmt: skip
def contact(task_id: int, body: NoteRequest, platform: PlatformDep,
            actor: CurrentActor) -> RectificationPublic:  # fmt: skip
    """Record the contact with the rater (late after 1 working day)."""
    return _task(platform.permit_ratings.contact(task_id, body.note, actor=actor))


@router.post("/rectifications/{task_id}/resolve", operation_id="permits-rectification-resolve",
             response_model=RectificationPublic)  # fmt: skip
def resolve(task_id: int, body: ResultRequest, platform: PlatformDep,
            actor: CurrentActor) -> RectificationPublic:  # fmt: skip
    """Record the rectification result; it is published."""
    return _task(platform.permit_ratings.resolve(task_id, body.result, actor=actor))


@router.post("/rectifications/{task_id}/appeal", operation_id="permits-rectification-appeal",
             response_model=RectificationPublic)  # fmt: skip
def appeal(task_id: int, body: AppealRequest, platform: PlatformDep,
           actor: CurrentActor) -> RectificationPublic:  # fmt: skip
    """The rater appeals the result, once, within 5 working days."""
    return _task(platform.permit_ratings.appeal(task_id, body.reason, actor=actor))


@router.post("/rectifications/{task_id}/appeal-decision",
             operation_id="permits-rectification-appeal-decision",
             response_model=RectificationPublic)  # fmt: skip
def appeal_decision(task_id: int, body: AppealDecisionRequest, platform: PlatformDep,
                    actor: CurrentActor) -> RectificationPublic:  # fmt: skip
    """A reviewer other than the resolver decides the appeal."""
    return _task(platform.permit_ratings.decide_appeal(task_id, body.upheld, body.note,
                                                       actor=actor))  # fmt: skip


@router.get("/satisfaction", operation_id="permits-satisfaction",
            response_model=SatisfactionPublic)  # fmt: skip
def satisfaction(
    platform: PlatformDep, actor: CurrentActor,
    since: Annotated[dt.date | None, Query(description="ratings on or after this date")] = None,
) -> SatisfactionPublic:  # fmt: skip
    """Satisfaction by item and by department: count, mean, satisfied, 差评, on time."""
    found = platform.permit_ratings.satisfaction(actor=actor, since=since)
    return SatisfactionPublic.model_validate(found, from_attributes=True)


@public_router.get("", operation_id="public-ratings", response_model=list[PublishedResult])
def published(
    platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[PublishedResult]:  # fmt: skip
    """Anyone (no sign-in): resolved 差评 and their rectification results, newest first."""
    return [PublishedResult.model_validate(t, from_attributes=True)
            for t in platform.permit_ratings.published(limit)]  # fmt: skip
