"""一网统管 in the console: the event queue (事件队列), one event's page and the new hotline
ticket form of the command centre.

The queue lists open events (or those of one state), earliest deadline first, filtered by
category, unit, grid (``?grid=LG-G15``, as the map links it) and "overdue only", each with its
time-limit chip. The event page shows the text, place, grid, source, the classifier's top-3
categories with their probabilities and the possible duplicates; the command centre accepts a
suggestion or files under another category (立案), dispatches by the rules (the unit and the
rule's reason are shown) or to a named unit, verifies, records the callback and closes; a
unit's operators start handling, report done or return the order. Only the actions the state
allows are offered, and the service decides again on every click (a refusal is shown as the
service worded it). A unit's operator asking for another unit's event gets ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.city.model import (
    COMMAND_CENTRE,
    CityEvent,
    EventDetail,
    EventState,
    RequestType,
)
from lingang.city.service import is_command_centre
from lingang.console.components.nav import CITY_EVENTS, NavEntry
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.console.pages.permits_common import SLA_COLOURS, guarded
from lingang.types import Actor

DETAIL_PATH: Final = "/city/events/{item_id}"
TICKET: Final = NavEntry("city.new_ticket", "/city/tickets/new", "add_call", Permission.REPORT_CITY)
QUEUE_LIMIT: Final = 2000
OPEN: Final = "open"
ALL: Final = "all"
CALLER_SOURCES: Final = ("hotline", "open311", "grid_patrol")
SOURCE_LABELS: Final = {
    "hotline": ("12345热线", "12345 hotline"), "sensor": ("物联感知", "Sensor"),
    "open311": ("Open311", "Open311"), "grid_patrol": ("网格巡查", "Grid patrol"),
}  # fmt: skip
QUEUE_COLUMNS = (
    ("id", "col.id"), ("received", "city.col.received"), ("source", "col.source"),
    ("text", "city.col.text"), ("category", "city.col.category"), ("grid", "city.col.grid"),
    ("state", "col.state"), ("unit", "city.col.unit"), ("sla", "col.sla"), ("due", "col.due"),
    ("left", "city.col.left"),
)  # fmt: skip
TIMELINE_COLUMNS = (
    ("at", "city.col.at"), ("actor", "city.col.actor"), ("action", "city.col.action"),
    ("state", "col.state"), ("detail", "city.col.detail"),
)  # fmt: skip
SLA_SLOT: Final = (
    '<q-td :props="props"><q-badge v-if="props.value" :color="props.row.sla_colour"'
    ' :label="props.value" :data-testid="\'city-sla-\' + props.row.sla_code" /></q-td>'
)
ACTION_LABELS: Final = {
    "report": ("受理", "Reported"), "file": ("立案", "Filed"), "dispatch": ("派遣", "Dispatched"),
    "return": ("退单", "Returned"), "handle": ("处置", "Handling"), "done": ("反馈", "Done"),
    "verify": ("核查", "Verification"), "callback": ("回访", "Callback"),
    "reopen": ("重新办理", "Reopened"), "close": ("结案", "Closed"),
    "escalate": ("超期督办", "Escalated"), "sensor_alarm": ("感知告警", "Sensor alarm"),
    "sensor_raised": ("告警升级", "Raised to critical"),
}  # fmt: skip


def register(platform: Platform) -> None:
    """Register ``/city/events``, ``/city/tickets/new`` and ``/city/events/{id}``."""

    @console_page(platform, CITY_EVENTS)
    def queue(actor: Actor, lang: Language) -> None:
        QueuePage(platform, actor, lang).render()

    @console_page(platform, TICKET)
    def new_ticket(actor: Actor, lang: Language) -> None:
        ticket_form(platform, actor, lang)

    @console_detail_page(platform, CITY_EVENTS, DETAIL_PATH)
    def event(actor: Actor, lang: Language, event_id: int) -> None:
        detail = platform.city.get(event_id, actor=actor)
        EventPage(platform, actor, lang, detail).render()


# --- shared with the map and the KPI pages -------------------------------------------------


def pair(labels: tuple[str, str], lang: Language) -> str:
    """The zh-CN or English half of a ``(zh, en)`` pair."""
    return labels[1] if lang == "en" else labels[0]


def source_label(source: str, lang: Language) -> str:
    """An intake source's name for people."""
    found = SOURCE_LABELS.get(source)
    return pair(found, lang) if found else source


def category_label(platform: Platform, code: str | None, lang: Language) -> str:
    """``P0101 井盖`` (or the English name); the bare code when the tree lacks it."""
    if not code:
        return "—"
    if code not in platform.city.categories:
        return code
    found = platform.city.categories.get(code)
    return f"{code} {found.name_en if lang == 'en' else found.name_zh}"


