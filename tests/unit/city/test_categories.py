"""The category tree: shipped file valid, look-ups, labels, and the loader's validation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from lingang.city.categories import Kind, TimeLimitClass, load_categories, parse_categories
from lingang.errors import Invalid, NotFound


def shipped() -> dict[str, Any]:
    from importlib.resources import files

    data = yaml.safe_load((files("lingang.city") / "categories.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_shipped_tree_spans_both_kinds() -> None:
    tree = load_categories()
    assert len(tree) >= 30
    assert len(tree.parts()) >= 10 and len(tree.events()) >= 10
    assert {c.kind for c in tree.parts()} == {Kind.PART}
    assert {c.kind for c in tree.events()} == {Kind.EVENT}
    assert len({c.code for c in tree.all()}) == len(tree)
    assert {t.name_zh for t in tree.top_classes(Kind.PART)} >= {"公用设施", "道路交通", "园林绿化"}
    assert {t.name_zh for t in tree.top_classes(Kind.EVENT)} >= {"宣传广告", "施工管理", "街面秩序"}


def test_manhole_cover_is_a_public_facility_part() -> None:
    cover = load_categories().get("P0101")
    assert cover.path() == "部件 · 公用设施 · 井盖"
    assert cover.path("en") == "city part · Public facilities · Manhole cover"
    assert cover.label("en") == "Manhole cover"
    assert cover.time_limit is TimeLimitClass.ORDINARY and cover.time_limit.working_days == 5
    assert cover.unit == "临港新片区市政养护所"


def test_every_category_has_a_unit_and_a_time_limit() -> None:
    for category in load_categories().all():
        assert category.unit and category.name_zh and category.name_en
        assert category.time_limit.working_days in (1, 5, 15)
        assert category.code[1:3] == category.top.code


def test_unknown_code_and_language() -> None:
    tree = load_categories()
    with pytest.raises(NotFound):
        tree.get("P9999")
    with pytest.raises(Invalid) as caught:
        tree.get("P0101").label("fr")
    assert caught.value.field == "lang"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["categories"][1].update(code="P0101"), "categories[1].code"),
        (lambda d: d["categories"][0].update(kind="widget"), "categories[0].kind"),
        (lambda d: d["categories"][0].update(zh=" "), "categories[0].zh"),
        (lambda d: d["categories"][0].update(unit=""), "categories[0].unit"),
        (lambda d: d["categories"][0].update(time_limit="urgent"), "categories[0].time_limit"),
        (lambda d: d["categories"][0].update(top="09"), "categories[0].top"),
        (lambda d: d["categories"][0].update(code="E0101"), "categories[0].code"),
        (lambda d: d["top_classes"][0].update(en=None), "top_classes[0].en"),
        (lambda d: d.update(categories=[]), "categories"),
    ],
)
def test_loader_names_the_field_at_fault(change: Any, field: str) -> None:
    data = copy.deepcopy(shipped())
    change(data)
    with pytest.raises(Invalid) as caught:
        parse_categories(data)
    assert caught.value.field == field
