"""Auth use cases: create and list users, log in with throttling, resolve sessions and tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth import passwords, store
from lingang.auth.events import UserCreated, UserLockedOut
from lingang.auth.model import (
    Permission,
    SessionKind,
    ThrottlePolicy,
    User,
    can,
    locked_until,
    validate_binding,
    validate_department,
    validate_password,
    validate_username,
)
from lingang.db import UnitOfWorkFactory
from lingang.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Throttled,
    Unauthenticated,
)
from lingang.types import Actor, Role, utcnow

BAD_CREDENTIALS = "invalid username or password"
SOURCE_FAILURE_FACTOR = 4  # a source address may fail this many times more than one username


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A fresh session or token: the secret is shown once and never stored."""

    token: str
    expires_at: dt.datetime
    user: User


class AuthService:
    """Users, logins and the sessions and tokens that identify an actor."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        audit: AuditService,
        *,
        throttle: ThrottlePolicy,
        lifetimes: dict[SessionKind, dt.timedelta],
        enterprise_exists: Callable[[int], bool],
    ) -> None:
        self._uow = uow
        self._audit = audit
        self._throttle = throttle
        self._lifetimes = lifetimes
        self._enterprise_exists = enterprise_exists

    def create_user(
        self,
        username: str,
        password: str,
        role: Role,
        *,
        actor: Actor,
        display_name: str = "",
        enterprise_id: int | None = None,
        department: str | None = None,
    ) -> User:
        """Create a user; enterprise users must name an existing enterprise, staff may
        belong to a department (e.g. 查验一处)."""
        require(actor, Permission.MANAGE_USERS)
        name = validate_username(username)
        validate_password(password)
        validate_binding(role, enterprise_id)
        unit = validate_department(role, department)
        if enterprise_id is not None and not self._enterprise_exists(enterprise_id):
            raise Invalid("enterprise_id", f"enterprise {enterprise_id} does not exist")
        with self._uow() as uow:
            if store.find_by_username(uow.session, name) is not None:
                raise Conflict(f"username {name!r} is taken")
            row = store.UserRow(
                username=name,
                display_name=display_name.strip()[:120],
                role=role.value,
                enterprise_id=enterprise_id,
                department=unit,
                password_hash=passwords.hash_password(password),
                is_active=True,
                created_at=utcnow(),
            )
            uow.session.add(row)
            uow.session.flush()
            user = store.to_user(row)
            self._audit.record(
                uow.session,
                actor=actor,
                action="auth.create_user",
                object_type="user",
                object_id=str(user.id),
                after=_public_state(user),
                detail=f"role={role.value}",
            )
            uow.emit(UserCreated(user_id=user.id, username=name, role=role.value))
            uow.commit()
        return user

    def list_users(self, *, actor: Actor, limit: int = 100, offset: int = 0) -> list[User]:
        """All users, for administrators."""
        require(actor, Permission.MANAGE_USERS)
        with self._uow.read() as session:
            return store.list_users(session, limit=limit, offset=offset)

    def get_user(self, user_id: int, *, actor: Actor) -> User:
        """One user: administrators see anyone, everyone else only themselves."""
        if actor.user_id != user_id:
            require(actor, Permission.MANAGE_USERS)
        with self._uow.read() as session:
            row = session.get(store.UserRow, user_id)
            if row is None:
                raise NotFound(f"user {user_id} not found")
            return store.to_user(row)

    def active_users(self, role: Role, department: str) -> list[User]:
        """The active users of a role in a department (for routing work, e.g. cases)."""
        with self._uow.read() as session:
            return store.active_users(session, role, department)

    def count_users(self) -> int:
        """Number of users."""
        with self._uow.read() as session:
            return store.count_users(session)

    def login(
        self, username: str, password: str, *, source: str, kind: SessionKind
    ) -> IssuedSession:
        """Check credentials and issue a session or token.

        Wrong username and wrong password fail alike. Too many failures for the username, or
        from the source address, raise ``Throttled`` before the password is even checked.
        """
        typed = username.strip().lower()[:120]
        now = utcnow()
        with self._uow() as uow:
            self._check_throttle(uow.session, typed, source, now)
            row = store.find_by_username(uow.session, typed)
            known = row is not None and row.is_active
            ok = passwords.check_password(row.password_hash if known and row else None, password)
            uow.session.add(
                store.LoginAttemptRow(username=typed, source=source, at=now, success=ok)
            )
            if not ok or row is None:
                self._note_failure(uow.session, typed, source, now, uow.emit)
                uow.commit()
                raise Unauthenticated(BAD_CREDENTIALS)
            if passwords.needs_rehash(row.password_hash):
                row.password_hash = passwords.hash_password(password)
            issued = self._issue(uow.session, row, kind, now)
            self._audit.record(
                uow.session,
                actor=issued.user.as_actor(),
                action="auth.login",
                object_type="user",
                object_id=str(row.id),
                detail=f"kind={kind.value} source={source}",
            )
            uow.commit()
        return issued

    def resolve(self, token: str, kind: SessionKind) -> Actor:
        """The actor behind a session secret or bearer token; anything else is Unauthenticated."""
        with self._uow.read() as session:
            found = store.find_live_session(session, _token_hash(token), kind, utcnow())
            if found is None:
                raise Unauthenticated("session expired or unknown")
            return store.to_user(found[1]).as_actor()

    def logout(self, token: str, kind: SessionKind) -> None:
        """Revoke a session or token (idempotent)."""
        with self._uow() as uow:
            uow.session.execute(
                update(store.AuthSessionRow)
                .where(
                    store.AuthSessionRow.token_hash == _token_hash(token),
                    store.AuthSessionRow.kind == kind.value,
                    store.AuthSessionRow.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow())
            )
            uow.commit()

    def _check_throttle(
        self, session: Session, username: str, source: str, now: dt.datetime
    ) -> None:
        since = now - self._throttle.window
        by_user = store.recent_failures(session, username=username, source=None, since=since)
        by_source = store.recent_failures(session, username=None, source=source, since=since)
        source_policy = ThrottlePolicy(
            self._throttle.max_failures * SOURCE_FAILURE_FACTOR,
            self._throttle.window,
            self._throttle.lockout,
        )
        until = max(
            filter(
                None,
                [
                    locked_until(by_user, self._throttle, now),
                    locked_until(by_source, source_policy, now),
                ],
            ),
            default=None,
        )
        if until is not None:
            retry = max(1, math.ceil((until - now).total_seconds()))
            raise Throttled(f"too many failed logins; retry in {retry} s", retry_after=retry)

    def _note_failure(
        self,
        session: Session,
        username: str,
        source: str,
        now: dt.datetime,
        emit: Callable[[UserLockedOut], None],
    ) -> None:
        session.flush()
        since = now - self._throttle.window
        failures = store.recent_failures(session, username=username, source=None, since=since)
        if len(failures) == self._throttle.max_failures:
            emit(UserLockedOut(username=username, source=source))

    def _issue(
        self, session: Session, row: store.UserRow, kind: SessionKind, now: dt.datetime
    ) -> IssuedSession:
        token = secrets.token_urlsafe(32)
        expires = now + self._lifetimes[kind]
        session.add(
            store.AuthSessionRow(
                token_hash=_token_hash(token),
                user_id=row.id,
                kind=kind.value,
                created_at=now,
                expires_at=expires,
            )
        )
        return IssuedSession(token=token, expires_at=expires, user=store.to_user(row))


def require(actor: Actor, permission: Permission) -> None:
    """Raise ``Forbidden`` unless the actor's role holds the permission."""
    if not can(actor.role, permission):
        raise Forbidden(f"role {actor.role.value} may not {permission.value}")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _public_state(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role.value,
        "enterprise_id": user.enterprise_id,
        "department": user.department,
        "is_active": user.is_active,
    }
