"""The event bus: typed events, the transactional outbox, and two adapters of one ``Bus`` port.

``NatsBus`` is imported on first use, so that modules which only define events do not load
the NATS client (and aiohttp) with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lingang.bus.base import RETRY_DELAYS_S, BatchHandler, Bus, Handler
from lingang.bus.events import (
    EVENT_TYPES,
    Event,
    name_from_subject,
    parse_event,
    register_event,
)
from lingang.bus.inprocess import InProcessBus
from lingang.bus.relay import (
    IdempotentConsumer,
    OutboxRelay,
    SessionBatchHandler,
    SessionHandler,
    write_outbox,
)

if TYPE_CHECKING:
    from lingang.bus.nats import NatsBus

__all__ = [
    "EVENT_TYPES",
    "RETRY_DELAYS_S",
    "BatchHandler",
    "Bus",
    "Event",
    "Handler",
    "IdempotentConsumer",
    "InProcessBus",
    "NatsBus",
    "OutboxRelay",
    "SessionBatchHandler",
    "SessionHandler",
    "name_from_subject",
    "parse_event",
    "register_event",
    "write_outbox",
]


def __getattr__(name: str) -> object:
    if name == "NatsBus":
        from lingang.bus.nats import NatsBus

        return NatsBus
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
