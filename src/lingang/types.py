"""Kernel value types shared by every domain: roles, the acting user, clocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

UserId = NewType("UserId", int)
EnterpriseId = NewType("EnterpriseId", int)


class Role(StrEnum):
    """The roles of DESIGN.md's user table, plus the platform administrator."""

    ADMIN = "admin"
    RISK_OFFICER = "risk_officer"
    CASE_OFFICER = "case_officer"
    CASE_SUPERVISOR = "case_supervisor"
    CREDIT_OFFICER = "credit_officer"
    SERVICE_OFFICER = "service_officer"
    CITY_OPERATOR = "city_operator"
    PLANNER = "planner"
    ENTERPRISE = "enterprise"
    AUDITOR = "auditor"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.ADMIN: ("平台管理员", "Platform administrator"),
    Role.RISK_OFFICER: ("风险防控", "Risk officer"),
    Role.CASE_OFFICER: ("核查处置", "Case officer"),
    Role.CASE_SUPERVISOR: ("核查处置负责人", "Case supervisor"),
    Role.CREDIT_OFFICER: ("信用管理", "Credit officer"),
    Role.SERVICE_OFFICER: ("一网通办", "Service officer"),
    Role.CITY_OPERATOR: ("一网统管", "City operator"),
    Role.PLANNER: ("规划", "Planner"),
    Role.ENTERPRISE: ("企业", "Enterprise user"),
    Role.AUDITOR: ("审计", "Auditor"),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs an action: a signed-in user, or the platform itself (``SYSTEM``)."""

    user_id: UserId | None
    username: str
    role: Role
    enterprise_id: EnterpriseId | None = None
    department: str | None = None

    @property
    def is_enterprise(self) -> bool:
        """True for enterprise users, who see only their own enterprise."""
        return self.role is Role.ENTERPRISE


SYSTEM = Actor(user_id=None, username="system", role=Role.ADMIN)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)
