"""一网统管 in a real browser: the operations map, the event queue and page, the KPIs.

One ``lingang serve`` per module on an empty zone with a command-centre operator, an operator
of the manhole-cover unit, one of another unit and an auditor. The setup script also files a
few storm alarms (water level) through ``platform.city.file_sensor_alarms`` with their sensors
in the registry, and trains the hotline classifier once into the data dir, so the server
loads it instead of training at the first ticket. The helpers (Chromium, free port, health
wait, sign-in, foreign-host check) are the browser module's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from console.test_console_browser import (
    serve_zone,
    signed_in_as,
)

# one worker runs the whole module, so its server and browser start once (make: --dist loadgroup)
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("console-city")]

PASSWORD = "City-pass-2024"
CENTRE = "city-centre"
UNIT = "city-roads"
OTHER = "city-drainage"
AUDITOR = "city-auditor"
MANHOLE_UNIT = "临港新片区市政养护所"
MAKE_ZONE = """
import datetime as dt
import sys
from lingang.city.contracts import SensorAlarm
from lingang.city.sensors.store import DeadLetter, DeadLetterStore, SensorRegistry, SensorState
from lingang.cli.common import cli_actor, platform_session
from lingang.types import Role, utcnow
with platform_session() as platform:
    users = (("city-centre", Role.CITY_OPERATOR, "城运中心"),
             ("city-roads", Role.CITY_OPERATOR, "临港新片区市政养护所"),
             ("city-drainage", Role.CITY_OPERATOR, "临港新片区排水管理所"),
             ("city-auditor", Role.AUDITOR, None))
    for name, role, department in users:
        platform.auth.create_user(name, sys.argv[1], role, actor=cli_actor(),
                                  department=department)
    now = utcnow()
    gauges = [(f"WL-{n:03d}", 30.896 + n * 0.002, 121.918 + n * 0.008) for n in range(4)]
    SensorRegistry(platform.database).upsert(
        [SensorState(i, "water_level", lat, lon, "m", 0.35, now) for i, lat, lon in gauges]
        + [SensorState("AQ-001", "air_quality", 30.87, 121.88, "ug/m3", 35.0, now),
           SensorState("NS-001", "noise", 30.88, 121.90, "dB", 55.0,
                       now - dt.timedelta(hours=3), battery=12.0)])
    DeadLetterStore(platform.database).add_many([DeadLetter(
        "lingang/sensors/noise/NS-009", b'{"value": "loud"}', "value: not a number", "value",
        now - dt.timedelta(days=40))])
    platform.city.file_sensor_alarms([
        SensorAlarm(i, "water_level", "WL-CRIT", "道路积水严重", "E0104", 0.35, lat, lon,
                    now - dt.timedelta(minutes=2), now, severity="critical")
        for i, lat, lon in gauges])
    platform.city.classifier()  # trained once, saved in the data dir for the server
"""
EVENT_URL = re.compile(r"/console/city/events/(\d+)$")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``lingang serve`` on an empty zone with the city users and a storm's alarms."""
    yield from serve_zone(tmp_path_factory, "console-city-data", MAKE_ZONE, PASSWORD)


def signed_in(new_page: Any, base: str, username: str) -> Page:
    """A new page signed in as ``username`` (this module's password), on the home page."""
    return signed_in_as(new_page, base, username, PASSWORD)


def state_is(page: Page, state: str) -> None:
    """The event page shows ``state``."""
    expect(page.get_by_test_id(f"city-state-{state}")).to_be_visible()


def callback(page: Page, score: int) -> None:
    """Record a callback with ``score`` (1..5)."""
    page.get_by_test_id("city-callback-score").get_by_text(str(score), exact=True).click()
    page.get_by_test_id("city-callback").click()


def handle_and_report(page: Page, result: str) -> None:
    """The unit starts handling and reports what it did."""
    page.reload()
    page.get_by_test_id("city-handle").click()
    state_is(page, "handling")
    page.get_by_test_id("city-done-result").fill(result)
    page.get_by_test_id("city-done").click()
    state_is(page, "done")


def test_the_storm_shows_on_the_map_and_the_kpis(base_url: str, new_page: Any) -> None:
    centre = signed_in(new_page, base_url, CENTRE)
    centre.locator(".q-drawer").get_by_text("运行地图").click()
    board = centre.get_by_test_id("city-map")
    expect(board.locator("svg")).to_be_visible()
    expect(board.locator("g.city-grid")).to_have_count(30)
    expect(board.locator("g.city-ev-water")).to_have_count(4)
    expect(board.locator("circle.city-sensor-alarm")).to_have_count(4)
    expect(board.locator("circle.city-sensor")).to_have_count(2)
    expect(centre.get_by_test_id("count-city-alarms")).to_have_text("4")
    expect(centre.get_by_test_id("count-city-sensors")).to_have_text("5 / 6")  # NS-001 silent
    expect(board.locator("g[data-grid='LG-G15']")).to_have_attribute("data-open", "3")
    board.locator("g[data-grid='LG-G15'] path").click(position={"x": 4, "y": 4})
    expect(centre.get_by_test_id("city-grid-events")).to_contain_text("WL-000")
    centre.get_by_test_id("city-grid-queue").click()
    expect(centre.get_by_test_id("city-queue")).to_contain_text("WL-001")
    expect(centre.get_by_test_id("city-queue")).not_to_contain_text("WL-003")
    centre.locator(".q-drawer").get_by_text("运行指标").click()
    expect(centre.get_by_test_id("city-kpi-total")).to_have_text(re.compile(r"^\d+$"))
    expect(centre.get_by_test_id("city-kpi-scenarios")).to_contain_text("E01")
    expect(centre.get_by_test_id("city-kpi-categories")).to_be_visible()


