"""What the NATS adapter decides without a server: subjects, settings, refusals when down.

The adapter against a live server is tested in tests/integration/test_bus_contract.py.
"""

from __future__ import annotations

import socket
import threading
from typing import ClassVar

import pytest

from lingang.bus.events import Event, register_event
from lingang.bus.nats import NatsBus
from lingang.config import Settings
from lingang.errors import Invalid, Unavailable


@register_event
class NatsTicked(Event):
    """A test-only event."""

    name: ClassVar[str] = "bus_unit_nats.ticked"


def free_port() -> int:
    """A local port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_uses_the_event_subject_under_the_default_prefix() -> None:
    bus = NatsBus()

    assert bus.subject_of(NatsTicked) == NatsTicked.subject() == "lingang.bus_unit_nats.ticked"
    assert bus.name_of(NatsTicked.subject()) == NatsTicked.name


def test_maps_subjects_both_ways_under_a_custom_prefix() -> None:
    bus = NatsBus(subject_prefix="lingang_test_1")

    subject = bus.subject_of(NatsTicked)

    assert subject == "lingang_test_1.bus_unit_nats.ticked"
    assert bus.name_of(subject) == NatsTicked.name


def test_takes_url_and_stream_from_settings() -> None:
    settings = Settings(nats_url="nats://example:4333", nats_stream="OTHER")

    bus = NatsBus.from_settings(settings)

    assert (bus.url, bus.stream) == ("nats://example:4333", "OTHER")


def test_is_unavailable_until_started() -> None:
    bus = NatsBus()

    with pytest.raises(Unavailable):
        bus.publish(NatsTicked())
    with pytest.raises(Unavailable):
        bus.ping()
    assert bus.wait_idle(0.01) is False
    bus.close()


def test_refuses_a_consumer_name_that_is_not_a_durable_name() -> None:
    with pytest.raises(Invalid):
        NatsBus().subscribe("credit.grader", [NatsTicked], lambda event: None)


def test_start_is_unavailable_when_no_server_answers() -> None:
    bus = NatsBus(f"nats://127.0.0.1:{free_port()}", timeout_s=0.5)

    with pytest.raises(Unavailable):
        bus.start()

    assert not [t for t in threading.enumerate() if t.name == "nats-bus" and t.is_alive()]
