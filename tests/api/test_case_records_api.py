"""A case's record through the API (SQLite and PostgreSQL): attachments served as downloads,
comments, the PDF report, the enterprise answering its own requests, and the feedback and
dashboard doors."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

from factories import PASSWORD, bearer, login_as, make_enterprise, make_user
from lingang.bootstrap import Platform
from lingang.types import SYSTEM, Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ZIP = b"PK\x03\x04" + bytes(40)
_names = itertools.count(1)
_tips = itertools.count(1)


def officer(client: TestClient, platform: Platform) -> dict[str, str]:
    """A case officer of the department where unrouted cases go, and its header."""
    name = f"records-officer-{next(_names)}"
    platform.auth.create_user(name, PASSWORD, Role.CASE_OFFICER, actor=SYSTEM,
                              department=platform.cases.routing.default)  # fmt: skip
    return bearer(client, name)


def open_case(client: TestClient, headers: dict[str, str], uscc: str) -> int:
    """A case for ``uscc`` opened by a tip entered by hand."""
    tip = {"enterprise_uscc": uscc, "category": "hotline_tip", "text": "热线举报：申报价格偏低",
           "reference": f"records-{next(_tips)}"}  # fmt: skip
    made = client.post("/api/cases/alerts", headers=headers, json=tip)
    assert made.status_code == 201, made.text
    case_id: int = made.json()["case_id"]
    return case_id


def fields(answer: Any) -> list[str]:
    return [f["field"] for f in answer.json()["fields"]]


def test_attachments_download_byte_identical_with_safe_headers(
    client: TestClient, platform: Platform
) -> None:
    ours = officer(client, platform)
    case_id = open_case(client, ours, make_enterprise(platform).uscc)
    url = f"/api/cases/{case_id}/attachments"
    made = {}
    for name, content, media_type in (("报关单.png", PNG, "image/png"),
                                      ("invoice.pdf", PDF, "application/pdf")):  # fmt: skip
        answer = client.post(url, headers=ours, files={"file": (name, content)})
        assert answer.status_code == 201, answer.text
        meta = answer.json()
        assert (meta["name"], meta["media_type"], meta["size"]) == (name, media_type, len(content))
        made[name] = meta
    listed = client.get(url, headers=ours)
    assert [a["name"] for a in listed.json()] == ["报关单.png", "invoice.pdf"]

    png = made["报关单.png"]
    for ref in (png["id"], png["sha256"]):
        got = client.get(f"/api/cases/attachments/{ref}", headers=ours)
        assert got.status_code == 200, got.text
        assert got.content == PNG
        assert got.headers["content-type"] == "image/png"
        assert got.headers["content-disposition"] == (
            f"attachment; filename*=UTF-8''{quote('报关单.png')}"
        )
        assert got.headers["x-content-type-options"] == "nosniff"
    pdf = client.get(f"/api/cases/attachments/{made['invoice.pdf']['id']}", headers=ours)
    assert pdf.content == PDF and pdf.headers["content-type"] == "application/pdf"

    refused = client.post(url, headers=ours, files={"file": ("scans.zip", ZIP)})
    assert refused.status_code == 422 and fields(refused) == ["file"], refused.text
    assert len(client.get(url, headers=ours).json()) == 2
    assert client.get("/api/cases/attachments/999999", headers=ours).status_code == 404
    assert client.get("/api/cases/attachments/" + "0" * 64, headers=ours).status_code == 404
    other = officer(client, platform)  # same department: sees it; a planner does not
    assert client.get(f"/api/cases/attachments/{png['id']}", headers=other).status_code == 200
    planner = login_as(client, platform, Role.PLANNER)
    assert client.get(f"/api/cases/attachments/{png['id']}", headers=planner).status_code == 404
    assert client.post(url, headers=planner, files={"file": ("a.png", PNG)}).status_code == 403


def test_comments_and_the_pdf_report(client: TestClient, platform: Platform) -> None:
    ours = officer(client, platform)
    case_id = open_case(client, ours, make_enterprise(platform).uscc)
    url = f"/api/cases/{case_id}"
    said = client.post(f"{url}/comments", headers=ours, json={"text": "已电话联系企业"})
    assert said.status_code == 201, said.text
    assert said.json()["text"] == "已电话联系企业" and said.json()["case_id"] == case_id
    assert [c["text"] for c in client.get(f"{url}/comments", headers=ours).json()] == [
        "已电话联系企业"
    ]
    for body, field in (({"text": " "}, "text"), ({"text": "x", "colour": "red"}, "colour")):
        bad = client.post(f"{url}/comments", headers=ours, json=body)
        assert bad.status_code == 422 and fields(bad) == [field], bad.text

    report = client.get(f"{url}/report.pdf", headers=ours)
    assert report.status_code == 200, report.text
    assert report.content.startswith(b"%PDF")
    assert report.headers["content-type"] == "application/pdf"
    assert (
        report.headers["content-disposition"] == f"attachment; filename*=UTF-8''case-{case_id}.pdf"
    )
    assert report.headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/cases/999999/report.pdf", headers=ours).status_code == 404


def test_an_enterprise_lists_and_answers_only_its_own_requests(
    client: TestClient, platform: Platform
) -> None:
    ours = officer(client, platform)
    firm, other_firm = make_enterprise(platform), make_enterprise(platform)
    case_id = open_case(client, ours, firm.uscc)
    task = client.post(f"/api/cases/{case_id}/tasks", headers=ours, json={
        "kind": "information_request", "title": "请企业提供原产地证明"})  # fmt: skip
    assert task.status_code == 201, task.text
    task_id = task.json()["id"]
    own = bearer(client, make_user(platform, Role.ENTERPRISE, enterprise_id=firm.id).username)
    stranger = make_user(platform, Role.ENTERPRISE, enterprise_id=other_firm.id)
    theirs = bearer(client, stranger.username)

    [asked] = client.get("/api/enterprise/requests", headers=own).json()
    assert (asked["id"], asked["case_id"], asked["status"]) == (task_id, case_id, "open")
    assert asked["status_label"] == {"zh": "进行中", "en": "Open"} and asked["answer"] is None
    assert client.get("/api/enterprise/requests", headers=theirs).json() == []
    answer_url = f"/api/enterprise/requests/{task_id}/answer"
    foreign = client.post(answer_url, headers=theirs, data={"text": "不是我们的"})
    assert foreign.status_code == 404, foreign.text
    assert client.get("/api/enterprise/requests", headers=ours).status_code == 403

    done = client.post(answer_url, headers=own, data={"text": "原产地证明见附件"},
                       files={"file": ("证明.pdf", PDF)})  # fmt: skip
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["answer"]) == ("done", "原产地证明见附件")
    [file] = body["attachments"]
    assert file["media_type"] == "application/pdf" and file["task_id"] == task_id
    got = client.get(f"/api/cases/attachments/{file['id']}", headers=own)
    assert got.status_code == 200 and got.content == PDF
    assert client.get(f"/api/cases/attachments/{file['id']}", headers=theirs).status_code == 404
    again = client.post(answer_url, headers=own, data={"text": "再次补充"})
    assert again.status_code == 409, again.text
    assert (
        client.get(f"/api/cases/{case_id}", headers=ours).json()["case"]["sla"]["paused"] is False
    )


def test_feedback_and_dashboard_for_officers_not_planners(
    client: TestClient, platform: Platform
) -> None:
    ours = officer(client, platform)
    open_case(client, ours, make_enterprise(platform).uscc)
    planner = login_as(client, platform, Role.PLANNER)

    board = client.get("/api/cases/dashboard", headers=ours)
    assert board.status_code == 200, board.text
    [ages] = board.json()["open_by_age"]
    assert ages["department"] == platform.cases.routing.default and ages["total"] == 1
    assert board.json()["department"] == platform.cases.routing.default
    query = {"by": "scenario", "period": "week", "since": "2026-01-01"}
    precision = client.get("/api/cases/feedback/precision", headers=ours, params=query)
    assert precision.status_code == 200, precision.text
    assert precision.json()["by"] == "scenario" and precision.json()["period"] == "week"
    suggestions = client.get("/api/cases/feedback/thresholds", headers=ours,
                             params={"target": 0.9, "min_labels": 5})  # fmt: skip
    assert suggestions.status_code == 200 and suggestions.json() == []
    for path in ("/api/cases/dashboard", "/api/cases/feedback/precision",
                 "/api/cases/feedback/thresholds"):  # fmt: skip
        assert client.get(path, headers=planner).status_code == 403, path
    bad = client.get("/api/cases/feedback/precision", headers=ours, params={"by": "colour"})
    assert bad.status_code == 422
    naive = client.get("/api/cases/dashboard", headers=ours, params={"at": "2026-03-02T09:00"})
    assert naive.status_code == 422 and fields(naive) == ["at"]
    spec = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/cases/dashboard", "/api/cases/{case_id}/report.pdf",
            "/api/enterprise/requests/{task_id}/answer"} <= set(spec)  # fmt: skip