def test_a_manhole_ticket_goes_round_the_loop_and_a_dissatisfied_callback_reopens_it(
    base_url: str, new_page: Any
) -> None:
    centre = signed_in(new_page, base_url, CENTRE)
    centre.locator(".q-drawer").get_by_text("事件队列").click()
    centre.get_by_test_id("city-new-ticket").click()
    centre.get_by_test_id("ticket-text").fill("井盖松动，有安全隐患")
    centre.get_by_test_id("ticket-address").fill("环湖西二路 88 号")
    centre.get_by_test_id("ticket-lat").fill("30.9")
    centre.get_by_test_id("ticket-lon").fill("121.925")
    centre.get_by_test_id("ticket-lon").press("Tab")
    centre.get_by_test_id("ticket-send").click()
    expect(centre).to_have_url(EVENT_URL, timeout=30_000)  # the classifier loads at first use
    found = EVENT_URL.search(centre.url)
    assert found is not None
    event_url = f"{base_url}/console/city/events/{found.group(1)}"
    state_is(centre, "pending")
    expect(centre.get_by_test_id("city-suggestion-1")).to_contain_text("P0101 井盖")
    expect(centre.get_by_test_id("city-grid")).to_contain_text("LG-G15")
    centre.get_by_test_id("city-accept-P0101").click()
    state_is(centre, "filed")
    expect(centre.get_by_test_id("city-clock")).to_contain_text("剩余")
    centre.get_by_test_id("city-dispatch").click()
    state_is(centre, "dispatched")
    expect(centre.get_by_test_id("city-unit")).to_have_text(MANHOLE_UNIT)
    expect(centre.get_by_test_id("city-reason")).to_contain_text("井盖类")

    unit = signed_in(new_page, base_url, UNIT)
    unit.goto(event_url)
    handle_and_report(unit, "已更换井盖并加固")
    centre.reload()
    centre.get_by_test_id("city-verify-ok").click()
    state_is(centre, "verified")
    callback(centre, 2)  # dissatisfied: reopened, back to the unit
    state_is(centre, "dispatched")
    expect(centre.get_by_test_id("city-reopened")).to_have_text("1")
    expect(centre.get_by_test_id("city-timeline")).to_contain_text("重新办理")

    handle_and_report(unit, "复查后重新安装防盗井盖")
    centre.reload()
    centre.get_by_test_id("city-verify-ok").click()
    callback(centre, 5)
    expect(centre.get_by_test_id("city-satisfaction")).to_contain_text("5/5")
    centre.get_by_test_id("city-close").click()
    state_is(centre, "closed")

    other = signed_in(new_page, base_url, OTHER)
    other.goto(event_url)
    expect(other.get_by_text(re.compile("not found"))).to_be_visible()
    expect(other.get_by_test_id("city-timeline")).to_have_count(0)
    auditor = signed_in(new_page, base_url, AUDITOR)
    auditor.goto(event_url)
    state_is(auditor, "closed")
    expect(auditor.get_by_test_id("city-actions").locator("button")).to_have_count(0)


def test_the_sensors_page_lists_kinds_the_sensors_to_visit_and_dead_letters(
    base_url: str, new_page: Any
) -> None:
    auditor = signed_in(new_page, base_url, AUDITOR)
    auditor.goto(f"{base_url}/console/city/sensors")
    expect(auditor.get_by_test_id("city-sensor-kinds")).to_contain_text("水位")
    visit = auditor.get_by_test_id("city-sensor-attention")
    expect(visit).to_contain_text("NS-001")
    expect(visit).to_contain_text("离线 · 低电量")
    expect(visit).not_to_contain_text("WL-000")
    expect(auditor.get_by_test_id("city-dead-counts")).to_have_text("value: 1")
    expect(auditor.get_by_test_id("city-dead-letters")).to_contain_text("not a number")
    expect(auditor.get_by_test_id("city-dead-purge")).to_have_count(0)  # read only
    centre = signed_in(new_page, base_url, CENTRE)
    centre.locator(".q-drawer").get_by_text("感知设备").click()
    centre.get_by_test_id("city-dead-purge").click()
    expect(centre.get_by_text("已清除 1 条死信")).to_be_visible()
    expect(centre.get_by_test_id("city-dead-counts")).to_have_text("暂无死信")
