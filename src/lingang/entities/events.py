"""Events the entities domain publishes."""

from __future__ import annotations

from lingang.bus.events import Event, register_event


@register_event
class EnterpriseRegistered(Event):
    """An enterprise was added to the zone register."""

    name = "entities.enterprise_registered"
    enterprise_id: int
    uscc: str


@register_event
class EnterprisesImported(Event):
    """A batch of enterprises was registered at once (simulator or bulk import)."""

    name = "entities.enterprises_imported"
    count: int
