"""The few errors the platform raises; every door maps them once (api/errors.py, cli/app.py)."""

from __future__ import annotations


class LingangError(Exception):
    """Root of every error the platform raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(LingangError):
    """The object does not exist, or the actor may not know that it exists."""


class Conflict(LingangError):
    """The request clashes with the current state (duplicate, illegal transition)."""


class Invalid(LingangError):
    """Input is malformed; names the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Unauthenticated(LingangError):
    """Credentials are missing or wrong; never says which part was wrong."""


class Forbidden(LingangError):
    """The actor is known but its role does not allow the action."""


class Throttled(LingangError):
    """Too many attempts; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(LingangError):
    """A backing service (database, bus) cannot be reached."""
