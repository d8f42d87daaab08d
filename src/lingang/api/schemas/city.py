"""Wire schemas of 一网统管 city events (issue #9): tickets, events and their timeline,
actions, KPIs. Rules in docs/city.md."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lingang.workdays import SlaStatus


class TicketRequest(BaseModel):
    """A 12345 ticket (or a grid patrol's report) as the operator takes it."""

    text: str = Field(min_length=1, max_length=2000, examples=["井盖松动，有安全隐患"])
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: str = Field(min_length=1, max_length=300)
    caller_name: str | None = Field(default=None, max_length=120)
    caller_phone: str | None = Field(default=None, max_length=40)
    request_type: str = Field(
        default="complaint", description="consultation | help | complaint | suggestion"
    )
    source: str = Field(default="hotline", description="hotline | open311 | grid_patrol")


class FileRequest(BaseModel):
    """立案: the category (a suggestion or an override) and, optionally, the time limit."""

    category: str = Field(min_length=1, max_length=32)
    time_limit: str | None = Field(default=None, description="consultation | ordinary | complex")
    approved_by: str | None = Field(
        default=None, max_length=120, description="who approved a complex (15 WD) limit"
    )


class DispatchRequest(BaseModel):
    """派遣: by the rules, or to a named unit (optionally designated: cannot be returned)."""

    unit: str | None = Field(default=None, max_length=80)
    designated: bool = False


class NoteRequest(BaseModel):
    """A free note (handling, verification)."""

    note: str = Field(default="", max_length=1000)


class ReasonRequest(BaseModel):
    """A required reason or result."""

    reason: str = Field(min_length=1, max_length=1000)


class VerifyRequest(BaseModel):
    """核查: whether the unit's work holds, with a note (required when it does not)."""

    ok: bool
    note: str = Field(default="", max_length=1000)


class CallbackRequest(BaseModel):
    """回访: satisfied or not, or a score 1..5 (3 and up is satisfied)."""

    satisfied: bool | None = None
    score: int | None = Field(default=None, ge=1, le=5)
    note: str = Field(default="", max_length=1000)


class SuggestionPublic(BaseModel):
    """One of the classifier's top-3 categories."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    probability: float


class DuplicatePublic(BaseModel):
    """An open event that may be the same matter."""

    model_config = ConfigDict(from_attributes=True)

    event_id: int
    distance_m: float
    category: str | None
    received_at: dt.datetime
    text: str


class EventPublic(BaseModel):
    """A city event with its clock."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    request_type: str | None
    text: str
    lat: float
    lon: float
    address: str
    grid_id: str | None
    grid_name: str | None
    state: str
    state_label: str
    category: str | None
    category_name: str | None
    suggestions: list[SuggestionPublic]
    duplicates: list[DuplicatePublic]
    time_limit: str | None
    approved_by: str | None
    unit: str | None
    designated: bool
    dispatch_reason: str | None
    return_count: int
    reopen_count: int
    received_at: dt.datetime
    filed_at: dt.datetime | None
    done_at: dt.datetime | None
    closed_at: dt.datetime | None
    handled_on_time: bool | None
    satisfaction: int | None
    satisfied: bool | None
    sla_limit: int | None
    due_at: dt.datetime | None
    sla_status: SlaStatus | None
    remaining_working_days: int | None
    escalated_at: dt.datetime | None
    sensor_id: str | None
    rule_id: str | None
    occurrences: int
    last_value: float | None
    last_at: dt.datetime | None
    severity: str | None
    next_actions: list[str]
    caller_name: str | None
    caller_phone: str | None


class StepPublic(BaseModel):
    """One row of the timeline."""

    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    detail: str


class EventDetailPublic(BaseModel):
    """An event with its timeline."""

    model_config = ConfigDict(from_attributes=True)

    event: EventPublic
    steps: list[StepPublic]


class RepeatLocationPublic(BaseModel):
    """A place where events keep coming back."""

    model_config = ConfigDict(from_attributes=True)

    lat: float
    lon: float
    count: int
    grid_id: str | None
    event_ids: list[int]
    categories: list[str]


class KpisPublic(BaseModel):
    """The command centre's figures."""

    model_config = ConfigDict(from_attributes=True)

    since: dt.datetime | None
    total: int
    open: int
    by_category: dict[str, int]
    by_state: dict[str, int]
    on_time_rate: float | None
    handled: int
    satisfaction_rate: float | None
    callbacks: int
    escalated: int
    repeat_locations: list[RepeatLocationPublic]
    scenarios: dict[str, int]
    scenario_names: dict[str, str]
    scenario_target: int


class SensorPublic(BaseModel):
    """A registered sensor with its latest reading."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str = Field(description="water_level | air_quality | manhole_tilt | noise | …")
    lat: float
    lon: float
    unit: str
    value: float = Field(description="the latest reading")
    read_at: dt.datetime
    battery: float | None
    grid: str | None = Field(description="the responsibility grid it stands in")


class DeadLetterPublic(BaseModel):
    """A malformed sensor message, kept with the field at fault and the reason."""

    id: int | None
    topic: str
    field: str
    reason: str
    received_at: dt.datetime
    payload: str = Field(description="as received (UTF-8), or base64 when it is not text")
    encoding: str = Field(description="utf-8 | base64")
    truncated: bool = Field(description="the stored payload was cut at 2 KiB")


class DeadLettersPublic(BaseModel):
    """Counts per field at fault and the newest dead letters."""

    counts: dict[str, int]
    letters: list[DeadLetterPublic]


class PurgePublic(BaseModel):
    """How many dead letters a purge deleted."""

    purged: int
