"""Enterprise search, the 360° profile, relationships and masking through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from factories import bearer, login_as, make_user
from lingang.bootstrap import Platform
from lingang.demo import demo_uscc
from lingang.entities.model import AeoStatus, EnterpriseDraft, id_check_char
from lingang.entities.service import PersonDraft, ZoneBatch
from lingang.errors import Conflict, Invalid
from lingang.types import SYSTEM, Role


def resident_id(serial: int) -> str:
    body = f"31011519800101{serial:03d}"
    return body + id_check_char(body)


def draft(index: int, **extra: object) -> EnterpriseDraft:
    values: dict[str, object] = {"uscc": demo_uscc(index), "name_zh": f"临港关联企业{index}号"}
    values.update(extra)
    return EnterpriseDraft(**values)  # type: ignore[arg-type]


@pytest.fixture
def group(platform: Platform) -> dict[str, int]:
    """Three enterprises: A holds 60 % of B; B and C share a legal rep; A and C share an address."""
    batch = ZoneBatch(
        enterprises=[
            draft(1, address="临港新片区环湖西二路888号", industry_code="C3973",
                  registered_on=dt.date(2020, 5, 1), aeo_status=AeoStatus.ADVANCED),
            draft(2, phone="021-68880000"),
            draft(3, address="临港新片区环湖西二路888号"),
        ],
        persons=[
            PersonDraft("p1", "张伟", resident_id(1)),
            PersonDraft("p2", "李娜", resident_id(2)),
        ],
        legal_rep_keys={demo_uscc(2): "p1", demo_uscc(3): "p1", demo_uscc(1): "p2"},
        holdings=[(demo_uscc(2), demo_uscc(1), 60.0), (demo_uscc(1), "p2", 100.0)],
    )  # fmt: skip
    assert platform.entities.register_batch(batch, actor=SYSTEM) == 3
    ids = {e.uscc: e.id for e in platform.entities.list_enterprises(actor=SYSTEM)[0]}
    return {"a": ids[demo_uscc(1)], "b": ids[demo_uscc(2)], "c": ids[demo_uscc(3)]}


def test_profile_shows_holdings_and_shared_attribute_links(
    client: TestClient, platform: Platform, group: dict[str, int]
) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    profile = client.get(f"/api/enterprises/{group['c']}/profile", headers=headers).json()
    kinds = {(link["kind"], link["target_id"]) for link in profile["links"]}
    assert ("shared_legal_rep", group["b"]) in kinds
    assert ("shared_address", group["a"]) in kinds
    assert profile["legal_rep"]["name"] == "张伟"
    assert profile["legal_rep"]["id_number"] == resident_id(1)  # risk officers see it whole
    b_profile = client.get(f"/api/enterprises/{group['b']}/profile", headers=headers).json()
    assert {"kind": "shareholding", "source_id": group["a"], "target_id": group["b"],
            "percent": 60.0} in b_profile["links"]  # fmt: skip


def test_profile_masks_identity_numbers_for_other_roles(
    client: TestClient, platform: Platform, group: dict[str, int]
) -> None:
    headers = login_as(client, platform, Role.PLANNER)
    profile = client.get(f"/api/enterprises/{group['c']}/profile", headers=headers).json()
    assert profile["legal_rep"]["id_number"] == mask_of(resident_id(1))


def mask_of(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def test_enterprise_user_sees_its_own_profile_only(
    client: TestClient, platform: Platform, group: dict[str, int]
) -> None:
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=group["a"])
    headers = bearer(client, user.username)
    own = client.get(f"/api/enterprises/{group['a']}/profile", headers=headers)
    assert own.status_code == 200
    assert own.json()["enterprise"]["industry_zh"] == "集成电路制造"
    assert client.get(f"/api/enterprises/{group['b']}/profile", headers=headers).status_code == 404
    found = client.get("/api/enterprises/search", params={"q": "临港关联"}, headers=headers).json()
    assert [e["id"] for e in found["data"]] == [group["a"]]


def test_search_by_name_or_code(
    client: TestClient, platform: Platform, group: dict[str, int]
) -> None:
    headers = login_as(client, platform, Role.CREDIT_OFFICER)
    by_name = client.get("/api/enterprises/search", params={"q": "关联企业2"}, headers=headers)
    assert [e["id"] for e in by_name.json()["data"]] == [group["b"]]
    by_code = client.get("/api/enterprises/search", params={"q": demo_uscc(3)[:18]},
                         headers=headers)  # fmt: skip
    assert [e["id"] for e in by_code.json()["data"]] == [group["c"]]
    assert (
        client.get("/api/enterprises/search", params={"q": ""}, headers=headers).status_code == 422
    )


def test_register_with_profile_fields_and_bad_industry(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.SERVICE_OFFICER)
    body = {"uscc": demo_uscc(50), "name_zh": "临港新能源汽车有限公司", "industry_code": "C3612",
            "registered_capital_wan": 5000, "aeo_status": "general"}  # fmt: skip
    created = client.post("/api/enterprises", headers=headers, json=body)
    assert created.status_code == 201 and created.json()["industry_zh"] == "新能源车整车制造"
    bad = client.post("/api/enterprises", headers=headers,
                      json={**body, "uscc": demo_uscc(51), "industry_code": "Z9999"})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "industry_code"


def test_a_bad_row_rejects_the_whole_batch(platform: Platform) -> None:
    batch = ZoneBatch(enterprises=[draft(60), draft(61, uscc=demo_uscc(61)[:-1] + "0")])
    with pytest.raises(Invalid) as excinfo:
        platform.entities.register_batch(batch, actor=SYSTEM)
    assert excinfo.value.field.startswith("enterprises[1].uscc") or "uscc" in excinfo.value.field
    assert platform.entities.count() == 0


def test_a_duplicate_batch_is_a_conflict(platform: Platform) -> None:
    platform.entities.register_batch(ZoneBatch(enterprises=[draft(70)]), actor=SYSTEM)
    with pytest.raises(Conflict):
        platform.entities.register_batch(ZoneBatch(enterprises=[draft(70)]), actor=SYSTEM)
    assert platform.entities.count() == 1
