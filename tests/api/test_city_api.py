"""一网统管 through the API (SQLite and PostgreSQL): a ticket through the loop, the doors
(401/403/404/409/422), the grid map, and Open311 GeoReport v2 with its error format."""

from __future__ import annotations

from fastapi.testclient import TestClient

from city_fixtures import MUNICIPAL, city_classifier, operator
from factories import PASSWORD, bearer, login_as
from lingang.bootstrap import Platform
from lingang.types import Role

__all__ = ["city_classifier"]
TICKET = {"text": "井盖松动，有安全隐患", "lat": 30.9001, "lon": 121.9302,
          "address": "环湖西二路88号", "caller_phone": "13800000000"}  # fmt: skip


def headers(client: TestClient, platform: Platform, department: str | None = None
            ) -> dict[str, str]:  # fmt: skip
    actor = operator(platform, department) if department else operator(platform)
    return bearer(client, actor.username, PASSWORD)


def test_a_ticket_goes_through_the_loop(
    client: TestClient, platform: Platform, city_classifier: object
) -> None:
    centre, unit = headers(client, platform), headers(client, platform, MUNICIPAL)
    made = client.post("/api/city/tickets", headers=centre, json=TICKET)
    assert made.status_code == 201, made.text
    event = made.json()["event"]
    assert event["state"] == "pending" and event["suggestions"][0]["code"] == "P0101"
    event_id = event["id"]
    base = f"/api/city/events/{event_id}"
    filed = client.post(f"{base}/file", headers=centre, json={"category": "P0101"})
    assert filed.status_code == 200, filed.text
    sent = client.post(f"{base}/dispatch", headers=centre, json={}).json()
    assert sent["unit"] == MUNICIPAL and sent["dispatch_reason"].startswith("rule 3")
    assert client.post(f"{base}/handle", headers=unit, json={"note": "到场"}).status_code == 200
    done = client.post(f"{base}/done", headers=unit, json={"reason": "已更换"})
    assert done.json()["state"] == "done"
    assert client.post(f"{base}/verify", headers=centre, json={"ok": True}).status_code == 200
    unhappy = client.post(f"{base}/callback", headers=centre, json={"score": 1, "note": "仍松"})
    assert unhappy.json()["state"] == "dispatched" and unhappy.json()["reopen_count"] == 1
    detail = client.get(base, headers=unit).json()
    assert detail["steps"][-1]["action"] == "reopen"
    queue = client.get("/api/city/queue", headers=unit).json()
    assert [e["id"] for e in queue] == [event_id]
    kpis = client.get("/api/city/kpis", headers=centre).json()
    assert kpis["by_category"] == {"P0101": 1} and kpis["satisfaction_rate"] == 0.0
    grids = client.get("/api/city/grids", headers=centre).json()
    assert grids["type"] == "FeatureCollection" and len(grids["features"]) >= 20
    lake = next(f for f in grids["features"] if f["properties"]["id"] == "LG-G15")
    assert lake["properties"]["open_events"] == 1


