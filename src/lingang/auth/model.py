"""Auth domain model: users, permissions per role, credential rules, throttling decisions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lingang.errors import Invalid
from lingang.types import Actor, EnterpriseId, Role, UserId

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
MIN_PASSWORD_LENGTH = 10
MAX_DEPARTMENT_LENGTH = 80


class Permission(StrEnum):
    """What a role may do; doors check these, services enforce them."""

    VIEW_OVERVIEW = "overview.view"
    VIEW_ENTERPRISES = "enterprises.view"
    REGISTER_ENTERPRISES = "enterprises.register"
    MANAGE_USERS = "users.manage"
    READ_AUDIT = "audit.read"
    VIEW_LAKE = "lake.view"
    WRITE_RULES = "risk.rules"
    VIEW_RISK_LISTS = "risk.lists.view"
    VIEW_ASSESSMENTS = "risk.assessments.view"
    SUBMIT_EVENTS = "risk.assess"
    VIEW_CASES = "cases.view"
    MANAGE_CASES = "cases.manage"
    SUPERVISE_CASES = "cases.supervise"
    ANSWER_REQUESTS = "cases.requests.answer"
    VIEW_CREDIT = "credit.view"
    MANAGE_CREDIT = "credit.manage"
    VIEW_OWN_CREDIT = "credit.own"
    VIEW_INSPECTIONS = "inspections.view"
    MANAGE_INSPECTIONS = "inspections.manage"
    VIEW_PLAN = "plan.view"
    MANAGE_PLAN = "plan.manage"
    APPLY_PERMITS = "permits.apply"
    HANDLE_PERMITS = "permits.handle"
    VIEW_PERMITS = "permits.view"
    VIEW_POLICIES = "policies.view"
    MANAGE_POLICIES = "policies.manage"
    VIEW_CITY = "city.view"
    REPORT_CITY = "city.report"
    DISPATCH_CITY = "city.dispatch"
    HANDLE_CITY = "city.handle"


STAFF = frozenset(Role) - {Role.ENTERPRISE}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    role: frozenset({Permission.VIEW_OVERVIEW, Permission.VIEW_ENTERPRISES}) for role in Role
}
for _role in STAFF:
    ROLE_PERMISSIONS[_role] |= {Permission.VIEW_LAKE, Permission.VIEW_RISK_LISTS}
ROLE_PERMISSIONS[Role.ADMIN] |= {
    Permission.MANAGE_USERS,
    Permission.READ_AUDIT,
    Permission.REGISTER_ENTERPRISES,
}
ROLE_PERMISSIONS[Role.AUDITOR] |= {Permission.READ_AUDIT}
ROLE_PERMISSIONS[Role.ADMIN] |= {Permission.WRITE_RULES}
ROLE_PERMISSIONS[Role.RISK_OFFICER] |= {Permission.WRITE_RULES}
ROLE_PERMISSIONS[Role.SERVICE_OFFICER] |= {Permission.REGISTER_ENTERPRISES}
_ASSESSMENT_READERS = (
    Role.ADMIN, Role.RISK_OFFICER, Role.CASE_OFFICER, Role.CASE_SUPERVISOR, Role.AUDITOR
)
for _role in _ASSESSMENT_READERS:
    ROLE_PERMISSIONS[_role] |= {Permission.VIEW_ASSESSMENTS}
ROLE_PERMISSIONS[Role.ADMIN] |= {Permission.SUBMIT_EVENTS}
ROLE_PERMISSIONS[Role.RISK_OFFICER] |= {Permission.SUBMIT_EVENTS}
for _role in (Role.ADMIN, Role.CASE_OFFICER, Role.CASE_SUPERVISOR):
    ROLE_PERMISSIONS[_role] |= {Permission.VIEW_CASES, Permission.MANAGE_CASES}
# credit grades: read by the officers whose work they steer, kept by credit officers
for _role in STAFF - {Role.PLANNER, Role.CITY_OPERATOR}:
    ROLE_PERMISSIONS[_role] |= {Permission.VIEW_CREDIT}
for _role in (Role.ADMIN, Role.CREDIT_OFFICER):
    ROLE_PERMISSIONS[_role] |= {Permission.MANAGE_CREDIT}
ROLE_PERMISSIONS[Role.ENTERPRISE] |= {Permission.VIEW_OWN_CREDIT}  # its own credit page
# an enterprise answers the information requests of cases addressed to it
ROLE_PERMISSIONS[Role.ENTERPRISE] |= {Permission.ANSWER_REQUESTS}
# the head of a case department (科室负责人) takes the cases escalated for a breached SLA
for _role in (Role.ADMIN, Role.CASE_SUPERVISOR):
    ROLE_PERMISSIONS[_role] |= {Permission.SUPERVISE_CASES}
ROLE_PERMISSIONS[Role.AUDITOR] |= {Permission.VIEW_CASES}
# 双随机、一公开: credit officers plan and run the draws; auditors read them
for _role in (Role.ADMIN, Role.CREDIT_OFFICER):
    ROLE_PERMISSIONS[_role] |= {Permission.VIEW_INSPECTIONS, Permission.MANAGE_INSPECTIONS}
ROLE_PERMISSIONS[Role.AUDITOR] |= {Permission.VIEW_INSPECTIONS}
# plan indicators (规划指标监测评估): every staff member reads them; planners keep them
for _role in STAFF:
    ROLE_PERMISSIONS[_role] |= {Permission.VIEW_PLAN}
for _role in (Role.ADMIN, Role.PLANNER):
    ROLE_PERMISSIONS[_role] |= {Permission.MANAGE_PLAN}
# 一网通办 (issue #8): enterprises apply; service officers handle; auditors read
ROLE_PERMISSIONS[Role.ENTERPRISE] |= {Permission.APPLY_PERMITS}
for _role in (Role.ADMIN, Role.SERVICE_OFFICER):
    ROLE_PERMISSIONS[_role] |= {Permission.HANDLE_PERMITS, Permission.VIEW_PERMITS}
ROLE_PERMISSIONS[Role.AUDITOR] |= {Permission.VIEW_PERMITS}
# 惠企政策: staff and enterprises read matches; service officers keep the catalogue
for _role in Role:
    ROLE_PERMISSIONS[_role] |= {Permission.VIEW_POLICIES}
for _role in (Role.ADMIN, Role.SERVICE_OFFICER):
    ROLE_PERMISSIONS[_role] |= {Permission.MANAGE_POLICIES}

# 一网统管 (issue #9): city operators (command centre or a unit, by department) and admins
# take, dispatch and handle city events; auditors read them
for _role in (Role.ADMIN, Role.CITY_OPERATOR):
    ROLE_PERMISSIONS[_role] |= {Permission.VIEW_CITY, Permission.REPORT_CITY,
                                Permission.DISPATCH_CITY, Permission.HANDLE_CITY}  # fmt: skip
ROLE_PERMISSIONS[Role.AUDITOR] |= {Permission.VIEW_CITY}


def can(role: Role, permission: Permission) -> bool:
    """Whether a role holds a permission."""
    return permission in ROLE_PERMISSIONS[role]


class SessionKind(StrEnum):
    """A console session (cookie-backed) or an API bearer token."""

    CONSOLE = "console"
    API = "api"


@dataclass(frozen=True, slots=True)
class User:
    """A platform user. Enterprise users are bound to exactly one enterprise."""

    id: UserId
    username: str
    display_name: str
    role: Role
    enterprise_id: EnterpriseId | None
    is_active: bool
    created_at: dt.datetime
    department: str | None = None

    def as_actor(self) -> Actor:
        """The actor this user acts as."""
        return Actor(self.id, self.username, self.role, self.enterprise_id, self.department)


def validate_username(value: str) -> str:
    """Lower-case, 3–40 characters of a–z, 0–9, ``_ . -``, starting with a letter or digit."""
    username = value.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise Invalid("username", "3–40 characters: a–z, 0–9, '_', '.', '-'")
    return username


def validate_password(value: str) -> str:
    """At least 10 characters, not all of one class (letters only, digits only)."""
    if len(value) < MIN_PASSWORD_LENGTH:
        raise Invalid("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if value.isalpha() or value.isdigit():
        raise Invalid("password", "must mix letters with digits or symbols")
    return value


def validate_binding(role: Role, enterprise_id: int | None) -> None:
    """Enterprise users need exactly one enterprise; staff have none."""
    if role is Role.ENTERPRISE and enterprise_id is None:
        raise Invalid("enterprise_id", "required for enterprise users")
    if role is not Role.ENTERPRISE and enterprise_id is not None:
        raise Invalid("enterprise_id", "only enterprise users are bound to an enterprise")


def validate_department(role: Role, department: str | None) -> str | None:
    """A staff user's department (e.g. 查验一处), trimmed; blank is none. Enterprise users
    have none."""
    if department is None or not department.strip():
        return None
    name = department.strip()
    if role is Role.ENTERPRISE:
        raise Invalid("department", "enterprise users belong to no department")
    if len(name) > MAX_DEPARTMENT_LENGTH:
        raise Invalid("department", f"at most {MAX_DEPARTMENT_LENGTH} characters")
    return name


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures within which window lock a username (or source) for how long."""

    max_failures: int
    window: dt.timedelta
    lockout: dt.timedelta


def locked_until(
    failures: Sequence[dt.datetime], policy: ThrottlePolicy, now: dt.datetime
) -> dt.datetime | None:
    """When the lock ends, if the recent failures (newest last, since last success) lock it."""
    recent = [at for at in failures if now - at <= policy.window]
    if len(recent) < policy.max_failures:
        return None
    until = recent[-1] + policy.lockout
    return until if until > now else None
