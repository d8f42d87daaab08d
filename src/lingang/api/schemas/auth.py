"""Wire schemas of authentication and users."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lingang.auth.model import User
from lingang.types import ROLE_LABELS, Role


class TokenRequest(BaseModel):
    """Credentials exchanged for an API bearer token."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=500)


class UserPublic(BaseModel):
    """A user as the API shows it (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    role_label_zh: str
    role_label_en: str
    enterprise_id: int | None
    is_active: bool
    created_at: dt.datetime


class UsersPublic(BaseModel):
    """A page of users."""

    data: list[UserPublic]
    count: int


class TokenPublic(BaseModel):
    """A newly issued bearer token; the secret is shown only here."""

    access_token: str
    token_type: str = "bearer"
    expires_at: dt.datetime
    user: UserPublic


class UserCreate(BaseModel):
    """A new user; enterprise users need ``enterprise_id``."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=40)
    password: str = Field(min_length=10, max_length=500)
    role: Role
    display_name: str = Field(default="", max_length=120)
    enterprise_id: int | None = None


def user_public(user: User) -> UserPublic:
    """Domain user → wire schema."""
    zh, en = ROLE_LABELS[user.role]
    return UserPublic(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label_zh=zh,
        role_label_en=en,
        enterprise_id=user.enterprise_id,
        is_active=user.is_active,
        created_at=user.created_at,
    )
