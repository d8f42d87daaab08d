"""The plan API end to end: indicators, observations with corrections, imports, progress,
series, forecast and evaluations; who may call what."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from factories import login_as
from lingang.bootstrap import Platform
from lingang.types import SYSTEM, Role
from plan_fixtures import small_registry


def test_observe_correct_and_read_progress_over_http(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    platform.plan.load_registry(small_registry(tmp_path), actor=SYSTEM)
    planner = login_as(client, platform, Role.PLANNER)
    listed = client.get("/api/plan/indicators", params={"area": "innovation"}, headers=planner)
    assert listed.status_code == 200 and listed.json()["count"] == 2
    assert listed.json()["data"][0]["target_text"] == "≥ 10 个"
    added = client.post("/api/plan/observations", headers=planner,
                        json={"indicator_id": "output", "year": 2023, "value": 90,
                              "source": "统计年鉴"})  # fmt: skip
    assert added.status_code == 201, added.text
    again = client.post("/api/plan/observations", headers=planner,
                        json={"indicator_id": "output", "year": 2023, "value": 95,
                              "source": "x"})  # fmt: skip
    assert again.status_code == 409
    fixed = client.post(f"/api/plan/observations/{added.json()['id']}/correction",
                        headers=planner, json={"value": 160, "source": "修订"})  # fmt: skip
    assert fixed.status_code == 201 and fixed.json()["replaces"] == added.json()["id"]
    shown = client.get("/api/plan/indicators/output/progress", params={"year": 2023},
                       headers=planner).json()  # fmt: skip
    assert shown["status"] == "on_track" and shown["status_label"]["zh"] == "进度正常"
    assert abs(shown["ratio"] - 1.1406) < 1e-3
    history = client.get("/api/plan/indicators/output/observations", headers=planner).json()
    assert [o["value"] for o in history] == [90, 160]


def test_import_series_forecast_and_evaluation(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    platform.plan.load_registry(small_registry(tmp_path), actor=SYSTEM)
    planner = login_as(client, platform, Role.PLANNER)
    rows = [{"indicator_id": "firms", "year": y, "value": v, "source": "市场监管局"}
            for y, v in ((2021, 200), (2022, 400), (2023, 600))]  # fmt: skip
    bad = client.post("/api/plan/observations/import", headers=planner,
                      json={"rows": [*rows, {"indicator_id": "firms", "year": 2024}]})  # fmt: skip
    assert bad.status_code == 422 and "row 4: value" in bad.text
    done = client.post("/api/plan/observations/import", headers=planner, json={"rows": rows})
    assert done.status_code == 201 and done.json() == {"added": 3}
    series = client.get("/api/plan/indicators/firms/series", headers=planner).json()
    assert series["required"]["2023"] == 600 and series["progress"]["status"] == "on_track"
    forecast = client.get("/api/plan/indicators/firms/forecast", headers=planner).json()
    assert abs(forecast["value"] - 1000) < 1e-6 and forecast["year"] == 2025
    progress = client.get("/api/plan/progress", params={"year": 2023, "area": "innovation"},
                          headers=planner).json()  # fmt: skip
    assert {p["indicator_id"]: p["status"] for p in progress["data"]} == {
        "labs": "no_data", "firms": "on_track"}  # fmt: skip
    report = client.get("/api/plan/evaluations/midterm", headers=planner).json()
    assert (
        report["year"] == 2023 and report["total"] == 5 and report["title_zh"].endswith("中期评估")
    )
    assert client.get("/api/plan/evaluations/weekly", headers=planner).status_code == 422


def test_enterprises_may_not_read_and_officers_may_not_write(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    platform.plan.load_registry(small_registry(tmp_path), actor=SYSTEM)
    enterprise = login_as(client, platform, Role.ENTERPRISE)
    assert client.get("/api/plan/indicators", headers=enterprise).status_code == 403
    officer = login_as(client, platform, Role.CASE_OFFICER)
    assert client.get("/api/plan/progress?year=2023", headers=officer).status_code == 200
    refused = client.patch("/api/plan/indicators/labs", headers=officer, json={"target": 12})
    assert refused.status_code == 403
    admin = login_as(client, platform, Role.ADMIN)
    edited = client.patch("/api/plan/indicators/labs", headers=admin, json={"target": 12})
    assert edited.status_code == 200 and edited.json()["target"] == 12
    assert client.get("/api/plan/indicators/nope", headers=admin).status_code == 404
