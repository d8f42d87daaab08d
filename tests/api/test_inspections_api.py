"""双随机、一公开 through the API (SQLite and PostgreSQL): a credit officer draws, the public
reads and verifies the record without signing in, published results reach the credit record."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import login_as, make_enterprise
from lingang.bootstrap import Platform
from lingang.inspections import draw as drawing
from lingang.types import Role

TEAM = "市场监管执法一队"
ONLY_B = {"A": 0.0, "B": 1.0, "C": 0.0, "D": 0.0}  # every enterprise is ungraded: class B


def test_a_draw_is_public_and_verifiable_and_its_results_reach_the_credit_record(
    client: TestClient, platform: Platform
) -> None:
    firms = [make_enterprise(platform) for _ in range(3)]
    officer = login_as(client, platform, Role.CREDIT_OFFICER)
    assert client.get("/api/public/inspections").json() == []
    item = client.post("/api/inspections/items", headers=officer, json={
        "code": "SJ-001", "name_zh": "营业执照检查", "name_en": "Business licence",
        "department": TEAM})  # fmt: skip
    assert item.status_code == 201, item.text
    staff = client.post("/api/inspections/inspectors/import", headers=officer, json={"rows": [
        {"id": f"I-{n}", "name": f"检查员{n}", "department": TEAM} for n in range(3)]})  # fmt: skip
    assert staff.status_code == 201, staff.text
    made = client.post("/api/inspections/plans", headers=officer,
                       json={"year": 2026, "item_code": "SJ-001", "rates": ONLY_B})  # fmt: skip
    assert made.status_code == 201, made.text
    plan_id = made.json()["id"]
    assert made.json()["status_label"] == {"zh": "草稿", "en": "Draft"}

    committed = client.post(f"/api/inspections/plans/{plan_id}/commit", headers=officer).json()
    announcement = committed["announcement"]
    assert committed["seed"] is None and committed["ungraded"] == 3
    assert client.get(f"/api/public/inspections/{plan_id}").status_code == 404
    again = client.post(f"/api/inspections/plans/{plan_id}/commit", headers=officer)
    assert again.status_code == 409

    drawn = client.post(f"/api/inspections/plans/{plan_id}/draw", headers=officer).json()
    assert drawn["status"] == "drawn" and drawn["publish_by"] is not None
    assert sorted(drawn["result"]["selected"]) == sorted(f.uscc for f in firms)
    record = client.get(f"/api/public/inspections/{plan_id}")
    assert record.status_code == 200
    body = record.json()
    assert body["seed"] == drawn["seed"] and body["announcement"] == announcement
    assert drawing.verify_draw(body, body["seed"], announcement).ok

    target = firms[0].uscc
    result = client.post(f"/api/inspections/plans/{plan_id}/results", headers=officer,
                         json={"uscc": target, "outcome": "issues_found",
                               "finding": "未按规定公示年度报告"})  # fmt: skip
    assert result.status_code == 201, result.text
    [listed] = client.get("/api/public/inspections").json()
    assert listed["seed"] == drawn["seed"] and listed["results"] == []
    published = client.post(f"/api/inspections/plans/{plan_id}/publish", headers=officer)
    assert published.status_code == 200, published.text
    assert published.json()["plan"]["status"] == "results_published"
    [listed] = client.get("/api/public/inspections", params={"year": 2026}).json()
    assert [r["outcome_label"]["zh"] for r in listed["results"]] == ["发现问题"]
    records = client.get(f"/api/enterprises/{target}/credit-records", headers=officer).json()
    from_inspection = [r for r in records["data"] if r["source"] == "inspections"]
    assert [r["source_ref"] for r in from_inspection] == [f"{plan_id}/{target}"]
    assert from_inspection[0]["details"]["polarity"] == "negative"


def test_who_may_use_the_inspection_api(client: TestClient, platform: Platform) -> None:
    officer = login_as(client, platform, Role.CREDIT_OFFICER)
    bad = client.post("/api/inspections/items/import", headers=officer, json={"rows": [
        {"code": "SJ-1", "name_zh": "检查", "name_en": "Check", "department": TEAM},
        {"code": "SJ-2", "name_zh": "", "name_en": "Check", "department": TEAM}]})  # fmt: skip
    assert bad.status_code == 422
    assert [f["field"] for f in bad.json()["fields"]] == ["rows[1].name_zh"]
    assert client.get("/api/inspections/items", headers=officer).json() == []
    assert client.get("/api/inspections/items").status_code == 401
    enterprise = login_as(client, platform, Role.ENTERPRISE)
    assert client.get("/api/inspections/plans", headers=enterprise).status_code == 403
    auditor = login_as(client, platform, Role.AUDITOR)
    assert client.get("/api/inspections/plans", headers=auditor).status_code == 200
    refused = client.post("/api/inspections/plans", headers=auditor,
                          json={"year": 2026, "item_code": "SJ-1"})  # fmt: skip
    assert refused.status_code == 403
    assert client.get("/api/public/inspections/2026-nothing").status_code == 404
