"""The in-process bus: one queue and one worker thread per consumer, nothing to install.

It keeps the contract of the NATS adapter where it matters to handlers: events cross the bus
in their wire form, a failing handler is retried with backoff and then dead-lettered, and a
handler runs on a thread of its own, never on the publisher's. Events are held in memory
only; durability comes from the outbox (``lingang.bus.relay``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from lingang.bus.base import (
    RETRY_DELAYS_S,
    BatchHandler,
    Handler,
    check_consumer_name,
    check_event_types,
    check_registered,
    one_at_a_time,
    retry_delay,
)
from lingang.bus.events import Event, parse_event
from lingang.errors import Conflict, Unavailable

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Consumer:
    name: str
    event_names: frozenset[str]
    handler: Handler
    inbox: queue.SimpleQueue[Event | None] = field(default_factory=queue.SimpleQueue)
    thread: threading.Thread | None = None


class InProcessBus:
    """A ``Bus`` inside one process: per-consumer queues drained by daemon threads."""

    def __init__(self, retry_delays: Sequence[float] = RETRY_DELAYS_S) -> None:
        self._retry_delays = tuple(retry_delays)
        self._consumers: dict[str, _Consumer] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._started = False
        self._closing = threading.Event()

    def start(self) -> None:
        """Start a worker for every consumer subscribed so far (later ones start at once)."""
        with self._lock:
            self._ensure_open()
            self._started = True
            for consumer in self._consumers.values():
                self._launch(consumer)

    def publish(self, event: Event) -> None:
        """Queue ``event`` (in its wire form) for every consumer subscribed to its type."""
        check_registered(event)
        wire = parse_event(event.name, event.to_json())
        with self._lock:
            self._ensure_open()
            targets = [c for c in self._consumers.values() if event.name in c.event_names]
            self._pending += len(targets)
        for consumer in targets:
            consumer.inbox.put(wire)

    def publish_many(self, events: Sequence[Event]) -> int:
        """Queue ``events`` one after the other; see ``Bus.publish_many`` for the count."""
        for event in events:
            check_registered(event)
        for taken, event in enumerate(events):
            try:
                self.publish(event)
            except Unavailable:
                if taken == 0:
                    raise
                log.warning("in-process bus took %d of %d events", taken, len(events))
                return taken
        return len(events)

    def subscribe_batch(
        self, consumer: str, event_types: Sequence[type[Event]], handler: BatchHandler
    ) -> None:
        """Register ``handler`` like ``subscribe``; here every batch holds one event."""
        self.subscribe(consumer, event_types, one_at_a_time(handler))

    def subscribe(
        self, consumer: str, event_types: Sequence[type[Event]], handler: Handler
    ) -> None:
        """Register ``handler`` as the consumer ``consumer`` of ``event_types``."""
        names = frozenset(t.name for t in check_event_types(event_types))
        entry = _Consumer(check_consumer_name(consumer), names, handler)
        with self._lock:
            self._ensure_open()
            if consumer in self._consumers:
                raise Conflict(f"consumer {consumer!r} is already subscribed on this bus")
            self._consumers[consumer] = entry
            if self._started:
                self._launch(entry)

    def ping(self) -> None:
        """Healthy until closed."""
        with self._lock:
            self._ensure_open()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued event has been handled or dead-lettered."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    @property
    def pending(self) -> int:
        """Events published and not yet handled or dead-lettered."""
        with self._idle:
            return self._pending

    def close(self) -> None:
        """Stop the workers; events still queued are dropped (the outbox has them)."""
        with self._lock:
            self._closing.set()
            consumers = list(self._consumers.values())
        for consumer in consumers:
            consumer.inbox.put(None)
        for consumer in consumers:
            if consumer.thread is not None:
                consumer.thread.join(timeout=5.0)

    def _ensure_open(self) -> None:
        if self._closing.is_set():
            raise Unavailable("in-process bus is closed")

    def _launch(self, consumer: _Consumer) -> None:
        if consumer.thread is None:
            name = f"bus-{consumer.name}"
            consumer.thread = threading.Thread(target=self._work, args=(consumer,), name=name)
            consumer.thread.daemon = True
            consumer.thread.start()

    def _work(self, consumer: _Consumer) -> None:
        while (event := consumer.inbox.get()) is not None and not self._closing.is_set():
            try:
                self._deliver(consumer, event)
            finally:
                self._settle()

    def _deliver(self, consumer: _Consumer, event: Event) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                consumer.handler(event)
                return
            except Exception:
                delay = retry_delay(attempt, self._retry_delays)
                if delay is None:
                    log.exception(
                        "dead-lettered %s %s for %s", event.name, event.event_id, consumer.name
                    )
                    return
                log.warning("retrying %s for %s in %.2fs", event.event_id, consumer.name, delay)
                if self._closing.wait(delay):
                    return

    def _settle(self) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()
