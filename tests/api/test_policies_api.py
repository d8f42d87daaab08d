"""Incentive-policy matching through the API (SQLite and PostgreSQL): the catalogue, verdicts
with traces, declared facts, the inbox, 免申即享 grants and who may read what."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import bearer, login_as, make_user
from lingang.bootstrap import Platform
from lingang.demo import demo_uscc
from lingang.entities.model import EnterpriseDraft
from lingang.types import SYSTEM, Role

ADDRESS = "上海市浦东新区中国（上海）自由贸易试验区临港新片区申港大道1号"


def test_match_declare_inbox_and_grants(client: TestClient, platform: Platform) -> None:
    mine = platform.entities.register_enterprise(
        EnterpriseDraft(uscc=demo_uscc(6_100_001), name_zh="政策接口企业", address=ADDRESS),
        actor=SYSTEM,
    )
    other = demo_uscc(6_100_002)
    officer = login_as(client, platform, Role.SERVICE_OFFICER)
    loaded = client.post("/api/policies/load", headers=officer)
    assert loaded.status_code == 200, loaded.text
    listed = client.get("/api/policies", headers=officer).json()
    assert len(listed) >= 6 and all(p["illustrative"] for p in listed)
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=mine.id)
    own = bearer(client, user.username)
    verdicts = client.get(f"/api/policies/enterprises/{mine.uscc}/matches", headers=own)
    assert verdicts.status_code == 200, verdicts.text
    hnte = {m["policy_id"]: m for m in verdicts.json()}["LG-HNTE-2026"]
    assert hnte["verdict"] == "maybe" and hnte["missing"] == ["high_tech"]
    assert [c["kind"] for c in hnte["trace"]] == ["period", "area", "rule", "rule"]
    declared = client.put(f"/api/policies/enterprises/{mine.uscc}/profile", headers=own,
                          json={"high_tech": True})  # fmt: skip
    assert declared.status_code == 200 and declared.json() == {"high_tech": True}
    inbox = client.get("/api/policies/inbox", headers=own).json()
    assert [m["policy_id"] for m in inbox] == ["LG-HNTE-2026"] and "免申即享" in inbox[0]["text"]
    read = client.post(f"/api/policies/inbox/{inbox[0]['id']}/read", headers=own)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    granted = client.get(f"/api/policies/enterprises/{mine.uscc}/grants", headers=own).json()
    assert [(g["policy_id"], g["amount_wan"]) for g in granted] == [("LG-HNTE-2026", 50.0)]
    assert client.get(f"/api/policies/enterprises/{other}/matches", headers=own).status_code == 404
    bad = client.put(f"/api/policies/enterprises/{mine.uscc}/profile", headers=own,
                     json={"headcount": 3})  # fmt: skip
    assert bad.status_code == 422


def test_only_service_officers_and_admins_change_policies(
    client: TestClient, platform: Platform
) -> None:
    body = {"id": "LG-API-1", "title_zh": "接口政策", "title_en": "API policy",
            "issuer": "临港新片区管委会", "area": "lingang", "benefit_zh": "奖励",
            "benefit_en": "Award", "valid_from": "2026-01-01",
            "eligibility": "employees >= 10"}  # fmt: skip
    planner = login_as(client, platform, Role.PLANNER)
    assert client.put("/api/policies", headers=planner, json=body).status_code == 403
    officer = login_as(client, platform, Role.SERVICE_OFFICER)
    made = client.put("/api/policies", headers=officer, json=body)
    assert made.status_code == 200, made.text
    assert made.json()["title"] == {"zh": "接口政策", "en": "API policy"}
    broken = client.put("/api/policies", headers=officer,
                        json=body | {"eligibility": "employes >= 10"})  # fmt: skip
    assert broken.status_code == 422
    assert "LG-API-1.eligibility" in broken.text
