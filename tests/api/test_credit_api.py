"""Enterprise credit through the API (SQLite and PostgreSQL): grades with factors, history,
effects, the distribution, imports, settlement, repair, and who may read what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from factories import PASSWORD, bearer, login_as, make_enterprise
from lingang.bootstrap import Platform
from lingang.types import SYSTEM, Role
from lingang.workdays import SHANGHAI

TODAY = dt.datetime.now(SHANGHAI).date()


def days_ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


def record(uscc: str, ref: str, **extra: Any) -> dict[str, Any]:
    return {"enterprise_uscc": uscc, "kind": "violation", "occurred_on": days_ago(7),
            "source": "customs-penalties", "source_ref": ref, "summary": "海关行政处罚",
            "details": {"penalty_rmb": "400000"}} | extra  # fmt: skip


def fields(answer: Any) -> list[str]:
    return [f["field"] for f in answer.json()["fields"]]


def test_records_regrade_and_the_grade_explains_itself(
    client: TestClient, platform: Platform
) -> None:
    firm = make_enterprise(platform)
    officer = login_as(client, platform, Role.CREDIT_OFFICER)
    first = client.get(f"/api/enterprises/{firm.uscc}/credit", headers=officer)
    assert first.status_code == 200, first.text
    assert (first.json()["zone_class"], first.json()["score"]) == ("B", 700)
    added = client.post("/api/credit/records", headers=officer,
                        json={"records": [record(firm.uscc, "P-1")]})  # fmt: skip
    assert added.status_code == 201, added.text
    grade = client.get(f"/api/enterprises/{firm.uscc}/credit", headers=officer).json()
    assert (
        grade["zone_class"] == "C" and grade["zone_class_label"] == {"zh": "中", "en": "C"}
    ) or (grade["zone_class"] == "C")
    assert grade["base"] + sum(f["points"] for f in grade["factors"]) == grade["score"] == 600
    assert any("¥400,000" in f["detail"] for f in grade["factors"])
    history = client.get(f"/api/enterprises/{firm.uscc}/credit/history", headers=officer).json()
    assert [g["zone_class"] for g in history["data"]] == ["C"]
    assert history["data"][0]["trigger"].startswith("api by")
    past = client.get(f"/api/enterprises/{firm.uscc}/credit", headers=officer,
                      params={"as_of": "2026-03-31"}).json()  # fmt: skip
    assert (past["instrument"], past["score"]) == ("GACC-251", 700)
    effects = client.get(f"/api/enterprises/{firm.uscc}/credit/effects", headers=officer).json()
    assert effects["sampling_rate"] == 0.3 and effects["commitment_approval"] is True
    assert effects["policy"] == "restricted"
    spread = client.get("/api/credit/distribution", headers=officer).json()
    assert spread["by_class"]["C"] >= 1 and set(spread["by_class"]) == {"A", "B", "C", "D"}


def test_bad_imports_name_the_row_and_field_and_write_nothing(
    client: TestClient, platform: Platform
) -> None:
    firm = make_enterprise(platform)
    officer = login_as(client, platform, Role.CREDIT_OFFICER)
    rows = [record(firm.uscc, "P-2"), record(firm.uscc, "P-3", details={"penalty_rmb": "lots"})]
    bad = client.post("/api/credit/records", headers=officer, json={"records": rows})
    assert bad.status_code == 422 and fields(bad) == ["rows[1].details.penalty_rmb"]
    unknown = client.post("/api/credit/records", headers=officer,
                          json={"records": [record(firm.uscc, "P-4", colour="red")]})  # fmt: skip
    assert unknown.status_code == 422 and fields(unknown) == ["colour"]
    listed = client.get(f"/api/enterprises/{firm.uscc}/credit-records", headers=officer)
    assert listed.json()["count"] == 0
    due = days_ago(120)
    debt = record(firm.uscc, "D-1", kind="unpaid_duty", occurred_on=due,
                  details={"amount_rmb": "80000", "due_on": due})  # fmt: skip
    [made] = client.post("/api/credit/records", headers=officer, json={"records": [debt]}).json()
    dishonest = client.get(f"/api/enterprises/{firm.uscc}/credit", headers=officer).json()
    assert dishonest["dishonest_reasons"] == ["unpaid_duty"]
    settled = client.post(f"/api/credit/records/{made['id']}/settlement", headers=officer,
                          json={"paid_on": days_ago(1)})  # fmt: skip
    assert settled.status_code == 200 and settled.json()["details"]["paid_on"] == days_ago(1)
    after = client.get(f"/api/enterprises/{firm.uscc}/credit", headers=officer).json()
    assert after["dishonest_reasons"] == []


def test_enterprises_see_only_their_own_credit_and_may_apply_for_repair(
    client: TestClient, platform: Platform
) -> None:
    ours, theirs = make_enterprise(platform), make_enterprise(platform)
    platform.auth.create_user("firm-user", PASSWORD, Role.ENTERPRISE, actor=SYSTEM,
                              enterprise_id=ours.id)  # fmt: skip
    firm = bearer(client, "firm-user")
    assert client.get(f"/api/enterprises/{ours.uscc}/credit", headers=firm).status_code == 200
    assert client.get(f"/api/enterprises/{theirs.uscc}/credit", headers=firm).status_code == 404
    assert client.get("/api/credit/distribution", headers=firm).status_code == 403
    planner = login_as(client, platform, Role.PLANNER)
    assert client.get(f"/api/enterprises/{ours.uscc}/credit", headers=planner).status_code == 403
    case_officer = login_as(client, platform, Role.CASE_OFFICER)
    assert client.post("/api/credit/regrade", headers=case_officer).status_code == 403
    promise = {"cause": "unpaid_duty", "statement": "本企业承诺按期缴纳税款"}
    no_cause = client.post(f"/api/enterprises/{ours.uscc}/credit/repairs", headers=firm,
                           json=promise)  # fmt: skip
    assert no_cause.status_code == 422 and fields(no_cause) == ["cause"]
    assert client.get(f"/api/enterprises/{ours.uscc}/credit/repairs", headers=firm).json() == []
    admin = login_as(client, platform, Role.ADMIN)
    regraded = client.post("/api/credit/regrade", headers=admin)
    assert regraded.status_code == 200 and regraded.json()["graded"] >= 2
    broker = client.put(f"/api/enterprises/{ours.uscc}/credit/profile", headers=admin,
                        json={"is_broker": True})  # fmt: skip
    assert broker.status_code == 200
    spec = client.get("/api/openapi.json").json()
    assert "/api/enterprises/{uscc}/credit/effects" in spec["paths"]


def test_an_enterprise_objects_to_a_record_and_an_officer_decides(
    client: TestClient, platform: Platform
) -> None:
    ours = make_enterprise(platform)
    platform.auth.create_user("objecting-firm", PASSWORD, Role.ENTERPRISE, actor=SYSTEM,
                              enterprise_id=ours.id)  # fmt: skip
    firm, officer = (
        bearer(client, "objecting-firm"),
        login_as(client, platform, Role.CREDIT_OFFICER),
    )
    [made] = client.post("/api/credit/records", headers=officer,
                         json={"records": [record(ours.uscc, "P-9")]}).json()  # fmt: skip
    url = f"/api/enterprises/{ours.uscc}/credit/objections"
    filed = client.post(url, headers=firm, json={"record_id": made["id"], "reason": "处罚已撤销"})
    assert filed.status_code == 201, filed.text
    assert filed.json()["status_label"]["zh"] == "异议处理中"
    missing = client.post(url, headers=firm, json={"record_id": 999_999, "reason": "处罚已撤销"})
    assert missing.status_code == 404
    [waiting] = client.get("/api/credit/objections", headers=officer).json()
    no_note = client.post(f"/api/credit/objections/{waiting['id']}/decision", headers=officer,
                          json={"uphold": True, "note": " "})  # fmt: skip
    assert no_note.status_code == 422 and fields(no_note) == ["note"]
    done = client.post(f"/api/credit/objections/{waiting['id']}/decision", headers=officer,
                       json={"uphold": True, "note": "核实无误"})  # fmt: skip
    assert done.json()["status"] == "upheld"
    grade = client.get(f"/api/enterprises/{ours.uscc}/credit", headers=firm).json()
    assert grade["score"] == 700 and grade["zone_class"] == "B"  # the record no longer counts
    assert [o["id"] for o in client.get(url, headers=firm).json()] == [waiting["id"]]
