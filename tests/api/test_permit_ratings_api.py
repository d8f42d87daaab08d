"""好差评 through the API (SQLite and PostgreSQL): rating an application, the 差评's
rectification task from contact to the published result and the appeal, the satisfaction
dashboard, the doors' refusals (401/403/404/409/422) and the public list without sign-in."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import bearer, login_as, make_user
from lingang.bootstrap import Platform
from lingang.types import Role


def enterprise(client: TestClient, platform: Platform) -> dict[str, str]:
    return bearer(client, make_user(platform, Role.ENTERPRISE).username)


def accepted(client: TestClient, firm: dict[str, str], staff: dict[str, str]) -> int:
    made = client.post("/api/permits/applications", headers=firm,
                       data={"item_id": "construction-permit", "material": ["application_form"]},
                       files=[("files", ("form.txt", b"form", "text/plain"))])  # fmt: skip
    assert made.status_code == 201, made.text
    app_id: int = made.json()["application"]["id"]
    assert client.post(f"/api/permits/applications/{app_id}/accept", headers=staff).is_success
    return app_id


def test_a_negative_rating_is_rectified_published_and_appealed(
    client: TestClient, platform: Platform
) -> None:
    firm = enterprise(client, platform)
    staff = login_as(client, platform, Role.SERVICE_OFFICER)
    reviewer = login_as(client, platform, Role.SERVICE_OFFICER)
    app_id = accepted(client, firm, staff)
    url = f"/api/permits/applications/{app_id}/rating"
    assert client.post(url, headers=firm, json={"score": 6}).status_code == 422
    assert client.post(url, headers=staff, json={"score": 5}).status_code == 403
    assert client.post(url, headers=enterprise(client, platform),
                       json={"score": 5}).status_code == 404  # fmt: skip
    made = client.post(url, headers=firm, json={"score": 2, "comment": "材料要求说明不清"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["level_label"] == "不满意" and body["negative"] is True
    task = body["rectification"]
    assert task["status"] == "open" and task["contact_due"] is not None
    assert client.post(url, headers=firm, json={"score": 4}).status_code == 409
    listed = client.get("/api/permits/rectifications", headers=staff).json()
    assert [t["id"] for t in listed] == [task["id"]]
    base = f"/api/permits/rectifications/{task['id']}"
    assert client.post(f"{base}/contact", headers=firm, json={"note": "x"}).status_code == 403
    assert client.post(f"{base}/contact", headers=staff, json={"note": ""}).status_code == 422
    contacted = client.post(f"{base}/contact", headers=staff, json={"note": "电话回访"})
    assert contacted.status_code == 200 and contacted.json()["contact_late"] is False
    resolved = client.post(f"{base}/resolve", headers=staff, json={"result": "已更新办事指南"})
    assert resolved.json()["status"] == "resolved", resolved.text
    mine = client.get("/api/permits/ratings/mine", headers=firm).json()
    assert mine[0]["rectification"]["result"] == "已更新办事指南"
    public = client.get("/api/public/ratings")  # no sign-in
    assert public.status_code == 200
    shown = [(p["result"], p["level_label"]) for p in public.json()]
    assert shown == [("已更新办事指南", "不满意")]
    assert "rater" not in public.json()[0] and "comment" not in public.json()[0]
    appealed = client.post(f"{base}/appeal", headers=firm, json={"reason": "指南仍不清楚"})
    assert appealed.json()["status"] == "appealed", appealed.text
    same = client.post(f"{base}/appeal-decision", headers=staff,
                       json={"upheld": False, "note": "维持"})  # fmt: skip
    assert same.status_code == 403  # the resolver does not review its own result
    decided = client.post(f"{base}/appeal-decision", headers=reviewer,
                          json={"upheld": False, "note": "整改到位，维持原结果"})  # fmt: skip
    assert decided.json()["status"] == "closed", decided.text
    assert client.get(base, headers=firm).json()["appeal_upheld"] is False
    assert client.get(base, headers=enterprise(client, platform)).status_code == 404
    assert client.get("/api/permits/rectifications/999999", headers=staff).status_code == 404


def test_ratings_and_satisfaction_for_staff_only(client: TestClient, platform: Platform) -> None:
    firm = enterprise(client, platform)
    staff = login_as(client, platform, Role.SERVICE_OFFICER)
    app_id = accepted(client, firm, staff)
    client.post(f"/api/permits/applications/{app_id}/rating", headers=firm,
                json={"score": 5, "comment": "一次办成"})  # fmt: skip
    rows = client.get("/api/permits/ratings", headers=staff,
                      params={"item_id": "construction-permit"}).json()  # fmt: skip
    assert [r["score"] for r in rows] == [5]
    assert client.get("/api/permits/ratings", headers=staff,
                      params={"item_id": "hr-service-licence"}).json() == []  # fmt: skip
    board = client.get("/api/permits/satisfaction", headers=staff)
    assert board.status_code == 200, board.text
    overall = board.json()["overall"]
    assert (overall["count"], overall["mean_score"], overall["satisfied_share"]) == (1, 5.0, 1.0)
    assert board.json()["by_item"][0]["label"] == "建筑工程施工许可"
    assert client.get("/api/permits/satisfaction", headers=firm).status_code == 403
    assert client.get("/api/permits/ratings", headers=firm).status_code == 403
    assert client.get("/api/permits/ratings/mine", headers=staff).status_code == 403
    assert client.get("/api/permits/ratings").status_code == 401
    assert client.get("/api/permits/satisfaction", headers=staff,
                      params={"since": "not-a-date"}).status_code == 422  # fmt: skip
    assert client.get("/api/public/ratings").json() == []
