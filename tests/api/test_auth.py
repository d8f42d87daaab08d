"""Tokens, 401s that reveal nothing, throttling, users and roles through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import PASSWORD, bearer, login_as, make_enterprise, make_user
from lingang.bootstrap import Platform
from lingang.types import Role


def test_token_identifies_the_user(client: TestClient, platform: Platform) -> None:
    user = make_user(platform, Role.PLANNER)
    me = client.get("/api/auth/me", headers=bearer(client, user.username))
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert me.json()["role_label_zh"] == "规划"


def test_wrong_password_and_unknown_user_answer_the_same(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform, Role.AUDITOR)
    wrong = client.post("/api/auth/token", json={"username": user.username, "password": "x" * 12})
    unknown = client.post("/api/auth/token", json={"username": "ghost", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_requests_without_a_valid_token_are_401(client: TestClient) -> None:
    assert client.get("/api/auth/me").status_code == 401
    bad = client.get("/api/auth/me", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert bad.json()["error"] == "unauthenticated"


def test_repeated_failures_lock_the_username_even_for_the_right_password(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform, Role.PLANNER)
    for _ in range(platform.settings.login_max_failures):
        response = client.post(
            "/api/auth/token", json={"username": user.username, "password": "wrong-pass-1"}
        )
        assert response.status_code == 401
    locked = client.post("/api/auth/token", json={"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0


def test_unknown_usernames_are_throttled_too(client: TestClient, platform: Platform) -> None:
    for _ in range(platform.settings.login_max_failures):
        client.post("/api/auth/token", json={"username": "nobody", "password": "wrong-pass-1"})
    response = client.post("/api/auth/token", json={"username": "nobody", "password": "x" * 12})
    assert response.status_code == 429


def test_logout_revokes_the_token(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_admin_creates_and_lists_users(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    created = client.post(
        "/api/users",
        headers=headers,
        json={
            "username": "case.li",
            "password": "Case-officer-7",
            "role": "case_officer",
            "display_name": "李警官",
        },
    )
    assert created.status_code == 201, created.text
    listed = client.get("/api/users", headers=headers).json()
    assert "case.li" in [u["username"] for u in listed["data"]]
    assert all("password" not in key for u in listed["data"] for key in u)


def test_non_admins_cannot_manage_users(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.CREDIT_OFFICER)
    assert client.get("/api/users", headers=headers).status_code == 403
    response = client.post(
        "/api/users",
        headers=headers,
        json={"username": "sneaky", "password": "Sneaky-pass-1", "role": "admin"},
    )
    assert response.status_code == 403


def test_create_user_errors_name_the_field(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    missing = client.post(
        "/api/users", headers=headers, json={"username": "x-user", "role": "planner"}
    )
    assert missing.status_code == 422
    assert missing.json()["fields"][0]["field"] == "password"
    unbound = client.post(
        "/api/users",
        headers=headers,
        json={"username": "ent-user", "password": "Enterprise-1", "role": "enterprise"},
    )
    assert unbound.status_code == 422
    assert unbound.json()["fields"][0]["field"] == "enterprise_id"
    ghost = client.post(
        "/api/users",
        headers=headers,
        json={
            "username": "ent-user",
            "password": "Enterprise-1",
            "role": "enterprise",
            "enterprise_id": 999_999,
        },
    )
    assert ghost.status_code == 422
    bad_role = client.post(
        "/api/users",
        headers=headers,
        json={"username": "x-user", "password": "Enterprise-1", "role": "wizard"},
    )
    assert bad_role.status_code == 422
    assert bad_role.json()["fields"][0]["field"] == "role"


def test_duplicate_username_is_a_conflict_and_writes_nothing(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    body = {"username": "dup-user", "password": "Duplicate-1", "role": "planner"}
    assert client.post("/api/users", headers=headers, json=body).status_code == 201
    before = platform.auth.count_users()
    assert client.post("/api/users", headers=headers, json=body).status_code == 409
    assert platform.auth.count_users() == before


def test_enterprise_user_is_bound_to_its_enterprise(client: TestClient, platform: Platform) -> None:
    enterprise = make_enterprise(platform)
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=enterprise.id)
    me = client.get("/api/auth/me", headers=bearer(client, user.username)).json()
    assert me["enterprise_id"] == enterprise.id
