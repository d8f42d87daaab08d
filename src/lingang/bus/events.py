"""Typed events: past-tense facts, serialised as JSON, registered once by name."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lingang.errors import Conflict, Invalid
from lingang.types import utcnow

SUBJECT_PREFIX = "lingang"


class Event(BaseModel):
    """Base of every event. Subclasses set ``name`` (dotted, e.g. ``auth.user_created``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ClassVar[str]
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: dt.datetime = Field(default_factory=utcnow)

    @classmethod
    def subject(cls) -> str:
        """The bus subject of this event type, e.g. ``lingang.auth.user_created``."""
        return f"{SUBJECT_PREFIX}.{cls.name}"

    def to_json(self) -> bytes:
        """The wire form."""
        return self.model_dump_json().encode()


EVENT_TYPES: dict[str, type[Event]] = {}
E = TypeVar("E", bound=type[Event])


def register_event(cls: E) -> E:
    """Class decorator: add an event type to the registry; a duplicate name is refused."""
    if cls.name in EVENT_TYPES and EVENT_TYPES[cls.name] is not cls:
        raise Conflict(f"event name {cls.name!r} is already registered")
    EVENT_TYPES[cls.name] = cls
    return cls


def parse_event(name: str, payload: bytes | str | dict[str, Any]) -> Event:
    """Rebuild an event from its name and wire form; unknown or malformed input is ``Invalid``."""
    cls = EVENT_TYPES.get(name)
    if cls is None:
        raise Invalid("name", f"unknown event type {name!r}")
    try:
        if isinstance(payload, dict):
            return cls.model_validate(payload)
        return cls.model_validate_json(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "payload"
        raise Invalid(field, first["msg"]) from exc


def name_from_subject(subject: str) -> str:
    """``lingang.auth.user_created`` → ``auth.user_created``."""
    return subject.removeprefix(f"{SUBJECT_PREFIX}.")
