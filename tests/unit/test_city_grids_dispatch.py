"""The platform's responsibility grids (GeoJSON, ray casting) and the dispatch rules (first
match wins, reasons, checks on load)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lingang.city.categories import load_categories
from lingang.city.dispatch import Subject, load_rules, parse_rules
from lingang.city.grids import load_grids, parse_grids
from lingang.errors import Invalid

CODES = frozenset(load_categories().codes())
GRIDS = load_grids()


def test_points_fall_in_their_grid() -> None:
    assert 20 <= len(GRIDS.all()) <= 40
    lake = GRIDS.grid_of(30.90, 121.93)
    assert lake is not None and lake.id == "LG-G15" and "滴水湖" in lake.name_zh
    assert lake.unit and lake.town_zh == "南汇新城镇" and lake.name("en").endswith("grid")
    assert GRIDS.grid_of(31.23, 121.47) is None  # People's Square is outside the zone
    for grid in GRIDS.all():  # every grid's centre lies in that grid and no other
        lat, lon = grid.centroid()
        assert GRIDS.grid_of(lat, lon) == grid


def test_a_triangle_with_a_hole_uses_the_even_odd_rule() -> None:
    feature = {
        "type": "Feature",
        "properties": {
            "id": "LG-G99",
            "name_zh": "测试",
            "name_en": "Test",
            "town_zh": "镇",
            "town_en": "Town",
            "unit": "工作站",
        },
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[0, 0], [4, 0], [0, 4], [0, 0]],
                [[0.5, 0.5], [1, 0.5], [0.5, 1], [0.5, 0.5]],
            ],
        },
    }
    grids = parse_grids({"type": "FeatureCollection", "features": [feature]})
    assert grids.grid_of(0.25, 0.25) is not None  # (lat, lon) inside the triangle
    assert grids.grid_of(0.6, 0.6) is None  # in the hole
    assert grids.grid_of(3.0, 3.0) is None  # beyond the hypotenuse


def broken(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(dict(GRIDS.document))
    change(document["features"][2])
    return document


@pytest.mark.parametrize(("change", "field"), [
    (lambda f: f["properties"].pop("unit"), "features[2] (LG-G03).properties.unit"),
    (lambda f: f["properties"].update(id="G3"), "features[2].properties.id"),
    (lambda f: f["geometry"].update(type="Point"), "features[2] (LG-G03).geometry.type"),
    (lambda f: f["geometry"]["coordinates"][0].pop(), "coordinates[0]"),
    (lambda f: f["geometry"]["coordinates"][0][1].__setitem__(1, 95.0), "coordinates[0][1]"),
])  # fmt: skip
def test_grid_geojson_is_checked_on_load(change: Any, field: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_grids(broken(change))
    assert field in raised.value.field


def test_the_geojson_carries_extra_properties() -> None:
    geo = GRIDS.geojson({"LG-G15": {"open_events": 4}})
    lake = next(f for f in geo["features"] if f["properties"]["id"] == "LG-G15")
    assert lake["properties"]["open_events"] == 4
    assert "open_events" not in GRIDS.document["features"][14]["properties"]


def rules() -> Any:
    return load_rules(categories=CODES, grids=frozenset(GRIDS.grids))


def unit_of(code: str) -> str:
    return load_categories().get(code).unit


def test_the_first_matching_rule_wins_and_says_why() -> None:
    found = rules().route(Subject("P0101", "LG-G01", "井盖松动", "hotline"), unit_of)
    assert (found.unit, found.rule_id) == ("临港新片区市政养护所", "3")
    assert found.reason == "rule 3 (井盖类 → 市政养护所): category P0101 matched"
    core = rules().route(Subject("E0501", "LG-G15", "占道经营", "hotline"), unit_of)
    assert core.unit == "临港新片区城管执法滴水湖中队" and "grid LG-G15 matched" in core.reason
    outside = rules().route(Subject("E0501", "LG-G01", "占道经营", "hotline"), unit_of)
    assert outside.unit == "临港新片区城管执法中队" and "rule 6" in outside.reason
    gas = rules().route(Subject("P0101", None, "闻到煤气味，疑似燃气泄漏", "hotline"), unit_of)
    assert gas.unit == "临港新片区燃气所" and "keyword “燃气泄漏”" in gas.reason
    sensor = rules().route(Subject("E0104", "LG-G15", "水位", "sensor"), unit_of)
    assert sensor.rule_id == "1" and "source sensor matched" in sensor.reason
    nothing = rules().route(Subject(None, None, "不知道找谁", "hotline"), unit_of)
    assert nothing.unit == "城运中心" and nothing.reason.endswith("catch-all")


BASE = {"command_centre": "城运中心", "rules": [
    {"name": "井盖", "when": {"category": ["P0101"]}, "unit": "养护所"},
    {"name": "兜底", "unit": "城运中心"}]}  # fmt: skip


@pytest.mark.parametrize(("when", "field", "reason"), [
    ({"category": ["P99"]}, "rule 1.category", "no category"),
    ({"grids": ["LG-G77"]}, "rule 1.grids", "no responsibility grid"),
    ({"source": ["fax"]}, "rule 1.source", "fax"),
    ({"text": "(井盖"}, "rule 1.text", "regular expression"),
    ({"colour": "red"}, "rule 1.when", "unknown condition"),
])  # fmt: skip
def test_rules_are_checked_on_load(when: dict[str, Any], field: str, reason: str) -> None:
    data = copy.deepcopy(BASE)
    data["rules"][0]["when"] = when
    with pytest.raises(Invalid) as raised:
        parse_rules(data, categories=CODES, grids=frozenset(GRIDS.grids))
    assert raised.value.field == field and reason in raised.value.reason


def test_the_last_rule_is_a_catch_all_to_the_command_centre() -> None:
    data = copy.deepcopy(BASE)
    data["rules"].pop()
    with pytest.raises(Invalid, match="catch-all"):
        parse_rules(data, categories=CODES, grids=frozenset(GRIDS.grids))