def test_the_doors(client: TestClient, platform: Platform, city_classifier: object) -> None:
    centre, unit = headers(client, platform), headers(client, platform, MUNICIPAL)
    assert client.get("/api/city/queue").status_code == 401
    firm = login_as(client, platform, Role.ENTERPRISE)
    assert client.get("/api/city/queue", headers=firm).status_code == 403
    bad = client.post("/api/city/tickets", headers=centre, json={**TICKET, "request_type": "x"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "request_type"
    event_id = client.post("/api/city/tickets", headers=centre, json=TICKET).json()["event"]["id"]
    base = f"/api/city/events/{event_id}"
    assert client.get(base, headers=unit).status_code == 404  # not the unit's order
    assert client.get("/api/city/events/999999", headers=centre).status_code == 404
    early = client.post(f"{base}/close", headers=centre, json={})
    assert early.status_code == 409 and "allowed: file" in early.json()["message"]
    wrong = client.post(f"{base}/file", headers=centre, json={"category": "P9999"})
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "category"
    client.post(f"{base}/file", headers=centre, json={"category": "P0101"})
    assert client.post(f"{base}/dispatch", headers=unit, json={}).status_code == 403
    client.post(f"{base}/dispatch", headers=centre, json={"designated": True})
    refused = client.post(f"{base}/return", headers=unit, json={"reason": "不归我们"})
    assert refused.status_code == 409 and "designated" in refused.json()["message"]
    auditor = login_as(client, platform, Role.AUDITOR)
    assert client.get(base, headers=auditor).status_code == 200
    assert client.post(f"{base}/handle", headers=auditor, json={}).status_code == 403


def test_open311_lists_services_takes_and_lists_requests(
    client: TestClient, platform: Platform, city_classifier: object
) -> None:
    services = client.get("/open311/v2/services.json").json()
    manhole = next(s for s in services if s["service_code"] == "P0101")
    assert manhole["service_name"] == "井盖" and manhole["type"] == "realtime"
    token = headers(client, platform)["Authorization"].removeprefix("Bearer ")
    form = {"api_key": token, "service_code": "P0101", "lat": "30.9001", "long": "121.9302",
            "address_string": "环湖西二路88号", "description": "井盖松动，有安全隐患",
            "first_name": "三", "last_name": "张", "phone": "13800000000"}  # fmt: skip
    made = client.post("/open311/v2/requests.json", data=form)
    assert made.status_code == 200, made.text
    request_id = made.json()[0]["service_request_id"]
    one = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert one[0]["status"] == "open" and one[0]["service_code"] == "P0101"
    assert one[0]["agency_responsible"] == "城运中心" and "phone" not in one[0]
    assert one[0]["requested_datetime"].endswith("+08:00")
    listed = client.get("/open311/v2/requests.json", params={"status": "open"}).json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert client.get("/open311/v2/requests.json", params={"status": "closed"}).json() == []
    missing = client.get("/open311/v2/requests/999999.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    no_key = client.post("/open311/v2/requests.json", data={**form, "api_key": ""})
    assert no_key.status_code == 401 and "api_key" in no_key.json()[0]["description"]
    bad_code = client.post("/open311/v2/requests.json", data={**form, "service_code": "Z1"})
    assert bad_code.status_code == 404 and bad_code.json()[0]["code"] == 404
    no_place = client.post("/open311/v2/requests.json", data={**form, "lat": ""})
    assert no_place.status_code == 400
    assert no_place.json() == [{"code": 400, "description": no_place.json()[0]["description"]}]
    firm = login_as(client, platform, Role.ENTERPRISE)["Authorization"].removeprefix("Bearer ")
    refused = client.post("/open311/v2/requests.json", data={**form, "api_key": firm})
    assert refused.status_code == 403
    bad_status = client.get("/open311/v2/requests.json", params={"status": "pending"})
    assert bad_status.status_code == 400 and bad_status.json()[0]["code"] == 400


def test_sensors_and_dead_letters_through_the_api(
    client: TestClient, platform: Platform
) -> None:
    from lingang.city.sensors import database_pipeline
    from lingang.city.sensors.simulate import Scenario, place_fleet, run_in_process

    clean = Scenario(minutes=1, storm=True, seed=3)  # every sensor registers
    fleet = place_fleet(40, clean)
    run_in_process(database_pipeline(platform.database, platform.city.file_sensor_alarms),
                   fleet, clean)  # fmt: skip
    noisy = Scenario(minutes=2, storm=True, bad_share=0.05, seed=3)
    pipeline = database_pipeline(platform.database, platform.city.file_sensor_alarms)
    report = run_in_process(pipeline, fleet, noisy)
    assert report.malformed > 0
    centre = headers(client, platform)
    sensors = client.get("/api/city/sensors", headers=centre)
    assert sensors.status_code == 200, sensors.text
    assert len(sensors.json()) == 40 and all(s["grid"] for s in sensors.json())
    gauges = client.get("/api/city/sensors", headers=centre, params={"kind": "water_level"})
    assert gauges.json() and {s["kind"] for s in gauges.json()} == {"water_level"}
    assert client.get("/api/city/sensors", headers=centre, params={"limit": 0}).status_code == 422
    letters = client.get("/api/city/dead-letters", headers=centre).json()
    assert sum(letters["counts"].values()) == report.malformed == len(letters["letters"])
    first = letters["letters"][0]
    assert first["reason"] and first["field"] and first["encoding"] in {"utf-8", "base64"}
    one_field = client.get("/api/city/dead-letters", headers=centre,
                           params={"field": first["field"], "limit": 1}).json()  # fmt: skip
    assert [x["field"] for x in one_field["letters"]] == [first["field"]]
    auditor = login_as(client, platform, Role.AUDITOR)
    assert client.get("/api/city/dead-letters", headers=auditor).status_code == 200
    purge = {"older_than_days": 0}
    assert client.delete("/api/city/dead-letters", headers=auditor, params=purge).status_code == 403
    firm = login_as(client, platform, Role.ENTERPRISE)
    assert client.get("/api/city/sensors", headers=firm).status_code == 403
    assert client.get("/api/city/dead-letters").status_code == 401
    assert client.delete("/api/city/dead-letters", headers=centre).status_code == 422
    purged = client.delete("/api/city/dead-letters", headers=centre, params=purge)
    assert purged.json() == {"purged": report.malformed}
    assert client.get("/api/city/dead-letters", headers=centre).json()["counts"] == {}
    records = client.get("/api/audit/records", headers=auditor).json()["data"]
    assert any(r["action"] == "city.purge_dead_letters" for r in records)
