"""Credential rules, enterprise binding, permissions and the throttling decision."""

from __future__ import annotations

import datetime as dt

import pytest

from lingang.auth.model import (
    Permission,
    ThrottlePolicy,
    can,
    locked_until,
    validate_binding,
    validate_password,
    validate_username,
)
from lingang.errors import Invalid
from lingang.types import Role

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
POLICY = ThrottlePolicy(3, dt.timedelta(minutes=15), dt.timedelta(minutes=10))


def test_username_is_normalised_and_checked() -> None:
    assert validate_username("  Risk.Officer_1 ") == "risk.officer_1"
    with pytest.raises(Invalid, match="username"):
        validate_username("a b")


@pytest.mark.parametrize("password", ["short1!", "onlyletterslong", "1234567890123"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(Invalid) as excinfo:
        validate_password(password)
    assert excinfo.value.field == "password"


def test_enterprise_users_need_exactly_one_enterprise() -> None:
    validate_binding(Role.ENTERPRISE, 7)
    validate_binding(Role.PLANNER, None)
    with pytest.raises(Invalid, match="enterprise_id"):
        validate_binding(Role.ENTERPRISE, None)
    with pytest.raises(Invalid, match="enterprise_id"):
        validate_binding(Role.AUDITOR, 7)


def test_only_admins_manage_users_and_auditors_read_audit() -> None:
    assert can(Role.ADMIN, Permission.MANAGE_USERS)
    assert not can(Role.AUDITOR, Permission.MANAGE_USERS)
    assert can(Role.AUDITOR, Permission.READ_AUDIT)
    assert not can(Role.ENTERPRISE, Permission.READ_AUDIT)


def test_locks_after_max_failures_in_window() -> None:
    failures = [NOW - dt.timedelta(minutes=m) for m in (3, 2, 1)]
    assert locked_until(failures, POLICY, NOW) == NOW - dt.timedelta(minutes=1) + POLICY.lockout


def test_old_failures_do_not_count() -> None:
    failures = [NOW - dt.timedelta(minutes=m) for m in (40, 30, 1)]
    assert locked_until(failures, POLICY, NOW) is None


def test_lock_expires() -> None:
    failures = [NOW - dt.timedelta(minutes=m) for m in (14, 13, 12)]
    assert locked_until(failures, POLICY, NOW) is None
