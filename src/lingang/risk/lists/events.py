"""Events the risk lists publish, so online evaluators refresh their copies."""

from __future__ import annotations

from lingang.bus.events import Event, register_event


@register_event
class RiskListChanged(Event):
    """Values were added to or removed from a risk list."""

    name = "risk.list_changed"
    list_name: str
    version: int
    added: list[str]
    removed: list[str]
