"""``SensorService`` (``platform.sensors``): what the doors read and do about the sensor intake
— the registry of sensors with their latest readings, the dead letters (malformed messages,
with the field at fault and the reason) and their purge, which is audited.

The intake itself (MQTT → validation → rules → city events) is ``database_pipeline`` in this
package; it writes through the stores directly, in batches, for throughput.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from lingang.audit.service import AuditService
from lingang.auth.model import Permission
from lingang.auth.service import require
from lingang.city.sensors.store import (
    DeadLetter,
    DeadLetterStore,
    SensorRegistry,
    SensorState,
    purge_before,
)
from lingang.db import UnitOfWorkFactory
from lingang.errors import Invalid
from lingang.types import Actor, utcnow

__all__ = ["DeadLetter", "SensorService", "SensorState"]

MAX_LIST = 1000
"""The most dead letters one read returns."""
MAX_SENSORS = 20_000


class SensorService:
    """The sensor registry and the dead letters, behind the city permissions."""

    def __init__(self, uow: UnitOfWorkFactory, audit: AuditService, *,
                 registry: SensorRegistry, dead_letters: DeadLetterStore,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:  # fmt: skip
        self._uow = uow
        self._audit = audit
        self._registry = registry
        self._letters = dead_letters
        self._now = clock

    def sensors(self, *, actor: Actor, kind: str | None = None,
                limit: int = MAX_SENSORS) -> list[SensorState]:  # fmt: skip
        """Registered sensors with their latest reading, by id (``city.view``)."""
        _bounded(limit, "limit", MAX_SENSORS)
        return self._registry.sensors(actor, kind)[:limit]

    def dead_letters(self, *, actor: Actor, limit: int = 100, offset: int = 0,
                     field: str | None = None) -> list[DeadLetter]:  # fmt: skip
        """The newest dead letters first, optionally those of one field (``city.view``)."""
        _bounded(limit, "limit", MAX_LIST)
        if offset < 0:
            raise Invalid("offset", "must be 0 or more")
        return self._letters.list(actor, limit=limit, offset=offset, field=field)

    def dead_letter_counts(self, *, actor: Actor) -> dict[str, int]:
        """How many dead letters there are per field at fault (``city.view``)."""
        return self._letters.count(actor)

    def purge_dead_letters(self, *, actor: Actor, older_than_days: int) -> int:
        """Delete the dead letters received more than ``older_than_days`` days ago
        (``city.handle``); the purge and its count go to the audit log."""
        require(actor, Permission.HANDLE_CITY)
        if older_than_days < 0:
            raise Invalid("older_than_days", "must be 0 or more")
        before = self._now() - dt.timedelta(days=older_than_days)
        with self._uow() as uow:
            purged = purge_before(uow.session, before)
            self._audit.record(uow.session, actor=actor, action="city.purge_dead_letters",
                               object_type="city_dead_letters", object_id="*",
                               after={"before": before.isoformat(), "purged": purged},
                               detail=f"{purged} dead letter(s) received before "
                                      f"{before.isoformat(timespec='seconds')}")  # fmt: skip
            uow.commit()
        return purged


def _bounded(value: int, field: str, most: int) -> None:
    if not 1 <= value <= most:
        raise Invalid(field, f"must be between 1 and {most}")
