"""Enterprises: registration, validation, and tenant isolation (other tenants are 404)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import bearer, login_as, make_enterprise, make_user
from lingang.bootstrap import Platform
from lingang.demo import demo_uscc
from lingang.types import Role


def test_service_officer_registers_an_enterprise(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.SERVICE_OFFICER)
    response = client.post(
        "/api/enterprises",
        headers=headers,
        json={
            "uscc": demo_uscc(4242),
            "name_zh": "临港测试有限公司",
            "name_en": "Lingang Test Co.",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["name_zh"] == "临港测试有限公司"


def test_bad_uscc_is_422_naming_the_field(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    bad = demo_uscc(1)[:-1] + ("0" if demo_uscc(1)[-1] != "0" else "1")
    response = client.post(
        "/api/enterprises", headers=headers, json={"uscc": bad, "name_zh": "坏代码公司"}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {"field": "uscc", "reason": "check character does not match (GB 32100-2015)"}
    ]


def test_other_roles_cannot_register(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.PLANNER)
    response = client.post(
        "/api/enterprises", headers=headers, json={"uscc": demo_uscc(77), "name_zh": "规划测试公司"}
    )
    assert response.status_code == 403


def test_enterprise_user_sees_only_its_own_enterprise(
    client: TestClient, platform: Platform
) -> None:
    own, other = make_enterprise(platform), make_enterprise(platform)
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=own.id)
    headers = bearer(client, user.username)
    listed = client.get("/api/enterprises", headers=headers).json()
    assert [e["id"] for e in listed["data"]] == [own.id] and listed["count"] == 1
    assert client.get(f"/api/enterprises/{own.id}", headers=headers).status_code == 200
    hidden = client.get(f"/api/enterprises/{other.id}", headers=headers)
    missing = client.get("/api/enterprises/999999", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["message"] == f"enterprise {other.id} not found"


def test_officers_see_every_enterprise(client: TestClient, platform: Platform) -> None:
    make_enterprise(platform)
    make_enterprise(platform)
    headers = login_as(client, platform, Role.RISK_OFFICER)
    assert client.get("/api/enterprises", headers=headers).json()["count"] == 2
