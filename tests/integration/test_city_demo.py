"""The demo zone's city (issue #9): seeded once with sensors on the map and worked 12345
tickets — filed under the classifier's top suggestion, dispatched by the rules, a part closed
after a satisfied callback and one reopened by a dissatisfied one; a second run adds nothing."""

from __future__ import annotations

from city_fixtures import city_classifier
from lingang.bootstrap import Platform
from lingang.city.demo import DEMO_SENSORS, DEMO_TICKETS, seed_demo_city
from lingang.city.model import COMMAND_CENTRE, EventState
from lingang.city.sensors import database_pipeline
from lingang.city.sensors.simulate import STORM_GRIDS, Scenario, place_fleet, run_in_process
from lingang.city.service import CityService, Suggester
from lingang.types import Actor, Role

__all__ = ["city_classifier"]  # the session fixture, imported for pytest
CENTRE = Actor(user_id=None, username="centre", role=Role.CITY_OPERATOR, department=COMMAND_CENTRE)


def test_the_demo_city_is_seeded_once(platform: Platform, city_classifier: Suggester) -> None:
    city = CityService(platform.uow, platform.audit, classifier=city_classifier)
    seeded = seed_demo_city(city, platform.database, seed=20250101)
    assert not seeded.reused and seeded.sensors == DEMO_SENSORS == 500
    assert seeded.tickets == DEMO_TICKETS and seeded.reopened == 1
    assert seeded.closed >= DEMO_TICKETS // 2
    assert "500 sensors on the map, 40 12345 tickets" in seeded.summary()
    kpis = city.kpis(actor=CENTRE)
    assert kpis.total == DEMO_TICKETS  # a calm quarter hour raises no sensor alarm
    assert kpis.by_state.get(EventState.CLOSED.value) == seeded.closed
    assert kpis.satisfaction_rate is not None and 0 < kpis.satisfaction_rate < 1
    assert len(city.sensor_markers(actor=CENTRE)) == DEMO_SENSORS
    events = city.queue(actor=CENTRE)
    assert all(e.unit for e in events) and all(e.state is not EventState.PENDING for e in events)
    detail = city.get(events[0].id, actor=CENTRE)
    assert detail.steps[0].action == "report" and "（模拟）" in detail.event.address
    assert [s.action for s in detail.steps][1:3] == ["file", "dispatch"]
    storm = Scenario(minutes=3, storm=True)  # what `lingang sensors simulate --storm` runs
    pipeline = database_pipeline(platform.database, city.file_sensor_alarms)
    run_in_process(pipeline, place_fleet(DEMO_SENSORS, storm), storm)
    assert len(city.sensor_markers(actor=CENTRE)) == DEMO_SENSORS  # the same fleet, flooded
    flooded = [e for e in city.queue(actor=CENTRE, category="E0104") if e.source == "sensor"]
    assert flooded and {e.grid_id for e in flooded} <= set(STORM_GRIDS)
    again = seed_demo_city(city, platform.database, seed=20250101)
    assert again.reused and again.tickets == DEMO_TICKETS + len(flooded)
    assert again.summary() == f"{DEMO_TICKETS + len(flooded)} city events (seeded before)"
