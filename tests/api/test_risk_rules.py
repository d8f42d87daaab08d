"""Rules through the API: checked as typed (errors point at line and column), tried on the lake."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import login_as
from lingang.bootstrap import Platform
from lingang.simulate import Target, ZoneParams, plan_zone, run_simulation
from lingang.types import SYSTEM, Role

REPO = Path(__file__).resolve().parents[2]
YEAR = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture
def zone(platform: Platform) -> Platform:
    """A small simulated zone in the lake."""
    path = platform.settings.hs_nomenclature
    plan = plan_zone(ZoneParams(enterprises=30, days=40, seed=5),
                     path if path.is_absolute() else REPO / path)  # fmt: skip
    run_simulation(plan, target=Target(platform.entities, platform.lake,
                                       platform.settings.data_dir, SYSTEM))  # fmt: skip
    return platform


def test_a_syntax_error_points_at_line_and_column(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    response = client.post("/api/risk/rules/check", headers=headers,
                           json={"source": "declared_value >\n  and quantity > 1"})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "rule"
    assert response.json()["fields"][0]["reason"].startswith("line 2, column ")


def test_a_type_error_names_the_field(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    response = client.post("/api/risk/rules/check", headers=headers,
                           json={"source": "declared_value > 'abc'"})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "declared_value"


def test_a_rule_may_use_risk_lists(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    client.post(
        "/api/risk/lists",
        headers=headers,
        json={"name": "high_risk_origins", "kind": "block", "element_type": "country"},
    )
    ok = client.post(
        "/api/risk/rules/check",
        headers=headers,
        json={"source": "in_list('high_risk_origins', origin_country)"},
    )
    assert ok.status_code == 200 and ok.json()["lists"] == ["high_risk_origins"]
    unknown = client.post(
        "/api/risk/rules/check",
        headers=headers,
        json={"source": "in_list('no_such_list', origin_country)"},
    )
    assert unknown.status_code == 422


def test_a_trial_counts_hits_per_day_and_agrees_with_python(
    client: TestClient, zone: Platform
) -> None:
    headers = login_as(client, zone, Role.RISK_OFFICER)
    source = "declared_value > 100000 and direction = 'import'"
    trial = client.post("/api/risk/rules/trial", headers=headers,
                        json={"source": source, **YEAR}).json()  # fmt: skip
    rows = zone.lake.store.sql("SELECT * FROM declarations").to_pylist()
    rule = zone.risk.check_rule(source, actor=SYSTEM)
    assert trial["rows"] == len(rows) > 0
    assert trial["hits"] == sum(1 for r in rows if rule.fires(r)) > 0
    assert sum(d["hits"] for d in trial["days"]) == trial["hits"]


def test_only_rule_authors_may_check_or_try(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.PLANNER)
    check = {"source": "declared_value > 1"}
    assert client.post("/api/risk/rules/check", headers=headers, json=check).status_code == 403
    trial = {**check, **YEAR}
    assert client.post("/api/risk/rules/trial", headers=headers, json=trial).status_code == 403
    backwards = {"source": "declared_value > 1", "start": "2025-02-01", "end": "2025-01-01"}
    officer = login_as(client, platform, Role.RISK_OFFICER)
    response = client.post("/api/risk/rules/trial", headers=officer, json=backwards)
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "end"
