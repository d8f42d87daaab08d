"""What the in-process bus does beyond the shared contract (tests/integration)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from lingang.bus.base import Handler
from lingang.bus.events import Event, register_event
from lingang.bus.inprocess import InProcessBus
from lingang.errors import Unavailable

WAIT_S = 5.0


@register_event
class InProcessTicked(Event):
    """A test-only event."""

    name: ClassVar[str] = "bus_unit_inprocess.ticked"
    n: int = 0


def blocked_until(release: threading.Event) -> Handler:
    """A handler that waits until ``release`` is set."""

    def handle(event: Event) -> None:
        release.wait(WAIT_S)

    return handle


@pytest.fixture
def bus() -> Iterator[InProcessBus]:
    """A started in-process bus with fast retries."""
    bus = InProcessBus(retry_delays=(0.01,))
    bus.start()
    yield bus
    bus.close()


def test_runs_handlers_on_a_thread_of_their_own(bus: InProcessBus) -> None:
    threads: list[threading.Thread] = []
    bus.subscribe(
        "watcher", [InProcessTicked], lambda e: threads.append(threading.current_thread())
    )

    bus.publish(InProcessTicked())

    assert bus.wait_idle(WAIT_S)
    assert threads
    assert threads[0] is not threading.current_thread()


def test_delivers_the_wire_form_of_the_event(bus: InProcessBus) -> None:
    seen: list[Event] = []
    bus.subscribe("watcher", [InProcessTicked], seen.append)
    event = InProcessTicked(n=3)

    bus.publish(event)

    assert bus.wait_idle(WAIT_S)
    assert seen == [event]
    assert seen[0] is not event


def test_holds_events_published_before_start_until_start() -> None:
    bus = InProcessBus()
    seen: list[Event] = []
    bus.subscribe("watcher", [InProcessTicked], seen.append)
    bus.publish(InProcessTicked())
    try:
        assert not bus.wait_idle(0.05)
        bus.start()
        assert bus.wait_idle(WAIT_S)
    finally:
        bus.close()
    assert len(seen) == 1


def test_wait_idle_times_out_while_a_handler_is_busy(bus: InProcessBus) -> None:
    release = threading.Event()
    bus.subscribe("slow", [InProcessTicked], blocked_until(release))

    bus.publish(InProcessTicked())

    assert not bus.wait_idle(0.05)
    release.set()
    assert bus.wait_idle(WAIT_S)


def test_a_failing_consumer_does_not_hold_up_another(bus: InProcessBus) -> None:
    release = threading.Event()
    seen: list[Event] = []
    bus.subscribe("stuck", [InProcessTicked], blocked_until(release))
    bus.subscribe("healthy", [InProcessTicked], seen.append)
    delivered = threading.Event()
    bus.subscribe("signal", [InProcessTicked], lambda event: delivered.set())

    bus.publish(InProcessTicked())

    assert delivered.wait(WAIT_S)
    assert bus.wait_idle(0.05) is False
    release.set()
    assert bus.wait_idle(WAIT_S)
    assert len(seen) == 1


def test_logs_an_event_it_gives_up_on(bus: InProcessBus, caplog: pytest.LogCaptureFixture) -> None:
    def fail(event: Event) -> None:
        raise RuntimeError("permanent")

    bus.subscribe("broken", [InProcessTicked], fail)

    with caplog.at_level(logging.WARNING, logger="lingang.bus.inprocess"):
        bus.publish(InProcessTicked())
        assert bus.wait_idle(WAIT_S)

    assert "dead-lettered bus_unit_inprocess.ticked" in caplog.text


def test_refuses_everything_once_closed(bus: InProcessBus) -> None:
    bus.close()

    with pytest.raises(Unavailable):
        bus.publish(InProcessTicked())
    with pytest.raises(Unavailable):
        bus.subscribe("late", [InProcessTicked], lambda event: None)
    with pytest.raises(Unavailable):
        bus.start()


def test_close_stops_the_worker_threads() -> None:
    bus = InProcessBus()
    bus.subscribe("watcher", [InProcessTicked], lambda event: None)
    bus.start()

    bus.close()

    assert not [t for t in threading.enumerate() if t.name == "bus-watcher" and t.is_alive()]
