"""Persistence of the sensor intake: the dead-letter store of malformed messages and the
sensor registry the operations map draws its markers from (issue #9 item 1).

Both are written in batches by the pipeline: dead letters as one multi-row insert per flush,
the registry as one upsert (``INSERT … ON CONFLICT DO UPDATE``, SQLite and PostgreSQL) of the
latest reading of each sensor, coalesced over a few seconds. Reading them is permission
checked: ``city.view`` to list or count, ``city.handle`` to purge.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Executable,
    Float,
    Integer,
    String,
    Text,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.auth.model import Permission
from lingang.auth.service import require
from lingang.db import Base, Database, UtcDateTime
from lingang.types import Actor

PAYLOAD_LIMIT = 2048
"""Bytes of a malformed payload kept in the dead-letter store (the rest is cut off)."""

UPSERT_CHUNK = 2000
"""Rows per registry upsert statement (under SQLite's bound-parameter limit)."""


class CitySensorRow(Base):
    """A sensor the intake has heard from: where it is and its latest reading."""

    __tablename__ = "city_sensors"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    grid: Mapped[str | None] = mapped_column(String(40), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    last_value: Mapped[float] = mapped_column(Float)
    battery: Mapped[float | None] = mapped_column(Float)
    first_seen: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CityDeadLetterRow(Base):
    """A sensor message the intake refused, with the reason and the field at fault."""

    __tablename__ = "city_dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(8))  # "utf-8" or "base64"
    truncated: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(40), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A refused message as the store keeps and returns it."""

    topic: str
    payload: bytes
    reason: str
    field: str
    received_at: dt.datetime
    id: int | None = None
    truncated: bool = False

    def payload_text(self) -> tuple[str, str]:
        """The payload as ``(text, encoding)``: UTF-8 text when it decodes, else base64."""
        text, encoding, _ = encode_payload(self.payload)
        return text, encoding


@dataclass(frozen=True, slots=True)
class SensorState:
    """The latest reading of one sensor, as the registry upsert takes it."""

    id: str
    kind: str
    lat: float
    lon: float
    unit: str
    value: float
    read_at: dt.datetime
    battery: float | None = None
    grid: str | None = None


def encode_payload(payload: bytes) -> tuple[str, str, bool]:
    """``(text, encoding, truncated)``: UTF-8 text when it decodes, else base64."""
    cut = payload[:PAYLOAD_LIMIT]
    try:
        return cut.decode("utf-8"), "utf-8", len(payload) > PAYLOAD_LIMIT
    except UnicodeDecodeError:
        return base64.b64encode(cut).decode("ascii"), "base64", len(payload) > PAYLOAD_LIMIT


def decode_payload(text: str, encoding: str) -> bytes:
    """The stored (possibly truncated) payload bytes."""
    return base64.b64decode(text) if encoding == "base64" else text.encode("utf-8")


class DeadLetterStore:
    """The ``city_dead_letters`` table: batch appends from the pipeline, reads for operators."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add_many(self, letters: Sequence[DeadLetter]) -> int:
        """Append refused messages in one insert; returns how many were stored."""
        if not letters:
            return 0
        rows = [_dead_letter_row(letter) for letter in letters]
        with self.database.engine.begin() as connection:
            connection.execute(insert(CityDeadLetterRow), rows)
        return len(rows)

    def list(
        self, actor: Actor, limit: int = 100, offset: int = 0, field: str | None = None
    ) -> list[DeadLetter]:
        """The newest dead letters first (``city.view``), optionally of one field."""
        require(actor, Permission.VIEW_CITY)
        statement = select(CityDeadLetterRow).order_by(CityDeadLetterRow.id.desc())
        if field is not None:
            statement = statement.where(CityDeadLetterRow.field == field)
        with self.database.sessions() as session:
            rows = session.scalars(statement.limit(limit).offset(offset)).all()
        return [_dead_letter(row) for row in rows]

    def count(self, actor: Actor) -> dict[str, int]:
        """How many dead letters there are per field at fault (``city.view``)."""
        require(actor, Permission.VIEW_CITY)
        statement = select(CityDeadLetterRow.field, func.count()).group_by(CityDeadLetterRow.field)
        with self.database.sessions() as session:
            return {field: int(n) for field, n in session.execute(statement).all()}

    def purge(self, actor: Actor, before: dt.datetime) -> int:
        """Delete the dead letters received before ``before`` (``city.handle``)."""
        require(actor, Permission.HANDLE_CITY)
        with self.database.sessions.begin() as session:
            return purge_before(session, before)


def purge_before(session: Session, before: dt.datetime) -> int:
    """Delete the dead letters received before ``before`` in the caller's transaction."""
    statement = delete(CityDeadLetterRow).where(CityDeadLetterRow.received_at < before)
    result = session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DML result has it


def _dead_letter_row(letter: DeadLetter) -> dict[str, object]:
    text, encoding, truncated = encode_payload(letter.payload)
    return {
        "topic": letter.topic[:200],
        "payload": text,
        "encoding": encoding,
        "truncated": truncated or letter.truncated,
        "reason": letter.reason[:300],
        "field": letter.field[:40],
        "received_at": letter.received_at,
    }


def _dead_letter(row: CityDeadLetterRow) -> DeadLetter:
    return DeadLetter(
        topic=row.topic,
        payload=decode_payload(row.payload, row.encoding),
        reason=row.reason,
        field=row.field,
        received_at=row.received_at,
        id=row.id,
        truncated=row.truncated,
    )


class SensorRegistry:
    """The ``city_sensors`` table: one row per sensor, upserted with its latest reading."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def upsert(self, states: Iterable[SensorState]) -> int:
        """Insert new sensors and move known ones to their latest reading (a later
        ``last_seen`` only); returns how many states were written. One statement run as an
        executemany, in chunks of :data:`UPSERT_CHUNK`."""
        rows = [_sensor_row(state) for state in states]
        if not rows:
            return 0
        statement = self._upsert_statement()
        with self.database.engine.begin() as connection:
            for start in range(0, len(rows), UPSERT_CHUNK):
                connection.execute(statement, rows[start : start + UPSERT_CHUNK])
        return len(rows)

    def sensors(self, actor: Actor, kind: str | None = None) -> list[SensorState]:
        """Every registered sensor with its latest reading (``city.view``), for the map."""
        require(actor, Permission.VIEW_CITY)
        statement = select(CitySensorRow).order_by(CitySensorRow.id)
        if kind is not None:
            statement = statement.where(CitySensorRow.kind == kind)
        with self.database.sessions() as session:
            rows = session.scalars(statement).all()
        return [_sensor_state(row) for row in rows]

    def _upsert_statement(self) -> Executable:
        dialect = self.database.engine.dialect.name
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = make(CitySensorRow)
        keep = ("kind", "lat", "lon", "unit", "last_value", "battery", "last_seen")
        return statement.on_conflict_do_update(
            index_elements=["id"],
            set_={name: statement.excluded[name] for name in keep},
            where=CitySensorRow.last_seen < statement.excluded.last_seen,
        )


def _sensor_row(state: SensorState) -> dict[str, object]:
    return {
        "id": state.id,
        "kind": state.kind,
        "lat": state.lat,
        "lon": state.lon,
        "grid": state.grid,
        "unit": state.unit,
        "last_value": state.value,
        "battery": state.battery,
        "first_seen": state.read_at,
        "last_seen": state.read_at,
    }


def _sensor_state(row: CitySensorRow) -> SensorState:
    return SensorState(
        id=row.id,
        kind=row.kind,
        lat=row.lat,
        lon=row.lon,
        unit=row.unit,
        value=row.last_value,
        read_at=row.last_seen,
        battery=row.battery,
        grid=row.grid,
    )