def category_options(platform: Platform, lang: Language) -> dict[str, str]:
    """Every category code with its path (kind · top class · name), for a select."""
    return {c.code: f"{c.code} {c.path(lang)}" for c in platform.city.categories.all()}


def grid_label(platform: Platform, grid_id: str | None, lang: Language) -> str:
    """``LG-G15 南汇新城镇滴水湖核心区网格``, or ``—`` outside the mapped grids."""
    if not grid_id:
        return "—"
    grid = platform.city.grids.grids.get(grid_id)
    return f"{grid_id} {grid.name(lang)}" if grid else grid_id


def state_label(state: EventState, lang: Language) -> str:
    """A state's name for people."""
    return state.label("en" if lang == "en" else "zh-CN")


def event_row(platform: Platform, event: CityEvent, lang: Language) -> dict[str, object]:
    """One queue row: the event's facts and its clock as the table shows them."""
    sla = event.sla_status
    return {
        "id": event.id, "received": local_time(event.received_at),
        "source": source_label(event.source, lang), "text": _short(event.text, 40),
        "category": category_label(platform, event.category, lang),
        "grid": grid_label(platform, event.grid_id, lang),
        "state": state_label(event.state, lang), "unit": event.unit or "—",
        "sla": sla.label(lang) if sla else "", "sla_code": sla.value if sla else "none",
        "sla_colour": SLA_COLOURS.get(sla, "grey-7") if sla else "grey-7",
        "due": local_time(event.due_at) if event.due_at else "—",
        "left": "—" if event.remaining_working_days is None else event.remaining_working_days,
    }  # fmt: skip


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _query(name: str) -> str | None:
    """A query parameter of the page's URL (``?grid=LG-G15``)."""
    try:
        value = ui.context.client.request.query_params.get(name)
    except (AttributeError, RuntimeError):
        return None
    return value.strip() if value and value.strip() else None


# --- the queue ---------------------------------------------------------------------------


