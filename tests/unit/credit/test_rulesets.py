"""Credit rule sets: the shipped versions, picking by date, loading a directory, and
malformed files naming the YAML key."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from lingang.credit.rulesets import (
    CustomsCategory,
    CustomsRuleset,
    RulesetKind,
    Severity,
    ZoneClass,
    load_rulesets,
)
from lingang.entities.model import AeoStatus
from lingang.errors import Invalid, NotFound

SHIPPED = resources.files("lingang.credit") / "rulesets"
FILES = ("customs-order-251.yaml", "customs-order-282.yaml", "zone-score-v1.yaml",
         "national-credit-repair-2026.yaml")  # fmt: skip


def shipped(name: str) -> dict[str, Any]:
    data = yaml.safe_load((SHIPPED / name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def write(directory: Path, name: str, data: dict[str, Any]) -> None:
    (directory / name).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def test_the_shipped_versions_load() -> None:
    rules = load_rulesets()
    tags = sorted(r.meta.tag for r in rules.versions)
    assert tags == ["GACC-251@251.1", "GACC-282@282.1", "LINGANG-ZONE-SCORE@v1",
                    "NDRC-CREDIT-REPAIR-2026@2026.1"]  # fmt: skip


def test_ruleset_for_picks_the_version_in_force() -> None:
    rules = load_rulesets()
    assert rules.ruleset_for("customs", dt.date(2021, 11, 1)).meta.instrument == "GACC-251"
    assert (
        rules.ruleset_for(RulesetKind.CUSTOMS, dt.date(2026, 3, 31)).meta.instrument == "GACC-251"
    )
    assert rules.customs(dt.date(2026, 4, 1)).meta.instrument == "GACC-282"
    assert rules.customs(dt.date(2040, 1, 1)).meta.instrument == "GACC-282"
    with pytest.raises(NotFound):
        rules.customs(dt.date(2021, 10, 31))
    with pytest.raises(NotFound):
        rules.credit_repair(dt.date(2026, 3, 31))
    assert rules.credit_repair(dt.date(2026, 4, 1)).meta.instrument == "NDRC-CREDIT-REPAIR-2026"


def test_order_251_values() -> None:
    rules = load_rulesets().customs(dt.date(2024, 1, 1))
    assert isinstance(rules, CustomsRuleset)
    assert rules.non_broker.per_mille_gt == Decimal("1.0")
    assert rules.non_broker.penalty_rmb_gt == 1_000_000
    assert (rules.broker.per_mille_gt, rules.broker.penalty_rmb_gt) == (
        Decimal("0.5"),
        Decimal(300_000),
    )
    assert (rules.duty_overdue_days_gt, rules.fine_overdue_days_gt) == (90, 180)
    assert rules.fine_amount_rmb_gt == 0  # the [U] "> RMB 10,000" is off
    assert rules.aeo_categories[AeoStatus.GENERAL] is CustomsCategory.OTHER
    (relaxation,) = rules.relaxations
    assert (relaxation.start, relaxation.end) == (dt.date(2023, 12, 1), dt.date(2025, 12, 31))
    assert relaxation.covers(is_broker=False) and not relaxation.covers(is_broker=True)
    assert rules.confidences["serious_list"] == "U"


def test_order_282_carries_251_thresholds_forward_as_uncertain() -> None:
    rules = load_rulesets()
    old, new = rules.customs(dt.date(2026, 3, 31)), rules.customs(dt.date(2026, 4, 1))
    assert new.meta.confidence == "U" and set(new.confidences.values()) == {"U"}
    assert (new.non_broker, new.broker) == (old.non_broker, old.broker)
    assert new.repair_months == old.repair_months and new.repair_confidence == "U"
    assert new.severity_categories[Severity.SERIOUS] is CustomsCategory.SERIOUSLY_DISHONEST
    assert new.relaxations == ()


def test_zone_score_values() -> None:
    score = load_rulesets().zone_score(dt.date(2025, 1, 1))
    assert (score.base, score.min_score, score.max_score) == (700, 0, 1000)
    assert score.caps["dishonest"] is ZoneClass.C
    assert (score.weight(365), score.weight(366), score.weight(5000)) == (
        Decimal(1),
        Decimal("0.5"),
        Decimal(0),
    )


def test_a_directory_can_supply_a_new_version(tmp_path: Path) -> None:
    for name in FILES:
        write(tmp_path, name, shipped(name))
    v2 = shipped("zone-score-v1.yaml") | {"version": "v2", "effective_from": dt.date(2027, 1, 1),
                                          "base": 600}  # fmt: skip
    v1 = shipped("zone-score-v1.yaml") | {"effective_to": dt.date(2026, 12, 31)}
    write(tmp_path, "zone-score-v1.yaml", v1)
    write(tmp_path, "zone-score-v2.yaml", v2)
    rules = load_rulesets(tmp_path)
    assert rules.zone_score(dt.date(2026, 12, 31)).base == 700
    assert rules.zone_score(dt.date(2027, 1, 1)).base == 600


def test_overlapping_versions_are_rejected(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", shipped("zone-score-v1.yaml"))
    write(
        tmp_path, "b.yaml", shipped("zone-score-v1.yaml") | {"effective_from": dt.date(2030, 1, 1)}
    )
    with pytest.raises(Invalid, match="overlaps") as err:
        load_rulesets(tmp_path)
    assert err.value.field == "effective_from"


@pytest.mark.parametrize(
    ("name", "change", "field"),
    [
        ("customs-order-251.yaml",
         lambda d: d["criteria"]["unpaid_duty"].pop("overdue_days_gt"),
         "criteria.unpaid_duty.overdue_days_gt"),
        ("customs-order-251.yaml",
         lambda d: d["criteria"]["violation_threshold"]["broker"].update(per_mille_gt="half"),
         "criteria.violation_threshold.broker.per_mille_gt"),
        ("customs-order-251.yaml",
         lambda d: d["criteria"]["unpaid_fine"].update(severity="awful"),
         "criteria.unpaid_fine.severity"),
        ("customs-order-251.yaml", lambda d: d.update(effective_from="soon"), "effective_from"),
        ("customs-order-251.yaml",
         lambda d: d.update(effective_to=dt.date(2020, 1, 1)), "effective_to"),
        ("customs-order-251.yaml", lambda d: d.update(kind="tax"), "kind"),
        ("customs-order-251.yaml",
         lambda d: d["categories"]["aeo"].update(general="gold"), "categories.aeo.general"),
        ("customs-order-251.yaml",
         lambda d: d["exceptions"][0].pop("to"), "exceptions[0].to"),
        ("customs-order-251.yaml",
         lambda d: d["repair"]["months"].update(tax_evasion=3), "repair.months.tax_evasion"),
        ("zone-score-v1.yaml", lambda d: d["deductions"]["violation"].update(per_record=-1),
         "deductions.violation.per_record"),
        ("zone-score-v1.yaml", lambda d: d["classes"].reverse(), "classes"),
        ("zone-score-v1.yaml", lambda d: d["caps"].update(grumpy="D"), "caps.grumpy"),
        ("zone-score-v1.yaml", lambda d: d.update(base=2000), "base"),
        ("zone-score-v1.yaml", lambda d: d.pop("decay"), "decay"),
        ("national-credit-repair-2026.yaml",
         lambda d: d["publicity"]["serious"].update(max_months=6), "publicity.serious.max_months"),
    ],
)  # fmt: skip
def test_malformed_files_name_the_key(tmp_path: Path, name: str, change: Any, field: str) -> None:
    data = shipped(name)
    change(data)
    write(tmp_path, name, data)
    with pytest.raises(Invalid, match=re.escape(name)) as err:
        load_rulesets(tmp_path)
    assert err.value.field == field


def test_unparsable_yaml_is_invalid(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("kind: [customs", "utf-8")
    with pytest.raises(Invalid, match=r"broken\.yaml"):
        load_rulesets(tmp_path)
