"""The case report (核查处置报告) as a PDF in Chinese, built with reportlab.

Text is set in reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1; the reader supplies
the glyphs), so no font file ships. Sections: the case (number, state, enterprise, scenario,
department, assignee), the SLA (limit, due, status), alerts (source, rules, scores), tasks and
their results, the outcome and disposal, approvals, comments, attachments (name, type,
SHA-256), and the timeline. Times are shown in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lingang.cases.model import (
    ALERT_SOURCE_LABELS,
    TASK_KIND_LABELS,
    TASK_STATUS_LABELS,
    TIMELINE_LABELS,
)
from lingang.pdf import CJK_FONT, cjk_font
from lingang.workdays import SHANGHAI

if TYPE_CHECKING:
    from lingang.cases.records import Attachment, Comment
    from lingang.cases.service import CaseDetail

FONT = CJK_FONT
TITLE = "核查处置报告"

TASK_KINDS = {kind: zh for kind, (zh, _) in TASK_KIND_LABELS.items()}
TASK_STATUSES = {status: zh for status, (zh, _) in TASK_STATUS_LABELS.items()}
ALERT_SOURCES = {source: zh for source, (zh, _) in ALERT_SOURCE_LABELS.items()}
TIMELINE_KINDS = {kind: zh for kind, (zh, _) in TIMELINE_LABELS.items()}

def _font() -> str:
    """The CJK font, registered once per process (``lingang.pdf``)."""
    return cjk_font()


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "—"


def _money(value: object) -> str:
    return f"¥{value}"


def build_report(
    detail: CaseDetail,
    *,
    comments: Sequence[Comment] = (),
    attachments: Sequence[Attachment] = (),
    generated_by: str,
    generated_at: dt.datetime,
    enterprise_name: str | None = None,
) -> bytes:
    """The PDF bytes of the case report; ``enterprise_name`` is shown beside the USCC."""
    font = _font()
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1),
        "h": ParagraphStyle(
            "h", fontName=font, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4
        ),
        "p": ParagraphStyle("p", fontName=font, fontSize=9.5, leading=13),
        "small": ParagraphStyle(
            "small", fontName=font, fontSize=8, leading=11, textColor=colors.grey
        ),
    }
    case = detail.case

    def para(text: object, style: str = "p") -> Paragraph:
        return Paragraph(escape(str(text)), styles[style])

    def table(rows: Sequence[Sequence[object]], widths: list[float], header: bool = True) -> Table:
        cells = [[para(cell) for cell in row] for row in rows]
        made = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1 if header else 0)
        style: list[Any] = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")))
        made.setStyle(TableStyle(style))
        return made

    def section(title: str, body: Flowable | None, empty: str = "无") -> list[Flowable]:
        return [para(title, "h"), body if body is not None else para(empty)]

    story: list[Flowable] = [
        para(TITLE, "title"),
        para(
            f"案件编号 {case.id} · 生成时间 {_when(generated_at)} · 生成人 {generated_by}", "small"
        ),
        Spacer(1, 4 * mm),
    ]
    story += section("一、案件概况", table([
        ["案件编号", str(case.id), "状态", case.state.label()],
        ["企业名称", enterprise_name or "—", "统一社会信用代码", case.enterprise_uscc],
        ["场景", case.scenario, "", ""],
        ["承办部门", case.department, "承办人", case.assignee or "未指派"],
        ["立案时间", _when(case.opened_at), "结案时间", _when(case.closed_at)],
        ["重新打开次数", str(case.reopen_count), "超期上报", _when(case.escalated_at)],
    ], [38, 52, 28, 52], header=False))  # fmt: skip
    story += section("二、办理时限（工作日）", table([
        ["时限", f"{case.sla.limit} 个工作日", "到期时间", _when(case.due_at)],
        ["时限状态", case.sla_status.label(), "暂停次数", str(len(case.sla.pauses))],
    ], [38, 52, 28, 52], header=False))  # fmt: skip
    alerts = [["编号", "来源", "规则", "评分", "时间"]] + [
        [str(a.id), ALERT_SOURCES.get(a.source, a.source.value),
         "、".join(a.rules) or (a.text[:60] or "—"),
         f"{a.score:.1f}" if a.score is not None else "—", _when(a.raised_at)]
        for a in detail.alerts
    ]  # fmt: skip
    story += section("三、预警", table(alerts, [14, 22, 70, 18, 46]) if detail.alerts else None)
    tasks = [["编号", "类型", "内容", "状态", "结果"]] + [
        [str(t.id), TASK_KINDS.get(t.kind, t.kind.value), t.title,
         TASK_STATUSES.get(t.status, t.status.value), t.result or "—"]
        for t in detail.tasks
    ]  # fmt: skip
    task_table = table(tasks, [14, 30, 50, 18, 58]) if detail.tasks else None
    story += section("四、核查任务及结果", task_table)
    if case.outcome is not None:
        disposal = case.disposal
        outcome_rows: list[list[object]] = [["处置结论", case.outcome.label(), "", ""]]
        if disposal is not None:
            outcome_rows += [
                ["罚款金额", _money(disposal.penalty_rmb),
                 "追缴税款", _money(disposal.duty_recovered_rmb)],
                ["查扣货物", disposal.goods_seized or "无", "", ""],
            ]  # fmt: skip
        story += section("五、处置结论", table(outcome_rows, [38, 52, 28, 52], header=False))
    else:
        story += section("五、处置结论", None, "尚未结案")
    story += section("六、审批", table([
        ["结案申请人", case.closure_requested_by or "—"],
        ["审批人（第二名承办人）", case.closure_approved_by or "—"],
    ], [60, 110], header=False))  # fmt: skip
    notes = [["时间", "作者", "内容"]] + [[_when(c.at), c.author, c.text] for c in comments]
    story += section("七、评论", table(notes, [34, 30, 106]) if comments else None)
    files = [["名称", "类型", "大小（字节）", "SHA-256", "上传人"]] + [
        [f.name, f.media_type, str(f.size), f.sha256[:16] + "…", f.uploaded_by] for f in attachments
    ]
    story += section("八、附件", table(files, [46, 26, 24, 44, 30]) if attachments else None)
    timeline = [["时间", "操作人", "事项", "说明"]] + [
        [_when(e.at), e.actor, TIMELINE_KINDS.get(e.kind, e.kind), e.detail or "—"]
        for e in detail.timeline
    ]
    story += section("九、办理过程", table(timeline, [32, 30, 28, 80]) if detail.timeline else None)

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=f"{TITLE} 案件 {case.id}", author="临港平台",
        invariant=True,
    )  # fmt: skip
    document.build(story)
    return out.getvalue()
