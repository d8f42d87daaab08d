"""Credit repair: customs waiting periods by cause, calendar months, NDRC publicity."""

from __future__ import annotations

import datetime as dt

import pytest

from lingang.credit.repair import (
    add_months,
    publicity_period,
    publicity_window,
    repair_eligible_from,
)
from lingang.credit.rulesets import Severity, load_rulesets
from lingang.errors import Invalid

RULES = load_rulesets()
O251 = RULES.customs(dt.date(2025, 1, 1))
O282 = RULES.customs(dt.date(2026, 4, 1))
NDRC = RULES.credit_repair(dt.date(2026, 4, 1))
D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2025, 11, 15), 3, D(2026, 2, 15)),
        (D(2025, 5, 31), 0, D(2025, 5, 31)),
    ],
)
def test_calendar_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        ("smuggling_administrative", D(2026, 8, 31)),
        ("obstruction", D(2026, 8, 31)),
        ("violation_threshold", D(2026, 2, 28)),
        ("unpaid_duty", D(2025, 11, 30)),
        ("unpaid_fine", D(2025, 11, 30)),
    ],
)
def test_order_251_waiting_periods(cause: str, expected: dt.date) -> None:
    assert repair_eligible_from(cause, D(2025, 8, 31), O251) == expected


def test_order_282_carries_the_periods_forward_as_uncertain() -> None:
    assert repair_eligible_from("violation_threshold", D(2026, 4, 30), O282) == D(2026, 10, 30)
    assert O282.repair_confidence == "U"


@pytest.mark.parametrize("cause", ["serious_list", "smuggling_criminal", "bribery", "nonsense"])
def test_causes_without_a_period_cannot_be_repaired_by_application(cause: str) -> None:
    with pytest.raises(Invalid) as err:
        repair_eligible_from(cause, D(2025, 1, 1), O251)
    assert err.value.field == "cause"


def test_ndrc_publicity_periods() -> None:
    assert (
        publicity_period("minor", NDRC).min_months,
        publicity_period("minor", NDRC).max_months,
    ) == (0, 3)
    general = publicity_period(Severity.GENERAL, NDRC)
    assert (general.min_months, general.max_months) == (3, 12)
    serious = publicity_period("serious", NDRC)
    assert (serious.min_months, serious.max_months) == (12, 36)
    with pytest.raises(Invalid) as err:
        publicity_period("grave", NDRC)
    assert err.value.field == "severity"


def test_publicity_window_from_the_adjudicating_document() -> None:
    window = publicity_window("serious", D(2026, 5, 31), NDRC)
    assert (window.repairable_from, window.publicity_ends) == (D(2027, 5, 31), D(2029, 5, 31))
    minor = publicity_window(Severity.MINOR, D(2026, 5, 31), NDRC)
    assert (minor.repairable_from, minor.publicity_ends) == (D(2026, 5, 31), D(2026, 8, 31))
