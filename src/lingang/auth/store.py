"""Auth persistence: users, sessions/tokens (hashed), login attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.auth.model import SessionKind, User
from lingang.db import Base, UtcDateTime
from lingang.types import EnterpriseId, Role, UserId

BigId = BigInteger().with_variant(Integer(), "sqlite")


class UserRow(Base):
    """A user account."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'enterprise') = (enterprise_id IS NOT NULL)", name="enterprise_binding"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(40))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(80), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AuthSessionRow(Base):
    """A console session or API token; only the SHA-256 of the secret is kept."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class LoginAttemptRow(Base):
    """One login attempt, by username as typed and by source address."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(120), index=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    success: Mapped[bool] = mapped_column(Boolean)


def to_user(row: UserRow) -> User:
    """Row → domain user."""
    return User(
        id=UserId(row.id),
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        enterprise_id=EnterpriseId(row.enterprise_id) if row.enterprise_id is not None else None,
        is_active=row.is_active,
        created_at=row.created_at,
        department=row.department,
    )


def find_by_username(session: Session, username: str) -> UserRow | None:
    """The user row for a username, if any."""
    return session.scalar(select(UserRow).where(UserRow.username == username))


def list_users(session: Session, *, limit: int, offset: int) -> list[User]:
    """Users ordered by id."""
    statement = select(UserRow).order_by(UserRow.id).limit(limit).offset(offset)
    return [to_user(row) for row in session.scalars(statement)]


def active_users(session: Session, role: Role, department: str) -> list[User]:
    """The active users of a role in a department, ordered by username."""
    statement = (
        select(UserRow)
        .where(
            UserRow.role == role.value,
            UserRow.department == department,
            UserRow.is_active.is_(True),
        )
        .order_by(UserRow.username)
    )
    return [to_user(row) for row in session.scalars(statement)]


def count_users(session: Session) -> int:
    """Number of users."""
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def recent_failures(
    session: Session, *, username: str | None, source: str | None, since: dt.datetime
) -> list[dt.datetime]:
    """Failure times (oldest first) since ``since`` and since the last success, by key."""
    key = LoginAttemptRow.username == username if username else LoginAttemptRow.source == source
    last_ok = session.scalar(
        select(func.max(LoginAttemptRow.at)).where(key, LoginAttemptRow.success.is_(True))
    )
    start = max(since, last_ok) if last_ok else since
    statement = (
        select(LoginAttemptRow.at)
        .where(key, LoginAttemptRow.success.is_(False), LoginAttemptRow.at > start)
        .order_by(LoginAttemptRow.at)
    )
    return list(session.scalars(statement))


def find_live_session(
    session: Session, token_hash: str, kind: SessionKind, now: dt.datetime
) -> tuple[AuthSessionRow, UserRow] | None:
    """The unexpired, unrevoked session of that kind and its active user."""
    statement = (
        select(AuthSessionRow, UserRow)
        .join(UserRow, UserRow.id == AuthSessionRow.user_id)
        .where(
            AuthSessionRow.token_hash == token_hash,
            AuthSessionRow.kind == kind.value,
            AuthSessionRow.revoked_at.is_(None),
            AuthSessionRow.expires_at > now,
            UserRow.is_active.is_(True),
        )
    )
    row = session.execute(statement).one_or_none()
    return (row[0], row[1]) if row else None
