"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the city events of
一网统管 (issue #9): the service list is the category tree; a posted request becomes a city
event filed under its ``service_code``; requests are listed with status open/closed and the
agency responsible (the handling unit). Reading needs no sign-in and shows no caller details;
posting needs ``api_key`` = a bearer token of the platform (``POST /api/auth/token``; the
``Authorization: Bearer`` header works too) of a user who may report city events.

Errors use the spec's format: ``[{"code": 400, "description": "..."}]``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse

from lingang.api.deps import PlatformDep
from lingang.auth.model import SessionKind
from lingang.bootstrap import Platform
from lingang.city.model import COMMAND_CENTRE, CityEvent
from lingang.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LingangError,
    NotFound,
    Throttled,
    Unauthenticated,
)
from lingang.workdays import SHANGHAI

router = APIRouter(prefix="/open311/v2", tags=["open311"])
FormText = Annotated[str | None, Form()]
STATUS: dict[type[LingangError], int] = {
    Invalid: 400, Unauthenticated: 401, Forbidden: 403, NotFound: 404, Conflict: 409,
    Throttled: 429,
}  # fmt: skip


def _error(code: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": code, "description": description}], status_code=code)


def _answer(work: Callable[[], Any]) -> Any:
    """Run ``work``; platform errors become the spec's error list."""
    try:
        return work()
    except LingangError as exc:
        code = next((c for cls, c in STATUS.items() if isinstance(exc, cls)), 500)
        return _error(code, exc.message)


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None


def _request(platform: Platform, event: CityEvent) -> dict[str, Any]:
    """One service request as GeoReport v2 writes it."""
    closed = event.closed_at is not None
    return {
        "service_request_id": str(event.id),
        "status": "closed" if closed else "open",
        "status_notes": f"{event.state.label()} {event.state.label('en')}",
        "service_name": event.category_name or "待分类 unclassified",
        "service_code": event.category,
        "description": event.text,
        "agency_responsible": event.unit or COMMAND_CENTRE,
        "service_notice": event.time_limit.label() if event.time_limit else "",
        "requested_datetime": _time(event.received_at),
        "updated_datetime": _time(event.updated_at),
        "expected_datetime": _time(event.due_at),
        "address": event.address,
        "address_id": None,
        "zipcode": None,
        "lat": event.lat,
        "long": event.lon,
        "media_url": None,
    }


@router.get("/services.json", operation_id="open311-services")
def services(platform: PlatformDep, jurisdiction_id: str | None = None) -> list[dict[str, Any]]:
    """The service list: every grid-management category (部件/事件)."""
    return [
        {
            "service_code": c.code,
            "service_name": c.name_zh,
            "description": f"{c.path()} · {c.path('en')}",
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(c.keywords),
            "group": f"{c.kind.label()}·{c.top.name_zh}",
        }
        for c in platform.city.categories.all()
    ]


@router.post("/requests.json", operation_id="open311-post-request")
def post_request(
    request: Request, platform: PlatformDep, service_code: FormText = None,
    api_key: FormText = None, lat: FormText = None, long: FormText = None,
    address_string: FormText = None, description: FormText = None, email: FormText = None,
    first_name: FormText = None, last_name: FormText = None, phone: FormText = None,
    jurisdiction_id: FormText = None,
) -> Any:  # fmt: skip
    """Create a service request (form-encoded); answers ``[{service_request_id, …}]``."""
    token = api_key or _bearer(request)

    def work() -> list[dict[str, Any]]:
        if not token:
            raise Unauthenticated("api_key required: a bearer token of the platform")
        actor = platform.auth.resolve(token, SessionKind.API)
        if not service_code:
            raise Invalid("service_code", "service_code is required")
        point = _point(lat, long)
        category = platform.city.categories.get(service_code)
        name = " ".join(p for p in (first_name, last_name) if p and p.strip()) or None
        text = (description or "").strip() or category.name_zh
        contact = phone or email
        made = platform.city.report_ticket(
            text, lat=point[0], lon=point[1], actor=actor,
            address=(address_string or "").strip() or f"{point[0]:.6f},{point[1]:.6f}",
            caller_name=name, caller_phone=phone, request_type="help", source="open311",
            category=category.code,
        )  # fmt: skip
        notice = made.event.time_limit.label() if made.event.time_limit else ""
        return [{"service_request_id": str(made.event.id), "service_notice": notice,
                 "account_id": contact}]  # fmt: skip

    return _answer(work)


@router.get("/requests.json", operation_id="open311-requests")
def requests(
    platform: PlatformDep,
    service_request_id: Annotated[str | None, Query(description="ids, comma-separated")] = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: Annotated[str | None, Query(description="open, closed or both")] = None,
    jurisdiction_id: str | None = None,
) -> Any:  # fmt: skip
    """Service requests, newest first (the last 90 days by default, 1000 at most)."""

    def work() -> list[dict[str, Any]]:
        ids = _ids(service_request_id)
        wanted = _status(status)
        start, end = _date(start_date, "start_date"), _date(end_date, "end_date")
        if ids is None and start is None:
            start = (end or dt.datetime.now(dt.UTC)) - dt.timedelta(days=90)
        found = platform.city.public_requests(ids=ids, status=wanted, start=start, end=end,
                                              service_code=service_code)  # fmt: skip
        return [_request(platform, e) for e in found]

    return _answer(work)


@router.get("/requests/{request_id}.json", operation_id="open311-request")
def request_one(request_id: str, platform: PlatformDep,
                jurisdiction_id: str | None = None) -> Any:  # fmt: skip
    """One service request (a list of one, as the spec has it)."""

    def work() -> list[dict[str, Any]]:
        ids = _ids(request_id)
        found = platform.city.public_requests(ids=ids) if ids else []
        if not found:
            raise NotFound(f"no service request {request_id}")
        return [_request(platform, found[0])]

    return _answer(work)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _point(lat: str | None, lon: str | None) -> tuple[float, float]:
    if not lat or not lon:
        raise Invalid("lat", "lat and long are required (this endpoint does not geocode)")
    try:
        return float(lat), float(lon)
    except ValueError:
        raise Invalid("lat", "lat and long are decimal degrees (WGS84)") from None


def _ids(value: str | None) -> list[int] | None:
    if value is None or not value.strip():
        return None
    try:
        return [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise Invalid("service_request_id", f"{value!r} is not a list of ids") from None


def _status(value: str | None) -> str | None:
    wanted = {v.strip() for v in (value or "").split(",") if v.strip()}
    if wanted - {"open", "closed"}:
        raise Invalid("status", "open, closed, or both comma-separated")
    return wanted.pop() if len(wanted) == 1 else None


def _date(value: str | None, field: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(field, f"{value!r} is not a w3c date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
