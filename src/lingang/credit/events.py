"""Events of enterprise credit: a grade that changed, a credit-repair decision."""

from __future__ import annotations

import datetime as dt

from lingang.bus.events import Event, register_event


@register_event
class CreditGradeChanged(Event):
    """An enterprise's grade changed (class, customs category or score). ``previous_*`` are
    None for its first grade; ``trigger`` says what regraded it."""

    name = "credit.grade_changed"
    enterprise_uscc: str
    as_of: dt.date
    zone_class: str
    customs_category: str
    score: int
    previous_class: str | None
    previous_category: str | None
    previous_score: int | None
    trigger: str


@register_event
class CreditRepairDecided(Event):
    """A credit-repair application was decided (approved lifts the 失信 effect of its
    records)."""

    name = "credit.repair_decided"
    repair_id: int
    enterprise_uscc: str
    approved: bool
    decided_by: str
