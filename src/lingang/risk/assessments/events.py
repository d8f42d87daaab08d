"""Events of online assessment: events to assess (the worker's input) and alerts raised."""

from __future__ import annotations

from typing import Any

from lingang.bus.events import Event, register_event


@register_event
class EventSubmitted(Event):
    """An event of a lake dataset to be assessed (what ``lingang worker risk`` consumes)."""

    name = "risk.event_submitted"
    dataset: str
    record: dict[str, Any]


@register_event
class AlertRaised(Event):
    """An assessment came out *review* or *hold*: a clue for officers (case management)."""

    name = "risk.alert_raised"
    assessment_id: str
    dataset: str
    record_key: str
    enterprise_uscc: str | None
    outcome: str
    score: float
    scenario: str | None
    rules: list[str]
    rule_set_version: int
