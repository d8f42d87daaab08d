"""Every write leaves an audit record naming the actor; auditors verify the chain."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from factories import login_as
from lingang.bootstrap import Platform
from lingang.types import Role


def test_writes_are_audited_with_the_actor(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    client.post(
        "/api/users",
        headers=headers,
        json={"username": "new-planner", "password": "Planner-pass-1", "role": "planner"},
    )
    records = client.get("/api/audit/records", headers=headers).json()["data"]
    created = [r for r in records if r["action"] == "auth.create_user"]
    assert created[0]["detail"] == "role=planner"
    assert created[0]["actor"].startswith("admin-")
    assert created[0]["after_digest"] and created[0]["before_digest"] is None


def test_auditor_verifies_an_intact_chain(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.AUDITOR)
    report = client.post("/api/audit/verify", headers=headers).json()
    assert report["ok"] is True and report["checked"] >= 2


def test_verify_names_a_row_edited_in_the_database(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.AUDITOR)
    with platform.database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_records SET actor = 'mallory' WHERE seq = 1"))
    report = client.post("/api/audit/verify", headers=headers).json()
    assert report["ok"] is False
    assert report["findings"][0]["seq"] == 1
    assert report["findings"][0]["kind"] == "edited"


def test_other_roles_cannot_read_the_audit_log(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    assert client.get("/api/audit/records", headers=headers).status_code == 403
    assert client.post("/api/audit/verify", headers=headers).status_code == 403


def test_overview_counts_are_live(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.PLANNER)
    first = client.get("/api/overview", headers=headers).json()
    login_as(client, platform, Role.AUDITOR)
    second = client.get("/api/overview", headers=headers).json()
    assert second["users"] == first["users"] + 1
    assert second["audit_records"] > first["audit_records"]
