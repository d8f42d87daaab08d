"""Shared pieces of the city-event tests (issue #9): the hotline classifier trained once per
test session (kept in pytest's cache directory between runs, so only the first run pays the
tens of seconds of training), and users of the command centre and of a unit."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from factories import PASSWORD
from lingang.bootstrap import Platform
from lingang.city.model import COMMAND_CENTRE
from lingang.city.service import Suggester, trained_classifier
from lingang.types import SYSTEM, Actor, Role

MUNICIPAL = "临港新片区市政养护所"
"""The unit the manhole-cover rule dispatches to."""
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def city_classifier(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Suggester:
    """The classifier of the shipped corpus; every ``CityService`` of the session reuses it
    (the service's in-process cache is keyed by the training examples)."""
    cache = getattr(pytestconfig, "cache", None)
    folder: Path = (
        cache.mkdir("lingang-city-model") if cache else tmp_path_factory.mktemp("city-model")
    )
    return trained_classifier(model_dir=folder)


def operator(platform: Platform, department: str = COMMAND_CENTRE) -> Actor:
    """A city operator of the command centre (default) or of a unit."""
    user = platform.auth.create_user(
        f"city-op-{next(_counter)}", PASSWORD, Role.CITY_OPERATOR, actor=SYSTEM,
        department=department,
    )  # fmt: skip
    return user.as_actor()
