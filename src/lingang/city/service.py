"""City events (一网统管 / 12345, issue #9): ``CityService`` wired as ``platform.city``.

Intake (12345 hotline tickets, Open311 requests, grid patrol, sensor alarms) → 立案 (the
operator accepts one of the classifier's top-3 categories or overrides it; overrides are kept
as training data) → 派遣 by the ordered dispatch rules or by hand, the reason recorded →
处置 → 反馈 → 核查 by the command centre → 结案, with the citizen's callback (回访): a
dissatisfied callback reopens the event with a new clock. Time limits in Chinese working
days: consultation/suggestion 1, ordinary 5, complex 15 (approver named), callback 3.

The command centre (城运中心: admins, and city operators whose department is the centre or
none) sees every event; a unit's operators (department = the unit) see and act only on the
orders dispatched to their unit (any other id answers ``NotFound``). Every step writes a
timeline row and an audit record in one transaction. Rules in docs/city.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission, can
from lingang.auth.service import require
from lingang.city import metrics, store
from lingang.city import situation as map_reads
from lingang.city.categories import Category, CategoryTree, load_categories
from lingang.city.contracts import SensorAlarm
from lingang.city.dispatch import DispatchRules, Subject, load_rules
from lingang.city.duplicates import Report, suggest_duplicates
from lingang.city.grids import GridMap, load_grids
from lingang.city.model import (
    ALLOWED,
    CALLBACK_WORKING_DAYS,
    COMMAND_CENTRE,
    CategorySuggestion,
    CityEvent,
    Dispatch,
    DuplicateSuggestion,
    EventDetail,
    EventState,
    Kpis,
    RepeatLocation,
    RequestType,
    Step,
    TimeLimit,
    request_type_of,
    source_of,
    time_limit_of,
)
from lingang.city.situation import SensorMarker, Situation
from lingang.db import UnitOfWorkFactory
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.types import SYSTEM, Actor, Role, utcnow
from lingang.workdays import SlaClock, SlaStatus, WorkCalendar, default_calendar

log = logging.getLogger(__name__)
MAX_TEXT = 2000
MAX_NOTE = 1000
PHONE = re.compile(r"^\+?[0-9][0-9 -]{2,38}$")
DUPLICATE_RADIUS_M = 100.0
DUPLICATE_WINDOW = dt.timedelta(hours=24)
CALLER_SOURCES = ("hotline", "open311", "grid_patrol")
QUEUE_LIMIT = 500
KPI_LIMIT = 20_000
_CHUNK = 500


class Suggester(Protocol):
    """What the service needs of a trained classifier."""

    def suggest(self, text: str, k: int = 3) -> Sequence[Any]:
        """The ``k`` likeliest categories of ``text`` with their probabilities."""
        ...


_MODELS: dict[str, Suggester] = {}
_MODELS_LOCK = threading.Lock()


class CityService:
    """Hotline, Open311 and sensor events through the grid-management loop."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        audit: AuditService,
        *,
        model_dir: Path | None = None,
        categories: CategoryTree | None = None,
        grids: GridMap | None = None,
        rules: DispatchRules | None = None,
        classifier: Suggester | None = None,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._audit = audit
        self._model_dir = model_dir
        self.categories = categories or load_categories()
        self.grids = grids or load_grids()
        self.rules = rules or load_rules(
            categories=frozenset(self.categories.codes()), grids=frozenset(self.grids.grids)
        )
        self._classifier = classifier
        self._calendar = calendar or default_calendar()
        self._now = clock

    # --- intake -----------------------------------------------------------------------------

    def report_ticket(
        self, text: str, *, lat: float, lon: float, address: str, actor: Actor,
        caller_name: str | None = None, caller_phone: str | None = None,
        request_type: str = "complaint", source: str = "hotline", category: str | None = None,
    ) -> EventDetail:  # fmt: skip
        """Take a 12345 ticket (or an Open311 request, a grid patrol's report): the event
        waits for filing (待立案) with the classifier's top-3 categories and the open events
        of the same category within 100 m and 24 h as possible duplicates. With
        ``category`` (an Open311 ``service_code``) it is filed under it at once."""
        require(actor, Permission.REPORT_CITY)
        body = _text(text, "text", MAX_TEXT)
        kind = request_type_of(request_type)
        if source_of(source) == "sensor":
            raise Invalid("source", "sensor events come through the sensor pipeline")
        _check_point(lat, lon)
        chosen = self._category(category) if category is not None else None
        suggestions = self.suggest(body)
        now = self._now()
        with self._uow() as uow:
            session = uow.session
            grid = self.grids.grid_of(lat, lon)
            top = chosen.code if chosen else (suggestions[0].code if suggestions else None)
            duplicates = self._duplicates(session, top, lat, lon, now)
            row = store.CityEventRow(
                source=source, request_type=kind.value, text=body, lat=lat, lon=lon,
                address=_text(address, "address", 300), grid_id=grid.id if grid else None,
                caller_name=_optional(caller_name, "caller_name", 120),
                caller_phone=_phone(caller_phone), reporter=actor.username,
                state=EventState.PENDING.value,
                suggestions=[_suggestion_json(s) for s in suggestions],
                duplicates=[_duplicate_json(d) for d in duplicates], designated=False,
                return_count=0, reopen_count=0, received_at=now, updated_at=now,
                sla_pauses=[], occurrences=1,
            )  # fmt: skip
            session.add(row)
            session.flush()
            where = f"grid {grid.id} {grid.name_zh}" if grid else "outside the mapped grids"
            self._step(session, row, actor, "report", None,
                       f"{source} {kind.label()} at {row.address} ({where}); suggested: "
                       + (", ".join(f"{s.code} {s.name_zh} {s.probability:.0%}"
                                    for s in suggestions) or "none"))  # fmt: skip
            if chosen is not None:
                self._file(
                    session,
                    row,
                    chosen,
                    SYSTEM,
                    None,
                    None,
                    note="filed on intake under the service the requester chose",
                )
            uow.commit()
            return self._detail(session, row)

    def suggest(self, text: str, k: int = 3) -> list[CategorySuggestion]:
        """The classifier's ``k`` likeliest categories for a ticket text."""
        found = self.classifier().suggest(text, k=k)
        return [CategorySuggestion(s.code, s.name_zh, s.name_en, round(float(s.probability), 4))
                for s in found]  # fmt: skip

    def classifier(self) -> Suggester:
        """The hotline classifier, trained at first use from the shipped corpus plus the
        stored overrides; cached per (corpus, overrides) in memory and in the data dir."""
        if self._classifier is None:
            self._classifier = self._train()
        return self._classifier

    def retrain(self) -> int:
        """Train a new classifier with every stored override; returns how many were used."""
        self._classifier = self._train()
        with self._uow.read() as session:
            return len(store.training_examples(session))

    def file(
        self, event_id: int, category: str, *, actor: Actor, time_limit: str | None = None,
        approved_by: str | None = None,
    ) -> CityEvent:  # fmt: skip
        """立案: accept a suggested category or override it (the override is stored as
        training data). The time limit follows the request type and the category
        (consultation 1 WD, ordinary 5 WD); complex (15 WD) needs ``approved_by``."""
        self._centre(actor)
        chosen = self._category(category)
        with self._uow() as uow:
            row = self._locked(uow.session, event_id, actor)
            self._check(row, "file")
            self._file(uow.session, row, chosen, actor, time_limit, approved_by)
            uow.commit()
            return self._event(row)

    def file_sensor_alarms(self, alarms: Sequence[SensorAlarm]) -> list[int]:
        """File sensor alarms as city events in one transaction (立案 at once, category from
        the alarm): one open event per (sensor, category) — a flooded gauge's warning,
        critical and fast-rise alarms are one incident; a later alarm of an open pair is
        counted on it (``occurrences``, last value and time) instead of filing another, and a
        critical alarm raises a warning event to critical (its rule and text, a timeline
        step). Returns the event id of each alarm, in order."""
        if not alarms:
            return []
        for alarm in alarms:
            self._category(alarm.category, field=f"alarm {alarm.sensor_id}.category")
        now = self._now()
        with self._uow() as uow:
            session = uow.session
            keys = list(dict.fromkeys(_open_key(a) for a in alarms))
            open_rows = _rows_by_key(session, keys)
            created: list[store.CityEventRow] = []
            raised: list[tuple[store.CityEventRow, SensorAlarm]] = []
            for alarm in alarms:
                key = _open_key(alarm)
                row = open_rows.get(key)
                if row is None:
                    row = self._sensor_row(alarm, key, now)
                    open_rows[key] = row
                    created.append(row)
                elif _count(row, alarm, now):
                    raised.append((row, alarm))
            session.add_all(created)
            session.flush()
            self._sensor_steps(session, created, len(alarms), now, raised)
            uow.commit()
            return [open_rows[_open_key(a)].id for a in alarms]

    def _sensor_steps(self, session: Session, created: list[store.CityEventRow], alarms: int,
                      now: dt.datetime,
                      raised: Sequence[tuple[store.CityEventRow, SensorAlarm]] = ()
                      ) -> None:  # fmt: skip
        """A timeline row per new or raised event, and one audit record for the batch (the
        pipeline's pace: a per-event hash-chain record would cap filing at a few hundred a
        second)."""
        steps = [
            {"event_id": row.id, "at": now, "actor": SYSTEM.username,
             "action": "sensor_alarm", "from_state": None, "to_state": row.state,
             "detail": (f"{row.text}; filed under {row.category} with a "
                        f"{row.sla_limit} WD limit")[:1000]}
            for row in created
        ] + [
            {"event_id": row.id, "at": now, "actor": SYSTEM.username,
             "action": "sensor_raised", "from_state": row.state, "to_state": row.state,
             "detail": (f"raised to critical by {alarm.rule_id} {alarm.rule_name} "
                        f"({alarm.value:g})")[:1000]}
            for row, alarm in raised
        ]  # fmt: skip
        if steps:  # one executemany, no RETURNING
            session.execute(insert(store.CityStepRow), steps)
        self._audit.record(session, actor=SYSTEM, action="city.sensor_alarms",
                           object_type="city_event", object_id=_id_range(created),
                           after={"created": [r.id for r in created], "alarms": alarms,
                                  "counted": alarms - len(created)},
                           detail=f"{alarms} sensor alarm(s): {len(created)} new event(s), "
                                  f"{alarms - len(created)} counted on open ones")  # fmt: skip

    # --- dispatch ---------------------------------------------------------------------------

    def dispatch(
        self, event_id: int, *, actor: Actor, unit: str | None = None, designated: bool = False
    ) -> CityEvent:
        """派遣: run the rules (first match wins) unless the operator names the unit (reason
        ``manual: <operator>``); a designated order (指定派遣, disputed responsibility)
        cannot be returned. The reason is recorded on the timeline."""
        self._centre(actor)
        with self._uow() as uow:
            row = self._locked(uow.session, event_id, actor)
            self._check(row, "dispatch")
            if unit is not None:
                chosen = Dispatch(_text(unit, "unit", 80), f"manual: {actor.username}")
            else:
                chosen = self.route(row)
            source = row.state
            row.unit, row.designated = chosen.unit, designated
            row.dispatch_reason = chosen.reason[:500]
            row.state = EventState.DISPATCHED.value
            note = " [指定派遣 designated: cannot be returned]" if designated else ""
            self._step(uow.session, row, actor, "dispatch", source,
                       f"→ {chosen.unit}: {chosen.reason}{note}")  # fmt: skip
            uow.commit()
            return self._event(row)

    def route(self, row: store.CityEventRow) -> Dispatch:
        """Where the rules send an event, and why."""
        subject = Subject(row.category, row.grid_id, row.text, row.source)
        return self.rules.route(subject, lambda code: self.categories.get(code).unit)

    def return_order(self, event_id: int, reason: str, *, actor: Actor) -> CityEvent:
        """退单: the unit returns an order outside its remit, once; a second return or a
        designated order answers ``Conflict`` with the reason. The order goes back to the
        command centre's queue for re-dispatch (possibly designated)."""
        require(actor, Permission.HANDLE_CITY)
        why = _text(reason, "reason", MAX_NOTE)
        with self._uow() as uow:
            row = self._locked(uow.session, event_id, actor)
            self._check(row, "return")
            if row.designated:
                raise Conflict(f"event {row.id} was designated to {row.unit} (指定派遣): "
                               "a designated unit cannot return it")  # fmt: skip
            if row.return_count >= 1:
                raise Conflict(f"event {row.id} was already returned once: the command centre "
                               "designates the unit (指定派遣) instead")  # fmt: skip
            source, unit = row.state, row.unit
            row.return_count += 1
            row.unit, row.dispatch_reason = None, None
            row.state = EventState.RETURNED.value
            self._step(uow.session, row, actor, "return", source, f"{unit} returned: {why}")
            uow.commit()
            return self._event(row)

    # --- handling ---------------------------------------------------------------------------

    def handle(self, event_id: int, note: str = "", *, actor: Actor) -> CityEvent:
        """处置: the unit starts handling the order."""
        return self._unit_move(event_id, actor, "handle", EventState.HANDLING, note)

    def report_done(self, event_id: int, result: str, *, actor: Actor) -> CityEvent:
        """反馈: the unit reports what it did; whether it was within the time limit is kept."""
        why = _text(result, "result", MAX_NOTE)
        return self._unit_move(event_id, actor, "done", EventState.DONE, why)

    def verify(self, event_id: int, ok: bool, note: str = "", *, actor: Actor) -> CityEvent:
        """核查 by the command centre: ok → awaiting closure (and the 3 WD callback clock
        when there is a caller); not ok → back to the unit, its clock running on."""
        self._centre(actor)
        with self._uow() as uow:
            row = self._locked(uow.session, event_id, actor)
            self._check(row, "verify")
            source = row.state
            if ok:
                row.state = EventState.VERIFIED.value
                if row.source in CALLER_SOURCES:
                    store.save_clock(row, self._clock_from(CALLBACK_WORKING_DAYS))
                detail = f"verified: {note.strip()[:300]}" if note.strip() else "verified"
            else:
                row.state, row.done_at, row.handled_on_time = EventState.HANDLING.value, None, None
                detail = f"not verified, back to {row.unit}: {_text(note, 'note', MAX_NOTE)}"
            self._step(uow.session, row, actor, "verify", source, detail)
            uow.commit()
            return self._event(row)

    def callback(
        self, event_id: int, satisfied: bool | int, note: str = "", *, actor: Actor
    ) -> CityEvent:
        """回访: record the caller's satisfaction (True/False, or a score 1..5: 3 and up is
        satisfied). A dissatisfied callback reopens the event: back to its unit for
        re-handling with a new clock, the timeline saying why."""
        self._centre(actor)
        happy, score = _satisfaction(satisfied)
        with self._uow() as uow:
            row = self._locked(uow.session, event_id, actor)
            self._check(row, "callback")
            if row.source not in CALLER_SOURCES:
                raise Conflict(f"event {row.id} came from a {row.source}: there is no caller")
            row.satisfied, row.satisfaction = happy, score
            verdict = "satisfied 满意" if happy else "dissatisfied 不满意"
            scored = f" (score {score})" if score is not None else ""
            detail = f"{verdict}{scored}" + (f": {note.strip()[:300]}" if note.strip() else "")
            self._step(uow.session, row, actor, "callback", row.state, detail)
            if happy:
                if row.state == EventState.VERIFIED.value:
                    store.save_clock(row, None)
            else:
                self._reopen(uow.session, row, actor, detail)
            uow.commit()
            return self._event(row)

    def close(self, event_id: int, *, actor: Actor, note: str = "") -> CityEvent:
        """结案, only after verification; a sensor event's (sensor, category) pair may open a
        new event afterwards."""
        self._centre(actor)
        with self._uow() as uow:
            row = self._locked(uow.session, event_id, actor)
            self._check(row, "close")
            source = row.state
            row.state, row.closed_at, row.open_key = EventState.CLOSED.value, self._now(), None
            store.save_clock(row, None)
            self._step(uow.session, row, actor, "close", source, note.strip()[:300] or "结案")
            uow.commit()
            return self._event(row)

    def escalate_overdue(self, now: dt.datetime | None = None) -> list[int]:
        """Mark every open event whose clock is breached as escalated, once per clock (the
        timeline and the audit say so); returns the ids escalated now."""
        now = now or self._now()
        touched: list[int] = []
        with self._uow() as uow:
            statement = select(store.CityEventRow).where(
                store.CityEventRow.sla_due_at <= now,
                store.CityEventRow.closed_at.is_(None),
                store.CityEventRow.escalated_at.is_(None),
                store.CityEventRow.state != EventState.DONE.value,
            )
            for row in list(uow.session.scalars(statement.with_for_update())):
                clock = self._clock(row)
                if clock is None or clock.status(now) is not SlaStatus.BREACHED:
                    continue
                row.escalated_at = now
                self._step(uow.session, row, SYSTEM, "escalate", row.state,
                           f"{EventState(row.state).label()} over its {row.sla_limit} working "
                           f"days (due {clock.due_at.isoformat()})")  # fmt: skip
                touched.append(row.id)
            uow.commit()
        return touched

    # --- reading ----------------------------------------------------------------------------

    def get(self, event_id: int, *, actor: Actor) -> EventDetail:
        """One event with its timeline; ``NotFound`` outside the actor's reach."""
        with self._uow.read() as session:
            return self._detail(session, self._visible(session, event_id, actor))

    def queue(
        self, *, actor: Actor, state: str | None = None, unit: str | None = None,
        overdue: bool = False, limit: int = QUEUE_LIMIT, category: str | None = None,
        grid: str | None = None,
    ) -> list[CityEvent]:  # fmt: skip
        """Work queue: open events (or those in ``state``), earliest deadline first; a unit's
        operators see their unit's orders; ``overdue`` keeps the breached ones; ``category``
        and ``grid`` narrow it."""
        require(actor, Permission.VIEW_CITY)
        statement = select(store.CityEventRow)
        if state is None:
            statement = statement.where(store.CityEventRow.closed_at.is_(None))
        else:
            statement = statement.where(store.CityEventRow.state == _state(state).value)
        own = unit_of(actor)
        for wanted in (own, unit):
            if wanted is not None:
                statement = statement.where(store.CityEventRow.unit == wanted)
        if category is not None:
            statement = statement.where(store.CityEventRow.category == category)
        if grid is not None:
            statement = statement.where(store.CityEventRow.grid_id == grid)
        order = (store.CityEventRow.sla_due_at.is_(None), store.CityEventRow.sla_due_at,
                 store.CityEventRow.id)  # fmt: skip
        with self._uow.read() as session:
            rows = session.scalars(statement.order_by(*order).limit(max(1, min(limit, 5000))))
            found = [self._event(row) for row in rows]
        if overdue:
            found = [e for e in found if e.sla_status is SlaStatus.BREACHED]
        return found

    def sensor_markers(self, *, actor: Actor, alarmed: Sequence[str] = (), limit: int = 3000
                       ) -> list[SensorMarker]:  # fmt: skip
        """Sensors for the operations map: at most ``limit``, those in ``alarmed`` first."""
        require(actor, Permission.VIEW_CITY)
        with self._uow.read() as session:
            return map_reads.sensor_markers(session, alarmed, max(1, min(limit, 20_000)))

    def situation(self, *, actor: Actor, open_events: Sequence[CityEvent]) -> Situation:
        """The map's summary strip over ``open_events`` (as read by :meth:`queue`)."""
        require(actor, Permission.VIEW_CITY)
        with self._uow.read() as session:
            return map_reads.situation(session, open_events, unit_of(actor), utcnow())

    def kpis(self, *, actor: Actor, since: dt.datetime | None = None) -> Kpis:
        """Volume by category and state, on-time rate (反馈 within the limit), satisfaction
        rate of callbacks, escalations, repeat locations (≥ 3 events within 100 m in 30
        days) and the plan's digital-governance scenarios (数字化城市治理应用场景, one per
        category top class) counted."""
        require(actor, Permission.VIEW_CITY)
        statement = select(store.CityEventRow)
        if since is not None:
            statement = statement.where(store.CityEventRow.received_at >= since)
        own = unit_of(actor)
        if own is not None:
            statement = statement.where(store.CityEventRow.unit == own)
        with self._uow.read() as session:
            rows = list(session.scalars(statement.order_by(store.CityEventRow.id.desc())
                                        .limit(KPI_LIMIT)))  # fmt: skip
        return self._kpis(rows, since)

    def grids_geojson(self, *, actor: Actor) -> dict[str, Any]:
        """The responsibility grids as GeoJSON, each with its open events (total, overdue,
        by source) in ``properties``, for the console map."""
        require(actor, Permission.VIEW_CITY)
        statement = select(
            store.CityEventRow.grid_id, store.CityEventRow.source, func.count()
        ).where(store.CityEventRow.closed_at.is_(None))
        own = unit_of(actor)
        if own is not None:
            statement = statement.where(store.CityEventRow.unit == own)
        statement = statement.group_by(store.CityEventRow.grid_id, store.CityEventRow.source)
        overdue = (
            select(store.CityEventRow.grid_id, func.count())
            .where(
                store.CityEventRow.closed_at.is_(None), store.CityEventRow.escalated_at.is_not(None)
            )
            .group_by(store.CityEventRow.grid_id)
        )
        extra: dict[str, dict[str, Any]] = {
            g.id: {"open_events": 0, "overdue_events": 0, "open_by_source": {}}
            for g in self.grids.all()
        }
        with self._uow.read() as session:
            for grid_id, source, count in session.execute(statement):
                if grid_id in extra:
                    extra[grid_id]["open_events"] += int(count)
                    extra[grid_id]["open_by_source"][source] = int(count)
            for grid_id, count in session.execute(overdue):
                if grid_id in extra and own is None:
                    extra[grid_id]["overdue_events"] = int(count)
        return self.grids.geojson(extra)

    # --- Open311 (public reading) -----------------------------------------------------------

    def public_requests(
        self, *, ids: Sequence[int] | None = None, status: str | None = None,
        service_code: str | None = None, start: dt.datetime | None = None,
        end: dt.datetime | None = None, limit: int = 1000,
    ) -> list[CityEvent]:  # fmt: skip
        """Service requests as Open311 lists them (no caller details), newest first:
        ``status`` open/closed, ``service_code`` a category, received between start and end."""
        statement = select(store.CityEventRow)
        if ids is not None:
            statement = statement.where(store.CityEventRow.id.in_(list(ids)))
        if status == "open":
            statement = statement.where(store.CityEventRow.closed_at.is_(None))
        elif status == "closed":
            statement = statement.where(store.CityEventRow.closed_at.is_not(None))
        elif status is not None:
            raise Invalid("status", "open or closed")
        if service_code is not None:
            statement = statement.where(store.CityEventRow.category == service_code)
        if start is not None:
            statement = statement.where(store.CityEventRow.received_at >= start)
        if end is not None:
            statement = statement.where(store.CityEventRow.received_at <= end)
        statement = statement.order_by(store.CityEventRow.id.desc()).limit(max(1, limit))
        with self._uow.read() as session:
            return [self._event(row, public=True) for row in session.scalars(statement)]

    # --- internals: steps, actors, checks ---------------------------------------------------

    def _file(
        self, session: Session, row: store.CityEventRow, chosen: Category, actor: Actor,
        time_limit: str | None, approved_by: str | None, *, note: str = "",
    ) -> None:  # fmt: skip
        limit, limit_note = self._time_limit(row, chosen, time_limit, approved_by)
        now = self._now()
        top = row.suggestions[0]["code"] if row.suggestions else None
        if top != chosen.code and row.source != "sensor" and actor is not SYSTEM:
            session.add(store.CityTrainingRow(event_id=row.id, text=row.text,
                                              category=chosen.code, suggested=top,
                                              operator=actor.username, at=now))  # fmt: skip
            note = f"override of {top or 'no suggestion'} (kept as training data)"
        source = row.state
        row.category, row.time_limit, row.filed_at = chosen.code, limit.value, now
        row.approved_by = approved_by.strip()[:120] if approved_by and approved_by.strip() else None
        row.state = EventState.FILED.value
        store.save_clock(row, self._clock_from(limit.working_days))
        detail = f"{chosen.code} {chosen.path()}; {limit.label()}" + "".join(
            f"; {n}" for n in (limit_note, note) if n
        )
        self._step(session, row, actor, "file", source, detail)

    def _time_limit(
        self, row: store.CityEventRow, chosen: Category, requested: str | None,
        approved_by: str | None,
    ) -> tuple[TimeLimit, str]:  # fmt: skip
        approver = (approved_by or "").strip()
        if requested is not None:
            limit = time_limit_of(requested)
            if limit is TimeLimit.COMPLEX and not approver:
                raise Invalid("approved_by", "a complex case (15 WD) needs its approver named")
            return limit, f"approved by {approver}" if limit is TimeLimit.COMPLEX else ""
        if row.request_type in (RequestType.CONSULTATION.value, RequestType.SUGGESTION.value):
            return TimeLimit.CONSULTATION, ""
        limit = TimeLimit(chosen.time_limit.value)
        if limit is TimeLimit.COMPLEX and not approver:
            return TimeLimit.ORDINARY, "complex by category but no approver: ordinary 5 WD"
        return limit, f"approved by {approver}" if limit is TimeLimit.COMPLEX else ""

    def _reopen(self, session: Session, row: store.CityEventRow, actor: Actor, why: str) -> None:
        limit = TimeLimit(row.time_limit or TimeLimit.ORDINARY.value)
        source = row.state
        row.reopen_count += 1
        row.state, row.closed_at = EventState.DISPATCHED.value, None
        row.done_at = row.handled_on_time = None
        if row.sensor_id and row.rule_id:
            row.open_key = None  # a reopened hotline-style event never holds a sensor pair
        store.save_clock(row, self._clock_from(limit.working_days))
        self._step(session, row, actor, "reopen", source,
                   f"reopened after a dissatisfied callback ({why}): back to {row.unit} for "
                   f"re-handling, new {limit.working_days} WD clock")  # fmt: skip

    def _unit_move(self, event_id: int, actor: Actor, action: str, target: EventState,
                   note: str) -> CityEvent:  # fmt: skip
        require(actor, Permission.HANDLE_CITY)
        with self._uow() as uow:
            row = self._locked(uow.session, event_id, actor)
            self._check(row, action)
            source = row.state
            row.state = target.value
            if target is EventState.DONE:
                now = self._now()
                clock = self._clock(row)
                row.done_at = now
                row.handled_on_time = clock is None or clock.status(now) is not SlaStatus.BREACHED
                note = note + ("" if row.handled_on_time else " (after the time limit 超期)")
            self._step(uow.session, row, actor, action, source, note.strip()[:MAX_NOTE])
            uow.commit()
            return self._event(row)

    def _sensor_row(self, alarm: SensorAlarm, key: str, now: dt.datetime) -> store.CityEventRow:
        chosen = self.categories.get(alarm.category)
        limit = TimeLimit(chosen.time_limit.value)
        if limit is TimeLimit.COMPLEX:
            limit = TimeLimit.ORDINARY
        grid = self.grids.grid_of(alarm.lat, alarm.lon)
        text = _sensor_text(alarm)
        row = store.CityEventRow(
            source="sensor", text=text[:MAX_TEXT], lat=alarm.lat, lon=alarm.lon,
            address=f"sensor {alarm.sensor_id}"[:300], grid_id=grid.id if grid else None,
            reporter=SYSTEM.username, state=EventState.FILED.value, category=chosen.code,
            suggestions=[], duplicates=[], time_limit=limit.value, designated=False,
            return_count=0, reopen_count=0, received_at=now, updated_at=now, filed_at=now,
            sensor_id=alarm.sensor_id[:64], rule_id=alarm.rule_id[:64], open_key=key,
            occurrences=1, last_value=alarm.value, last_at=alarm.read_at,
            severity=alarm.severity[:16], sla_pauses=[],
        )  # fmt: skip
        store.save_clock(row, self._clock_from(limit.working_days))
        return row

    def _step(self, session: Session, row: store.CityEventRow, actor: Actor, action: str,
              from_state: str | None, detail: str) -> None:  # fmt: skip
        now = self._now()
        row.updated_at = now
        session.add(store.CityStepRow(event_id=row.id, at=now, actor=actor.username,
                                      action=action, from_state=from_state, to_state=row.state,
                                      detail=detail[:1000]))  # fmt: skip
        self._audit.record(session, actor=actor, action=f"city.{action}",
                           object_type="city_event", object_id=str(row.id),
                           after={"state": row.state, "unit": row.unit,
                                  "category": row.category},
                           detail=detail[:200])  # fmt: skip

    def _centre(self, actor: Actor) -> None:
        require(actor, Permission.DISPATCH_CITY)
        if unit_of(actor) is not None:
            raise Forbidden(f"only the command centre ({COMMAND_CENTRE}) may do this; "
                            f"{actor.username} works for {actor.department}")  # fmt: skip

    def _visible(self, session: Session, event_id: int, actor: Actor) -> store.CityEventRow:
        require(actor, Permission.VIEW_CITY)
        row = session.get(store.CityEventRow, event_id)
        own = unit_of(actor)
        if row is None or (own is not None and row.unit != own):
            raise NotFound(f"city event {event_id} not found")
        return row

    def _locked(self, session: Session, event_id: int, actor: Actor) -> store.CityEventRow:
        self._visible(session, event_id, actor)
        row = session.get(store.CityEventRow, event_id, with_for_update=True)
        assert row is not None
        return row

    @staticmethod
    def _check(row: store.CityEventRow, action: str) -> None:
        state = EventState(row.state)
        allowed = ALLOWED[state]
        if action not in allowed:
            raise Conflict(f"event {row.id} is {state.value} ({state.label()}): cannot {action}; "
                           f"allowed: {', '.join(allowed)}")  # fmt: skip

    def _category(self, code: str, *, field: str = "category") -> Category:
        try:
            return self.categories.get(code.strip())
        except NotFound:
            raise Invalid(field, f"no city category {code!r}") from None

    def _clock_from(self, working_days: int) -> SlaClock:
        return SlaClock(working_days, self._now(), calendar=self._calendar)

    def _clock(self, row: store.CityEventRow) -> SlaClock | None:
        return store.read_clock(row, self._calendar)

    def _duplicates(
        self, session: Session, category: str | None, lat: float, lon: float, now: dt.datetime
    ) -> list[DuplicateSuggestion]:
        """Open events of the category within 100 m and 24 h (``suggest_duplicates``); a
        pending ticket counts under its top suggestion."""
        if category is None:
            return []
        statement = select(store.CityEventRow).where(
            store.CityEventRow.closed_at.is_(None),
            store.CityEventRow.received_at >= now - DUPLICATE_WINDOW,
            store.CityEventRow.lat.between(lat - 0.002, lat + 0.002),
            store.CityEventRow.lon.between(lon - 0.002, lon + 0.002),
        )
        rows = {row.id: row for row in session.scalars(statement.order_by(store.CityEventRow.id))}
        reports = [
            Report(str(row.id), code, row.lat, row.lon, row.received_at)
            for row in rows.values()
            if (code := row.category or (row.suggestions[0]["code"] if row.suggestions else None))
        ]
        candidate = Report("new", category, lat, lon, now)
        found = suggest_duplicates(
            candidate, reports, radius_m=DUPLICATE_RADIUS_M, window=DUPLICATE_WINDOW
        )
        return [
            DuplicateSuggestion(
                int(s.item.id),
                round(s.distance_m, 1),
                s.item.category,
                s.item.at,
                rows[int(s.item.id)].text[:200],
            )
            for s in found[:5]
        ]

    def _train(self) -> Suggester:
        with self._uow.read() as session:
            latest = {(r.event_id or -r.id): (r.text, r.category)
                      for r in store.training_examples(session)}  # fmt: skip
        return trained_classifier(self.categories, self._model_dir, list(latest.items()))

    # --- read models ------------------------------------------------------------------------

    def _event(self, row: store.CityEventRow, *, public: bool = False) -> CityEvent:
        clock, now = self._clock(row), self._now()
        as_of = max(now, clock.started_at) if clock is not None else now
        grid = self.grids.grids.get(row.grid_id) if row.grid_id else None
        chosen = (
            self.categories.get(row.category)
            if row.category is not None and row.category in self.categories
            else None
        )
        state = EventState(row.state)
        return CityEvent(
            id=row.id, source=row.source, request_type=row.request_type, text=row.text,
            lat=row.lat, lon=row.lon, address=row.address, grid_id=row.grid_id,
            grid_name=grid.name_zh if grid else None, state=state, state_label=state.label(),
            category=row.category, category_name=chosen.name_zh if chosen else None,
            suggestions=[CategorySuggestion(**s) for s in row.suggestions],
            duplicates=[_duplicate(d) for d in row.duplicates],
            time_limit=TimeLimit(row.time_limit) if row.time_limit else None,
            approved_by=row.approved_by, unit=row.unit, designated=row.designated,
            dispatch_reason=row.dispatch_reason, return_count=row.return_count,
            reopen_count=row.reopen_count, received_at=row.received_at, filed_at=row.filed_at,
            done_at=row.done_at, closed_at=row.closed_at, handled_on_time=row.handled_on_time,
            satisfaction=row.satisfaction, satisfied=row.satisfied, sla_limit=row.sla_limit,
            due_at=clock.due_at_as_of(as_of) if clock else None,
            sla_status=clock.status(as_of) if clock else None,
            remaining_working_days=clock.remaining_working_days(as_of) if clock else None,
            escalated_at=row.escalated_at, sensor_id=row.sensor_id, rule_id=row.rule_id,
            occurrences=row.occurrences, last_value=row.last_value, last_at=row.last_at,
            severity=row.severity, next_actions=list(ALLOWED[state]),
            caller_name=None if public else row.caller_name,
            caller_phone=None if public else row.caller_phone,
            updated_at=row.updated_at,
        )  # fmt: skip

    def _detail(self, session: Session, row: store.CityEventRow) -> EventDetail:
        steps = [Step(s.at, s.actor, s.action, s.from_state, s.to_state, s.detail)
                 for s in store.steps_of(session, row.id)]  # fmt: skip
        return EventDetail(self._event(row), steps)

    def _kpis(self, rows: list[store.CityEventRow], since: dt.datetime | None) -> Kpis:
        handled = [r for r in rows if r.handled_on_time is not None]
        called = [r for r in rows if r.satisfied is not None]
        by_scenario: Counter[str] = Counter()
        names: dict[str, str] = {}
        for row in rows:
            if row.category is not None and row.category in self.categories:
                chosen = self.categories.get(row.category)
                key = f"{chosen.kind.letter}{chosen.top.code}"
                by_scenario[key] += 1
                names[key] = f"{chosen.kind.label()}·{chosen.top.name_zh} {chosen.top.name_en}"
        return Kpis(
            since=since, total=len(rows), open=sum(r.closed_at is None for r in rows),
            by_category=dict(Counter(r.category or "unfiled" for r in rows).most_common()),
            by_state=dict(Counter(r.state for r in rows).most_common()),
            on_time_rate=metrics.rate(sum(bool(r.handled_on_time) for r in handled),
                                      len(handled)),
            handled=len(handled),
            satisfaction_rate=metrics.rate(sum(bool(r.satisfied) for r in called), len(called)),
            callbacks=len(called), escalated=sum(r.escalated_at is not None for r in rows),
            repeat_locations=self._repeats(rows), scenarios=dict(by_scenario.most_common()),
            scenario_names=names,
        )  # fmt: skip

    def _repeats(self, rows: list[store.CityEventRow]) -> list[RepeatLocation]:
        horizon = self._now() - metrics.REPEAT_WINDOW
        points = [metrics.Point(r.id, r.lat, r.lon, r.received_at, r.category, r.grid_id)
                  for r in rows if r.received_at >= horizon and r.source != "sensor"]  # fmt: skip
        found = []
        for cluster in metrics.repeat_clusters(points):
            c = cluster.centre
            found.append(RepeatLocation(
                round(c.lat, 6), round(c.lon, 6), len(cluster.members), c.grid_id,
                [p.event_id for p in cluster.members],
                sorted({p.category for p in cluster.members if p.category}),
            ))  # fmt: skip
        return found


