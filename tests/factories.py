"""Builders for test data; every test makes what it needs through the services."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient

from lingang.auth.model import User
from lingang.bootstrap import Platform
from lingang.demo import demo_uscc
from lingang.entities.model import Enterprise, EnterpriseDraft
from lingang.types import SYSTEM, Role

PASSWORD = "Correct-horse-42"
_counter = itertools.count(1)


def make_enterprise(platform: Platform, name_zh: str = "测试企业有限公司") -> Enterprise:
    """A registered enterprise with a valid, unique USCC."""
    index = 9_000_000 + next(_counter)
    draft = EnterpriseDraft(uscc=demo_uscc(index), name_zh=f"{name_zh}{index}")
    return platform.entities.register_enterprise(draft, actor=SYSTEM)


def make_user(
    platform: Platform,
    role: Role = Role.ADMIN,
    *,
    username: str | None = None,
    enterprise_id: int | None = None,
) -> User:
    """A user with :data:`PASSWORD`; enterprise users get a fresh enterprise if none given."""
    if role is Role.ENTERPRISE and enterprise_id is None:
        enterprise_id = make_enterprise(platform).id
    name = username or f"{role.value.replace('_', '-')}-{next(_counter)}"
    return platform.auth.create_user(
        name, PASSWORD, role, actor=SYSTEM, enterprise_id=enterprise_id
    )


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization header for a user, obtained through POST /api/auth/token."""
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def login_as(client: TestClient, platform: Platform, role: Role) -> dict[str, str]:
    """Create a user of ``role`` and return its Authorization header."""
    user = make_user(platform, role)
    return bearer(client, user.username)
