"""Builders for test data; every test makes what it needs through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fastapi.testclient import TestClient

from lingang.auth.model import User
from lingang.bootstrap import Platform
from lingang.demo import demo_uscc
from lingang.entities.model import Enterprise, EnterpriseDraft
from lingang.types import SYSTEM, Role
from lingang.workdays import SHANGHAI

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


def declaration_line(
    item_no: int = 1, declaration_id: str = "223320250000012345", **changes: Any
) -> dict[str, Any]:
    """A valid declaration line; a US-named supplier shipping 'from Vietnam' fires OL01."""
    return {
        "declaration_id": declaration_id, "item_no": item_no, "declared_on": "2025-03-03",
        "direction": "import", "enterprise_code": demo_uscc(11), "declarant_id": "D1",
        "foreign_party": "Orbit Supply Inc.", "hs_code": "8542310000", "origin_country": "VN",
        "departure_country": "VN", "declared_value": 120000.0, "currency": "USD",
        "quantity": 1000, "unit": "PCE", "net_mass_kg": 12.5, "transport_mode": "air",
        "customs_office": "2233", "trade_mode": "0110", **changes,
    }  # fmt: skip


class Clock:
    """A settable time source for services that take ``clock=`` (Asia/Shanghai)."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def set(self, *parts: int) -> None:
        """Move to ``datetime(*parts)`` in Shanghai time."""
        self.at = dt.datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def head_revision() -> str:
    """The newest Alembic revision of the project's migrations."""
    from alembic.script import ScriptDirectory

    from lingang.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head
