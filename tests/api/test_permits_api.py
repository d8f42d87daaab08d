"""一网通办 through the API (SQLite and PostgreSQL): the catalogue, an application through
correction and review, the 告知承诺 lane with its e-licence, the public verify endpoint
without sign-in, and tenant isolation."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories import bearer, login_as, make_user
from lingang.bootstrap import Platform
from lingang.types import Role


def files(*materials: str) -> dict[str, Any]:
    return {
        "data": {"material": list(materials)},
        "files": [("files", (f"{m}.txt", f"{m} 内容".encode(), "text/plain")) for m in materials],
    }


def enterprise(client: TestClient, platform: Platform) -> dict[str, str]:
    return bearer(client, make_user(platform, Role.ENTERPRISE).username)


def test_an_application_goes_through_correction_review_and_issue(
    client: TestClient, platform: Platform
) -> None:
    firm, staff = enterprise(client, platform), login_as(client, platform, Role.SERVICE_OFFICER)
    listed = client.get("/api/permits/items", headers=firm).json()
    assert len(listed) >= 5 and any(i["bundle"] for i in listed)
    upload = files("application_form")
    made = client.post("/api/permits/applications", headers=firm,
                       data={"item_id": "food-business-licence", **upload["data"]},
                       files=upload["files"])  # fmt: skip
    assert made.status_code == 201, made.text
    app_id = made.json()["application"]["id"]
    noticed = client.post(f"/api/permits/applications/{app_id}/correction", headers=staff, json={})
    assert noticed.json()["missing"] == ["layout_plan", "safety_system"]
    more = files("layout_plan", "safety_system")
    back = client.post(f"/api/permits/applications/{app_id}/resubmit", headers=firm,
                       data=more["data"], files=more["files"])  # fmt: skip
    assert back.status_code == 200 and back.json()["state"] == "submitted", back.text
    receipt = client.post(f"/api/permits/applications/{app_id}/accept", headers=staff).json()
    assert receipt["kind"] == "accepted" and receipt["number"].startswith("SL")
    paused = client.post(f"/api/permits/applications/{app_id}/pause", headers=staff,
                         json={"kind": "expert_review", "note": "专家评审"})  # fmt: skip
    assert paused.json()["sla_status"] == "paused"
    client.post(f"/api/permits/applications/{app_id}/resume", headers=staff)
    wrong = client.post(f"/api/permits/applications/{app_id}/issue", headers=staff)
    assert wrong.status_code == 409 and "allowed: grant" in wrong.text
    client.post(f"/api/permits/applications/{app_id}/decision", headers=staff,
                json={"grant": True})  # fmt: skip
    licence = client.post(f"/api/permits/applications/{app_id}/issue", headers=staff)
    assert licence.status_code == 201, licence.text
    status = client.get(f"/api/permits/applications/{app_id}", headers=firm).json()
    assert status["application"]["state"] == "issued" and len(status["steps"]) == 8
    other = enterprise(client, platform)
    assert client.get(f"/api/permits/applications/{app_id}", headers=other).status_code == 404
    assert client.get("/api/permits/applications/mine", headers=other).json() == []
    assert client.post(f"/api/permits/applications/{app_id}/accept",
                       headers=firm).status_code == 403  # fmt: skip


def test_commitment_lane_and_the_public_licence_check(
    client: TestClient, platform: Platform
) -> None:
    firm, staff = enterprise(client, platform), login_as(client, platform, Role.SERVICE_OFFICER)
    upload = files("application_form")
    made = client.post("/api/permits/applications", headers=firm,
                       data={"item_id": "hr-service-licence", "commitment": "本企业承诺",
                             **upload["data"]}, files=upload["files"])  # fmt: skip
    assert made.status_code == 201, made.text
    licence = made.json()["licence"]
    assert made.json()["application"]["state"] == "issued"
    url = licence["qr_payload"]
    valid = client.get(url)  # no sign-in
    assert valid.status_code == 200 and valid.json()["verdict"] == "valid", valid.text
    forged = client.get(f"/api/public/licences/{licence['id']}", params={"sig": "AAAA"}).json()
    assert forged["verdict"] == "forged"
    tasks = client.get("/api/permits/verifications", headers=staff).json()
    assert [t["licence_id"] for t in tasks] == [licence["id"]]
    revoked = client.post(f"/api/permits/licences/{licence['id']}/revoke", headers=staff,
                          json={"reason": "企业注销"})  # fmt: skip
    assert revoked.status_code == 200, revoked.text
    after = client.get(url).json()
    assert after["verdict"] == "revoked" and "企业注销" in after["reason"]


def test_an_enterprise_downloads_its_licence_qr_and_pdf_and_reads_its_notices(
    client: TestClient, platform: Platform
) -> None:
    firm, other = enterprise(client, platform), enterprise(client, platform)
    staff = login_as(client, platform, Role.SERVICE_OFFICER)
    upload = files("application_form")
    made = client.post("/api/permits/applications", headers=firm,
                       data={"item_id": "road-freight-licence", "commitment": "承诺",
                             **upload["data"]}, files=upload["files"])  # fmt: skip
    assert made.status_code == 201, made.text
    licence_id = made.json()["licence"]["id"]
    mine = client.get("/api/permits/licences/mine", headers=firm).json()
    assert [lic["id"] for lic in mine] == [licence_id]
    assert client.get("/api/permits/licences/mine", headers=other).json() == []
    assert client.get("/api/permits/licences/mine", headers=staff).status_code == 403
    qr = client.get(f"/api/permits/licences/{licence_id}/qr.svg", headers=firm)
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in qr.text
    pdf = client.get(f"/api/permits/licences/{licence_id}/pdf", headers=staff)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f'{licence_id}.pdf' in pdf.headers["content-disposition"]
    assert client.get(f"/api/permits/licences/{licence_id}/pdf", headers=other).status_code == 404
    assert client.get(f"/api/permits/licences/{licence_id}/qr.svg").status_code == 401
    assert client.get("/api/permits/notices", headers=firm).json() == []
    uscc = made.json()["application"]["enterprise_uscc"]
    assert client.get("/api/permits/notices", headers=staff).status_code == 422
    assert client.get(f"/api/permits/notices?uscc={uscc}", headers=other).status_code == 404
    assert client.get(f"/api/permits/notices?uscc={uscc}", headers=staff).json() == []


def test_a_submitted_material_downloads_for_its_enterprise_and_staff_only(
    client: TestClient, platform: Platform
) -> None:
    firm, other = enterprise(client, platform), enterprise(client, platform)
    staff = login_as(client, platform, Role.SERVICE_OFFICER)
    upload = files("application_form")
    made = client.post("/api/permits/applications", headers=firm,
                       data={"item_id": "food-business-licence", **upload["data"]},
                       files=upload["files"]).json()  # fmt: skip
    app_id, file_id = made["application"]["id"], made["materials"][0]["id"]
    url = f"/api/permits/applications/{app_id}/files/{file_id}"
    for headers in (firm, staff):
        got = client.get(url, headers=headers)
        assert got.status_code == 200 and got.content == "application_form 内容".encode()
    assert client.get(url, headers=other).status_code == 404
    assert client.get(f"/api/permits/applications/{app_id}/files/999999",
                      headers=staff).status_code == 404  # fmt: skip