# --- module helpers ---------------------------------------------------------------------------


def unit_of(actor: Actor) -> str | None:
    """The unit a city operator works for (None: the command centre, or not an operator)."""
    if actor.role is not Role.CITY_OPERATOR:
        return None
    department = (actor.department or "").strip()
    return None if not department or department == COMMAND_CENTRE else department


def is_command_centre(actor: Actor) -> bool:
    """Whether the actor acts for the command centre (城运中心)."""
    return can(actor.role, Permission.DISPATCH_CITY) and unit_of(actor) is None


def _state(value: str) -> EventState:
    try:
        return EventState(value)
    except ValueError:
        allowed = ", ".join(s.value for s in EventState)
        raise Invalid("state", f"{value!r} is not one of {allowed}") from None


def _text(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(field, "required")
    if len(text) > limit:
        raise Invalid(field, f"at most {limit} characters")
    return text


def _optional(value: str | None, field: str, limit: int) -> str | None:
    return _text(value, field, limit) if value and value.strip() else None


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if not PHONE.match(value.strip()):
        raise Invalid("caller_phone", "digits, spaces, '-' and a leading '+' only")
    return value.strip()


def _check_point(lat: float, lon: float) -> None:
    if not -90 <= lat <= 90:
        raise Invalid("lat", f"{lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise Invalid("lon", f"{lon} is outside -180..180")


def _satisfaction(value: bool | int) -> tuple[bool, int | None]:
    if isinstance(value, bool):
        return value, None
    if not 1 <= value <= 5:
        raise Invalid("satisfied", "a score is 1..5 (3 and up is satisfied)")
    return value >= 3, value


def _id_range(rows: list[store.CityEventRow]) -> str:
    """``first-last`` of the new events' ids (``-`` when none was new)."""
    return f"{rows[0].id}-{rows[-1].id}" if rows else "-"


def _open_key(alarm: SensorAlarm) -> str:
    return f"{alarm.sensor_id}|{alarm.category}"[:140]


def _sensor_text(alarm: SensorAlarm) -> str:
    return (f"{alarm.rule_name}: {alarm.kind} {alarm.sensor_id} = {alarm.value:g}"
            + (f" ({alarm.detail})" if alarm.detail else ""))  # fmt: skip


def _rows_by_key(session: Session, keys: list[str]) -> dict[str, store.CityEventRow]:
    found: dict[str, store.CityEventRow] = {}
    for start in range(0, len(keys), _CHUNK):
        statement = select(store.CityEventRow).where(
            store.CityEventRow.open_key.in_(keys[start : start + _CHUNK])
        )
        for row in session.scalars(statement.with_for_update()):
            assert row.open_key is not None
            found[row.open_key] = row
    return found


def _count(row: store.CityEventRow, alarm: SensorAlarm, now: dt.datetime) -> bool:
    """Count a repeat on its open event; True when it raised the event to critical."""
    row.occurrences += 1
    row.last_value = alarm.value
    row.last_at = alarm.read_at if row.last_at is None else max(row.last_at, alarm.read_at)
    row.updated_at = now
    if alarm.severity != "critical" or row.severity == "critical":
        return False
    row.severity, row.rule_id = "critical", alarm.rule_id[:64]
    row.text = _sensor_text(alarm)[:MAX_TEXT]
    return True


def _suggestion_json(s: CategorySuggestion) -> dict[str, Any]:
    return {"code": s.code, "name_zh": s.name_zh, "name_en": s.name_en,
            "probability": s.probability}  # fmt: skip


def _duplicate_json(d: DuplicateSuggestion) -> dict[str, Any]:
    return {"event_id": d.event_id, "distance_m": d.distance_m, "category": d.category,
            "received_at": d.received_at.isoformat(), "text": d.text}  # fmt: skip


def _duplicate(d: dict[str, Any]) -> DuplicateSuggestion:
    return DuplicateSuggestion(int(d["event_id"]), float(d["distance_m"]), d.get("category"),
                               dt.datetime.fromisoformat(d["received_at"]),
                               str(d["text"]))  # fmt: skip


def trained_classifier(
    categories: CategoryTree | None = None, model_dir: Path | None = None,
    overrides: Sequence[tuple[int, tuple[str, str]]] = (),
) -> Suggester:  # fmt: skip
    """The hotline classifier trained on the shipped corpus (train and test parts) plus the
    operators' overrides ``(event id, (text, category))``: from the in-process cache, else
    from ``model_dir`` (a file named by the digest of its examples), else trained and saved
    there. Training takes tens of seconds; every later call of the same examples is free."""
    from lingang.city import classify

    tree = categories or load_categories()
    extra = [classify.LabelledText(text, code, "override", f"o-{key}")
             for key, (text, code) in overrides]  # fmt: skip
    corpus = classify.load_corpus(tree)
    examples = [*corpus.train, *corpus.test, *extra]
    digest = hashlib.sha256(repr(examples).encode()).hexdigest()[:16]
    with _MODELS_LOCK:
        cached = _MODELS.get(digest)
        if cached is None:
            cached = _load_or_train(classify, tree, examples, model_dir, digest)
            _MODELS[digest] = cached
        return cached


def _load_or_train(classify: Any, tree: CategoryTree, examples: list[Any],
                   model_dir: Path | None, digest: str) -> Suggester:  # fmt: skip
    path = model_dir / f"hotline-{digest}.joblib" if model_dir else None
    if path is not None and path.is_file():
        try:
            model: Suggester = classify.HotlineClassifier.load(path, tree)
            return model
        except Exception:  # a stale or foreign file: train afresh
            log.warning("city classifier cache %s unreadable; retraining", path)
    trained = classify.HotlineClassifier(tree).train(examples)
    if path is not None:
        trained.save(path)
    result: Suggester = trained
    return result
