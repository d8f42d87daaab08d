"""``lingang city``: 12345 tickets with top-3 category suggestions, 立案 → 派遣 → 处置 → 反馈 →
核查 → 结案 with the callback, returns, escalation, the work queue, KPIs and the responsibility
grids (一网统管). The CLI acts as an administrator (``cli:<os user>``, the command centre);
JSON output has the API's shape. Rules in docs/city.md."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from lingang.api.schemas.city import EventDetailPublic, EventPublic, KpisPublic
from lingang.city.model import CityEvent, EventDetail
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.errors import Invalid
from lingang.types import utcnow

app = typer.Typer(help="City operations · 一网统管 (12345, grid management)", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]
NoteOption = Annotated[str, typer.Option(help="a note for the timeline")]


def _print_events(found: list[CityEvent], as_json: bool) -> None:
    if as_json:
        print_json([EventPublic.model_validate(e, from_attributes=True).model_dump(mode="json")
                    for e in found])  # fmt: skip
        return
    print_table(["id", "state 状态", "category 类别", "unit 处置单位", "grid", "due", "clock"],
                [[e.id, f"{e.state.value} {e.state_label}",
                  f"{e.category} {e.category_name}" if e.category else "",
                  e.unit or "", e.grid_id or "", e.due_at.isoformat() if e.due_at else "",
                  e.sla_status or ""] for e in found])  # fmt: skip


def _print_detail(found: EventDetail, as_json: bool) -> None:
    if as_json:
        print_json(EventDetailPublic.model_validate(found, from_attributes=True)
                   .model_dump(mode="json"))  # fmt: skip
        return
    _print_events([found.event], False)
    event = found.event
    if event.suggestions:
        typer.echo("suggested 建议类别: " + ", ".join(
            f"{s.code} {s.name_zh} ({s.probability:.0%})" for s in event.suggestions))  # fmt: skip
    if event.duplicates:
        typer.echo("possible duplicates 疑似重复: " + ", ".join(
            f"#{d.event_id} ({d.distance_m:.0f} m)" for d in event.duplicates))  # fmt: skip
    if event.dispatch_reason:
        typer.echo(f"dispatch 派遣理由: {event.dispatch_reason}")
    print_table(["at", "actor", "action", "to", "detail"],
                [[s.at.isoformat(timespec="seconds"), s.actor, s.action, s.to_state, s.detail]
                 for s in found.steps])  # fmt: skip


def _print_event(found: CityEvent, as_json: bool) -> None:
    if as_json:
        print_json(EventPublic.model_validate(found, from_attributes=True).model_dump(mode="json"))
        return
    due = f", due {found.due_at.isoformat()}" if found.due_at else ""
    unit = f" → {found.unit}" if found.unit else ""
    typer.echo(f"event {found.id}: {found.state.value} ({found.state_label}){unit}{due}")
    if found.dispatch_reason and found.state.value == "dispatched":
        typer.echo(f"reason 理由: {found.dispatch_reason}")


@app.command("ticket")
def ticket(
    text: str,
    lat: Annotated[float, typer.Option(help="latitude (WGS84)")],
    lon: Annotated[float, typer.Option(help="longitude (WGS84)")],
    address: Annotated[str, typer.Option(help="the address as the caller gave it")],
    request_type: Annotated[str, typer.Option(
        "--type", help="consultation | help | complaint | suggestion")] = "complaint",
    caller: Annotated[str | None, typer.Option(help="the caller's name")] = None,
    phone: Annotated[str | None, typer.Option(help="the caller's phone")] = None,
    source: Annotated[str, typer.Option(help="hotline | open311 | grid_patrol")] = "hotline",
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Take a 12345 ticket: top-3 category suggestions and possible duplicates."""
    with platform_session() as platform:
        made = platform.city.report_ticket(
            text, lat=lat, lon=lon, address=address, actor=cli_actor(), caller_name=caller,
            caller_phone=phone, request_type=request_type, source=source,
        )  # fmt: skip
    _print_detail(made, as_json)


