"""City events (一网统管 / 12345, issue #9): states of the grid-management loop, request types,
time-limit classes, and the read models the service returns. Rules in docs/city.md.

The loop (数字城管 CJ/T 315 practice): 信息采集 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案,
with the 12345 callback (回访) that may reopen it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lingang.errors import Invalid
from lingang.workdays import SlaStatus

COMMAND_CENTRE = "城运中心"
"""The city-operations command centre: files, dispatches, verifies and closes."""
CALLBACK_WORKING_DAYS = 3
"""The callback re-check (回访复核) limit, regulations.md §6.1."""
SOURCES = ("hotline", "sensor", "open311", "grid_patrol")


class EventState(StrEnum):
    """Where a city event stands in the loop."""

    PENDING = "pending"
    FILED = "filed"
    DISPATCHED = "dispatched"
    HANDLING = "handling"
    DONE = "done"
    VERIFIED = "verified"
    RETURNED = "returned"
    CLOSED = "closed"

    def label(self, lang: str = "zh-CN") -> str:
        """The state's name for people (zh-CN, or ``en``)."""
        zh, en = STATE_LABELS[self]
        return en if lang == "en" else zh


STATE_LABELS: dict[EventState, tuple[str, str]] = {
    EventState.PENDING: ("待立案", "Awaiting filing"),
    EventState.FILED: ("已立案待派遣", "Filed, awaiting dispatch"),
    EventState.DISPATCHED: ("已派遣", "Dispatched"),
    EventState.HANDLING: ("处置中", "Being handled"),
    EventState.DONE: ("已反馈待核查", "Reported done, awaiting verification"),
    EventState.VERIFIED: ("已核查待结案", "Verified, awaiting closure"),
    EventState.RETURNED: ("已退单待重新派遣", "Returned, awaiting re-dispatch"),
    EventState.CLOSED: ("已结案", "Closed"),
}

#: which action each state allows (the Conflict message lists them)
ALLOWED: dict[EventState, tuple[str, ...]] = {
    EventState.PENDING: ("file",),
    EventState.FILED: ("dispatch",),
    EventState.RETURNED: ("dispatch",),
    EventState.DISPATCHED: ("handle", "return"),
    EventState.HANDLING: ("done", "return"),
    EventState.DONE: ("verify",),
    EventState.VERIFIED: ("callback", "close"),
    EventState.CLOSED: ("callback",),
}
OPEN_STATES = frozenset(EventState) - {EventState.CLOSED}


class RequestType(StrEnum):
    """The four 12345 request types (regulations.md §6.1)."""

    CONSULTATION = "consultation"
    HELP = "help"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"

    def label(self, lang: str = "zh-CN") -> str:
        """The type's name for people (zh-CN, or ``en``)."""
        zh, en = REQUEST_LABELS[self]
        return en if lang == "en" else zh


REQUEST_LABELS: dict[RequestType, tuple[str, str]] = {
    RequestType.CONSULTATION: ("咨询", "Consultation"),
    RequestType.HELP: ("求助", "Request for help"),
    RequestType.COMPLAINT: ("投诉", "Complaint"),
    RequestType.SUGGESTION: ("建议", "Suggestion"),
}


class TimeLimit(StrEnum):
    """The 12345 time-limit classes in working days (沪府办〔2018〕62号 practice)."""

    CONSULTATION = "consultation"
    ORDINARY = "ordinary"
    COMPLEX = "complex"

    @property
    def working_days(self) -> int:
        """The limit: 1, 5 or 15 working days."""
        return {"consultation": 1, "ordinary": 5, "complex": 15}[self.value]

    def label(self, lang: str = "zh-CN") -> str:
        """The class's name for people (zh-CN, or ``en``)."""
        zh, en = LIMIT_LABELS[self]
        return en if lang == "en" else zh


LIMIT_LABELS: dict[TimeLimit, tuple[str, str]] = {
    TimeLimit.CONSULTATION: ("咨询建议类（1个工作日）", "Consultation or suggestion (1 WD)"),
    TimeLimit.ORDINARY: ("一般求助投诉（5个工作日）", "Ordinary help or complaint (5 WD)"),
    TimeLimit.COMPLEX: ("复杂疑难（15个工作日，需审批）", "Complex, approved (15 WD)"),
}


def request_type_of(value: str) -> RequestType:
    """Parse a request type (``Invalid`` names the field)."""
    try:
        return RequestType(value.strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in RequestType)
        raise Invalid("request_type", f"{value!r} is not one of {allowed}") from None


def time_limit_of(value: str) -> TimeLimit:
    """Parse a time-limit class (``Invalid`` names the field)."""
    try:
        return TimeLimit(value.strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in TimeLimit)
        raise Invalid("time_limit", f"{value!r} is not one of {allowed}") from None


def source_of(value: str) -> str:
    """Check an intake source (``Invalid`` names the field)."""
    if value not in SOURCES:
        raise Invalid("source", f"{value!r} is not one of {', '.join(SOURCES)}")
    return value


@dataclass(frozen=True, slots=True)
class CategorySuggestion:
    """One of the classifier's top suggestions for a ticket's text."""

    code: str
    name_zh: str
    name_en: str
    probability: float


@dataclass(frozen=True, slots=True)
class DuplicateSuggestion:
    """An open event that may be the same matter: same category, near, recent."""

    event_id: int
    distance_m: float
    category: str | None
    received_at: dt.datetime
    text: str


@dataclass(frozen=True, slots=True)
class Dispatch:
    """Where a dispatch sends an event and why."""

    unit: str
    reason: str
    rule_id: str | None = None


@dataclass(frozen=True, slots=True)
class CityEvent:
    """A city event and its clock reading at the time it was read."""

    id: int
    source: str
    request_type: str | None
    text: str
    lat: float
    lon: float
    address: str
    grid_id: str | None
    grid_name: str | None
    state: EventState
    state_label: str
    category: str | None
    category_name: str | None
    suggestions: list[CategorySuggestion]
    duplicates: list[DuplicateSuggestion]
    time_limit: TimeLimit | None
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
    caller_name: str | None = None
    caller_phone: str | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One row of an event's timeline."""

    at: dt.datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    detail: str


@dataclass(frozen=True, slots=True)
class EventDetail:
    """An event with its timeline."""

    event: CityEvent
    steps: list[Step]


@dataclass(frozen=True, slots=True)
class RepeatLocation:
    """A place where events keep coming back (≥ 3 within 100 m in 30 days)."""

    lat: float
    lon: float
    count: int
    grid_id: str | None
    event_ids: list[int]
    categories: list[str]


@dataclass(frozen=True, slots=True)
class Kpis:
    """The command centre's figures over a period."""

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
    repeat_locations: list[RepeatLocation]
    scenarios: dict[str, int]
    scenario_names: dict[str, str] = field(default_factory=dict)
    scenario_target: int = 30
    extra: dict[str, Any] = field(default_factory=dict)
