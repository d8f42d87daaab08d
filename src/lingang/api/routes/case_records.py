"""A case's record (attachments, comments, the PDF report), the enterprise's side of
information requests, the feedback report (反馈闭环) and the case dashboard.

Included before :mod:`lingang.api.routes.cases`, so its fixed paths (``/api/cases/dashboard``,
``/api/cases/feedback/…``, ``/api/cases/attachments/…``) are not taken for a case id.
Attachments are served with their stored media type (read from the content at upload), as a
download (``Content-Disposition: attachment``) and with ``X-Content-Type-Options: nosniff``.
Rules in docs/cases.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.case_records import (
    AttachmentPublic,
    CommentPublic,
    CommentRequest,
    DashboardPublic,
    EnterpriseRequestPublic,
    PrecisionReportPublic,
    ThresholdSuggestionPublic,
    attachment_public,
    comment_public,
    dashboard_public,
    precision_public,
    request_public,
    suggestion_public,
)
from lingang.errors import Invalid
from lingang.types import utcnow

router = APIRouter(tags=["cases"])
SHA256_HEX = 64


def _download(content: bytes, media_type: str, name: str) -> Response:
    """Bytes as a download that browsers neither render inline nor sniff."""
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
    })  # fmt: skip


def _read_upload(upload: UploadFile, limit: int) -> tuple[str, bytes]:
    """The upload's name and content; at most one byte over ``limit`` is read, so an
    oversized file is refused without holding all of it."""
    return upload.filename or "", upload.file.read(limit + 1)


# --- feedback and dashboard (fixed paths) ----------------------------------------------------


@router.get("/api/cases/feedback/precision", operation_id="cases-feedback-precision",
            response_model=PrecisionReportPublic)  # fmt: skip
def precision(
    platform: PlatformDep,
    actor: CurrentActor,
    by: Annotated[Literal["rule", "scenario"], Query(description="group by")] = "rule",
    period: Annotated[Literal["month", "week"], Query(description="per period")] = "month",
    since: Annotated[dt.date | None, Query(description="alerts raised on or after")] = None,
    until: Annotated[dt.date | None, Query(description="alerts raised on or before")] = None,
) -> PrecisionReportPublic:
    """Precision of the risk alerts per rule or scenario (反馈闭环), overall and per month or
    ISO week, from the outcomes of closed cases, with the Wilson 95 % interval. Risk
    officers, case officers (their department only), admins and auditors."""
    report = platform.feedback.precision(actor=actor, by=by, period=period, since=since,
                                         until=until)  # fmt: skip
    return precision_public(report)


@router.get("/api/cases/feedback/thresholds", operation_id="cases-feedback-thresholds",
            response_model=list[ThresholdSuggestionPublic])  # fmt: skip
def thresholds(
    platform: PlatformDep,
    actor: CurrentActor,
    target: Annotated[float, Query(gt=0, le=1, description="precision to reach")] = 0.8,
    min_labels: Annotated[int, Query(ge=1, description="labels needed per scenario")] = 20,
    since: Annotated[dt.date | None, Query(description="alerts raised on or after")] = None,
    until: Annotated[dt.date | None, Query(description="alerts raised on or before")] = None,
) -> list[ThresholdSuggestionPublic]:
    """Per scenario, the lowest review threshold whose labelled alerts reach ``target``
    precision (阈值建议), or why there is none."""
    found = platform.feedback.threshold_suggestions(actor=actor, target=target,
                                                    min_labels=min_labels, since=since,
                                                    until=until)  # fmt: skip
    return [suggestion_public(s) for s in found]


@router.get("/api/cases/dashboard", operation_id="cases-dashboard",
            response_model=DashboardPublic)  # fmt: skip
def dashboard(
    platform: PlatformDep,
    actor: CurrentActor,
    at: Annotated[
        dt.datetime | None, Query(description="the instant to read at (default: now)")
    ] = None,
    since: Annotated[
        dt.date | None, Query(description="time to close and confirmed rate: closed since")
    ] = None,
) -> DashboardPublic:
    """The case dashboard (案件看板): open cases by age, SLA breaches, time to close, confirmed
    rate by rule — the caller's department for a case officer, all for admins and
    auditors."""
    now = at or utcnow()
    if now.tzinfo is None:
        raise Invalid("at", "give a time zone, e.g. 2026-03-02T09:00:00+08:00")
    return dashboard_public(platform.case_dashboards.overview(now, actor=actor, since=since))


# --- attachments -----------------------------------------------------------------------------


@router.get("/api/cases/attachments/{ref}", operation_id="cases-attachment-content",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "the file, with its stored media type"}})  # fmt: skip
def attachment_content(
    platform: PlatformDep,
    actor: CurrentActor,
    ref: Annotated[str, Path(max_length=SHA256_HEX, description="attachment id or SHA-256")],
) -> Response:
    """An attachment's content by id or SHA-256, checked against its hash, as a download with
    the media type read at upload. Officers reach the attachments of the cases they see;
    enterprise users those of their own answers; anything else answers 404. Audited."""
    key: int | str = int(ref) if ref.isdigit() and len(ref) < SHA256_HEX else ref
    meta, content = platform.case_records.attachment(key, actor=actor)
    return _download(content, meta.media_type, meta.name)


@router.post("/api/cases/{case_id}/attachments", operation_id="cases-attachment-add",
             status_code=201, response_model=AttachmentPublic)  # fmt: skip
def add_attachment(
    case_id: int,
    platform: PlatformDep,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, plain text or CSV")],
) -> AttachmentPublic:
    """Attach a file to an open case (附件). The type is read from the content (a ZIP, an
    Office file or an executable answers 422 naming ``file``); size limited."""
    name, content = _read_upload(file, platform.case_records.max_bytes)
    made = platform.case_records.add_attachment(case_id, name, content, actor=actor)
    return attachment_public(made)


@router.get("/api/cases/{case_id}/attachments", operation_id="cases-attachments",
            response_model=list[AttachmentPublic])  # fmt: skip
def attachments(case_id: int, platform: PlatformDep, actor: CurrentActor) -> list[AttachmentPublic]:
    """A case's attachments, oldest first (metadata; the content is a separate call)."""
    return [attachment_public(a) for a in platform.case_records.attachments(case_id, actor=actor)]


