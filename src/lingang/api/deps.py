"""Annotated dependencies: the platform, and the actor behind the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lingang.auth.model import SessionKind
from lingang.bootstrap import Platform
from lingang.errors import Unauthenticated
from lingang.types import Actor

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/auth/token")


def get_platform(request: Request) -> Platform:
    """The platform the app was built with."""
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_actor(
    platform: PlatformDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The signed-in actor; 401 without a valid, unexpired bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("bearer token required")
    return platform.auth.resolve(credentials.credentials, SessionKind.API)


def get_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The raw bearer token (for logout)."""
    if credentials is None:
        raise Unauthenticated("bearer token required")
    return credentials.credentials


def client_source(request: Request) -> str:
    """The client address, used to throttle failed logins per source."""
    return request.client.host if request.client else "unknown"


CurrentActor = Annotated[Actor, Depends(get_actor)]
BearerToken = Annotated[str, Depends(get_token)]
Source = Annotated[str, Depends(client_source)]
