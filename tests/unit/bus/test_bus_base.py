"""The rules every bus adapter shares: consumer names, event type lists, retry delays."""

from __future__ import annotations

from typing import ClassVar

import pytest

from lingang.bus.base import (
    RETRY_DELAYS_S,
    check_consumer_name,
    check_event_types,
    check_registered,
    retry_delay,
)
from lingang.bus.events import Event, register_event
from lingang.errors import Invalid


@register_event
class BaseTicked(Event):
    """A test-only event."""

    name: ClassVar[str] = "bus_unit_base.ticked"


@pytest.mark.parametrize("name", ["credit-grader", "risk_engine", "a", "X9"])
def test_accepts_consumer_names_usable_as_durable_names(name: str) -> None:
    assert check_consumer_name(name) == name


@pytest.mark.parametrize("name", ["", "credit.grader", "a b", "risk>", "x" * 101])
def test_refuses_consumer_names_a_broker_would_misread(name: str) -> None:
    with pytest.raises(Invalid) as raised:
        check_consumer_name(name)
    assert raised.value.field == "consumer"


def test_refuses_a_subscription_to_no_event_type() -> None:
    with pytest.raises(Invalid) as raised:
        check_event_types([])
    assert raised.value.field == "event_types"


def test_subscribes_once_to_an_event_type_listed_twice() -> None:
    assert check_event_types([BaseTicked, BaseTicked]) == [BaseTicked]


def test_retries_with_the_configured_delays_then_gives_up() -> None:
    delays = [retry_delay(attempt) for attempt in range(1, len(RETRY_DELAYS_S) + 2)]

    assert delays == [*RETRY_DELAYS_S, None]


def test_retry_delays_grow() -> None:
    assert list(RETRY_DELAYS_S) == sorted(RETRY_DELAYS_S)


def test_accepts_a_registered_event() -> None:
    check_registered(BaseTicked())


def test_refuses_an_event_type_that_is_not_registered() -> None:
    class Stray(Event):
        name: ClassVar[str] = "bus_unit_base.stray"

    with pytest.raises(Invalid):
        check_registered(Stray())
