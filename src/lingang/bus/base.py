"""The bus port: what every adapter (in-process, NATS JetStream) promises.

Delivery is at-least-once: a handler may see an event again (after a crash, a redelivery or a
duplicate publish), so handlers that write are wrapped in ``IdempotentConsumer``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from lingang.bus.events import EVENT_TYPES, Event
from lingang.errors import Invalid

Handler = Callable[[Event], None]
"""What a subscriber runs for each delivered event; raising asks for a redelivery."""

BatchHandler = Callable[[Sequence[Event]], None]
"""What a batch subscriber runs for several delivered events at once (in delivery order).

Raising asks for each event of the batch to be retried alone (a one-event list), under the
per-event retry and dead-letter rules, so one poison event cannot hold the others back.
"""

RETRY_DELAYS_S: tuple[float, ...] = (0.05, 0.25, 1.0, 5.0)
"""Wait before each redelivery of a failed event; after the last, the event is dead-lettered.

So a handler is tried at most ``len(RETRY_DELAYS_S) + 1`` times.
"""

_CONSUMER_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


class Bus(Protocol):
    """A typed event bus with durable, named consumers and at-least-once delivery."""

    def start(self) -> None:
        """Connect and begin delivering to the subscribed consumers."""

    def publish(self, event: Event) -> None:
        """Hand one event to the bus; raise ``Unavailable`` when it cannot take it."""

    def publish_many(self, events: Sequence[Event]) -> int:
        """Hand ``events`` to the bus in order; return how many of the leading ones it took.

        A broker failure after some events were taken is not raised: the count is short and
        the caller keeps the rest for later (an event after the first one not taken may have
        been taken too; JetStream drops its re-publish by id). ``Unavailable`` is raised only
        when not even the first event was taken; ``Invalid`` for an unregistered event type,
        before any is published.
        """

    def subscribe(
        self, consumer: str, event_types: Sequence[type[Event]], handler: Handler
    ) -> None:
        """Deliver every event of ``event_types`` to the durable consumer named ``consumer``."""

    def subscribe_batch(
        self, consumer: str, event_types: Sequence[type[Event]], handler: BatchHandler
    ) -> None:
        """Like ``subscribe``, but ``handler`` gets up to a batch of events per call.

        When ``handler`` raises, each event of the batch is retried alone (``handler`` gets a
        one-event list) under the usual retry and dead-letter rules.
        """

    def ping(self) -> None:
        """Return when the bus is healthy; raise ``Unavailable`` otherwise."""

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything published so far is handled; False on timeout."""

    def close(self) -> None:
        """Stop delivering and release connections and threads."""


def check_consumer_name(consumer: str) -> str:
    """Return ``consumer`` if it is a valid durable name (letters, digits, ``_``, ``-``)."""
    if not _CONSUMER_NAME.fullmatch(consumer):
        raise Invalid("consumer", "use 1-100 letters, digits, '_' or '-'")
    return consumer


def check_event_types(event_types: Sequence[type[Event]]) -> list[type[Event]]:
    """Return the event types as a list, refusing an empty one."""
    if not event_types:
        raise Invalid("event_types", "subscribe to at least one event type")
    return list(dict.fromkeys(event_types))


def retry_delay(attempt: int, delays: Sequence[float] = RETRY_DELAYS_S) -> float | None:
    """The wait before retrying after failed ``attempt`` (1-based); None: give up."""
    if attempt < 1 or attempt > len(delays):
        return None
    return delays[attempt - 1]


def check_registered(event: Event) -> None:
    """Refuse an event whose type is not the one registered under its name."""
    if EVENT_TYPES.get(event.name) is not type(event):
        raise Invalid("name", f"event type {event.name!r} is not registered")


def one_at_a_time(handler: BatchHandler) -> Handler:
    """The per-event handler of a batch handler: it hands over a one-event list."""

    def handle(event: Event) -> None:
        handler([event])

    return handle
