"""The credit-grading engine: customs criteria at their edges, the switch from Order 251 to
Order 282, the dated relaxation, reproducibility, and the zone score with its factors."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from lingang.credit.grading import (
    CreditGrade,
    CustomsCategory,
    GradingInput,
    ZoneClass,
    grade,
)
from lingang.credit.model import CreditRecord, RecordKind
from lingang.credit.rulesets import Rulesets, load_rulesets
from lingang.entities.model import AeoStatus, uscc_check_char
from lingang.errors import Invalid

FIRST17 = "91310115MA1K4AB3C"
USCC = FIRST17 + uscc_check_char(FIRST17)
RULES = load_rulesets()
AS_OF = dt.date(2025, 6, 30)  # Order 251, inside the 2023 relaxation window
MARCH = dt.date(2025, 3, 1)
Spec = tuple[RecordKind, dt.date, dict[str, Any]]
D = dt.date


def record(
    kind: RecordKind, on: dt.date, details: dict[str, Any] | None = None, *, rid: int = 1
) -> CreditRecord:
    return CreditRecord(
        id=rid, enterprise_uscc=USCC, kind=kind, occurred_on=on, source="test",
        source_ref=f"t/{rid}", summary="", details=details or {},
        recorded_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip


def records(*specs: Spec) -> tuple[CreditRecord, ...]:
    return tuple(record(k, on, d, rid=i + 1) for i, (k, on, d) in enumerate(specs))


def violations(n: int, total_penalty: int, on: dt.date = MARCH, **extra: Any) -> list[Spec]:
    """``n`` violations whose penalties add up to ``total_penalty`` (all on the first)."""
    rest = [(RecordKind.VIOLATION, on, {"penalty_rmb": "0", **extra}) for _ in range(n - 1)]
    return [(RecordKind.VIOLATION, on, {"penalty_rmb": str(total_penalty), **extra}), *rest]


def run(
    recs: tuple[CreditRecord, ...] = (), *, as_of: dt.date = AS_OF, broker: bool = False,
    aeo: AeoStatus = AeoStatus.NONE, declarations: int | None = 3000,
    rules: Rulesets = RULES,
) -> CreditGrade:  # fmt: skip
    result = grade(GradingInput(USCC, as_of, broker, aeo, declarations, recs), rules)
    assert result.base + sum(f.points for f in result.factors) == result.score
    assert 0 <= result.score <= 1000
    return result


def debt(kind: RecordKind, days: int, as_of: dt.date = AS_OF, **extra: Any) -> CreditRecord:
    due = as_of - dt.timedelta(days=days)
    return record(kind, due, {"amount_rmb": "50000", "due_on": due.isoformat(), **extra})


# --- violation thresholds ---------------------------------------------------------------------


def test_violations_exactly_one_per_mille_are_not_dishonest() -> None:
    result = run(records(*violations(3, 1_000_001)), declarations=3000)
    assert result.dishonest_reasons == ()
    assert result.customs_category is CustomsCategory.OTHER


def test_violations_just_above_one_per_mille_with_penalties_above_1m_are_dishonest() -> None:
    result = run(records(*violations(4, 1_000_001)), declarations=3000)
    assert result.dishonest_reasons == ("violation_threshold",)
    assert result.customs_category is CustomsCategory.DISHONEST
    factor = next(f for f in result.factors if f.code == "violations")
    assert "近一年违规 4 次，占上年报关单 1.33‰；罚款合计 ¥1,000,001" in factor.detail
    assert factor.record_ids == (1, 2, 3, 4)


def test_penalties_of_exactly_1m_are_not_dishonest() -> None:
    assert run(records(*violations(4, 1_000_000))).dishonest_reasons == ()
    assert run(records(*violations(4, 1_000_001))).dishonest_reasons == ("violation_threshold",)


def test_broker_thresholds_are_half_per_mille_and_300k() -> None:
    at_ratio = run(records(*violations(5, 300_001)), broker=True, declarations=10_000)
    above = run(records(*violations(6, 300_001)), broker=True, declarations=10_000)
    at_amount = run(records(*violations(6, 300_000)), broker=True, declarations=10_000)
    assert at_ratio.dishonest_reasons == ()
    assert above.dishonest_reasons == ("violation_threshold",)
    assert at_amount.dishonest_reasons == ()
    # the same numbers do not make a non-broker dishonest
    assert run(records(*violations(6, 300_001)), declarations=10_000).dishonest_reasons == ()


@pytest.mark.parametrize("declarations", [None, 0])
def test_unknown_previous_year_count_uses_penalties_alone(declarations: int | None) -> None:
    one = records(*violations(1, 1_000_001))
    assert run(one, declarations=declarations).dishonest_reasons == ("violation_threshold",)
    assert (
        run(records(*violations(1, 1_000_000)), declarations=declarations).dishonest_reasons == ()
    )
    broker = run(records(*violations(1, 300_001)), broker=True, declarations=declarations)
    assert broker.dishonest_reasons == ("violation_threshold",)
    factor = next(f for f in run(one, declarations=declarations).factors if f.code == "violations")
    assert "上年报关单数不可计算" in factor.detail


def test_penalty_nested_in_the_case_disposal_counts() -> None:
    case = {"disposal": {"penalty_rmb": "1000001.00"}, "outcome": "confirmed_violation"}
    result = run(records((RecordKind.VIOLATION, D(2025, 3, 1), case)), declarations=None)
    assert result.dishonest_reasons == ("violation_threshold",)


def test_violations_outside_the_365_day_window_do_not_count() -> None:
    old = D(2025, 6, 30) - dt.timedelta(days=365)
    assert run(records(*violations(4, 1_000_001, on=old))).dishonest_reasons == ()
    inside = old + dt.timedelta(days=1)
    result = run(records(*violations(4, 1_000_001, on=inside)))
    assert result.dishonest_reasons == ("violation_threshold",)


# --- unpaid duties and fines ------------------------------------------------------------------


def test_duty_unpaid_90_days_is_not_dishonest_91_is() -> None:
    assert run((debt(RecordKind.UNPAID_DUTY, 90),)).dishonest_reasons == ()
    assert run((debt(RecordKind.UNPAID_DUTY, 91),)).dishonest_reasons == ("unpaid_duty",)


def test_fine_unpaid_180_days_is_not_dishonest_181_is() -> None:
    assert run((debt(RecordKind.UNPAID_FINE, 180),)).dishonest_reasons == ()
    assert run((debt(RecordKind.UNPAID_FINE, 181),)).dishonest_reasons == ("unpaid_fine",)


def test_the_uncertain_fine_amount_condition_can_be_switched_on(tmp_path: Path) -> None:
    shipped = resources.files("lingang.credit") / "rulesets"
    for item in shipped.iterdir():
        if item.name.endswith(".yaml"):
            (tmp_path / item.name).write_text(item.read_text("utf-8"), "utf-8")
    data = yaml.safe_load((tmp_path / "customs-order-251.yaml").read_text("utf-8"))
    data["criteria"]["unpaid_fine"]["amount_rmb_gt"] = 10_000
    (tmp_path / "customs-order-251.yaml").write_text(yaml.safe_dump(data), "utf-8")
    strict = load_rulesets(tmp_path)
    small = debt(RecordKind.UNPAID_FINE, 181, amount_rmb="10000")
    big = debt(RecordKind.UNPAID_FINE, 181, amount_rmb="10000.01")
    assert run((small,)).dishonest_reasons == ("unpaid_fine",)  # shipped: condition off
    assert run((small,), rules=strict).dishonest_reasons == ()
    assert run((big,), rules=strict).dishonest_reasons == ("unpaid_fine",)


def test_paid_duty_stops_the_criterion_but_still_weighs_on_the_score() -> None:
    paid = debt(RecordKind.UNPAID_DUTY, 200, paid_on=AS_OF.isoformat())
    result = run((paid,))
    assert result.dishonest_reasons == ()
    factor = next(f for f in result.factors if f.code == "unpaid_duty")
    assert factor.points < 0 and "截至评价日未缴 0 笔" in factor.detail


def test_a_duty_paid_after_as_of_is_unpaid_on_as_of() -> None:
    later = debt(RecordKind.UNPAID_DUTY, 120, paid_on=(AS_OF + dt.timedelta(days=5)).isoformat())
    assert run((later,)).dishonest_reasons == ("unpaid_duty",)


def test_due_on_defaults_to_the_record_date() -> None:
    rec = record(RecordKind.UNPAID_DUTY, AS_OF - dt.timedelta(days=91), {"amount_rmb": 10})
    assert run((rec,)).dishonest_reasons == ("unpaid_duty",)


# --- the day the rules change -----------------------------------------------------------------


def test_order_251_applies_up_to_2026_03_31() -> None:
    day = D(2026, 3, 31)
    assert run(as_of=day).instrument == "GACC-251"
    assert run(as_of=day).customs_category is CustomsCategory.OTHER
    assert run(as_of=day, aeo=AeoStatus.GENERAL).customs_category is CustomsCategory.OTHER
    advanced = run(as_of=day, aeo=AeoStatus.ADVANCED)
    assert advanced.customs_category is CustomsCategory.ADVANCED_CERTIFIED
    assert advanced.ruleset_versions["customs"] == "GACC-251@251.1"


def test_order_282_five_tiers_from_2026_04_01() -> None:
    day = D(2026, 4, 1)
    assert run(as_of=day).instrument == "GACC-282"
    assert run(as_of=day).customs_category is CustomsCategory.REGULAR
    assert run(as_of=day, aeo=AeoStatus.GENERAL).customs_category is CustomsCategory.CERTIFIED
    assert (
        run(as_of=day, aeo=AeoStatus.ADVANCED).customs_category
        is CustomsCategory.ADVANCED_CERTIFIED
    )
    duty = run((debt(RecordKind.UNPAID_DUTY, 91, day),), as_of=day, aeo=AeoStatus.ADVANCED)
    assert duty.customs_category is CustomsCategory.DISHONEST


def test_serious_list_is_a_tier_under_282_and_a_flag_under_251() -> None:
    food = {"criminal": True, "goods_category": "food"}
    before = run(records((RecordKind.SMUGGLING, D(2026, 3, 1), food)), as_of=D(2026, 3, 31))
    after = run(records((RecordKind.SMUGGLING, D(2026, 3, 1), food)), as_of=D(2026, 4, 1))
    assert before.customs_category is CustomsCategory.DISHONEST and before.on_serious_list
    assert before.dishonest_reasons == ("smuggling_criminal", "serious_list")
    assert after.customs_category is CustomsCategory.SERIOUSLY_DISHONEST
    assert before.zone_class is ZoneClass.D and after.zone_class is ZoneClass.D


def test_solid_waste_penalty_above_2_5m_puts_on_the_serious_list() -> None:
    at = {"goods_category": "solid_waste", "penalty_rmb": 2_500_000}
    above = {"goods_category": "solid_waste", "penalty_rmb": 2_500_001}
    assert not run(records((RecordKind.SMUGGLING, D(2025, 1, 1), at))).on_serious_list
    assert run(records((RecordKind.SMUGGLING, D(2025, 1, 1), above))).on_serious_list


# --- the 2023 relaxation ----------------------------------------------------------------------


def test_relaxation_excuses_unintended_violations_until_2025_12_31() -> None:
    recs = records(*violations(4, 1_000_001, on=D(2025, 6, 1), subjective_intent=False))
    assert run(recs, as_of=D(2025, 12, 31)).dishonest_reasons == ()
    assert run(recs, as_of=D(2026, 1, 1)).dishonest_reasons == ("violation_threshold",)


def test_relaxation_does_not_apply_to_brokers_or_intended_violations() -> None:
    unintended = records(*violations(6, 300_001, on=D(2025, 6, 1), subjective_intent=False))
    result = run(unintended, as_of=D(2025, 12, 31), broker=True, declarations=10_000)
    assert result.dishonest_reasons == ("violation_threshold",)
    intended = records(*violations(4, 1_000_001, on=D(2025, 6, 1), subjective_intent=True))
    assert run(intended, as_of=D(2025, 12, 31)).dishonest_reasons == ("violation_threshold",)


# --- reproducibility, AEO, other criteria -----------------------------------------------------


def test_grading_a_past_date_ignores_later_records() -> None:
    early = records(*violations(1, 1000, on=D(2024, 1, 10)))
    late = (record(RecordKind.SMUGGLING, D(2025, 1, 1), {"criminal": True}, rid=99),)
    past = run(early + late, as_of=D(2024, 6, 30))
    assert past == run(early, as_of=D(2024, 6, 30))
    assert run(early + late, as_of=D(2025, 6, 30)).dishonest_reasons == ("smuggling_criminal",)


def test_latest_aeo_record_before_as_of_overrides_the_registered_status() -> None:
    revoked = {"level": "advanced", "revoked": True}
    recs = records(
        (RecordKind.AEO_CERTIFICATION, D(2022, 1, 1), {"level": "advanced"}),
        (RecordKind.AEO_CERTIFICATION, D(2024, 1, 1), revoked),
    )
    assert run(recs, as_of=D(2023, 1, 1)).customs_category is CustomsCategory.ADVANCED_CERTIFIED
    result = run(recs, as_of=D(2024, 6, 1), aeo=AeoStatus.ADVANCED)
    assert result.customs_category is CustomsCategory.OTHER
    assert result.aeo_status is AeoStatus.NONE
    expired = records(
        (
            RecordKind.AEO_CERTIFICATION,
            D(2022, 1, 1),
            {"level": "general", "valid_until": "2023-01-01"},
        )
    )
    assert run(expired, as_of=D(2026, 5, 1)).customs_category is CustomsCategory.REGULAR


def test_smuggling_and_obstruction_are_dishonest_until_the_lookback_ends() -> None:
    recs = records(
        (RecordKind.SMUGGLING, D(2024, 1, 1), {"criminal": False, "penalty_rmb": "5000"}),
        (RecordKind.VIOLATION, D(2024, 1, 1), {"violation_type": "obstruction"}),
    )
    result = run(recs, as_of=D(2025, 1, 1), aeo=AeoStatus.ADVANCED)
    assert result.dishonest_reasons == ("smuggling_administrative", "obstruction")
    assert result.customs_category is CustomsCategory.DISHONEST
    assert run(recs, as_of=D(2026, 1, 2)).dishonest_reasons == ()  # 731 days later


# --- zone score -------------------------------------------------------------------------------


def test_a_clean_enterprise_scores_the_base_in_class_b() -> None:
    result = run()
    assert (result.score, result.zone_class, result.factors) == (700, ZoneClass.B, ())


def test_advanced_aeo_reaches_class_a() -> None:
    result = run(aeo=AeoStatus.ADVANCED)
    assert (result.score, result.zone_class) == (850, ZoneClass.A)
    assert result.factors[0].code == "aeo" and result.factors[0].points == 150


@pytest.mark.parametrize(
    ("score", "zone_class"),
    [(1000, "A"), (850, "A"), (849, "B"), (700, "B"), (699, "C"), (550, "C"), (549, "D"), (0, "D")],
)
def test_class_cut_offs(score: int, zone_class: str) -> None:
    assert RULES.zone_score(AS_OF).zone_class(score) is ZoneClass(zone_class)


def test_score_is_clamped_at_zero_with_a_clamp_factor() -> None:
    recs = records(*[(RecordKind.SMUGGLING, D(2025, 1, 1), {"criminal": True})] * 3)
    result = run(recs)
    assert result.score == 0 and result.zone_class is ZoneClass.D
    clamp = result.factors[-1]
    assert clamp.code == "clamp" and clamp.points == 800  # raw 700 − 1500 = −800


def test_score_is_clamped_at_1000() -> None:
    positive = {"polarity": "positive", "severity": "serious"}
    recs = records(
        *[(RecordKind.AWARD, D(2025, 1, 1), {"points": 50})] * 3,
        *[(RecordKind.PUBLIC_CREDIT, D(2025, 1, 1), positive)] * 10,
    )
    result = run(recs, aeo=AeoStatus.ADVANCED)
    assert result.score == 1000
    awards = next(f for f in result.factors if f.code == "awards")
    assert awards.points == 100  # capped total
    assert next(f for f in result.factors if f.code == "clamp").points == -150


def test_dishonest_category_caps_the_class_at_c() -> None:
    result = run((debt(RecordKind.UNPAID_DUTY, 91),), aeo=AeoStatus.ADVANCED)
    assert result.score == 790  # 700 + 150 − (30 + 3 × 10)
    assert result.zone_class is ZoneClass.C
    cap = result.factors[-1]
    assert (cap.code, cap.points) == ("category_cap", 0)
    assert "失信企业" in cap.detail


def test_older_records_weigh_less() -> None:
    fresh = run(records(*violations(1, 100_000, on=D(2025, 6, 1))))
    year_old = run(records(*violations(1, 100_000, on=D(2024, 5, 1))))
    assert fresh.score == 700 - 40 and year_old.score == 700 - 20
    ancient = run(records(*violations(1, 100_000, on=D(2019, 1, 1))))
    assert ancient.score == 700


def test_case_outcomes_and_negative_public_credit() -> None:
    recs = records(
        (RecordKind.CASE_OUTCOME, D(2025, 1, 1), {"outcome": "confirmed_violation"}),
        (RecordKind.CASE_OUTCOME, D(2025, 1, 1), {"outcome": "false_positive"}),
        (RecordKind.PUBLIC_CREDIT, D(2025, 1, 1), {"polarity": "negative", "severity": "general"}),
    )
    result = run(recs)
    points = {f.code: f.points for f in result.factors}
    assert points == {"case_outcomes": -10, "public_credit_negative": -30}
    assert result.score == 660


# --- labels and validation --------------------------------------------------------------------


def test_labels() -> None:
    assert CustomsCategory.SERIOUSLY_DISHONEST.label() == "严重失信企业"
    assert CustomsCategory.CERTIFIED.label("en") == "Certified enterprise"
    assert [c.label() for c in ZoneClass] == ["优", "良", "中", "差"]


@pytest.mark.parametrize(
    ("kind", "details", "field"),
    [
        (RecordKind.VIOLATION, {"penalty_rmb": "lots"}, "details.penalty_rmb"),
        (RecordKind.VIOLATION, {"penalty_rmb": -5}, "details.penalty_rmb"),
        (RecordKind.VIOLATION, {"disposal": {"penalty_rmb": "x"}}, "details.disposal.penalty_rmb"),
        (RecordKind.VIOLATION, {"subjective_intent": "no"}, "details.subjective_intent"),
        (RecordKind.UNPAID_DUTY, {"due_on": "31/01/2025"}, "details.due_on"),
        (RecordKind.UNPAID_FINE, {"paid_on": 20250101}, "details.paid_on"),
        (RecordKind.SMUGGLING, {"criminal": "yes"}, "details.criminal"),
        (RecordKind.CASE_OUTCOME, {"outcome": "won"}, "details.outcome"),
        (RecordKind.AEO_CERTIFICATION, {"level": "gold"}, "details.level"),
        (RecordKind.AWARD, {"points": 2.5}, "details.points"),
        (RecordKind.PUBLIC_CREDIT, {"polarity": "positive"}, "details.severity"),
    ],
)
def test_bad_details_name_the_key_and_the_record(
    kind: RecordKind, details: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid, match="record 7") as err:
        run((record(kind, D(2025, 1, 1), details, rid=7),))
    assert err.value.field == field


def test_records_of_another_enterprise_are_refused() -> None:
    other = CreditRecord(
        id=5, enterprise_uscc="X", kind=RecordKind.AWARD, occurred_on=D(2025, 1, 1),
        source="t", source_ref="t", summary="", details={},
        recorded_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    with pytest.raises(Invalid) as err:
        run((other,))
    assert err.value.field == "records"
