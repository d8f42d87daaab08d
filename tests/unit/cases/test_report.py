"""The PDF case report, built from values alone: Chinese text that a reader can extract."""

from __future__ import annotations

import datetime as dt
import io

import pypdf

from lingang.cases.model import AlertDisposition, AlertSource, CaseState, TaskKind, TaskStatus
from lingang.cases.report import TIMELINE_KINDS, build_report
from lingang.cases.service import Alert, Case, CaseDetail, Task, TimelineEntry
from lingang.workdays import SHANGHAI, SlaClock, SlaStatus

OPENED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
USCC = "91310115MA1K00001X"


def detail() -> CaseDetail:
    clock = SlaClock(5, OPENED)
    case = Case(
        id=42, enterprise_uscc=USCC, scenario="undervaluation", state=CaseState.INVESTIGATING,
        department="核查一处", assignee="officer-1", outcome=None, disposal=None,
        closure_requested_by=None, closure_approved_by=None, opened_at=OPENED, closed_at=None,
        reopen_count=0, sla=clock, sla_status=SlaStatus.ON_TRACK, due_at=clock.due_at,
        escalated_at=None,
    )  # fmt: skip
    alert = Alert(
        id=7, source=AlertSource.RISK, reference="a-1", enterprise_uscc=USCC,
        scenario="undervaluation", rules=["UV01", "UV02"], risk_outcome="hold", score=91.25,
        text="", raised_by="system", raised_at=OPENED, disposition=AlertDisposition.ATTACHED,
        case_id=42, label=None,
    )  # fmt: skip
    task = Task(
        id=3, case_id=42, kind=TaskKind.ONSITE_INSPECTION, title="到仓库核对货物 <箱数>",
        assignee=None, due_on=None, to_enterprise=False, status=TaskStatus.OPEN, result=None,
        created_by="officer-1", created_at=OPENED,
    )  # fmt: skip
    timeline = [TimelineEntry(at=OPENED, actor="system", kind="opened", detail="", data={})]
    return CaseDetail(case=case, alerts=[alert], tasks=[task], timeline=timeline)


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_an_open_case_reports_in_chinese() -> None:
    pdf = build_report(detail(), generated_by="auditor-1", generated_at=OPENED)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for expected in ("核查处置报告", "核查中", USCC, "UV01、UV02", "91.2", "现场核查",
                     "到仓库核对货物 <箱数>", "进行中", "尚未结案", "立案", "正常",
                     "2026-03-09 17:00", "auditor-1"):  # fmt: skip
        assert expected in text, expected


def test_the_text_is_set_in_the_built_in_cid_font() -> None:
    pdf = build_report(detail(), generated_by="auditor-1", generated_at=OPENED)
    fonts = {
        str(font["/BaseFont"])
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("STSong-Light" in name for name in fonts)


def test_the_same_case_gives_the_same_bytes() -> None:
    one = build_report(detail(), generated_by="a", generated_at=OPENED)
    assert one == build_report(detail(), generated_by="a", generated_at=OPENED)


def test_every_timeline_kind_has_a_chinese_label() -> None:
    kinds = {"opened", "alert_attached", "moved", "assigned", "auto_assigned",
             "closure_requested", "closure_rejected", "closed", "reopened", "paused", "resumed",
             "escalated", "task_added", "task_done", "task_cancelled", "attachment_added",
             "commented", "request_answered"}  # fmt: skip
    assert kinds <= set(TIMELINE_KINDS)