class QueuePage:
    """事件队列: filters on state, category, unit, grid and overdue; earliest deadline first."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language) -> None:
        self.platform, self.actor, self.lang = platform, actor, lang

    def render(self) -> None:
        """Draw the filters and the table, and fill it."""
        lang = self.lang
        page_title(t("nav.city_events", lang))
        if can(self.actor.role, Permission.REPORT_CITY):
            ui.link(t("city.new_ticket", lang), TICKET.path).props("data-testid=city-new-ticket")
        with ui.row().classes("items-center gap-4"):
            states = {OPEN: t("city.filter_open", lang)} | {
                s.value: state_label(s, lang) for s in EventState
            }
            self.state = self._select(states, OPEN, "city.filter_state", "city-filter-state")
            everything = {ALL: t("city.filter_all", lang)}
            categories = everything | category_options(self.platform, lang)
            self.category = self._select(
                categories, ALL, "city.filter_category", "city-filter-category"
            )
            self.unit = self._select(everything | self._units(), ALL, "city.filter_unit",
                                     "city-filter-unit")  # fmt: skip
            grids = {g.id: f"{g.id} {g.name(lang)}" for g in self.platform.city.grids.all()}
            wanted = _query("grid")
            self.grid = self._select(everything | grids, wanted if wanted in grids else ALL,
                                     "city.filter_grid", "city-filter-grid")  # fmt: skip
            self.overdue = ui.switch(t("city.overdue_only", lang)).props(
                "data-testid=city-overdue-only"
            )
            self.overdue.on_value_change(lambda _: self.refresh())
        self.table = data_table(lang, QUEUE_COLUMNS, [], row_key="id")
        self.table.props("data-testid=city-queue")
        self.table.add_slot("body-cell-sla", SLA_SLOT)
        self.table.on("rowClick", lambda e: ui.navigate.to(f"/city/events/{e.args[1]['id']}"))
        self.refresh()

    def _select(self, options: dict[str, str], value: str, label: str, test_id: str) -> ui.select:
        select = ui.select(options, value=value, label=t(label, self.lang),
                           on_change=lambda _: self.refresh())  # fmt: skip
        return select.classes("min-w-48").props(f"dense options-dense data-testid={test_id}")

    def _units(self) -> dict[str, str]:
        units = {c.unit for c in self.platform.city.categories.all()} | {COMMAND_CENTRE}
        return {u: u for u in sorted(units)}

    def refresh(self) -> None:
        """Re-read the queue with the chosen filters."""
        state = None if self.state.value == OPEN else str(self.state.value)
        unit = None if self.unit.value == ALL else str(self.unit.value)
        category, grid = str(self.category.value), str(self.grid.value)
        found = guarded(lambda: self.platform.city.queue(
            actor=self.actor, state=state, unit=unit, overdue=bool(self.overdue.value),
            limit=QUEUE_LIMIT, category=None if category == ALL else category,
            grid=None if grid == ALL else grid))  # fmt: skip
        self.table.rows = [event_row(self.platform, e, self.lang) for e in found or []]


# --- the new hotline ticket ---------------------------------------------------------------


def ticket_form(platform: Platform, actor: Actor, lang: Language) -> None:
    """12345 工单录入: text, address, a point (typed, or a grid's centre) and the request
    type; on success the new event's page opens with its suggestions."""
    ui.link(t("city.back_queue", lang), CITY_EVENTS.path)
    page_title(t("city.new_ticket", lang))
    with ui.card().classes("w-full max-w-3xl gap-3"):
        text = (
            ui.textarea(t("city.ticket_text", lang))
            .classes("w-full")
            .props("data-testid=ticket-text")
        )
        address = (
            ui.input(t("city.address", lang)).classes("w-full").props("data-testid=ticket-address")
        )
        grids = {g.id: f"{g.id} {g.name(lang)}" for g in platform.city.grids.all()}
        with ui.row().classes("items-center gap-4 w-full"):
            grid = ui.select(grids, label=t("city.grid_pick", lang), with_input=True).classes(
                "min-w-72"
            ).props("data-testid=ticket-grid")  # fmt: skip
            lat = ui.number(t("city.lat", lang), format="%.6f").props("data-testid=ticket-lat")
            lon = ui.number(t("city.lon", lang), format="%.6f").props("data-testid=ticket-lon")

        def centre() -> None:
            if grid.value in platform.city.grids.grids:
                lat.value, lon.value = platform.city.grids.get(str(grid.value)).centroid()

        grid.on_value_change(lambda _: centre())
        kinds = {k.value: k.label("en" if lang == "en" else "zh-CN") for k in RequestType}
        kind = ui.radio(kinds, value=RequestType.COMPLAINT.value).props(
            "inline data-testid=ticket-type"
        )
        with ui.row().classes("gap-4"):
            caller = ui.input(t("city.caller_name", lang)).props("data-testid=ticket-caller")
            phone = ui.input(t("city.caller_phone", lang)).props("data-testid=ticket-phone")

        def submit() -> None:
            if lat.value is None or lon.value is None:
                ui.notify(f"{t('city.lat', lang)}/{t('city.lon', lang)}", type="negative")
                return
            made = guarded(lambda: platform.city.report_ticket(
                text.value or "", lat=float(lat.value), lon=float(lon.value),
                address=address.value or "", actor=actor, caller_name=caller.value or None,
                caller_phone=phone.value or None, request_type=str(kind.value)))  # fmt: skip
            if made is not None:
                ui.navigate.to(f"/city/events/{made.event.id}")

        ui.button(t("city.submit_ticket", lang), icon="send", on_click=submit).props(
            "data-testid=ticket-send"
        )


# --- one event ----------------------------------------------------------------------------


class EventPage:
    """One event as the command centre or its unit sees it, with the actions its state and
    the actor allow."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language,
                 detail: EventDetail) -> None:  # fmt: skip
        self.platform, self.actor, self.lang = platform, actor, lang
        self.detail, self.event = detail, detail.event
        self.centre = is_command_centre(actor)
        self.handler = can(actor.role, Permission.HANDLE_CITY)

    def render(self) -> None:
        """Draw the page."""
        lang, event = self.lang, self.event
        ui.link(t("city.back_queue", lang), CITY_EVENTS.path)
        with ui.row().classes("items-center gap-3"):
            page_title(f"{t('city.event', lang)} {event.id}")
            ui.badge(state_label(event.state, lang)).props(
                f"color=blue-9 data-testid=city-state-{event.state.value}"
            ).classes("text-base")
        self._facts()
        if event.source != "sensor":
            self._suggestions()
            self._duplicates()
        self._actions()
        self._timeline()

    # --- reading ------------------------------------------------------------------------

    def _facts(self) -> None:
        lang, event = self.lang, self.event
        kind = RequestType(event.request_type).label(lang) if event.request_type else "—"
        rows: list[tuple[str, str, str]] = [
            ("city.text", event.text, "city-text"),
            ("city.location", f"{event.address} ({event.lat:.6f}, {event.lon:.6f})",
             "city-location"),
            ("city.col.grid", grid_label(self.platform, event.grid_id, lang), "city-grid"),
            ("city.source", source_label(event.source, lang), "city-source"),
            ("city.request_type", kind, "city-request-type"),
            ("city.category", category_label(self.platform, event.category, lang),
             "city-category"),
            ("city.unit", event.unit or "—", "city-unit"),
            ("city.reason", event.dispatch_reason or "—", "city-reason"),
            ("city.clock", self._clock(), "city-clock"),
        ]  # fmt: skip
        if event.reopen_count:
            rows.append(("city.reopened", str(event.reopen_count), "city-reopened"))
        if event.satisfied is not None:
            verdict = "✓" if event.satisfied else "✗"
            score = f" ({event.satisfaction}/5)" if event.satisfaction else ""
            rows.append(("city.satisfaction", verdict + score, "city-satisfaction"))
        if event.sensor_id:
            value = f" = {event.last_value:g}" if event.last_value is not None else ""
            rows.append(("city.sensor", f"{event.sensor_id} · {event.rule_id}{value} · "
                         f"×{event.occurrences}", "city-sensor"))  # fmt: skip
        with ui.card().classes("w-full max-w-4xl gap-1").props("data-testid=city-facts"):
            for key, value, test_id in rows:
                with ui.row().classes("gap-2 items-baseline no-wrap"):
                    ui.label(t(key, lang)).classes("text-gray-600 w-28 shrink-0")
                    ui.label(value).classes("whitespace-pre-wrap").props(f"data-testid={test_id}")

    def _clock(self) -> str:
        event, lang = self.event, self.lang
        if event.due_at is None:
            return t("city.no_clock", lang)
        text = t("city.clock_text", lang).format(
            due=local_time(event.due_at),
            left="—" if event.remaining_working_days is None else event.remaining_working_days,
            limit=event.sla_limit or "—",
        )
        status = event.sla_status
        return f"{text} · {status.label(lang)}" if status is not None else text

    def _suggestions(self) -> None:
        lang, event = self.lang, self.event
        pending = event.state is EventState.PENDING and self.centre
        ui.label(t("city.suggestions", lang)).classes("text-lg font-medium")
        with ui.column().classes("gap-1").props("data-testid=city-suggestions"):
            for rank, s in enumerate(event.suggestions, start=1):
                with (
                    ui.row()
                    .classes("items-center gap-3")
                    .props(f"data-testid=city-suggestion-{rank}")
                ):
                    name = s.name_en if lang == "en" else s.name_zh
                    ui.label(f"{rank}. {s.code} {name}").classes("w-56")
                    ui.linear_progress(s.probability, show_value=False).classes("w-40")
                    ui.label(f"{s.probability:.0%}").classes("w-12 text-right")
                    if pending:
                        ui.button(t("city.accept", lang),
                                  on_click=lambda _, code=s.code: self._file(code)).props(
                            f"outline dense data-testid=city-accept-{s.code}")  # fmt: skip
        if pending:
            with ui.row().classes("items-center gap-2"):
                other = ui.select(category_options(self.platform, lang), with_input=True,
                                  label=t("city.override", lang)).classes("min-w-96").props(
                    "data-testid=city-override-category")  # fmt: skip
                ui.button(t("city.file", lang), on_click=lambda: self._file(other.value)).props(
                    "outline dense data-testid=city-override-save"
                )

    def _duplicates(self) -> None:
        lang = self.lang
        ui.label(t("city.duplicates", lang)).classes("text-lg font-medium")
        if not self.event.duplicates:
            ui.label(t("city.no_duplicates", lang)).classes("text-gray-600")
            return
        with ui.column().classes("gap-1").props("data-testid=city-duplicates"):
            for d in self.event.duplicates:
                ui.link(f"#{d.event_id} · {d.distance_m:g} m · {d.category or '—'} · "
                        f"{_short(d.text, 40)}", f"/city/events/{d.event_id}")  # fmt: skip

    def _timeline(self) -> None:
        lang = self.lang
        ui.label(t("city.timeline", lang)).classes("text-lg font-medium")
        rows = [
            {"n": n, "at": local_time(s.at), "actor": s.actor, "detail": s.detail,
             "action": pair(ACTION_LABELS.get(s.action, (s.action, s.action)), lang),
             "state": state_label(EventState(s.to_state), lang)}
            for n, s in enumerate(self.detail.steps)
        ]  # fmt: skip
        data_table(lang, TIMELINE_COLUMNS, rows, row_key="n").props("data-testid=city-timeline")

    # --- acting -------------------------------------------------------------------------

    def _actions(self) -> None:
        allowed = set(self.event.next_actions)
        lang = self.lang
        with ui.card().classes("w-full max-w-4xl gap-2").props("data-testid=city-actions"):
            ui.label(t("city.actions", lang)).classes("font-medium")
            if self.centre and "dispatch" in allowed:
                self._dispatch_controls()
            if self.handler and allowed & {"handle", "done", "return"}:
                self._unit_controls(allowed)
            if self.centre and "verify" in allowed:
                self._verify_controls()
            if self.centre and "callback" in allowed and self.event.source in CALLER_SOURCES:
                self._callback_controls()
            if self.centre and "close" in allowed:
                self._button("city.close", "city-close", lambda: self._do(
                    lambda: self.platform.city.close(self.event.id, actor=self.actor)))  # fmt: skip

    def _dispatch_controls(self) -> None:
        service, actor, event_id = self.platform.city, self.actor, self.event.id
        with ui.row().classes("items-center gap-2"):
            self._button("city.dispatch", "city-dispatch", lambda: self._do(
                lambda: service.dispatch(event_id, actor=actor)))  # fmt: skip
            unit = ui.input(t("city.unit", self.lang)).props("dense data-testid=city-unit-input")
            designated = ui.checkbox(t("city.designated", self.lang)).props(
                "data-testid=city-designated"
            )
            self._button("city.dispatch_to", "city-dispatch-manual", lambda: self._do(
                lambda: service.dispatch(event_id, actor=actor, unit=unit.value or "",
                                         designated=bool(designated.value))))  # fmt: skip

    def _unit_controls(self, allowed: set[str]) -> None:
        service, actor, event_id = self.platform.city, self.actor, self.event.id
        if "handle" in allowed:
            self._button("city.handle", "city-handle", lambda: self._do(
                lambda: service.handle(event_id, actor=actor)))  # fmt: skip
        if "done" in allowed:
            with ui.row().classes("items-center gap-2 w-full"):
                result = self._text_input("city.result", "city-done-result")
                done = service.report_done
                self._button("city.done", "city-done", lambda: self._do(
                    lambda: done(event_id, result.value or "", actor=actor)))  # fmt: skip
        if "return" in allowed and not self.event.designated and not self.event.return_count:
            with ui.row().classes("items-center gap-2 w-full"):
                reason = self._text_input("city.note", "city-return-reason")
                back = service.return_order
                self._button("city.return", "city-return", lambda: self._do(
                    lambda: back(event_id, reason.value or "", actor=actor)))  # fmt: skip

    def _verify_controls(self) -> None:
        service, actor, event_id = self.platform.city, self.actor, self.event.id
        with ui.row().classes("items-center gap-2 w-full"):
            note = self._text_input("city.note", "city-verify-note")
            check = service.verify
            self._button("city.verify_ok", "city-verify-ok", lambda: self._do(
                lambda: check(event_id, True, note.value or "", actor=actor)))  # fmt: skip
            self._button("city.verify_not_ok", "city-verify-not-ok", lambda: self._do(
                lambda: check(event_id, False, note.value or "", actor=actor)))  # fmt: skip

    def _callback_controls(self) -> None:
        service, actor, event_id, lang = self.platform.city, self.actor, self.event.id, self.lang
        with ui.row().classes("items-center gap-2 w-full"):
            ui.label(t("city.score", lang))
            score = ui.radio({n: str(n) for n in range(1, 6)}, value=5).props(
                "inline dense data-testid=city-callback-score"
            )
            note = self._text_input("city.note", "city-callback-note")
            self._button("city.callback_save", "city-callback", lambda: self._do(
                lambda: service.callback(event_id, int(score.value), note.value or "",
                                         actor=actor)))  # fmt: skip

    def _file(self, code: Any) -> None:
        if not code:
            ui.notify(t("city.override", self.lang), type="warning")
            return
        self._do(lambda: self.platform.city.file(self.event.id, str(code), actor=self.actor))

    def _text_input(self, key: str, test_id: str) -> ui.input:
        """The free-text field an action takes (a result, a reason, a note)."""
        return ui.input(t(key, self.lang)).classes("grow").props(f"dense data-testid={test_id}")

    def _button(self, key: str, test_id: str, handler: Callable[[], None]) -> None:
        ui.button(t(key, self.lang), on_click=handler).props(f"outline dense data-testid={test_id}")

    @staticmethod
    def _do(action: Callable[[], object]) -> None:
        if guarded(action) is not None:
            ui.navigate.reload()
