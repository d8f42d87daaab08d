"""Console login state: the session secret lives in ``app.storage.user``, never in the page.

A page resolves the stored secret through ``AuthService.resolve`` on every visit, so an expired
or revoked session sends the browser back to the login page.
"""

from __future__ import annotations

from typing import Final

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app

from lingang.auth.model import SessionKind
from lingang.auth.service import AuthService, IssuedSession
from lingang.errors import Unauthenticated
from lingang.types import Actor

TOKEN_KEY: Final = "session_token"
LOGIN_PATH: Final = "/login"
HOME_PATH: Final = "/"


def remember(issued: IssuedSession) -> None:
    """Keep a freshly issued console session for this browser."""
    app.storage.user[TOKEN_KEY] = issued.token


def stored_token() -> str | None:
    """This browser's session secret, if it has one."""
    token = app.storage.user.get(TOKEN_KEY)
    return token if isinstance(token, str) else None


def resolve(auth: AuthService, token: str | None) -> Actor | None:
    """The actor behind ``token``; ``None`` when it is missing, expired or revoked."""
    if token is None:
        return None
    try:
        return auth.resolve(token, SessionKind.CONSOLE)
    except Unauthenticated:
        return None


def current_actor(auth: AuthService) -> Actor | None:
    """The signed-in actor of this browser; a dead session is forgotten."""
    actor = resolve(auth, stored_token())
    if actor is None:
        app.storage.user.pop(TOKEN_KEY, None)
    return actor


def sign_out(auth: AuthService) -> None:
    """Revoke this browser's session and forget it."""
    token = stored_token()
    app.storage.user.pop(TOKEN_KEY, None)
    if token is not None:
        auth.logout(token, SessionKind.CONSOLE)


def redirect_to(request: Request, path: str) -> RedirectResponse:
    """A server-side redirect to a console path.

    The mount prefix (``/console``) is added here; NiceGUI's middleware adds a proxy's
    ``X-Forwarded-Prefix`` in front of it.
    """
    root_path = str(request.scope.get("root_path", ""))
    return RedirectResponse(root_path + path, status_code=303)