# --- comments and the report -----------------------------------------------------------------


@router.post("/api/cases/{case_id}/comments", operation_id="cases-comment-add", status_code=201,
             response_model=CommentPublic)  # fmt: skip
def add_comment(
    case_id: int, body: CommentRequest, platform: PlatformDep, actor: CurrentActor
) -> CommentPublic:
    """Comment on an open case (1–2000 characters)."""
    return comment_public(platform.case_records.add_comment(case_id, body.text, actor=actor))


@router.get("/api/cases/{case_id}/comments", operation_id="cases-comments",
            response_model=list[CommentPublic])  # fmt: skip
def comments(case_id: int, platform: PlatformDep, actor: CurrentActor) -> list[CommentPublic]:
    """A case's comments, oldest first."""
    return [comment_public(c) for c in platform.case_records.comments(case_id, actor=actor)]


@router.get("/api/cases/{case_id}/report.pdf", operation_id="cases-report",
            response_class=Response,
            responses={200: {"content": {"application/pdf": {}},
                             "description": "the case report"}})  # fmt: skip
def report(case_id: int, platform: PlatformDep, actor: CurrentActor) -> Response:
    """The case report (核查处置报告) as a PDF in Chinese, as a download; audited."""
    pdf = platform.case_records.report_pdf(case_id, actor=actor)
    return _download(pdf, "application/pdf", f"case-{case_id}.pdf")


# --- the enterprise's side ---------------------------------------------------------------------


@router.get("/api/enterprise/requests", operation_id="enterprise-requests",
            tags=["enterprise"], response_model=list[EnterpriseRequestPublic])  # fmt: skip
def enterprise_requests(
    platform: PlatformDep, actor: CurrentActor
) -> list[EnterpriseRequestPublic]:
    """The information requests addressed to the signed-in user's own enterprise (企业补充材料),
    oldest first. Enterprise users only (others: 403)."""
    return [request_public(r) for r in platform.case_records.enterprise_requests(actor=actor)]


@router.post("/api/enterprise/requests/{task_id}/answer", operation_id="enterprise-answer",
             tags=["enterprise"], response_model=EnterpriseRequestPublic)  # fmt: skip
def answer_request(
    task_id: int,
    platform: PlatformDep,
    actor: CurrentActor,
    text: Annotated[str, Form(description="the answer, 1–2000 characters")],
    file: Annotated[UploadFile | None, File(description="an optional supporting file")] = None,
) -> EnterpriseRequestPublic:
    """Answer an open request addressed to the user's own enterprise, with an optional file:
    the request is done, and the case's SLA clock runs again once no request to the
    enterprise is open. Another enterprise's request answers 404; one already answered 409."""
    upload = _read_upload(file, platform.case_records.max_bytes) if file is not None else None
    done = platform.case_records.answer_request(task_id, text, actor=actor, attachment=upload)
    return request_public(done)
