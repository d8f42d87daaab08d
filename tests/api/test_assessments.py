"""Online assessment and rule-set governance through the API (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories import declaration_line, login_as
from lingang.bootstrap import Platform
from lingang.risk.assessments.events import AlertRaised
from lingang.types import Role


def declaration(item_no: int = 1, **changes: Any) -> dict[str, Any]:
    """A valid declaration line; a US-named supplier shipping 'from Vietnam' fires OL01."""
    return declaration_line(item_no, "223320250000012345", **changes)


def test_an_assessment_is_stored_with_its_hits_and_raises_an_alert(
    client: TestClient, platform: Platform
) -> None:
    alerts: list[AlertRaised] = []
    platform.bus.subscribe("test-alerts", [AlertRaised], lambda e: alerts.append(e))  # type: ignore[arg-type]
    officer = login_as(client, platform, Role.RISK_OFFICER)
    done = client.post("/api/assessments", headers=officer,
                       json={"dataset": "declarations", "record": declaration()})  # fmt: skip
    assert done.status_code == 201, done.text
    verdict = done.json()["assessments"][0]
    assert verdict["outcome"] == "review" and verdict["score"] == 60
    assert verdict["rule_set_version"] == 1 and verdict["top_scenario"] == "origin_laundering"
    assert verdict["hits"][0]["rule"] == "OL01"
    assert "Orbit Supply Inc." in verdict["hits"][0]["reason_zh"]
    assert verdict["record_key"] == "223320250000012345/1"
    platform.relay.flush()  # the background relay may not have run yet
    assert platform.bus.wait_idle(5)
    assert [a.assessment_id for a in alerts] == [verdict["id"]]
    clean = client.post("/api/assessments", headers=officer, json={
        "dataset": "declarations", "record": declaration(2, origin_country="US",
                                                          departure_country="US")})  # fmt: skip
    assert clean.json()["assessments"][0]["outcome"] == "pass"
    feed = client.get("/api/assessments", headers=officer, params={"outcome": "review"}).json()
    assert [a["id"] for a in feed] == [verdict["id"]]
    one = client.get(f"/api/assessments/{verdict['id']}", headers=officer).json()
    assert one["record"]["declared_on"] == "2025-03-03"


def test_a_bad_record_is_refused_by_name_and_nothing_of_the_batch_is_stored(
    client: TestClient, platform: Platform
) -> None:
    officer = login_as(client, platform, Role.RISK_OFFICER)
    batch = [declaration(1), declaration(2, hs_code="12AB"), declaration(3)]
    refused = client.post("/api/assessments", headers=officer,
                          json={"dataset": "declarations", "records": batch})  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["fields"] == [
        {"field": "records[1].hs_code", "reason": "'12AB' must be 6, 8 or 10 digits"}
    ]
    assert client.get("/api/assessments", headers=officer).json() == []
    for body, field in (
        ({"dataset": "tweets", "record": declaration()}, "dataset"),
        ({"dataset": "declarations", "record": declaration(colour="red")}, "colour"),
        ({"dataset": "declarations", "record": declaration(declared_value=-1)}, "declared_value"),
        ({"dataset": "declarations", "record": declaration(declared_on="3 March")}, "declared_on"),
        ({"dataset": "declarations"}, "record"),
    ):
        answer = client.post("/api/assessments", headers=officer, json=body)
        assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == field
    done = client.post("/api/assessments", headers=officer,
                       json={"dataset": "declarations", "records": [declaration(1)]})  # fmt: skip
    assert done.status_code == 201 and len(done.json()["assessments"]) == 1


def test_a_batch_can_answer_with_summaries(client: TestClient, platform: Platform) -> None:
    officer = login_as(client, platform, Role.RISK_OFFICER)
    batch = [declaration(1), declaration(2, origin_country="US", departure_country="US")]
    answer = client.post("/api/assessments", headers=officer, params={"detail": "summary"},
                         json={"dataset": "declarations", "records": batch})  # fmt: skip
    assert answer.status_code == 201
    first, second = answer.json()["assessments"]
    assert set(first) == {"id", "record_key", "score", "outcome", "top_scenario", "rules",
                          "rule_set_version"}  # fmt: skip
    assert (first["outcome"], first["rules"], second["outcome"]) == ("review", ["OL01"], "pass")
    full = client.get(f"/api/assessments/{first['id']}", headers=officer).json()
    assert full["hits"][0]["rule"] == "OL01"
    odd = client.post("/api/assessments", headers=officer, params={"detail": "some"},
                      json={"dataset": "declarations", "records": batch})  # fmt: skip
    assert odd.status_code == 422 and odd.json()["fields"][0]["field"] == "query.detail"
    assert "AssessmentSummaries" in client.get("/api/openapi.json").text


def test_who_may_assess_and_read(client: TestClient, platform: Platform) -> None:
    body = {"dataset": "declarations", "record": declaration()}
    for role, post, read in ((Role.CASE_OFFICER, 403, 200), (Role.ENTERPRISE, 403, 403),
                             (Role.PLANNER, 403, 403), (Role.ADMIN, 201, 200)):  # fmt: skip
        headers = login_as(client, platform, role)
        assert client.post("/api/assessments", headers=headers, json=body).status_code == post
        assert client.get("/api/assessments", headers=headers).status_code == read
    assert client.post("/api/assessments", json=body).status_code == 401


def _draft_with(client: TestClient, headers: dict[str, str], weight: float) -> int:
    published = client.get("/api/risk/rule-sets/1", headers=headers).json()["document"]
    for scenario in published["scenarios"]:
        for rule in scenario["rules"]:
            if rule["id"] == "OL01":
                rule["weight"] = weight
    body = {"document": published, "note": "raise OL01", "based_on": 1}
    made = client.post("/api/risk/rule-sets", headers=headers, json=body)
    assert made.status_code == 201, made.text
    return int(made.json()["version"])


def test_publishing_needs_a_second_officer(client: TestClient, platform: Platform) -> None:
    author = login_as(client, platform, Role.RISK_OFFICER)
    second = login_as(client, platform, Role.RISK_OFFICER)
    version = _draft_with(client, author, 80)
    assert (
        client.post(f"/api/risk/rule-sets/{version}/approve", headers=second, json={}).status_code
        == 409
    )  # a draft is not yet submitted
    assert client.post(f"/api/risk/rule-sets/{version}/submit", headers=second).status_code == 403
    assert client.post(f"/api/risk/rule-sets/{version}/submit", headers=author).status_code == 200
    own = client.post(f"/api/risk/rule-sets/{version}/approve", headers=author, json={})
    assert own.status_code == 403 and "second officer" in own.json()["message"]
    approved = client.post(f"/api/risk/rule-sets/{version}/approve", headers=second,
                           json={"note": "回测通过"})  # fmt: skip
    assert approved.json()["status"] == "published"
    versions = {v["version"]: v["status"] for v in
                client.get("/api/risk/rule-sets", headers=author).json()}  # fmt: skip
    assert versions == {1: "retired", version: "published"}
    one = {"dataset": "declarations", "record": declaration()}
    verdict = client.post("/api/assessments", headers=author, json=one).json()
    assert verdict["assessments"][0]["rule_set_version"] == version
    assert verdict["assessments"][0]["outcome"] == "hold"
    admin = login_as(client, platform, Role.ADMIN)
    records = client.get("/api/audit/records", headers=admin).json()["data"]
    actions = {r["action"] for r in records}
    assert {"risk.publish_rule_set", "risk.submit_rule_set", "risk.draft_rule_set"} <= actions


def test_rejection_needs_a_reason_and_bad_documents_are_refused(
    client: TestClient, platform: Platform
) -> None:
    author = login_as(client, platform, Role.RISK_OFFICER)
    second = login_as(client, platform, Role.ADMIN)
    version = _draft_with(client, author, 50)
    client.post(f"/api/risk/rule-sets/{version}/submit", headers=author)
    assert client.post(f"/api/risk/rule-sets/{version}/reject", headers=second,
                       json={"note": " "}).status_code == 422  # fmt: skip
    rejected = client.post(f"/api/risk/rule-sets/{version}/reject", headers=second,
                           json={"note": "权重过高"})  # fmt: skip
    assert rejected.json()["status"] == "rejected"
    document = client.get("/api/risk/rule-sets/1", headers=author).json()["document"]
    document["scenarios"][0]["rules"][0]["expression"] = "no_such_field > 1"
    bad = client.post("/api/risk/rule-sets", headers=author, json={"document": document})
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "scenarios[0].rules[0].expression"
    planner = login_as(client, platform, Role.PLANNER)
    assert client.post("/api/risk/rule-sets", headers=planner,
                       json={"document": document}).status_code == 403  # fmt: skip


def test_a_candidate_runs_in_shadow_and_the_differences_are_reported(
    client: TestClient, platform: Platform
) -> None:
    author = login_as(client, platform, Role.RISK_OFFICER)
    version = _draft_with(client, author, 80)
    shadow = client.put("/api/risk/rule-sets/shadow", headers=author, json={"version": version})
    assert shadow.status_code == 200 and shadow.json()["shadow"] is True
    for item in (1, 2):
        client.post("/api/assessments", headers=author,
                    json={"dataset": "declarations", "record": declaration(item)})  # fmt: skip
    report = client.get(f"/api/risk/rule-sets/{version}/shadow-report", headers=author).json()
    assert report["assessed"] == 2 and report["transitions"] == {"review→hold": 2}
    feed = client.get("/api/assessments", headers=author).json()
    assert {(a["outcome"], a["shadow_outcome"], a["rule_set_version"]) for a in feed} == {
        ("review", "hold", 1)
    }
    assert client.put("/api/risk/rule-sets/shadow", headers=author,
                      json={"version": 1}).status_code == 409  # the published one  # fmt: skip
    assert client.put("/api/risk/rule-sets/shadow", headers=author,
                      json={"version": None}).json() is None  # fmt: skip
