"""Duplicate suggestions: same category, within the radius and the window, nearest first."""

from __future__ import annotations

import datetime as dt

import pytest

from lingang.city.duplicates import Report, haversine_m, suggest_duplicates
from lingang.errors import Invalid

AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
LAT, LON = 30.9000, 121.9300  # near 滴水湖
DEG_LAT_M = 111_195.0  # metres per degree of latitude on the haversine sphere


def report(id: str, category: str = "P0101", dlat_m: float = 0.0, hours: float = 0.0,
           lon: float = LON) -> Report:  # fmt: skip
    return Report(id, category, LAT + dlat_m / DEG_LAT_M, lon, AT + dt.timedelta(hours=hours))


def test_haversine_against_known_distances() -> None:
    assert haversine_m(LAT, LON, LAT, LON) == 0.0
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-4)
    # Shanghai People's Square to Lingang 滴水湖: about 60 km
    assert haversine_m(31.2304, 121.4737, 30.9000, 121.9300) == pytest.approx(57_000, rel=0.05)


def test_same_category_within_radius_and_window_nearest_first() -> None:
    candidate = report("new")
    existing = [
        report("far", dlat_m=150),
        report("near", dlat_m=20, hours=-3),
        report("nearer", dlat_m=5, hours=-20),
        report("other-category", category="E0104", dlat_m=1),
        report("too-old", dlat_m=1, hours=-30),
        report("later", dlat_m=50, hours=2),
        candidate,
    ]
    found = suggest_duplicates(candidate, existing)
    assert [s.item.id for s in found] == ["nearer", "near", "later"]
    item, distance, hours = found[0]
    assert item.id == "nearer"
    assert distance == pytest.approx(5, abs=0.01)
    assert hours == pytest.approx(20)


def test_radius_and_window_are_parameters() -> None:
    candidate = report("new")
    existing = [report("a", dlat_m=150, hours=-30)]
    assert suggest_duplicates(candidate, existing) == []
    found = suggest_duplicates(candidate, existing, radius_m=200, window=dt.timedelta(days=2))
    assert [s.item.id for s in found] == ["a"]


@pytest.mark.parametrize(
    ("candidate", "existing", "field"),
    [
        (Report("x", "P0101", 91.0, LON, AT), [], "candidate.lat"),
        (Report("x", "P0101", LAT, -181.0, AT), [], "candidate.lon"),
        (Report("x", "P0101", LAT, LON, AT.replace(tzinfo=None)), [], "candidate.at"),
        (report("x"), [report("ok"), Report("y", "P0101", LAT, 200.0, AT)], "existing[1].lon"),
    ],
)
def test_out_of_range_positions_name_the_field(candidate: Report, existing: list[Report],
                                               field: str) -> None:  # fmt: skip
    with pytest.raises(Invalid) as caught:
        suggest_duplicates(candidate, existing)
    assert caught.value.field == field


def test_radius_and_window_must_be_positive() -> None:
    with pytest.raises(Invalid) as caught:
        suggest_duplicates(report("x"), [], radius_m=0)
    assert caught.value.field == "radius_m"
    with pytest.raises(Invalid) as caught:
        suggest_duplicates(report("x"), [], window=dt.timedelta(0))
    assert caught.value.field == "window"
