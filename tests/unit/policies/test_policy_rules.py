"""Policy catalogue loading and eligibility verdicts with their traces (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lingang.errors import Invalid
from lingang.policies.catalogue import load_catalogue, parse_catalogue, parse_policy
from lingang.policies.eligibility import compile_eligibility, evaluate, render
from lingang.policies.model import PROFILE_FIELDS, Area, Verdict
from lingang.risk.rules.parser import parse

DAY = dt.date(2026, 6, 1)


def policy(**changes: Any) -> dict[str, Any]:
    return {"id": "T-1", "title_zh": "测试政策", "title_en": "Test policy", "issuer": "上海市",
            "area": "lingang", "benefit_zh": "补贴", "benefit_en": "Subsidy", "amount_wan": 10,
            "valid_from": "2026-01-01", "eligibility": "employees >= 10 and rd_ratio >= 0.03",
            } | changes  # fmt: skip


def profile(**facts: Any) -> dict[str, Any]:
    return dict.fromkeys(PROFILE_FIELDS) | {"in_lingang": True, "in_shanghai": True} | facts


def test_the_shipped_catalogue_loads_and_is_illustrative() -> None:
    shipped = load_catalogue()
    assert len(shipped) >= 6 and all(p.illustrative for p in shipped)
    assert {p.id for p in shipped if p.exempt_application} >= {"LG-HNTE-2026", "LG-AEO-2026"}
    assert {p.area for p in shipped} == {Area.LINGANG, Area.SHANGHAI}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"area": "pudong"}, "T-1.area"),
        ({"valid_from": "June"}, "T-1.valid_from"),
        ({"valid_to": "2025-01-01"}, "T-1.valid_to"),
        ({"amount_wan": -1}, "T-1.amount_wan"),
        ({"eligibility": "employes >= 10"}, "T-1.eligibility"),
        ({"eligibility": "employees + 1"}, "T-1.eligibility"),
        ({"issuer": ""}, "T-1.issuer"),
        ({"colour": "red"}, "T-1.colour"),
        ({"exempt_application": "yes"}, "T-1.exempt_application"),
    ],
)
def test_a_bad_policy_is_refused_naming_its_id_and_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        parse_policy(policy(**changes))
    assert refused.value.field == field


def test_a_repeated_id_in_a_catalogue_is_refused() -> None:
    text = "version: x\npolicies:\n" + "".join(
        f"  - {{id: T-1, title_zh: a, title_en: a, issuer: b, area: lingang, benefit_zh: c,"
        f" benefit_en: c, valid_from: 2026-01-01, eligibility: 'employees > {n}'}}\n"
        for n in (1, 2)
    )
    with pytest.raises(Invalid) as refused:
        parse_catalogue(text, "policies-test.yaml")
    assert refused.value.field == "T-1.id" and "policies-test.yaml" in refused.value.reason


def test_conjuncts_are_rendered_back_to_source_that_parses_the_same() -> None:
    source = "(a = 1 or b = 2) and not (c in ('x', 'y')) and d - (e - 1) > 2 and f is not null"
    assert render(parse(source)) == render(parse(render(parse(source))))
    parts = compile_eligibility(
        "(starts_with(industry_code, 'C397') or size = 'small') and employees >= 10"
    ).parts
    assert [p.source for p in parts] == [
        "starts_with(industry_code, 'C397') or size = 'small'", "employees >= 10"
    ]  # fmt: skip


def test_eligible_when_every_condition_holds_with_the_trace() -> None:
    found = evaluate(parse_policy(policy()), "U", profile(employees=12, rd_ratio=0.05), DAY)
    assert found.verdict is Verdict.ELIGIBLE and found.failed is None
    assert [(c.kind, c.source, c.result) for c in found.trace] == [
        ("period", "in force 2026-01-01 – open", True),
        ("area", "in_lingang (area: lingang)", True),
        ("rule", "employees >= 10", True),
        ("rule", "rd_ratio >= 0.03", True),
    ]


def test_maybe_names_the_missing_data() -> None:
    found = evaluate(parse_policy(policy()), "U", profile(employees=12), DAY)
    assert found.verdict is Verdict.MAYBE and found.missing == ("rd_ratio",)
    assert found.trace[-1].result is None and found.trace[-1].missing == ("rd_ratio",)


def test_not_eligible_names_the_first_failed_condition_even_with_data_missing() -> None:
    found = evaluate(parse_policy(policy()), "U", profile(employees=3), DAY)
    assert found.verdict is Verdict.NOT_ELIGIBLE and found.failed == "employees >= 10"
    assert [c.result for c in found.trace] == [True, True, False, None]


def test_the_policy_area_decides_never_the_issuer() -> None:
    outside = profile(employees=12, rd_ratio=0.05, in_lingang=False)
    municipal_for_lingang = parse_policy(policy(issuer="上海市科委", area="lingang"))
    lingang_for_shanghai = parse_policy(policy(issuer="临港新片区管委会", area="shanghai"))
    found = evaluate(municipal_for_lingang, "U", outside, DAY)
    assert found.verdict is Verdict.NOT_ELIGIBLE and found.failed == "in_lingang (area: lingang)"
    assert evaluate(lingang_for_shanghai, "U", outside, DAY).verdict is Verdict.ELIGIBLE
    unknown = evaluate(municipal_for_lingang, "U", profile(employees=12, rd_ratio=0.05,
                                                             in_lingang=None), DAY)  # fmt: skip
    assert unknown.verdict is Verdict.MAYBE and unknown.missing == ("in_lingang",)


def test_a_policy_out_of_its_period_is_not_eligible() -> None:
    ended = parse_policy(policy(valid_from="2025-01-01", valid_to="2025-12-31"))
    found = evaluate(ended, "U", profile(employees=12, rd_ratio=0.05), DAY)
    assert found.verdict is Verdict.NOT_ELIGIBLE
    assert found.failed is not None and found.failed.startswith("in force")
