"""Maps platform errors to HTTP once; every error body is JSON with ``error`` and ``message``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lingang.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LingangError,
    NotFound,
    Throttled,
    Unauthenticated,
    Unavailable,
)

STATUS: dict[type[LingangError], tuple[int, str]] = {
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    Invalid: (422, "invalid"),
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    Throttled: (429, "throttled"),
    Unavailable: (503, "unavailable"),
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one shape of every error response."""
    return {"error": code, "message": message, **extra}


async def _platform_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LingangError)
    status, code = next(
        (value for cls, value in STATUS.items() if isinstance(exc, cls)), (500, "error")
    )
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        extra["fields"] = [{"field": exc.field, "reason": exc.reason}]
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(error_body(code, exc.message, **extra), status, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"field": ".".join(str(p) for p in err["loc"] if p != "body"), "reason": err["msg"]}
        for err in exc.errors()
    ]
    message = "; ".join(f"{f['field']}: {f['reason']}" for f in fields)
    return JSONResponse(error_body("invalid", message, fields=fields), 422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}.get(
        exc.status_code, "error"
    )
    return JSONResponse(
        error_body(code, str(exc.detail)), exc.status_code, headers=getattr(exc, "headers", None)
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(LingangError, _platform_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
