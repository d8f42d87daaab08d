"""The 双随机 draw: determinism, sampling by credit class, inspectors, commit–reveal, verify."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import math
import random
from collections import Counter
from typing import Any

import pytest

from lingang.errors import Invalid
from lingang.inspections.draw import (
    Check,
    RandomStream,
    announcement,
    canonical_inputs,
    check_commitment,
    commitment,
    draw,
    from_published,
    inputs_digest,
    new_seed,
    parse_inputs,
    published_record,
    verify_draw,
)
from lingang.inspections.model import (
    DrawPlan,
    InspectionItem,
    Inspector,
    SamplingRates,
    Target,
)

DEPT = "市场监管局"
SEED = hashlib.sha256(b"fixed test seed").hexdigest()


def seed_of(n: int) -> str:
    """A deterministic seed per index, so statistical tests never flake."""
    return hashlib.sha256(f"seed-{n}".encode()).hexdigest()


def library(per_class: int = 20, year: int | None = None) -> list[Target]:
    """``per_class`` targets in each credit class A..D."""
    return [
        Target(f"91310000{c}{i:09d}", f"企业{c}{i}", c, year)
        for c in "ABCD"
        for i in range(per_class)
    ]


def staff(n: int = 6, dept: str = DEPT) -> list[Inspector]:
    return [Inspector(f"I{i:02d}", f"检查员{i}", dept, frozenset({"food"})) for i in range(n)]


def plan(**kw: Any) -> DrawPlan:
    base: dict[str, Any] = {"plan_id": "P-2026-01", "year": 2026, "item_code": "SC-01"}
    base["department"] = DEPT
    base.update(kw)
    return DrawPlan(**base)


# -- determinism -----------------------------------------------------------------------------


def test_same_seed_same_result() -> None:
    assert draw(plan(), library(), staff(), SEED) == draw(plan(), library(), staff(), SEED)


def test_input_order_does_not_matter() -> None:
    targets, inspectors = library(), staff()
    shuffled_t, shuffled_i = targets[:], inspectors[:]
    random.Random(7).shuffle(shuffled_t)
    random.Random(8).shuffle(shuffled_i)
    assert draw(plan(), shuffled_t, shuffled_i, SEED) == draw(plan(), targets, inspectors, SEED)
    assert canonical_inputs(plan(), shuffled_t, shuffled_i) == canonical_inputs(
        plan(), targets, inspectors
    )


def test_different_seed_different_selection() -> None:
    results = {draw(plan(), library(40), staff(), seed_of(n)).selected for n in range(5)}
    assert len(results) == 5


def test_random_stream_matches_the_documented_construction() -> None:
    stream = RandomStream(SEED, "select/B")
    for i in range(3):
        msg = b"select/B\x00" + i.to_bytes(8, "big")
        block = hmac.new(SEED.encode(), msg, hashlib.sha256).digest()
        assert stream.bits() == int.from_bytes(block[:8], "big") >> 11
    assert 0.0 <= stream.uniform() < 1.0
    assert all(0 <= stream.below(7) < 7 for _ in range(50))


# -- sampling by credit class ----------------------------------------------------------------


def test_whole_quotas_are_drawn_exactly() -> None:
    result = draw(plan(), library(20), staff(), SEED)
    assert [(t.credit_class, t.eligible, t.drawn) for t in result.tallies] == [
        ("A", 20, 1), ("B", 20, 3), ("C", 20, 6), ("D", 20, 10),
    ]  # fmt: skip
    assert len(result.selected) == 20 == len(set(result.selected))
    drawn_classes = Counter(u[8] for u in result.selected)
    assert drawn_classes == {"A": 1, "B": 3, "C": 6, "D": 10}


def test_rates_are_read_as_exact_decimals() -> None:
    # 0.07 × 100 is 7.000000000000001 in floating point; the draw reads 0.07 as 7/100
    assert 0.07 * 100 != 7
    for n in range(30):
        result = draw(plan(rates=SamplingRates(a=0.07)), library(100), staff(200), seed_of(n))
        assert result.tallies[0].drawn == 7


def test_fractional_quota_rounds_up_with_probability_of_the_fraction() -> None:
    # B: 0.15 × 10 = 1.5 → 1 or 2, each about half the time; D: 0.5 × 10 = 5 exactly
    counts = Counter(
        draw(plan(), library(10), staff(), seed_of(n)).tallies[1].drawn for n in range(200)
    )
    assert set(counts) == {1, 2}
    assert 70 <= counts[2] <= 130
    assert all(
        draw(plan(), library(10), staff(), seed_of(n)).tallies[3].drawn == 5 for n in range(20)
    )


def test_rate_zero_and_one() -> None:
    rates = SamplingRates(a=0.0, b=1.0, c=0.0, d=1.0)
    result = draw(plan(rates=rates), library(5), staff(12), SEED)
    assert [t.drawn for t in result.tallies] == [0, 5, 0, 5]


def test_statistical_share_of_a_015_class() -> None:
    """Over 200 fixed seeds, class B (rate 0.15) is drawn 15% of the time overall and
    for every single target (deterministic seeds: the outcome never changes)."""
    targets = library(7)  # 0.15 × 7 = 1.05: the fraction matters rarely, the shuffle always
    per_target: Counter[str] = Counter()
    drawn = 0
    for n in range(200):
        result = draw(plan(), targets, staff(20), seed_of(n))
        b = [u for u in result.selected if u[8] == "B"]
        per_target.update(b)
        drawn += len(b)
    share = drawn / (200 * 7)
    assert math.isclose(share, 0.15, abs_tol=0.01)
    assert len(per_target) == 7
    assert all(15 <= k <= 45 for k in per_target.values())  # 30 expected each


def test_items_not_applying_are_outside_the_population() -> None:
    targets = [
        Target("U1", "甲", "D", items=frozenset({"OTHER"})),
        Target("U2", "乙", "D", items=frozenset({"SC-01", "OTHER"})),
        Target("U3", "丙", "D"),
    ]
    result = draw(plan(rates=SamplingRates(d=1.0)), targets, staff(), SEED)
    assert sorted(result.selected) == ["U2", "U3"]
    assert result.tallies[3].eligible == 2


def test_general_items_skip_targets_drawn_this_year() -> None:
    targets = [*library(5), Target("DRAWN", "已抽", "D", 2026), Target("LAST", "去年", "D", 2025)]
    general = draw(plan(rates=SamplingRates(d=1.0)), targets, staff(20), SEED)
    assert [(s.uscc, s.reason) for s in general.skipped] == [("DRAWN", "drawn_this_year")]
    assert "DRAWN" not in general.selected and "LAST" in general.selected
    assert general.tallies[3].eligible == 6


def test_key_items_redraw_freely() -> None:
    key = InspectionItem("SC-01", "食品安全重点检查", "Food safety (key)", DEPT, key=True)
    key_plan = DrawPlan.for_item("P-K", 2026, key, rates=SamplingRates(d=1.0))
    assert key_plan.key_item and key_plan.department == DEPT
    targets = [Target("DRAWN", "已抽", "D", 2026)]
    result = draw(key_plan, targets, staff(), SEED)
    assert result.selected == ("DRAWN",) and result.skipped == ()


# -- inspectors ------------------------------------------------------------------------------


def test_at_least_two_distinct_inspectors_per_target() -> None:
    result = draw(plan(), library(), staff(), SEED)
    assert len(result.assignments) == len(result.selected)
    for a in result.assignments:
        assert len(a.inspector_ids) == 2 == len(set(a.inspector_ids))


@pytest.mark.parametrize("n", [0, 1, -3, True])
def test_fewer_than_two_inspectors_is_invalid(n: int) -> None:
    with pytest.raises(Invalid) as error:
        plan(inspectors_per_target=n)
    assert error.value.field == "inspectors_per_target"


def test_three_inspectors_per_target() -> None:
    result = draw(plan(inspectors_per_target=3), library(), staff(), SEED)
    assert all(len(set(a.inspector_ids)) == 3 for a in result.assignments)


def test_workload_is_spread_evenly() -> None:
    result = draw(plan(), library(20), staff(5), SEED)  # 20 targets × 2 = 40 slots
    load = Counter(i for a in result.assignments for i in a.inspector_ids)
    assert set(load.values()) == {8}


def test_department_and_qualification_filter_the_pool() -> None:
    inspectors = [
        *staff(3),
        Inspector("OTHER-DEPT", "外局", "海关", frozenset({"food"})),
        Inspector("UNQUALIFIED", "无资格", DEPT),
    ]
    result = draw(plan(required_qualification="food"), library(), inspectors, SEED)
    used = {i for a in result.assignments for i in a.inspector_ids}
    assert used <= {"I00", "I01", "I02"}


def test_conflicted_inspectors_are_recused_and_recorded() -> None:
    targets = [Target("U1", "甲", "D"), Target("U2", "乙", "D")]
    inspectors = [
        *staff(3),
        Inspector("I09", "亲属", DEPT, frozenset({"food"}), frozenset({"U1", "ELSEWHERE"})),
    ]
    result = draw(plan(rates=SamplingRates(d=1.0)), targets, inspectors, SEED)
    assert [(r.uscc, r.inspector_id, r.reason) for r in result.recusals] == [
        ("U1", "I09", "conflict_of_interest")
    ]
    assert "I09" not in result.inspectors_of("U1")


def test_unstaffable_target_is_reported_not_dropped() -> None:
    targets = [Target("U1", "甲", "D"), Target("U2", "乙", "D")]
    inspectors = [
        Inspector("I01", "张", DEPT),
        Inspector("I02", "李", DEPT, conflicts=frozenset({"U1"})),
    ]
    result = draw(plan(rates=SamplingRates(d=1.0)), targets, inspectors, SEED)
    assert set(result.selected) == {"U1", "U2"}
    assert [(u.uscc, u.eligible, u.required) for u in result.unstaffed] == [("U1", 1, 2)]
    assert result.inspectors_of("U1") == ()
    assert set(result.inspectors_of("U2")) == {"I01", "I02"}


# -- validation ------------------------------------------------------------------------------


def test_rates_are_validated_naming_the_class() -> None:
    with pytest.raises(Invalid) as error:
        SamplingRates(c=1.5)
    assert error.value.field == "rates.C"
    with pytest.raises(Invalid) as error:
        SamplingRates.from_mapping({"A": 0.1, "B": 0.2, "C": 0.3})
    assert error.value.field == "rates.D"
    assert SamplingRates() == SamplingRates.from_mapping(
        {"A": 0.05, "B": 0.15, "C": 0.30, "D": 0.50}
    )


def test_bad_inputs_are_invalid() -> None:
    with pytest.raises(Invalid) as error:
        Target("U1", "甲", "E")
    assert error.value.field == "credit_class"
    with pytest.raises(Invalid) as error:
        draw(plan(), [Target("U1", "甲", "A"), Target("U1", "乙", "B")], staff(), SEED)
    assert error.value.field == "targets"
    with pytest.raises(Invalid) as error:
        draw(plan(), library(), [*staff(2), *staff(2)], SEED)
    assert error.value.field == "inspectors"
    with pytest.raises(Invalid) as error:
        draw(plan(), library(), staff(), "abc")
    assert error.value.field == "seed"


# -- commit–reveal and verification ----------------------------------------------------------


def test_commitment_is_domain_separated_and_checked() -> None:
    seed = new_seed()
    assert len(seed) == 64
    expected = hashlib.sha256(b"lingang-draw-seed:" + seed.encode()).hexdigest()
    assert commitment(seed) == expected != hashlib.sha256(seed.encode()).hexdigest()
    assert check_commitment(seed, commitment(seed))
    assert not check_commitment(new_seed(), commitment(seed))


def record_for(seed: str = SEED) -> dict[str, Any]:
    p, t, i = plan(), library(), staff()
    return published_record(p, t, i, seed, draw(p, t, i, seed))


def test_genuine_record_verifies_after_a_json_round_trip() -> None:
    record = json.loads(json.dumps(record_for(), ensure_ascii=False))
    announced = announcement(plan(), library(), staff(), SEED)
    assert announced["inputs_digest"] == inputs_digest(plan(), library(), staff())
    verdict = verify_draw(record, SEED, announced)
    assert verdict.ok and verdict.failed is None
    assert verify_draw(from_published(record), SEED).ok


def test_wrong_seed_fails_the_seed_check() -> None:
    verdict = verify_draw(record_for(), seed_of(1))
    assert not verdict.ok and verdict.failed is Check.SEED
    assert "commitment" in verdict.message("en") and "承诺" in verdict.message_zh


def test_tampered_result_fails_the_result_check() -> None:
    record = record_for()
    record["result"]["assignments"][0]["inspector_ids"].reverse()
    verdict = verify_draw(record, SEED)
    assert verdict.failed is Check.RESULT and "assignments" in verdict.message_en


def test_tampered_inputs_fail_the_inputs_check() -> None:
    record = record_for()
    record["inputs"] = record["inputs"].replace('"credit_class":"A"', '"credit_class":"D"', 1)
    verdict = verify_draw(record, SEED)
    assert verdict.failed is Check.INPUTS and "digest" in verdict.message_en


def test_inputs_rehashed_after_tampering_fail_against_the_result_or_the_announcement() -> None:
    announced = announcement(plan(), library(), staff(), SEED)
    record = record_for()
    record["inputs"] = record["inputs"].replace('"credit_class":"A"', '"credit_class":"D"', 1)
    record["inputs_digest"] = hashlib.sha256(record["inputs"].encode()).hexdigest()
    assert verify_draw(record, SEED).failed is Check.RESULT
    assert verify_draw(record, SEED, announced).failed is Check.INPUTS


def test_non_canonical_inputs_fail() -> None:
    record = record_for()
    record["inputs"] = json.dumps(json.loads(record["inputs"]), ensure_ascii=False, indent=1)
    record["inputs_digest"] = hashlib.sha256(record["inputs"].encode()).hexdigest()
    verdict = verify_draw(record, SEED)
    assert verdict.failed is Check.INPUTS and "canonical" in verdict.message_en


def test_malformed_records_are_invalid_naming_the_field() -> None:
    record = record_for()
    broken = copy.deepcopy(record)
    del broken["inputs_digest"]
    with pytest.raises(Invalid) as error:
        from_published(broken)
    assert error.value.field == "record.inputs_digest"
    broken = copy.deepcopy(record)
    broken["result"]["assignments"][0]["inspector_ids"] = "I01"
    with pytest.raises(Invalid) as error:
        verify_draw(broken, SEED)
    assert error.value.field == "record.result.assignments[0].inspector_ids"


def test_parse_inputs_names_the_field() -> None:
    data = json.loads(canonical_inputs(plan(), library(1), staff(2)))
    data["targets"][2]["credit_class"] = "E"
    with pytest.raises(Invalid) as error:
        parse_inputs(json.dumps(data))
    assert error.value.field == "inputs.targets[2].credit_class"
    data = json.loads(canonical_inputs(plan(), library(1), staff(2)))
    data["plan"]["inspectors_per_target"] = 1
    with pytest.raises(Invalid) as error:
        parse_inputs(json.dumps(data))
    assert error.value.field == "inputs.plan.inspectors_per_target"


def test_published_record_refuses_a_foreign_result() -> None:
    p, t, i = plan(), library(), staff()
    with pytest.raises(Invalid) as error:
        published_record(p, t, i, SEED, draw(p, t, i, seed_of(3)))
    assert error.value.field == "result"
