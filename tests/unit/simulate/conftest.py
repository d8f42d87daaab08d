"""A small simulated zone shared by the simulator's unit tests (built once per session)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lingang.config import Settings
from lingang.simulate import SimulatedZone, ZoneParams, simulate_zone

REPO = Path(__file__).resolve().parents[3]
PARAMS = ZoneParams(enterprises=600, days=365, start=dt.date(2025, 1, 1), seed=11)


@pytest.fixture(scope="session")
def hs_path() -> Path:
    """The HS 2022 nomenclature the settings name, resolved from the repository root."""
    path = Settings().hs_nomenclature
    return path if path.is_absolute() else (REPO / path).resolve()


@pytest.fixture(scope="session")
def zone(hs_path: Path) -> SimulatedZone:
    """600 enterprises over 2025 (about 36,000 declaration lines)."""
    return simulate_zone(PARAMS, hs_path)
