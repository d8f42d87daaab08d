"""Incentive-policy matching on SQLite and PostgreSQL: a new policy reaches exactly the
qualifying enterprises' inboxes with its trace, 免申即享 grants are audited, a changed credit
grade re-matches, and who may read or change what."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from factories import make_user
from lingang.audit.store import AuditRecordRow
from lingang.bootstrap import Platform
from lingang.credit.events import CreditGradeChanged
from lingang.demo import demo_uscc
from lingang.entities.model import Enterprise, EnterpriseDraft
from lingang.errors import Forbidden, Invalid, NotFound
from lingang.policies.model import Verdict
from lingang.types import SYSTEM, Role

_ids = itertools.count(1)
LINGANG = "上海市浦东新区中国（上海）自由贸易试验区临港新片区环湖西二路888号"
HUANGPU = "上海市黄浦区中山东一路1号"
NEW_POLICY: dict[str, Any] = {
    "id": "LG-NEW-2026", "title_zh": "新政策：人才企业奖励", "title_en": "New talent award",
    "issuer": "上海市人力资源和社会保障局", "area": "lingang", "benefit_zh": "一次性奖励 5 万元",
    "benefit_en": "CNY 50,000 once", "amount_wan": 5, "valid_from": "2026-01-01",
    "exempt_application": True, "eligibility": "employees >= 10 and talents >= 1",
}  # fmt: skip


def firm(platform: Platform, address: str) -> Enterprise:
    index = 7_000_000 + next(_ids)
    draft = EnterpriseDraft(uscc=demo_uscc(index), name_zh=f"政策测试企业{index}", address=address)
    return platform.entities.register_enterprise(draft, actor=SYSTEM)


def messages(platform: Platform, uscc: str) -> dict[str, str]:
    return {m.policy_id: m.text for m in platform.policies.inbox(actor=SYSTEM, uscc=uscc)}


def test_a_new_policy_reaches_exactly_the_qualifying_inboxes(platform: Platform) -> None:
    qualifies, too_small, outside = (firm(platform, LINGANG), firm(platform, LINGANG),
                                     firm(platform, HUANGPU))  # fmt: skip
    for found, employees in ((qualifies, 20), (too_small, 5), (outside, 20)):
        platform.policies.declare(found.uscc, {"employees": employees, "talents": 2}, actor=SYSTEM)
    platform.policies.load_catalogue(actor=SYSTEM)
    before = {f.uscc: messages(platform, f.uscc) for f in (qualifies, too_small, outside)}
    officer = make_user(platform, Role.SERVICE_OFFICER).as_actor()
    platform.policies.upsert_policy(NEW_POLICY, actor=officer)
    got = {u for u in (qualifies.uscc, too_small.uscc, outside.uscc)
           if "LG-NEW-2026" in messages(platform, u)}  # fmt: skip
    assert got == {qualifies.uscc}
    text = messages(platform, qualifies.uscc)["LG-NEW-2026"]
    assert "employees >= 10" in text and "talents >= 1" in text and "in_lingang" in text
    assert "LG-NEW-2026" not in before[qualifies.uscc]
    [granted] = [g for g in platform.policies.grants(qualifies.uscc, actor=SYSTEM)
                 if g.policy_id == "LG-NEW-2026"]  # fmt: skip
    assert granted.amount_wan == 5 and granted.granted_by == "system"
    with platform.uow.read() as session:
        audited = session.scalars(select(AuditRecordRow).where(
            AuditRecordRow.action == "policies.granted")).all()  # fmt: skip
    assert any(r.object_id == qualifies.uscc and "LG-NEW-2026" in r.detail for r in audited)
    by_id = {m.policy_id: m for m in platform.policies.match(too_small.uscc, actor=SYSTEM)}
    assert by_id["LG-NEW-2026"].verdict is Verdict.NOT_ELIGIBLE
    assert by_id["LG-NEW-2026"].failed == "employees >= 10"
    outside_match = {m.policy_id: m for m in platform.policies.match(outside.uscc, actor=SYSTEM)}
    assert outside_match["LG-NEW-2026"].failed == "in_lingang (area: lingang)"
    # re-evaluating again pushes nothing twice; a changed enterprise that now qualifies does
    assert platform.policies.rematch_all().new_eligibilities == 0
    platform.policies.declare(too_small.uscc, {"employees": 15}, actor=SYSTEM)
    assert "LG-NEW-2026" in messages(platform, too_small.uscc)
    assert len(platform.policies.grants(qualifies.uscc, actor=SYSTEM)) == 1


def test_maybe_names_missing_data_until_declared(platform: Platform) -> None:
    found = firm(platform, LINGANG)
    platform.policies.load_catalogue(actor=SYSTEM)
    verdicts = {m.policy_id: m for m in platform.policies.match(found.uscc, actor=SYSTEM)}
    housing = verdicts["LG-TALENT-HOUSING-2026"]
    assert housing.verdict is Verdict.MAYBE and housing.missing == ("talents", "employees")
    stored = {m.policy_id: m for m in platform.policies.matches(found.uscc, actor=SYSTEM)}
    assert stored["LG-TALENT-HOUSING-2026"].verdict is Verdict.MAYBE
    with pytest.raises(Invalid):
        platform.policies.declare(found.uscc, {"headcount": 3}, actor=SYSTEM)


def test_a_changed_credit_grade_rematches_its_enterprise(platform: Platform) -> None:
    found = firm(platform, LINGANG)
    platform.policies.load_catalogue(actor=SYSTEM)
    platform.policies.upsert_policy(NEW_POLICY | {"eligibility": "credit_class = 'A'"},
                                    actor=SYSTEM)  # fmt: skip
    assert "LG-NEW-2026" not in messages(platform, found.uscc)
    event = CreditGradeChanged(enterprise_uscc=found.uscc, as_of=platform.credit.today(),
                               zone_class="A", customs_category="regular", score=900,
                               previous_class="B", previous_category="regular",
                               previous_score=700, trigger="test")  # fmt: skip
    profile = platform.policies.profile(found.uscc, actor=SYSTEM)
    assert profile["credit_class"] == "B"  # ungraded enterprises grade as B
    with platform.uow() as uow:  # the consumer's handler in its own transaction
        platform.policies.on_grade_changed(uow.session, event)
        uow.commit()
    assert "LG-NEW-2026" not in messages(platform, found.uscc)  # still B: nothing pushed


def test_enterprise_users_see_only_their_own_and_cannot_manage(platform: Platform) -> None:
    mine, other = firm(platform, LINGANG), firm(platform, LINGANG)
    platform.policies.load_catalogue(actor=SYSTEM)
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=mine.id).as_actor()
    assert len(platform.policies.match(mine.uscc, actor=user)) >= 6
    own_inbox = platform.policies.inbox(actor=SYSTEM, uscc=mine.uscc)
    assert platform.policies.inbox(actor=user) == own_inbox
    with pytest.raises(NotFound):
        platform.policies.match(other.uscc, actor=user)
    with pytest.raises(NotFound):
        platform.policies.grants(other.uscc, actor=user)
    with pytest.raises(Forbidden):
        platform.policies.upsert_policy(NEW_POLICY, actor=user)
    planner = make_user(platform, Role.PLANNER).as_actor()
    assert len(platform.policies.policies(actor=planner)) >= 6
    with pytest.raises(Forbidden):
        platform.policies.load_catalogue(actor=planner)
    platform.policies.declare(mine.uscc, {"employees": 30}, actor=user)
    with pytest.raises(NotFound):
        platform.policies.declare(other.uscc, {"employees": 30}, actor=user)
