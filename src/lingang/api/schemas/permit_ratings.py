"""Wire schemas of 好差评 (issue #8 item 5): ratings of applications on the five levels, the
rectification tasks of 差评, the satisfaction dashboard and the public list of results.
Rules in docs/permits.md (好差评 ratings) and ``lingang.permits.ratings``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lingang.permits.ratings import RatingLevel, RectificationStatus


class RatingRequest(BaseModel):
    """A rating: 1 (非常不满意) to 5 (非常满意) stars; a score ≤ 2 is a 差评."""

    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)
    real_name: bool = Field(default=True, description="false: anonymous (no contact)")


class NoteRequest(BaseModel):
    """A note of a contact or of an appeal decision."""

    note: str = Field(min_length=1, max_length=1000)


class ResultRequest(BaseModel):
    """The rectification result (published)."""

    result: str = Field(min_length=1, max_length=2000)


class AppealRequest(BaseModel):
    """The rater's appeal of the result."""

    reason: str = Field(min_length=1, max_length=1000)


class AppealDecisionRequest(BaseModel):
    """The reviewer's decision: upheld reopens the task, dismissed closes it."""

    upheld: bool
    note: str = Field(min_length=1, max_length=1000)


class RectificationPublic(BaseModel):
    """A rectification task."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    rating_id: int
    application_id: int
    item_id: str
    item_name: str
    department: str
    score: int
    level: RatingLevel
    level_label: str
    comment: str
    real_name: bool
    rater: str | None
    enterprise_uscc: str | None
    rated_at: dt.datetime
    status: RectificationStatus
    status_label: str
    created_at: dt.datetime
    contact_due: dt.date | None
    contacted_at: dt.datetime | None
    contacted_by: str | None
    contact_note: str | None
    contact_late: bool | None
    due_on: dt.date
    overdue: bool
    resolved_at: dt.datetime | None
    resolved_by: str | None
    result: str | None
    resolved_late: bool | None
    appeal_due: dt.date | None
    appealed_at: dt.datetime | None
    appeal_reason: str | None
    appeal_decided_at: dt.datetime | None
    appeal_decided_by: str | None
    appeal_upheld: bool | None
    appeal_note: str | None


class RatingPublic(BaseModel):
    """A rating with the rectification task of a 差评."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: int
    item_id: str
    item_name: str
    department: str
    enterprise_uscc: str | None
    rater: str | None
    score: int
    level: RatingLevel
    level_label: str
    negative: bool
    comment: str
    real_name: bool
    rated_at: dt.datetime
    rectification: RectificationPublic | None


class PublishedResult(BaseModel):
    """A resolved 差评 as the public sees it: no rater, enterprise, comment or officer."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: str
    item_name: str
    department: str
    score: int
    level_label: str
    rated_at: dt.datetime
    status: RectificationStatus
    status_label: str
    due_on: dt.date
    resolved_at: dt.datetime | None
    resolved_late: bool | None
    result: str | None
    appeal_upheld: bool | None


class SatisfactionRowPublic(BaseModel):
    """Satisfaction of one item or department."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    label: str
    count: int
    mean_score: float | None
    satisfied_share: float | None
    negative_share: float | None
    negative: int
    rectified: int
    rectified_on_time: int
    on_time_share: float | None


class SatisfactionPublic(BaseModel):
    """The satisfaction dashboard."""

    model_config = ConfigDict(from_attributes=True)

    since: dt.date | None
    overall: SatisfactionRowPublic
    by_item: list[SatisfactionRowPublic]
    by_department: list[SatisfactionRowPublic]
