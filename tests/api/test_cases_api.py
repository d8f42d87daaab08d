"""Case management through the API (SQLite and PostgreSQL): a hold assessment becomes a case
through the in-process bus, and the case goes all the way to a four-eyes closure."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, bearer, declaration_line, login_as, make_enterprise
from lingang.bootstrap import Platform, subscribe_case_intake
from lingang.demo import demo_uscc
from lingang.types import SYSTEM, Role
from lingang.workdays import SHANGHAI

_names = itertools.count(1)
ACME = demo_uscc(11)  # the enterprise of factories.declaration_line


def officer(
    client: TestClient, platform: Platform, department: str | None = None
) -> dict[str, str]:
    """A case officer of ``department`` (default: where unrouted cases go) and its header."""
    unit = department or platform.cases.routing.default
    name = f"case-officer-{next(_names)}"
    platform.auth.create_user(name, PASSWORD, Role.CASE_OFFICER, actor=SYSTEM, department=unit)
    return bearer(client, name) | {"X-Username": name}


def hold_assessment(client: TestClient, platform: Platform) -> dict[str, Any]:
    """A declaration from a sanctioned origin (OL02, weight 80): a hold verdict."""
    record = declaration_line(origin_country="KP", departure_country="KP")
    done = client.post("/api/assessments", headers=login_as(client, platform, Role.RISK_OFFICER),
                       json={"dataset": "declarations", "record": record})  # fmt: skip
    assert done.status_code == 201, done.text
    verdict: dict[str, Any] = done.json()["assessments"][0]
    assert verdict["outcome"] == "hold", verdict
    platform.relay.flush()  # the background relay may not have run yet
    assert platform.bus.wait_idle(5)
    return verdict


def fields(answer: Any) -> list[str]:
    return [f["field"] for f in answer.json()["fields"]]


def test_a_hold_assessment_becomes_a_case_closed_by_two_officers(
    client: TestClient, platform: Platform
) -> None:
    first, second = officer(client, platform), officer(client, platform)
    verdict = hold_assessment(client, platform)

    [case] = client.get("/api/cases", headers=first).json()
    assert case["enterprise_uscc"] == ACME and case["scenario"] == "origin_laundering"
    assert (case["state"], case["state_label"]) == ("new", {"zh": "新建", "en": "New"})
    assert case["department"] == platform.cases.routing.default
    assert case["sla"]["status"] in ("on_track", "due_soon")
    assert case["sla"]["remaining_working_days"] >= 0
    assert case["allowed_moves"] == ["triage", "investigating"]
    case_id = case["id"]
    page = client.get(f"/api/cases/{case_id}", headers=first).json()
    assert [a["reference"] for a in page["alerts"]] == [verdict["id"]]
    assert page["alerts"][0]["rules"] == ["OL02"] and page["alerts"][0]["risk_outcome"] == "hold"

    url = f"/api/cases/{case_id}"
    assigned = client.post(f"{url}/assign", headers=first, json={"username": first["X-Username"]})
    assert assigned.status_code == 200 and assigned.json()["assignee"] == first["X-Username"]
    mine = client.get("/api/cases", headers=first, params={"assignee": first["X-Username"]})
    assert [c["id"] for c in mine.json()] == [case_id]
    assert client.get("/api/cases", headers=first, params={"assignee": "nobody"}).json() == []
    moved = client.post(f"{url}/move", headers=first, json={"to": "investigating", "note": "立案"})
    assert moved.json()["state_label"]["zh"] == "核查中"
    paused = client.post(f"{url}/pause", headers=first, json={"note": "电话联系企业"})
    assert paused.status_code == 200, paused.text
    assert paused.json()["sla"]["paused"] is True and paused.json()["sla"]["status"] == "paused"
    resumed = client.post(f"{url}/resume", headers=first)  # no body: the note is optional
    assert resumed.status_code == 200 and resumed.json()["sla"]["paused"] is False
    due = (dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=7)).isoformat()
    task = client.post(f"{url}/tasks", headers=first, json={
        "kind": "information_request", "title": "请企业提供原产地证明", "due_on": due})  # fmt: skip
    assert task.status_code == 201, task.text
    assert task.json()["to_enterprise"] is True
    assert task.json()["kind_label"] == {"zh": "要求企业补充材料", "en": "Request for information"}
    waiting = client.get(url, headers=first).json()["case"]["sla"]
    assert waiting["paused"] is True  # the request to the enterprise pauses the clock
    disposal = {"penalty_rmb": "12000.50", "duty_recovered_rmb": 3400,
                "goods_seized": "电子元件 20 箱"}  # fmt: skip
    closing = {"outcome": "confirmed_violation", "disposal": disposal}
    blocked = client.post(f"{url}/closure", headers=first, json=closing)
    assert blocked.status_code == 409 and "open task" in blocked.json()["message"]
    finished = client.post(f"/api/cases/tasks/{task.json()['id']}/finish", headers=first,
                           json={"result": "原产地证明已提交，与申报不符"})  # fmt: skip
    assert finished.json()["status"] == "done"
    assert client.get(url, headers=first).json()["case"]["sla"]["paused"] is False

    pending = client.post(f"{url}/closure", headers=first, json=closing)
    assert pending.status_code == 200, pending.text
    assert pending.json()["state"] == "pending_approval"
    own = client.post(f"{url}/approve", headers=first, json={})
    assert own.status_code == 403 and "second officer" in own.json()["message"]
    closed = client.post(f"{url}/approve", headers=second, json={"note": "同意"})
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["state"] == "closed" and body["closure_approved_by"] == second["X-Username"]
    assert body["outcome_label"] == {"zh": "确认违规", "en": "Confirmed violation"}
    assert body["disposal"] == {"penalty_rmb": "12000.50", "duty_recovered_rmb": "3400.00",
                                "goods_seized": "电子元件 20 箱"}  # fmt: skip
    assert body["sla"]["status"] == "stopped"

    page = client.get(url, headers=second).json()
    assert [a["label"] for a in page["alerts"]] == ["confirmed_violation"]
    kinds = [entry["kind"] for entry in page["timeline"]]
    assert kinds[0] == "opened" and kinds[-1] == "closed"
    assert {"assigned", "moved", "task_added", "paused", "resumed", "task_done",
            "closure_requested"} <= set(kinds)  # fmt: skip
    assert client.get("/api/cases", headers=first).json() == []
    closed_list = client.get("/api/cases", headers=first, params={"state": "closed"}).json()
    assert [c["id"] for c in closed_list] == [case_id]


def test_departments_and_tenants_are_kept_apart(client: TestClient, platform: Platform) -> None:
    ours = officer(client, platform)
    theirs = officer(client, platform, department="查验一处")
    hold_assessment(client, platform)
    [case] = client.get("/api/cases", headers=ours).json()
    url = f"/api/cases/{case['id']}"
    assert client.get("/api/cases", headers=theirs).json() == []
    assert client.get(url, headers=theirs).status_code == 404
    assert client.get("/api/cases/999999", headers=ours).status_code == 404
    moved = client.post(f"{url}/move", headers=theirs, json={"to": "triage"})
    assert moved.status_code == 404
    enterprise = login_as(client, platform, Role.ENTERPRISE)
    for answer in (
        client.get("/api/cases", headers=enterprise),
        client.get(url, headers=enterprise),
        client.post(f"{url}/move", headers=enterprise, json={"to": "triage"}),
    ):
        assert answer.status_code in (403, 404), answer.text
    auditor = login_as(client, platform, Role.AUDITOR)
    assert client.get(url, headers=auditor).status_code == 200
    assert client.post(f"{url}/pause", headers=auditor).status_code == 403
    assert client.get("/api/cases").status_code == 401


def test_bad_bodies_name_the_field_and_illegal_moves_name_the_allowed_ones(
    client: TestClient, platform: Platform
) -> None:
    ours = officer(client, platform)
    hold_assessment(client, platform)
    [case] = client.get("/api/cases", headers=ours).json()
    url = f"/api/cases/{case['id']}"
    illegal = client.post(f"{url}/move", headers=ours, json={"to": "closed"})
    assert illegal.status_code == 409
    assert "allowed: triage (研判), investigating (核查中)" in illegal.json()["message"]
    client.post(f"{url}/move", headers=ours, json={"to": "investigating"})
    for path, body, field in (
        ("move", {"to": "finished"}, "to"),
        ("move", {"to": "triage", "colour": "red"}, "colour"),
        ("assign", {}, "username"),
        ("assign", {"username": "x", "auto": True}, "username"),
        ("assign", {"username": "not-an-officer"}, "username"),
        ("tasks", {"kind": "interview", "title": "x"}, "kind"),
        ("tasks", {"kind": "lab_test", "title": " "}, "title"),
        ("closure", {"outcome": "guilty"}, "outcome"),
        ("closure", {"outcome": "confirmed_violation", "disposal": {"penalty_rmb": -1}},
         "disposal.penalty_rmb"),
        ("closure", {"outcome": "confirmed_violation", "disposal": {"penalty_rmb": "1.005"}},
         "disposal.penalty_rmb"),
        ("closure", {"outcome": "confirmed_violation", "disposal": {"fine": 5}}, "disposal.fine"),
        ("reject", {"note": "x"}, None),  # not pending: 409, below
        ("reopen", {}, "reason"),
    ):  # fmt: skip
        answer = client.post(f"{url}/{path}", headers=ours, json=body)
        if field is None:
            assert answer.status_code == 409, answer.text
            continue
        assert answer.status_code == 422, (path, body, answer.text)
        assert fields(answer)[0] == field, (path, answer.json())
    assert client.get(url, headers=ours).json()["case"]["state"] == "investigating"
    bad_task = client.post("/api/cases/tasks/999999/finish", headers=ours, json={"result": "x"})
    assert bad_task.status_code == 404


def test_manual_alerts_suppressions_rejection_reopening_and_overdue(
    client: TestClient, platform: Platform
) -> None:
    first, second = officer(client, platform), officer(client, platform)
    firm = make_enterprise(platform)
    tip = {"enterprise_uscc": firm.uscc, "category": "hotline_tip",
           "text": "热线举报：申报价格明显偏低", "reference": "12345-0001"}  # fmt: skip
    made = client.post("/api/cases/alerts", headers=first, json=tip)
    assert made.status_code == 201, made.text
    assert made.json()["source"] == "manual" and made.json()["disposition"] == "attached"
    case_id = made.json()["case_id"]
    assert client.post("/api/cases/alerts", headers=first, json=tip).status_code == 409
    bad_uscc = client.post("/api/cases/alerts", headers=first, json=tip | {"enterprise_uscc": "x"})
    assert bad_uscc.status_code == 422 and fields(bad_uscc) == ["enterprise_uscc"]
    enterprise = login_as(client, platform, Role.ENTERPRISE)
    assert client.post("/api/cases/alerts", headers=enterprise, json=tip).status_code == 403

    url = f"/api/cases/{case_id}"
    auto = client.post(f"{url}/assign", headers=first, json={"auto": True})
    assert auto.json()["assignee"] in (first["X-Username"], second["X-Username"])
    client.post(f"{url}/move", headers=first, json={"to": "investigating"})
    client.post(f"{url}/closure", headers=first, json={"outcome": "confirmed_violation"})
    no_reason = client.post(f"{url}/reject", headers=second, json={})
    assert no_reason.status_code == 422 and fields(no_reason) == ["note"]
    back = client.post(f"{url}/reject", headers=second, json={"note": "证据不足"})
    assert back.json()["state"] == "investigating" and back.json()["outcome"] is None
    closed = client.post(f"{url}/closure", headers=first, json={"outcome": "false_positive"})
    assert closed.json()["state"] == "closed"
    reopened = client.post(f"{url}/reopen", headers=second, json={"reason": "新线索"})
    assert reopened.json()["state"] == "reopened" and reopened.json()["reopen_count"] == 1

    until = (dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=30)).isoformat()
    rule = {"rule_id": "OL02", "enterprise_uscc": firm.uscc, "until": until, "reason": "已核实"}
    suppressed = client.post("/api/cases/suppressions", headers=first, json=rule)
    assert suppressed.status_code == 201 and suppressed.json()["actor"] == first["X-Username"]
    no_reason = client.post("/api/cases/suppressions", headers=first, json=rule | {"reason": ""})
    assert no_reason.status_code == 422 and fields(no_reason) == ["reason"]
    listed = client.get("/api/cases/suppressions", headers=first, params={"active_only": True})
    assert [s["id"] for s in listed.json()] == [suppressed.json()["id"]]

    assert client.get("/api/cases/overdue", headers=first).json() == []
    due_at = dt.datetime.fromisoformat(reopened.json()["sla"]["due_at"])
    at = (due_at + dt.timedelta(days=7)).isoformat()  # a working day past the deadline
    later = client.get("/api/cases/overdue", headers=first, params={"at": at})
    assert later.status_code == 200, later.text
    assert [c["id"] for c in later.json()] == [case_id]
    assert later.json()[0]["sla"]["status"] == "breached"
    naive = client.get("/api/cases/overdue", headers=first, params={"at": at[:19]})
    assert naive.status_code == 422 and fields(naive) == ["at"]


def test_supervisors_get_escalated_cases_and_timelines_read_in_both_languages(
    client: TestClient, platform: Platform
) -> None:
    first = officer(client, platform)
    unit = platform.cases.routing.default
    platform.auth.create_user("case-head", PASSWORD, Role.CASE_SUPERVISOR, actor=SYSTEM,
                              department=unit)  # fmt: skip
    head = bearer(client, "case-head")
    firm = make_enterprise(platform)
    tip = {"enterprise_uscc": firm.uscc, "category": "hotline_tip", "text": "热线举报"}
    case_id = client.post("/api/cases/alerts", headers=first, json=tip).json()["case_id"]
    assert client.get("/api/cases/escalations", headers=head).json() == []
    assert client.get("/api/cases/escalations", headers=first).status_code == 403
    due_at = dt.datetime.fromisoformat(client.get(f"/api/cases/{case_id}", headers=first)
                                       .json()["case"]["sla"]["due_at"])  # fmt: skip
    assert platform.cases.escalate_overdue(due_at + dt.timedelta(days=7)) == [case_id]
    [escalated] = client.get("/api/cases/escalations", headers=head).json()
    assert escalated["id"] == case_id and escalated["escalated_at"] is not None
    last = client.get(f"/api/cases/{case_id}", headers=head).json()["timeline"][-1]
    assert (last["kind"], last["kind_label"], last["kind_label_en"]) == (
        "escalated", "超期上报", "Escalated"
    )
    assert "case-head" in last["detail"] and last["detail_en"].startswith("SLA breached")
    assert client.get("/api/cases/escalations", headers=login_as(
        client, platform, Role.PLANNER)).status_code == 403  # fmt: skip


def test_intake_is_subscribed_once_and_documented(client: TestClient, platform: Platform) -> None:
    subscribe_case_intake(platform)  # a second call does nothing
    hold_assessment(client, platform)
    assert len(platform.cases.inbox(actor=SYSTEM)) == 1
    spec = client.get("/api/openapi.json").json()
    assert "/api/cases/{case_id}/approve" in spec["paths"]
    assert "四眼原则" in spec["paths"]["/api/cases/{case_id}/approve"]["post"]["description"]


def test_serving_escalates_breached_slas_periodically_until_stopped(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lingang.cli.app import escalate_periodically

    calls: list[dt.datetime] = []
    ran = threading.Event()

    def escalate(now: dt.datetime) -> list[int]:
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")  # logged; the loop goes on
        ran.set()
        return []

    monkeypatch.setattr(platform.cases, "escalate_overdue", escalate)
    stop = escalate_periodically(platform, 0.01)
    assert ran.wait(5)
    stop.set()
    time.sleep(0.05)
    count = len(calls)
    time.sleep(0.05)
    assert len(calls) == count >= 2 and calls[0].tzinfo is not None
