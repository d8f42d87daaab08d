"""Events the auth kernel publishes."""

from __future__ import annotations

from lingang.bus.events import Event, register_event


@register_event
class UserCreated(Event):
    """A user account was created."""

    name = "auth.user_created"
    user_id: int
    username: str
    role: str


@register_event
class UserLockedOut(Event):
    """Repeated failed logins locked a username or a source address."""

    name = "auth.user_locked_out"
    username: str
    source: str
