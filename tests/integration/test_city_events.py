"""一网统管 city events on SQLite and PostgreSQL: a 12345 ticket through 立案 → 派遣 → 处置 →
反馈 → 核查 → 结案 with the callback (a dissatisfied one reopens it), returns once and never
for a designated order, working-day clocks across National Day, escalation once, unit
isolation, duplicates and repeat locations, sensor alarms counted per (sensor, category)
and raised to critical, migration 0019, and operators' overrides kept as training data."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select, update

from city_fixtures import MUNICIPAL, city_classifier, operator
from factories import Clock, make_user
from lingang.audit.store import AuditRecordRow
from lingang.bootstrap import Platform
from lingang.city.contracts import SensorAlarm
from lingang.city.model import EventState, TimeLimit
from lingang.city.service import CityService, Suggester
from lingang.city.store import CityEventRow, CityTrainingRow
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.types import SYSTEM, Role
from lingang.workdays import SHANGHAI, SlaStatus

__all__ = ["city_classifier"]  # the session fixture, imported for pytest
LAKE = (30.9001, 121.9302)  # in grid LG-G15, 滴水湖核心区
MANHOLE = "井盖松动，有安全隐患"


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))  # a Monday


@pytest.fixture
def city(platform: Platform, clock: Clock, city_classifier: Suggester) -> CityService:
    return CityService(platform.uow, platform.audit, classifier=city_classifier, clock=clock)


def ticket(city: CityService, platform: Platform, text: str = MANHOLE, *,
           at: tuple[float, float] = LAKE, kind: str = "complaint") -> int:  # fmt: skip
    made = city.report_ticket(
        text, lat=at[0], lon=at[1], address="环湖西二路88号", actor=operator(platform),
        caller_name="张先生", caller_phone="13800000000", request_type=kind,
    )  # fmt: skip
    return made.event.id


def test_a_manhole_ticket_is_filed_dispatched_handled_called_back_and_closed(
    platform: Platform, city: CityService
) -> None:
    centre, unit = operator(platform), operator(platform, MUNICIPAL)
    made = city.report_ticket(MANHOLE, lat=LAKE[0], lon=LAKE[1], address="环湖西二路88号",
                              actor=centre, caller_phone="13800000000")  # fmt: skip
    event = made.event
    assert event.state is EventState.PENDING and event.grid_id == "LG-G15"
    assert event.suggestions[0].code == "P0101" and len(event.suggestions) == 3
    assert event.suggestions[0].name_en == "Manhole cover"
    with pytest.raises(Conflict, match="allowed: file"):
        city.dispatch(event.id, actor=centre)
    filed = city.file(event.id, "P0101", actor=centre)
    assert filed.state is EventState.FILED and filed.time_limit is TimeLimit.ORDINARY
    sent = city.dispatch(event.id, actor=centre)
    assert sent.unit == MUNICIPAL
    assert sent.dispatch_reason == "rule 3 (井盖类 → 市政养护所): category P0101 matched"
    assert [e.id for e in city.queue(actor=unit)] == [event.id]
    assert city.handle(event.id, "已到场", actor=unit).state is EventState.HANDLING
    done = city.report_done(event.id, "更换井盖并加固", actor=unit)
    assert done.state is EventState.DONE and done.handled_on_time is True
    with pytest.raises(Conflict, match="allowed: verify"):
        city.close(event.id, actor=centre)
    checked = city.verify(event.id, True, "现场核查通过", actor=centre)
    assert checked.state is EventState.VERIFIED and checked.sla_limit == 3  # callback limit
    called = city.callback(event.id, True, "满意", actor=centre)
    assert called.satisfied is True and called.state is EventState.VERIFIED
    closed = city.close(event.id, actor=centre)
    assert closed.state is EventState.CLOSED and closed.closed_at is not None
    steps = city.get(event.id, actor=centre).steps
    assert [s.action for s in steps] == ["report", "file", "dispatch", "handle", "done",
                                         "verify", "callback", "close"]  # fmt: skip
    assert "rule 3" in steps[2].detail
    with platform.uow.read() as session:
        audited = session.scalar(select(func.count()).select_from(AuditRecordRow)
                                 .where(AuditRecordRow.action.like("city.%")))  # fmt: skip
    assert audited == len(steps)
    kpis = city.kpis(actor=centre)
    assert kpis.by_category == {"P0101": 1} and kpis.on_time_rate == 1.0
    assert kpis.satisfaction_rate == 1.0 and kpis.scenarios == {"P01": 1}


def test_a_dissatisfied_callback_reopens_the_event(
    platform: Platform, city: CityService, clock: Clock
) -> None:
    centre, unit = operator(platform), operator(platform, MUNICIPAL)
    event_id = ticket(city, platform)
    city.file(event_id, "P0101", actor=centre)
    city.dispatch(event_id, actor=centre)
    city.handle(event_id, actor=unit)
    city.report_done(event_id, "已修复", actor=unit)
    city.verify(event_id, True, actor=centre)
    city.close(event_id, actor=centre)
    clock.set(2026, 6, 3, 10, 0)
    reopened = city.callback(event_id, 2, "井盖仍有响动", actor=centre)
    assert reopened.state is EventState.DISPATCHED and reopened.unit == MUNICIPAL
    assert reopened.reopen_count == 1 and reopened.closed_at is None
    assert reopened.satisfied is False and reopened.satisfaction == 2
    assert reopened.due_at == dt.datetime(2026, 6, 10, 17, 0, tzinfo=SHANGHAI)  # new 5 WD
    last = city.get(event_id, actor=unit).steps[-1]
    assert last.action == "reopen" and "井盖仍有响动" in last.detail
    assert city.handle(event_id, actor=unit).state is EventState.HANDLING
    with pytest.raises(Invalid, match="satisfied"):
        city.callback(event_id, 7, actor=centre)


def test_a_unit_returns_once_and_never_a_designated_order(
    platform: Platform, city: CityService
) -> None:
    centre, unit = operator(platform), operator(platform, MUNICIPAL)
    other = operator(platform, "临港新片区环卫所")
    event_id = ticket(city, platform)
    city.file(event_id, "P0101", actor=centre)
    city.dispatch(event_id, actor=centre)
    with pytest.raises(Invalid, match="reason"):
        city.return_order(event_id, " ", actor=unit)
    returned = city.return_order(event_id, "井盖属燃气公司产权", actor=unit)
    assert returned.state is EventState.RETURNED and returned.unit is None
    with pytest.raises(NotFound):
        city.get(event_id, actor=unit)  # no longer the unit's order
    assert [e.id for e in city.queue(actor=centre, state="returned")] == [event_id]
    again = city.dispatch(event_id, actor=centre, unit="临港新片区环卫所")
    assert again.dispatch_reason == f"manual: {centre.username}"
    with pytest.raises(Conflict, match="already returned once"):
        city.return_order(event_id, "也不归我们", actor=other)
    second = ticket(city, platform, at=(30.87, 121.88))
    city.file(second, "P0101", actor=centre)
    designated = city.dispatch(second, actor=centre, designated=True)
    assert designated.designated and designated.unit == MUNICIPAL
    with pytest.raises(Conflict, match="designated"):
        city.return_order(second, "不归我们", actor=unit)


def test_time_limits_count_working_days_across_national_day(
    platform: Platform, city: CityService, clock: Clock
) -> None:
    centre = operator(platform)
    clock.set(2026, 9, 30, 10, 0)  # the last working day before 国庆 (Oct 1–7)
    consult = ticket(city, platform, "请问井盖维修归哪个部门管？", kind="consultation")
    filed = city.file(consult, "P0101", actor=centre)
    assert filed.time_limit is TimeLimit.CONSULTATION and filed.sla_limit == 1
    assert filed.due_at == dt.datetime(2026, 10, 8, 17, 0, tzinfo=SHANGHAI)
    ordinary = city.file(ticket(city, platform), "P0101", actor=centre)
    assert ordinary.due_at == dt.datetime(2026, 10, 13, 17, 0, tzinfo=SHANGHAI)  # 10 Oct works
    hard = ticket(city, platform, "小区内违法搭建阳光房", at=(30.87, 121.88))
    with pytest.raises(Invalid, match="approved_by"):
        city.file(hard, "E0304", actor=centre, time_limit="complex")
    by_default = city.file(hard, "E0304", actor=centre)  # complex by category, no approver
    assert by_default.time_limit is TimeLimit.ORDINARY
    complex_id = ticket(city, platform, "违法搭建多层", at=(30.87, 121.95))
    approved = city.file(complex_id, "E0304", actor=centre, time_limit="complex",
                         approved_by="城运中心主任")  # fmt: skip
    assert approved.sla_limit == 15 and approved.approved_by == "城运中心主任"
    assert approved.due_at == dt.datetime(2026, 10, 27, 17, 0, tzinfo=SHANGHAI)


def test_breached_events_are_escalated_once(
    platform: Platform, city: CityService, clock: Clock
) -> None:
    centre = operator(platform)
    event_id = ticket(city, platform, kind="consultation")
    city.file(event_id, "P0101", actor=centre)
    assert city.escalate_overdue(clock()) == []
    clock.set(2026, 6, 3, 9, 0)  # past the 1 WD limit (2 June 17:00)
    assert city.queue(actor=centre, overdue=True)[0].sla_status is SlaStatus.BREACHED
    assert city.escalate_overdue(clock()) == [event_id]
    assert city.escalate_overdue(clock()) == []
    steps = [s for s in city.get(event_id, actor=centre).steps if s.action == "escalate"]
    assert len(steps) == 1 and "1 working days" in steps[0].detail
    assert city.kpis(actor=centre).escalated == 1


def test_a_unit_sees_only_its_own_orders(platform: Platform, city: CityService) -> None:
    centre, unit = operator(platform), operator(platform, MUNICIPAL)
    other = operator(platform, "临港新片区环卫所")
    event_id = ticket(city, platform)
    with pytest.raises(NotFound):
        city.get(event_id, actor=unit)  # not dispatched yet
    city.file(event_id, "P0101", actor=centre)
    city.dispatch(event_id, actor=centre)
    assert city.get(event_id, actor=unit).event.unit == MUNICIPAL
    for action in (lambda: city.get(event_id, actor=other),
                   lambda: city.handle(event_id, actor=other)):  # fmt: skip
        with pytest.raises(NotFound):
            action()
    assert city.queue(actor=other) == []
    with pytest.raises(Forbidden, match="command centre"):
        city.verify(event_id, True, actor=unit)
    auditor = make_user(platform, Role.AUDITOR).as_actor()
    assert city.get(event_id, actor=auditor).event.id == event_id
    with pytest.raises(Forbidden):
        city.dispatch(event_id, actor=auditor)
    firm = make_user(platform, Role.ENTERPRISE).as_actor()
    with pytest.raises(Forbidden):
        city.queue(actor=firm)


def test_duplicates_are_suggested_and_repeat_locations_counted(
    platform: Platform, city: CityService
) -> None:
    centre = operator(platform)
    first = ticket(city, platform)
    second = city.report_ticket("这里的井盖松了，走上去晃动", lat=LAKE[0] + 0.0002, lon=LAKE[1],
                                address="环湖西二路90号", actor=centre)  # fmt: skip
    assert [d.event_id for d in second.event.duplicates] == [first]
    assert 15 < second.event.duplicates[0].distance_m < 30
    far = city.report_ticket(MANHOLE, lat=LAKE[0] + 0.01, lon=LAKE[1], address="远处",
                             actor=centre)  # fmt: skip
    assert far.event.duplicates == []
    third = ticket(city, platform, at=(LAKE[0], LAKE[1] + 0.0003))
    nearby = {d.event_id for d in city.get(third, actor=centre).event.duplicates}
    assert nearby == {first, second.event.id}
    repeats = city.kpis(actor=centre).repeat_locations
    assert len(repeats) == 1 and repeats[0].count == 3
    assert sorted(repeats[0].event_ids) == sorted([first, second.event.id, third])


def alarm(sensor: str, rule: str = "water-high", value: float = 4.2,
          category: str = "E0104") -> SensorAlarm:  # fmt: skip
    at = dt.datetime(2026, 6, 1, 9, 59, tzinfo=SHANGHAI)
    return SensorAlarm(sensor, "water_level", rule, "水位超警戒", category, value, LAKE[0],
                       LAKE[1], at, at, "critical", "警戒水位 4.0 m")  # fmt: skip


def test_sensor_alarms_open_one_event_per_sensor_and_category(
    platform: Platform, city: CityService
) -> None:
    centre = operator(platform)
    ids = city.file_sensor_alarms([alarm("WL-001"), alarm("WL-001", value=4.5),
                                   alarm("WL-002")])  # fmt: skip
    assert ids[0] == ids[1] != ids[2]
    more = city.file_sensor_alarms([alarm("WL-001", value=4.8), alarm("WL-001", "rise-fast"),
                                    alarm("WL-001", "tilted", category="P0101")])  # fmt: skip
    assert more[0] == more[1] == ids[0] and more[2] not in ids  # another category: another
    event = city.get(ids[0], actor=centre).event
    assert event.occurrences == 4 and event.last_value == 4.2 and event.source == "sensor"
    assert event.state is EventState.FILED and event.category == "E0104"
    assert event.grid_id == "LG-G15" and event.sla_limit == 1  # 道路积水: consultation class
    sent = city.dispatch(ids[0], actor=centre)
    assert sent.unit == "临港新片区排水管理所" and "rule 1" in (sent.dispatch_reason or "")
    city.handle(ids[0], actor=SYSTEM)
    city.report_done(ids[0], "已排水", actor=SYSTEM)
    city.verify(ids[0], True, actor=centre)
    with pytest.raises(Conflict, match="no caller"):
        city.callback(ids[0], True, actor=centre)
    city.close(ids[0], actor=centre)
    after = city.file_sensor_alarms([alarm("WL-001")])
    assert after[0] not in (*ids, *more)  # the pair opens a new event once closed
    with pytest.raises(Invalid, match="category"):
        city.file_sensor_alarms([alarm("WL-009", category="X9999")])
    grids = city.grids_geojson(actor=centre)
    lake = next(f for f in grids["features"] if f["properties"]["id"] == "LG-G15")
    assert lake["properties"]["open_events"] == 3  # WL-002, WL-001's manhole, WL-001 again
    assert lake["properties"]["open_by_source"] == {"sensor": 3}


def test_a_critical_alarm_raises_the_open_warning_event(
    platform: Platform, city: CityService
) -> None:
    centre = operator(platform)
    warn = dataclasses.replace(alarm("WL-007", "WL-WARN", 0.2), severity="warning",
                               rule_name="道路积水超警戒水位")  # fmt: skip
    first = city.file_sensor_alarms([warn])[0]
    assert city.get(first, actor=centre).event.severity == "warning"
    crit = dataclasses.replace(alarm("WL-007", "WL-CRIT", 0.35), rule_name="道路积水超危险水位")
    again = city.file_sensor_alarms([crit, dataclasses.replace(warn, value=0.25)])
    assert again == [first, first]
    detail = city.get(first, actor=centre)
    assert detail.event.severity == "critical" and detail.event.rule_id == "WL-CRIT"
    assert detail.event.text.startswith("道路积水超危险水位") and detail.event.occurrences == 3
    assert [s.action for s in detail.steps] == ["sensor_alarm", "sensor_raised"]
    assert "raised to critical by WL-CRIT" in detail.steps[1].detail
    city.file_sensor_alarms([crit])  # already critical: counted, no further step
    assert len(city.get(first, actor=centre).steps) == 2


def test_migration_0019_rekeys_open_sensor_events_by_category(
    database_url: str, platform: Platform, city: CityService
) -> None:
    from alembic import command

    from lingang.db import alembic_config

    two = [alarm("WL-001", "WL-WARN"), alarm("WL-001", "WL-CRIT", category="P0101")]
    first, second = city.file_sensor_alarms(two)
    with platform.database.engine.begin() as connection:  # as 0018 kept them: per rule
        connection.execute(update(CityEventRow).where(CityEventRow.id == first)
                           .values(open_key="WL-001|WL-WARN"))  # fmt: skip
        connection.execute(update(CityEventRow).where(CityEventRow.id == second)
                           .values(category="E0104", rule_id="WL-CRIT",
                                   open_key="WL-001|WL-CRIT"))  # fmt: skip
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0018")
    assert platform.database.current_revision() == "0018"
    platform.database.upgrade()
    with platform.uow.read() as session:
        keys = dict(session.execute(select(CityEventRow.id, CityEventRow.open_key)).all())
    assert keys == {first: "WL-001|E0104", second: "WL-001|WL-CRIT"}  # the older one re-keyed
    assert city.file_sensor_alarms([alarm("WL-001")]) == [first]


def test_an_override_is_kept_as_training_data(platform: Platform, city: CityService) -> None:
    centre = operator(platform)
    event_id = ticket(city, platform)
    with pytest.raises(Invalid, match="category"):
        city.file(event_id, "P9999", actor=centre)
    filed = city.file(event_id, "E0103", actor=centre)
    assert filed.category == "E0103"
    with platform.uow.read() as session:
        rows = list(session.scalars(select(CityTrainingRow)))
    assert [(r.text, r.category, r.suggested, r.operator) for r in rows] == [
        (MANHOLE, "E0103", "P0101", centre.username)]  # fmt: skip
    assert "override of P0101" in city.get(event_id, actor=centre).steps[-1].detail
    accepted = ticket(city, platform, at=(30.87, 121.88))
    city.file(accepted, "P0101", actor=centre)  # accepting the top suggestion stores nothing
    with platform.uow.read() as session:
        assert session.scalar(select(func.count()).select_from(CityTrainingRow)) == 1


def test_migration_0018_downgrades_to_0017_and_upgrades_again(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from lingang.db import Database, alembic_config

    tables = {"city_events", "city_event_steps", "city_training_examples"}
    database = Database(database_url)
    try:
        with database.engine.begin() as connection:
            config = alembic_config(database_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "0017")
        assert not tables & set(inspect(database.engine).get_table_names())
        assert database.current_revision() == "0017"
        database.upgrade()
        assert tables <= set(inspect(database.engine).get_table_names())
    finally:
        database.dispose()


def test_the_map_reads_markers_and_the_strip_and_the_queue_narrows(
    platform: Platform, city: CityService
) -> None:
    from lingang.city.sensors.store import SensorRegistry, SensorState

    centre = operator(platform)
    now = dt.datetime.now(dt.UTC)
    SensorRegistry(platform.database).upsert([
        SensorState(f"WL-{n:03d}", "water_level", LAKE[0], LAKE[1], "m", 4.2, now)
        for n in range(1, 6)
    ])  # fmt: skip
    city.file_sensor_alarms([alarm("WL-004"), alarm("WL-005")])
    events = city.queue(actor=centre)
    markers = city.sensor_markers(actor=centre, alarmed=["WL-005", "WL-004"], limit=3)
    assert [m.id for m in markers] == ["WL-004", "WL-005", "WL-001"]  # alarmed ones first
    strip = city.situation(actor=centre, open_events=events)
    assert (strip.open_events, strip.sensors_total, strip.sensors_reporting) == (2, 5, 5)
    assert city.queue(actor=centre, category="E0104", grid="LG-G15") == events
    assert city.queue(actor=centre, category="P0101") == []
    assert city.queue(actor=centre, grid="LG-G01") == []
    with pytest.raises(Forbidden):
        city.sensor_markers(actor=make_user(platform, Role.ENTERPRISE).as_actor())
