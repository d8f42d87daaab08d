"""The demo zone's city operations (一网统管), simulated and labelled so: a calm quarter hour of
the demo sensor fleet (so the operations map has its markers) and a day of 12345 tickets taken
from the corpus's hand-written *training* sentences, filed, dispatched by the rules, and partly
handled, called back and closed (so the queue, the map and the KPIs have something to show).

Run once per data directory: when the city already has events, nothing is added.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lingang.city.grids import load_grids
from lingang.city.model import COMMAND_CENTRE, CityEvent, EventState
from lingang.city.sensors import database_pipeline
from lingang.city.sensors.simulate import Scenario, place_fleet, run_in_process
from lingang.city.service import CityService
from lingang.db import Database
from lingang.types import Actor, Role, utcnow

if TYPE_CHECKING:
    from lingang.city.classify import LabelledText

DEMO_SENSORS = 500
CALM_MINUTES = 15
DEMO_TICKETS = 40
SEED_USER = "demo-seed"
"""The username the seeded steps carry in the timeline and the audit log."""

_STREETS = ("环湖西二路", "申港大道", "水芸路", "古棕路", "海港大道", "临港大道", "云鹃路",
            "方竹路")  # fmt: skip


@dataclass(frozen=True, slots=True)
class CitySeed:
    """What the seeding did (or found)."""

    sensors: int
    tickets: int
    closed: int
    reopened: int
    reused: bool

    def summary(self) -> str:
        """One line for the demo's banner."""
        if self.reused:
            return f"{self.tickets} city events (seeded before)"
        return (f"{self.sensors} sensors on the map, {self.tickets} 12345 tickets "
                f"({self.closed} closed, {self.reopened} reopened by a dissatisfied callback)")


def seed_demo_city(city: CityService, database: Database, *, seed: int,
                   now: dt.datetime | None = None) -> CitySeed:  # fmt: skip
    """Seed the demo city once: sensors (calm readings, no storm) and worked 12345 tickets
    (``seed`` draws the tickets, their places and outcomes)."""
    centre = _seed_actor(COMMAND_CENTRE)
    existing = city.kpis(actor=centre).total
    if existing:
        return CitySeed(0, existing, 0, 0, reused=True)
    now = now or utcnow()
    # the fleet `lingang sensors simulate` places by default, so a storm floods these sensors
    scenario = Scenario(minutes=CALM_MINUTES, storm=False)
    fleet = place_fleet(DEMO_SENSORS, scenario)
    run_in_process(database_pipeline(database, city.file_sensor_alarms), fleet, scenario, now)
    rng = random.Random(seed)
    closed = reopened = 0
    texts = _ticket_texts(rng)
    for number, example in enumerate(texts):
        event = _file_and_dispatch(city, centre, example, rng)
        if event is None or number % 3 == 2:  # a third stays with its unit, in handling
            continue
        outcome = _work(city, centre, event, dissatisfied=number == 1)
        closed += outcome == "closed"
        reopened += outcome == "reopened"
    return CitySeed(DEMO_SENSORS, len(texts), closed, reopened, reused=False)


def _ticket_texts(rng: random.Random) -> list[LabelledText]:
    from lingang.city.classify import load_corpus  # scikit-learn: imported when used

    train = [row for row in load_corpus().train if row.origin == "handwritten"]
    return rng.sample(train, min(DEMO_TICKETS, len(train)))


def _file_and_dispatch(city: CityService, centre: Actor, example: LabelledText,
                       rng: random.Random) -> CityEvent | None:  # fmt: skip
    """Take the ticket at a random point of a random grid; 立案 under the top suggestion
    (the operator accepts it), then 派遣 by the rules. None when nothing was suggested."""
    grid = rng.choice(load_grids().all())
    west, south, east, north = grid.bbox
    lat, lon = rng.uniform(south + 0.001, north - 0.001), rng.uniform(west + 0.001, east - 0.001)
    street = rng.choice(_STREETS)
    made = city.report_ticket(
        example.text, lat=lat, lon=lon, address=f"{street}{rng.randint(1, 999)}号（模拟）",
        actor=centre, caller_name="模拟市民", caller_phone=f"1380000{rng.randint(0, 9999):04d}",
    )  # fmt: skip
    if not made.event.suggestions:
        return None
    city.file(made.event.id, made.event.suggestions[0].code, actor=centre)
    return city.dispatch(made.event.id, actor=centre)


def _work(city: CityService, centre: Actor, event: CityEvent, *, dissatisfied: bool) -> str:
    """处置 → 反馈 → 核查 → 回访 → 结案 by the unit the rules chose and the command centre."""
    unit = _seed_actor(event.unit or COMMAND_CENTRE)
    city.handle(event.id, "已到场处置（模拟）", actor=unit)
    city.report_done(event.id, "已处置完毕（模拟）", actor=unit)
    city.verify(event.id, True, "核查通过（模拟）", actor=centre)
    if dissatisfied:
        reopened = city.callback(event.id, 2, "问题仍未解决（模拟）", actor=centre)
        return "reopened" if reopened.state is EventState.DISPATCHED else "open"
    city.callback(event.id, 5, "满意（模拟）", actor=centre)
    city.close(event.id, actor=centre)
    return "closed"


def _seed_actor(department: str) -> Actor:
    return Actor(user_id=None, username=SEED_USER, role=Role.CITY_OPERATOR,
                 department=department)  # fmt: skip
