"""Events the lake publishes."""

from __future__ import annotations

from lingang.bus.events import Event, register_event


@register_event
class LakeImportCompleted(Event):
    """A file or an in-memory table went through the import door (counts included)."""

    name = "lake.import_completed"
    import_id: str
    dataset: str
    source: str
    rows: int
    accepted: int
    duplicates: int
    rejected: int
