"""一网统管 city events (issue #9): 12345 tickets with top-3 category suggestions, 立案 →
派遣 → 处置 → 反馈 → 核查 → 结案 with the callback, the work queue, KPIs and the grid map
(GeoJSON with open-event counts). A unit's operators reach only the orders dispatched to
their unit (any other id answers 404). Rules in docs/city.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.city import (
    CallbackRequest,
    DeadLetterPublic,
    DeadLettersPublic,
    DispatchRequest,
    EventDetailPublic,
    EventPublic,
    FileRequest,
    KpisPublic,
    NoteRequest,
    PurgePublic,
    ReasonRequest,
    SensorPublic,
    TicketRequest,
    VerifyRequest,
)
from lingang.errors import Invalid

router = APIRouter(prefix="/api/city", tags=["city"])


def _event(found: object) -> EventPublic:
    return EventPublic.model_validate(found, from_attributes=True)


@router.post("/tickets", operation_id="city-ticket", status_code=201,
             response_model=EventDetailPublic)  # fmt: skip
def ticket(body: TicketRequest, platform: PlatformDep, actor: CurrentActor) -> EventDetailPublic:
    """Take a 12345 ticket: the event waits for filing with the top-3 categories and
    possible duplicates (same category within 100 m and 24 h)."""
    made = platform.city.report_ticket(
        body.text, lat=body.lat, lon=body.lon, address=body.address, actor=actor,
        caller_name=body.caller_name, caller_phone=body.caller_phone,
        request_type=body.request_type, source=body.source,
    )  # fmt: skip
    return EventDetailPublic.model_validate(made, from_attributes=True)


@router.get("/queue", operation_id="city-queue", response_model=list[EventPublic])
def queue(
    platform: PlatformDep, actor: CurrentActor,
    state: Annotated[str | None, Query(description="one state; default: every open event")] = None,
    unit: Annotated[str | None, Query(description="one handling unit")] = None,
    overdue: Annotated[bool, Query(description="only breached clocks")] = False,
) -> list[EventPublic]:  # fmt: skip
    """The work queue, earliest deadline first; a unit's operators see their unit's."""
    found = platform.city.queue(actor=actor, state=state, unit=unit, overdue=overdue)
    return [_event(e) for e in found]


@router.get("/kpis", operation_id="city-kpis", response_model=KpisPublic)
def kpis(
    platform: PlatformDep, actor: CurrentActor,
    since: Annotated[dt.datetime | None, Query(description="received at or after")] = None,
) -> KpisPublic:  # fmt: skip
    """Volume by category, on-time and satisfaction rates, repeat locations, scenarios."""
    if since is not None and since.tzinfo is None:
        raise Invalid("since", "give a time zone (e.g. 2026-06-01T00:00:00+08:00)")
    return KpisPublic.model_validate(platform.city.kpis(actor=actor, since=since),
                                     from_attributes=True)  # fmt: skip


@router.get("/grids", operation_id="city-grids")
def grids(platform: PlatformDep, actor: CurrentActor) -> dict[str, Any]:
    """The responsibility grids as GeoJSON, each with ``open_events``, ``overdue_events``
    and ``open_by_source`` in its properties (the console map draws it)."""
    return platform.city.grids_geojson(actor=actor)


@router.get("/sensors", operation_id="city-sensors", response_model=list[SensorPublic])
def sensors(
    platform: PlatformDep, actor: CurrentActor,
    kind: Annotated[str | None, Query(description="one kind, e.g. water_level")] = None,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 5000,
) -> list[SensorPublic]:  # fmt: skip
    """Registered sensors with their latest reading and grid (the map's markers)."""
    found = platform.sensors.sensors(actor=actor, kind=kind, limit=limit)
    return [SensorPublic.model_validate(s, from_attributes=True) for s in found]


@router.get("/dead-letters", operation_id="city-dead-letters", response_model=DeadLettersPublic)
def dead_letters(
    platform: PlatformDep, actor: CurrentActor,
    field: Annotated[str | None, Query(description="only this field at fault")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DeadLettersPublic:  # fmt: skip
    """Malformed sensor messages, newest first, with counts per field at fault."""
    letters = platform.sensors.dead_letters(actor=actor, limit=limit, offset=offset, field=field)
    public = []
    for letter in letters:
        payload, encoding = letter.payload_text()
        public.append(DeadLetterPublic(
            id=letter.id, topic=letter.topic, field=letter.field, reason=letter.reason,
            received_at=letter.received_at, payload=payload, encoding=encoding,
            truncated=letter.truncated,
        ))  # fmt: skip
    return DeadLettersPublic(counts=platform.sensors.dead_letter_counts(actor=actor),
                             letters=public)  # fmt: skip


@router.delete("/dead-letters", operation_id="city-dead-letters-purge", response_model=PurgePublic)
def purge_dead_letters(
    platform: PlatformDep, actor: CurrentActor,
    older_than_days: Annotated[int, Query(ge=0, description="keep the last N days")],
) -> PurgePublic:  # fmt: skip
    """Delete the dead letters older than N days (city operators; audited)."""
    purged = platform.sensors.purge_dead_letters(actor=actor, older_than_days=older_than_days)
    return PurgePublic(purged=purged)


@router.get("/events/{event_id}", operation_id="city-event", response_model=EventDetailPublic)
def event(event_id: int, platform: PlatformDep, actor: CurrentActor) -> EventDetailPublic:
    """One event with its timeline."""
    return EventDetailPublic.model_validate(platform.city.get(event_id, actor=actor),
                                            from_attributes=True)  # fmt: skip


@router.post("/events/{event_id}/file", operation_id="city-file", response_model=EventPublic)
def file(event_id: int, body: FileRequest, platform: PlatformDep,
         actor: CurrentActor) -> EventPublic:  # fmt: skip
    """立案 under a suggested category or an override (kept as training data)."""
    return _event(platform.city.file(event_id, body.category, actor=actor,
                                     time_limit=body.time_limit,
                                     approved_by=body.approved_by))  # fmt: skip


@router.post("/events/{event_id}/dispatch", operation_id="city-dispatch",
             response_model=EventPublic)  # fmt: skip
def dispatch(event_id: int, body: DispatchRequest, platform: PlatformDep,
             actor: CurrentActor) -> EventPublic:  # fmt: skip
    """派遣 by the rules (the reason recorded) or to a named unit."""
    return _event(platform.city.dispatch(event_id, actor=actor, unit=body.unit,
                                         designated=body.designated))  # fmt: skip


@router.post("/events/{event_id}/return", operation_id="city-return", response_model=EventPublic)
def return_order(event_id: int, body: ReasonRequest, platform: PlatformDep,
                 actor: CurrentActor) -> EventPublic:  # fmt: skip
    """退单: the unit returns an order outside its remit, once (409 after that, or when the
    order was designated)."""
    return _event(platform.city.return_order(event_id, body.reason, actor=actor))


@router.post("/events/{event_id}/handle", operation_id="city-handle", response_model=EventPublic)
def handle(event_id: int, body: NoteRequest, platform: PlatformDep,
           actor: CurrentActor) -> EventPublic:  # fmt: skip
    """处置: the unit starts handling."""
    return _event(platform.city.handle(event_id, body.note, actor=actor))


@router.post("/events/{event_id}/done", operation_id="city-done", response_model=EventPublic)
def done(event_id: int, body: ReasonRequest, platform: PlatformDep,
         actor: CurrentActor) -> EventPublic:  # fmt: skip
    """反馈: the unit reports the result."""
    return _event(platform.city.report_done(event_id, body.reason, actor=actor))


@router.post("/events/{event_id}/verify", operation_id="city-verify", response_model=EventPublic)
def verify(event_id: int, body: VerifyRequest, platform: PlatformDep,
           actor: CurrentActor) -> EventPublic:  # fmt: skip
    """核查 by the command centre: not ok sends it back to the unit."""
    return _event(platform.city.verify(event_id, body.ok, body.note, actor=actor))


@router.post("/events/{event_id}/callback", operation_id="city-callback",
             response_model=EventPublic)  # fmt: skip
def callback(event_id: int, body: CallbackRequest, platform: PlatformDep,
             actor: CurrentActor) -> EventPublic:  # fmt: skip
    """回访: a dissatisfied callback reopens the event."""
    if (body.satisfied is None) == (body.score is None):
        raise Invalid("satisfied", "give either satisfied (true/false) or a score 1..5")
    answer: bool | int = body.satisfied if body.satisfied is not None else int(body.score or 0)
    return _event(platform.city.callback(event_id, answer, body.note, actor=actor))


@router.post("/events/{event_id}/close", operation_id="city-close", response_model=EventPublic)
def close(event_id: int, body: NoteRequest, platform: PlatformDep,
          actor: CurrentActor) -> EventPublic:  # fmt: skip
    """结案, only after verification."""
    return _event(platform.city.close(event_id, actor=actor, note=body.note))
