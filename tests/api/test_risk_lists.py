"""Risk lists through the API: created, edited at run time, read as of a past time, audited."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from factories import login_as
from lingang.bootstrap import Platform
from lingang.demo import demo_uscc
from lingang.types import Role

COUNTRIES = {"name": "high_risk_origins", "kind": "block", "element_type": "country",
             "description_zh": "高风险原产国", "description_en": "High-risk origins"}  # fmt: skip


def test_lists_are_edited_at_run_time_with_history(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    assert client.post("/api/risk/lists", headers=headers, json=COUNTRIES).status_code == 201
    added = client.post("/api/risk/lists/high_risk_origins/values", headers=headers,
                        json={"values": ["kp", " IR ", "SY"], "note": "情报通报"})  # fmt: skip
    assert added.json()["values"] == ["IR", "KP", "SY"] and added.json()["version"] == 1
    before_removal = client.get("/api/risk/lists/high_risk_origins/history", headers=headers)
    cut = before_removal.json()["data"][-1]["at"]
    time.sleep(0.01)
    removed = client.post("/api/risk/lists/high_risk_origins/removals", headers=headers,
                          json={"values": ["SY"], "note": "解除"})  # fmt: skip
    assert removed.json()["values"] == ["IR", "KP"] and removed.json()["version"] == 2
    then = client.get("/api/risk/lists/high_risk_origins", headers=headers, params={"as_of": cut})
    assert then.json()["values"] == ["IR", "KP", "SY"]
    history = client.get("/api/risk/lists/high_risk_origins/history", headers=headers).json()
    assert [(c["value"], c["action"]) for c in history["data"]][-1] == ("SY", "removed")
    assert platform.risk_lists.snapshot()["high_risk_origins"] == frozenset({"IR", "KP"})


def test_values_are_checked_against_the_element_type(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    for body in (COUNTRIES, {"name": "shell_suspects", "kind": "block", "element_type": "uscc"}):
        client.post("/api/risk/lists", headers=headers, json=body)
    bad = client.post("/api/risk/lists/high_risk_origins/values", headers=headers,
                      json={"values": ["IR", "Iran"]})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["fields"] == [
        {"field": "values[1]", "reason": "'Iran' is not an ISO 3166-1 alpha-2 code"}
    ]
    assert client.get("/api/risk/lists/high_risk_origins", headers=headers).json()["values"] == []
    wrong_check = demo_uscc(3)[:-1] + ("0" if demo_uscc(3)[-1] != "0" else "1")
    uscc = client.post("/api/risk/lists/shell_suspects/values", headers=headers,
                       json={"values": [wrong_check]})  # fmt: skip
    assert uscc.status_code == 422 and "GB 32100" in uscc.json()["message"]


def test_only_risk_officers_and_admins_edit(client: TestClient, platform: Platform) -> None:
    officer = login_as(client, platform, Role.RISK_OFFICER)
    client.post("/api/risk/lists", headers=officer, json=COUNTRIES)
    planner = login_as(client, platform, Role.PLANNER)
    assert client.get("/api/risk/lists", headers=planner).status_code == 200
    denied = client.post("/api/risk/lists/high_risk_origins/values", headers=planner,
                         json={"values": ["IR"]})  # fmt: skip
    assert denied.status_code == 403
    enterprise = login_as(client, platform, Role.ENTERPRISE)
    assert client.get("/api/risk/lists", headers=enterprise).status_code == 403


def test_duplicates_and_unknown_lists(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    assert client.post("/api/risk/lists", headers=headers, json=COUNTRIES).status_code == 201
    assert client.post("/api/risk/lists", headers=headers, json=COUNTRIES).status_code == 409
    assert client.get("/api/risk/lists/nope_list", headers=headers).status_code == 404
    bad_name = client.post(
        "/api/risk/lists", headers=headers, json={**COUNTRIES, "name": "Bad Name"}
    )
    assert bad_name.status_code == 422 and bad_name.json()["fields"][0]["field"] == "name"


def test_changes_are_audited(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    client.post("/api/risk/lists", headers=headers, json=COUNTRIES)
    client.post("/api/risk/lists/high_risk_origins/values", headers=headers,
                json={"values": ["IR"]})  # fmt: skip
    auditor = login_as(client, platform, Role.AUDITOR)
    actions = [
        r["action"] for r in client.get("/api/audit/records", headers=auditor).json()["data"]
    ]
    assert "risk.add_list_values" in actions and "risk.create_list" in actions
    assert client.post("/api/audit/verify", headers=auditor).json()["ok"] is True