@app.command("file")
def file(
    event_id: int,
    category: Annotated[str, typer.Option(help="a category code (lingang city categories)")],
    time_limit: Annotated[str | None, typer.Option(
        help="consultation | ordinary | complex")] = None,
    approved_by: Annotated[str | None, typer.Option(help="approver of a complex limit")] = None,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """立案 under a suggested category or an override (kept as training data)."""
    with platform_session() as platform:
        found = platform.city.file(event_id, category, actor=cli_actor(), time_limit=time_limit,
                                   approved_by=approved_by)  # fmt: skip
    _print_event(found, as_json)


@app.command("dispatch")
def dispatch(
    event_id: int,
    unit: Annotated[str | None, typer.Option(help="send to this unit instead of the rules")] = None,
    designated: Annotated[bool, typer.Option(help="指定派遣: the unit cannot return it")] = False,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """派遣 by the rules (first match wins; the reason is recorded) or to a named unit."""
    with platform_session() as platform:
        found = platform.city.dispatch(event_id, actor=cli_actor(), unit=unit,
                                       designated=designated)  # fmt: skip
    _print_event(found, as_json)


@app.command("return")
def return_order(event_id: int, reason: Annotated[str, typer.Option(help="why (退单理由)")],
                 as_json: JsonFlag = False) -> None:  # fmt: skip
    """退单: return an order outside the unit's remit (once; never a designated one)."""
    with platform_session() as platform:
        found = platform.city.return_order(event_id, reason, actor=cli_actor())
    _print_event(found, as_json)


@app.command("handle")
def handle(event_id: int, note: NoteOption = "", as_json: JsonFlag = False) -> None:
    """处置: the unit starts handling."""
    with platform_session() as platform:
        found = platform.city.handle(event_id, note, actor=cli_actor())
    _print_event(found, as_json)


@app.command("done")
def done(event_id: int, result: Annotated[str, typer.Option(help="what was done")],
         as_json: JsonFlag = False) -> None:  # fmt: skip
    """反馈: the unit reports the result."""
    with platform_session() as platform:
        found = platform.city.report_done(event_id, result, actor=cli_actor())
    _print_event(found, as_json)


@app.command("verify")
def verify(
    event_id: int,
    ok: Annotated[bool, typer.Option("--ok/--not-ok", help="whether the work holds")] = True,
    note: NoteOption = "",
    as_json: JsonFlag = False,
) -> None:
    """核查 by the command centre (--not-ok sends it back to the unit)."""
    with platform_session() as platform:
        found = platform.city.verify(event_id, ok, note, actor=cli_actor())
    _print_event(found, as_json)


@app.command("callback")
def callback(
    event_id: int,
    satisfied: Annotated[bool | None, typer.Option(
        "--satisfied/--dissatisfied", help="the caller's verdict")] = None,
    score: Annotated[int | None, typer.Option(help="or a score 1..5 (3+ satisfied)")] = None,
    note: NoteOption = "",
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """回访: record the caller's satisfaction; a dissatisfied callback reopens the event."""
    if (satisfied is None) == (score is None):
        raise Invalid("satisfied", "give --satisfied/--dissatisfied or --score 1..5")
    answer: bool | int = satisfied if satisfied is not None else int(score or 0)
    with platform_session() as platform:
        found = platform.city.callback(event_id, answer, note, actor=cli_actor())
    _print_event(found, as_json)


@app.command("close")
def close(event_id: int, note: NoteOption = "", as_json: JsonFlag = False) -> None:
    """结案, only after verification."""
    with platform_session() as platform:
        found = platform.city.close(event_id, actor=cli_actor(), note=note)
    _print_event(found, as_json)


@app.command("show")
def show(event_id: int, as_json: JsonFlag = False) -> None:
    """One event with its suggestions, dispatch reason and timeline."""
    with platform_session(start=False) as platform:
        found = platform.city.get(event_id, actor=cli_actor())
    _print_detail(found, as_json)


@app.command("queue")
def queue(
    state: Annotated[str | None, typer.Option(help="one state (default: every open event)")] = None,
    unit: Annotated[str | None, typer.Option(help="one handling unit")] = None,
    overdue: Annotated[bool, typer.Option(help="only breached clocks")] = False,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """The work queue, earliest deadline first."""
    with platform_session(start=False) as platform:
        found = platform.city.queue(actor=cli_actor(), state=state, unit=unit, overdue=overdue)
    _print_events(found, as_json)


@app.command("escalate")
def escalate(as_json: JsonFlag = False) -> None:
    """Escalate every event whose time limit is breached (once per clock)."""
    with platform_session() as platform:
        touched = platform.city.escalate_overdue(utcnow())
    if as_json:
        print_json({"escalated": touched})
        return
    typer.echo(f"escalated {len(touched)} event(s)" + (f": {touched}" if touched else ""))


@app.command("kpis")
def kpis(
    days: Annotated[int | None, typer.Option(help="only events of the last N days")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Volume by category, on-time and satisfaction rates, repeat locations, scenarios."""
    since = utcnow() - dt.timedelta(days=days) if days else None
    with platform_session(start=False) as platform:
        found = platform.city.kpis(actor=cli_actor(), since=since)
    public = KpisPublic.model_validate(found, from_attributes=True)
    if as_json:
        print_json(public.model_dump(mode="json"))
        return
    typer.echo(f"events {found.total} (open {found.open}); on time {_rate(found.on_time_rate)} "
               f"of {found.handled}; satisfied {_rate(found.satisfaction_rate)} of "
               f"{found.callbacks} callbacks; escalated {found.escalated}")  # fmt: skip
    print_table(["category 类别", "events"], [[k, v] for k, v in found.by_category.items()])
    print_table(["scenario 治理场景", "events"],
                [[f"{k} {found.scenario_names.get(k, '')}", v]
                 for k, v in found.scenarios.items()])  # fmt: skip
    typer.echo(f"repeat locations 重复发生点位: {len(found.repeat_locations)}")


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@app.command("grids")
def grids(
    geojson: Annotated[bool, typer.Option("--geojson", help="print the GeoJSON")] = False,
) -> None:
    """The responsibility grids (责任网格) with their open events."""
    with platform_session(start=False) as platform:
        found = platform.city.grids_geojson(actor=cli_actor())
    if geojson:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    print_table(["grid", "name 名称", "unit 网格单位", "open"],
                [[f["properties"]["id"], f["properties"]["name_zh"], f["properties"]["unit"],
                  f["properties"]["open_events"]] for f in found["features"]])  # fmt: skip
