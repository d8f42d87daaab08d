"""Tokens, the current user, and user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from lingang.api.deps import BearerToken, CurrentActor, PlatformDep, Source
from lingang.api.schemas.auth import (
    TokenPublic,
    TokenRequest,
    UserCreate,
    UserPublic,
    UsersPublic,
    user_public,
)
from lingang.auth.model import SessionKind

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/auth/token", operation_id="auth-token", response_model=TokenPublic)
def issue_token(body: TokenRequest, platform: PlatformDep, source: Source) -> TokenPublic:
    """Exchange a username and password for a bearer token."""
    issued = platform.auth.login(body.username, body.password, source=source, kind=SessionKind.API)
    return TokenPublic(
        access_token=issued.token, expires_at=issued.expires_at, user=user_public(issued.user)
    )


@router.post("/auth/logout", operation_id="auth-logout", status_code=204)
def logout(platform: PlatformDep, actor: CurrentActor, token: BearerToken) -> Response:
    """Revoke the token used for this request."""
    platform.auth.logout(token, SessionKind.API)
    return Response(status_code=204)


@router.get("/auth/me", operation_id="auth-me", response_model=UserPublic)
def me(platform: PlatformDep, actor: CurrentActor) -> UserPublic:
    """The signed-in user."""
    user = platform.auth.get_user(actor.user_id or 0, actor=actor)
    return user_public(user)


@router.get("/users", operation_id="users-list", response_model=UsersPublic)
def list_users(
    platform: PlatformDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> UsersPublic:
    """Every user (administrators only)."""
    users = platform.auth.list_users(actor=actor, limit=limit, offset=offset)
    return UsersPublic(data=[user_public(u) for u in users], count=platform.auth.count_users())


@router.post("/users", operation_id="users-create", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, platform: PlatformDep, actor: CurrentActor) -> UserPublic:
    """Create a user (administrators only)."""
    user = platform.auth.create_user(
        body.username,
        body.password,
        body.role,
        actor=actor,
        display_name=body.display_name,
        enterprise_id=body.enterprise_id,
    )
    return user_public(user)
