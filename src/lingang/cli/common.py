"""Shared CLI plumbing: building the platform, the CLI actor, JSON and table output."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any

import typer

from lingang.bootstrap import Platform, bootstrap
from lingang.config import Settings
from lingang.types import Actor, Role


def cli_actor() -> Actor:
    """The CLI acts as an administrator named after the operating-system user."""
    return Actor(user_id=None, username=f"cli:{getpass.getuser()}", role=Role.ADMIN)


@contextmanager
def platform_session(*, start: bool = True) -> Iterator[Platform]:
    """A migrated platform for one command, closed (outbox flushed) afterwards."""
    platform = bootstrap(Settings(), start=start)
    try:
        yield platform
    finally:
        platform.close()


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums and datetimes → plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):  # datetimes too (a subclass)
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    """Pretty JSON on stdout, Chinese kept readable."""
    typer.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table (CJK characters count double width)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        typer.echo("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            typer.echo("  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
