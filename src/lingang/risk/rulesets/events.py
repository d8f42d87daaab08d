"""Events of rule-set governance, so online assessors reload what is in force."""

from __future__ import annotations

from lingang.bus.events import Event, register_event


@register_event
class RuleSetPublished(Event):
    """A rule-set version came into force (the previous one was retired)."""

    name = "risk.rule_set_published"
    version: int
    previous: int | None
    approved_by: str


@register_event
class ShadowChanged(Event):
    """A candidate version started or stopped running in shadow."""

    name = "risk.shadow_changed"
    version: int | None
