"""``lingang cases``: the case inbox, case pages, the lifecycle, tasks, suppressions, and the
SLA escalation a scheduler runs (核查处置).

The CLI acts as an administrator (``cli:<os user>``, as every ``lingang`` command), so it sees
every department; a second officer's approval must come from another user (the API, the
console, or the CLI run by another operating-system user). JSON output has the API's shape.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer

from lingang.api.schemas.case_records import (
    attachment_public,
    comment_public,
    dashboard_public,
    precision_public,
    suggestion_public,
)
from lingang.api.schemas.cases import (
    alert_public,
    case_public,
    detail_public,
    suppression_public,
    task_public,
)
from lingang.cases.dashboards import AGE_BOUNDS, bucket_labels
from lingang.cases.model import TASK_KIND_LABELS, CaseState, Outcome, TaskKind, timeline_label
from lingang.cases.service import Case
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.types import utcnow
from lingang.workdays import SHANGHAI

app = typer.Typer(help="Case management · 核查处置", no_args_is_help=True)
task_app = typer.Typer(help="Verification tasks · 核查任务", no_args_is_help=True)
app.add_typer(task_app, name="task")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]
NoteOption = Annotated[str, typer.Option(help="A note for the timeline")]


def _local(at: dt.datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else ""


def _row(case: Case) -> list[object]:
    remaining = case.sla.remaining_working_days(max(utcnow(), case.sla.started_at))
    return [case.id, f"{case.state.value} {case.state.label()}",
            f"{case.sla_status.value} {case.sla_status.label()}", _local(case.due_at), remaining,
            case.enterprise_uscc, case.scenario, case.department, case.assignee or ""]  # fmt: skip


CASE_HEADERS = ["id", "state 状态", "SLA", "due 时限 (CST)", "days left", "enterprise",
                "scenario", "department 部门", "assignee 承办人"]  # fmt: skip


def _print_case(case: Case, as_json: bool, done: str) -> None:
    if as_json:
        print_json(case_public(case).model_dump(mode="json"))
        return
    typer.echo(f"case {case.id}: {done} — {case.state.value} ({case.state.label()}), "
               f"SLA {case.sla_status.label()}, due {_local(case.due_at)}")  # fmt: skip


@app.command("inbox")
def inbox(
    state: Annotated[CaseState | None, typer.Option(help="Only cases in this state")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only breached SLAs")] = False,
    assignee: Annotated[str | None, typer.Option(help="Only cases assigned to")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Open cases (or those in ``--state``), earliest deadline first."""
    with platform_session(start=False) as platform:
        found = platform.cases.inbox(actor=cli_actor(), state=state, overdue_only=overdue)
    if assignee is not None:
        found = [case for case in found if case.assignee == assignee]
    if as_json:
        print_json([case_public(case).model_dump(mode="json") for case in found])
        return
    print_table(CASE_HEADERS, [_row(case) for case in found])


@app.command("show")
def show(case_id: int, as_json: JsonFlag = False) -> None:
    """One case with its alerts, tasks and timeline."""
    with platform_session(start=False) as platform:
        detail = platform.cases.get(case_id, actor=cli_actor())
    if as_json:
        print_json(detail_public(detail).model_dump(mode="json"))
        return
    case = detail.case
    print_table(CASE_HEADERS, [_row(case)])
    if case.outcome is not None:
        disposal = case.disposal.to_data() if case.disposal else {}
        approved = case.closure_approved_by or "-"
        typer.echo(f"outcome 结论: {case.outcome.value} ({case.outcome.label()}); disposal "
                   f"{disposal}; requested by {case.closure_requested_by}, approved by "
                   f"{approved}")  # fmt: skip
    typer.echo("\nalerts 线索")
    print_table(["id", "source", "reference", "rules", "score", "raised (CST)", "label"],
                [[a.id, a.source.value, a.reference, ",".join(a.rules) or "-",
                  "" if a.score is None else a.score, _local(a.raised_at),
                  a.label.label() if a.label else ""] for a in detail.alerts])  # fmt: skip
    typer.echo("\ntasks 核查任务")
    print_table(["id", "kind", "title", "assignee", "due", "status", "result"],
                [[t.id, TASK_KIND_LABELS[t.kind][0], t.title, t.assignee or "", t.due_on or "",
                  t.status.value, t.result or ""] for t in detail.tasks])  # fmt: skip
    typer.echo("\ntimeline 办理记录")
    print_table(["at (CST)", "actor", "kind", "detail"],
                [[_local(e.at), e.actor, timeline_label(e.kind), e.detail]
                 for e in detail.timeline])  # fmt: skip


@app.command("alert")
def alert(
    enterprise_uscc: Annotated[str, typer.Argument(help="The enterprise's USCC")],
    text: Annotated[str, typer.Option(help="What the tip says")],
    category: Annotated[str, typer.Option(help="Scenario it is grouped under")] = "hotline_tip",
    reference: Annotated[str | None, typer.Option(help="Hotline ticket number")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Enter a tip by hand (举报线索): it joins the enterprise's open case of the category."""
    with platform_session() as platform:
        made = platform.cases.raise_manual_alert(
            enterprise_uscc, category, text, actor=cli_actor(), reference=reference
        )
    if as_json:
        print_json(alert_public(made).model_dump(mode="json"))
        return
    typer.echo(f"alert {made.id} ({made.reference}) → case {made.case_id}")


@app.command("move")
def move(
    case_id: int,
    to: Annotated[CaseState, typer.Argument(help="triage or investigating")],
    note: NoteOption = "",
    as_json: JsonFlag = False,
) -> None:
    """Move a case to triage or investigating (an illegal move names the allowed ones)."""
    with platform_session() as platform:
        case = platform.cases.move(case_id, to, actor=cli_actor(), note=note)
    _print_case(case, as_json, f"moved to {to.value}")


@app.command("assign")
def assign(
    case_id: int,
    username: Annotated[str | None, typer.Argument(help="A case officer of its department")] = None,
    auto: Annotated[bool, typer.Option("--auto", help="The least-loaded officer")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Assign a case by hand, or ``--auto`` by department and workload."""
    from lingang.errors import Invalid

    if auto == (username is not None):
        raise Invalid("username", "give a username, or --auto (not both)")
    with platform_session() as platform:
        if auto:
            case = platform.cases.auto_assign(case_id, actor=cli_actor())
        else:
            assert username is not None
            case = platform.cases.assign(case_id, username, actor=cli_actor())
    _print_case(case, as_json, f"assigned to {case.assignee}")


@task_app.command("add")
def task_add(
    case_id: int,
    kind: Annotated[TaskKind, typer.Option(help="What the task asks for")],
    title: Annotated[str, typer.Option(help="What to do")],
    assignee: Annotated[str | None, typer.Option(help="Who does it")] = None,
    due: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Due day")] = None,
    to_enterprise: Annotated[
        bool | None,
        typer.Option("--to-enterprise/--internal", help="Addressed to the enterprise"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a verification task to an open case."""
    with platform_session() as platform:
        made = platform.cases.add_task(case_id, kind, title, actor=cli_actor(),
                                       assignee=assignee, due_on=due.date() if due else None,
                                       to_enterprise=to_enterprise)  # fmt: skip
    if as_json:
        print_json(task_public(made).model_dump(mode="json"))
        return
    typer.echo(f"task {made.id} ({made.kind.value}) added to case {case_id}")


@task_app.command("finish")
def task_finish(task_id: int, result: Annotated[str, typer.Argument(help="What it found")]) -> None:
    """Record a task's result and mark it done."""
    with platform_session() as platform:
        platform.cases.finish_task(task_id, result, actor=cli_actor())
    typer.echo(f"task {task_id} done")


@task_app.command("cancel")
def task_cancel(task_id: int, reason: Annotated[str, typer.Argument(help="Why")]) -> None:
    """Cancel an open task, with the reason."""
    with platform_session() as platform:
        platform.cases.cancel_task(task_id, reason, actor=cli_actor())
    typer.echo(f"task {task_id} cancelled")


@app.command("close")
def close(
    case_id: int,
    outcome: Annotated[Outcome, typer.Option(help="How the case ended")],
    penalty: Annotated[str, typer.Option(help="Penalty in RMB")] = "0",
    duty: Annotated[str, typer.Option(help="Duty recovered in RMB")] = "0",
    goods: Annotated[str, typer.Option(help="Goods seized")] = "",
    note: NoteOption = "",
    as_json: JsonFlag = False,
) -> None:
    """Close with an outcome and a disposal record; a confirmed violation waits for a second
    officer's approval."""
    disposal = {"penalty_rmb": penalty, "duty_recovered_rmb": duty, "goods_seized": goods}
    with platform_session() as platform:
        case = platform.cases.request_closure(case_id, outcome, disposal, actor=cli_actor(),
                                              note=note)  # fmt: skip
    _print_case(case, as_json, f"closure as {outcome.value} ({outcome.label()})")


@app.command("approve")
def approve(case_id: int, note: NoteOption = "", as_json: JsonFlag = False) -> None:
    """Approve a pending closure (not the officer who asked for it)."""
    with platform_session() as platform:
        case = platform.cases.approve(case_id, actor=cli_actor(), note=note)
    _print_case(case, as_json, "closure approved")


@app.command("reject")
def reject(
    case_id: int,
    note: Annotated[str, typer.Option(help="Why it goes back")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Send a pending closure back to investigating, with the reason."""
    with platform_session() as platform:
        case = platform.cases.reject(case_id, actor=cli_actor(), note=note)
    _print_case(case, as_json, "closure rejected")


@app.command("reopen")
def reopen(
    case_id: int,
    reason: Annotated[str, typer.Option(help="Why it reopens")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Reopen a closed case (a new SLA clock starts)."""
    with platform_session() as platform:
        case = platform.cases.reopen(case_id, actor=cli_actor(), reason=reason)
    _print_case(case, as_json, "reopened")


@app.command("pause")
def pause(case_id: int, note: NoteOption = "", as_json: JsonFlag = False) -> None:
    """Pause the SLA clock while the case waits for the enterprise."""
    with platform_session() as platform:
        case = platform.cases.pause(case_id, actor=cli_actor(), note=note)
    _print_case(case, as_json, "clock paused")


@app.command("resume")
def resume(case_id: int, note: NoteOption = "", as_json: JsonFlag = False) -> None:
    """Run the SLA clock again."""
    with platform_session() as platform:
        case = platform.cases.resume(case_id, actor=cli_actor(), note=note)
    _print_case(case, as_json, "clock resumed")


@app.command("suppress")
def suppress(
    rule_id: Annotated[str, typer.Argument(help="The rule, e.g. UV01")],
    enterprise_uscc: Annotated[str, typer.Argument(help="The enterprise's USCC")],
    until: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day, inclusive")],
    reason: Annotated[str, typer.Option(help="Why (required; audited)")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Silence a rule for one enterprise up to and including ``--until``."""
    with platform_session() as platform:
        made = platform.cases.suppress_rule(rule_id, enterprise_uscc, until.date(), reason,
                                            actor=cli_actor())  # fmt: skip
    if as_json:
        print_json(suppression_public(made).model_dump(mode="json"))
        return
    typer.echo(f"suppression {made.id}: {made.rule_id} for {made.enterprise_uscc} "
               f"until {made.until}")  # fmt: skip


@app.command("suppressions")
def suppressions(
    active: Annotated[bool, typer.Option("--active", help="Only those in force today")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Rules silenced per enterprise, newest first."""
    with platform_session(start=False) as platform:
        found = platform.cases.suppressions(actor=cli_actor(), active_only=active)
    if as_json:
        print_json([suppression_public(s).model_dump(mode="json") for s in found])
        return
    print_table(["id", "rule", "enterprise", "until", "by", "reason"],
                [[s.id, s.rule_id, s.enterprise_uscc, s.until, s.actor, s.reason]
                 for s in found])  # fmt: skip


@app.command("escalations")
def escalations(as_json: JsonFlag = False) -> None:
    """Open cases escalated for a breached SLA (the supervisors' 督办 inbox)."""
    with platform_session(start=False) as platform:
        found = platform.cases.escalations(actor=cli_actor())
    if as_json:
        print_json([case_public(case).model_dump(mode="json") for case in found])
        return
    print_table(CASE_HEADERS, [_row(case) for case in found])


@app.command("escalate")
def escalate(as_json: JsonFlag = False) -> None:
    """Escalate every breached open case to its department's supervisor (idempotent; for cron
    when nothing serves — ``lingang serve`` does it every minute)."""
    with platform_session() as platform:
        escalated = platform.cases.escalate_overdue(utcnow())
    if as_json:
        print_json({"escalated": escalated})
        return
    typer.echo(f"{len(escalated)} case(s) escalated" + (f": {escalated}" if escalated else ""))


# --- records: attachments, comments, the PDF report -----------------------------------------

#: a SHA-256 in hex; shorter all-digit references are attachment ids
SHA256_HEX = 64


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


@app.command("attach")
def attach(
    case_id: int,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File to attach")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Attach a file to an open case (its type is read from the content)."""
    content = file.read_bytes()
    with platform_session() as platform:
        made = platform.case_records.add_attachment(case_id, file.name, content,
                                                    actor=cli_actor())  # fmt: skip
    if as_json:
        print_json(attachment_public(made).model_dump(mode="json"))
        return
    typer.echo(f"attachment {made.id} ({made.name}, {made.media_type}, {made.size} bytes) "
               f"→ case {case_id}, sha256 {made.sha256}")  # fmt: skip


@app.command("download")
def download(
    ref: Annotated[str, typer.Argument(help="Attachment id or SHA-256")],
    out: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the file")],
) -> None:
    """Write an attachment's content (checked against its hash) to ``OUT``; audited."""
    key: int | str = int(ref) if ref.isdigit() and len(ref) < SHA256_HEX else ref
    with platform_session() as platform:
        meta, content = platform.case_records.attachment(key, actor=cli_actor())
    out.write_bytes(content)
    typer.echo(f"attachment {meta.id} ({meta.name}, {meta.size} bytes) written to {out}")


@app.command("comment")
def comment(
    case_id: int,
    text: Annotated[str, typer.Argument(help="The comment (≤ 2000 characters)")],
    as_json: JsonFlag = False,
) -> None:
    """Comment on an open case."""
    with platform_session() as platform:
        made = platform.case_records.add_comment(case_id, text, actor=cli_actor())
    if as_json:
        print_json(comment_public(made).model_dump(mode="json"))
        return
    typer.echo(f"comment {made.id} added to case {case_id}")


@app.command("report")
def report(
    case_id: int,
    out: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the PDF")],
) -> None:
    """Write the case report (核查处置报告) as a PDF; the export is audited."""
    with platform_session() as platform:
        pdf = platform.case_records.report_pdf(case_id, actor=cli_actor())
    out.write_bytes(pdf)
    typer.echo(f"case {case_id} report ({len(pdf)} bytes) written to {out}")


# --- feedback and dashboard -----------------------------------------------------------------


@app.command("precision")
def precision(
    by: Annotated[Literal["rule", "scenario"], typer.Option(help="Group by")] = "rule",
    period: Annotated[Literal["month", "week"], typer.Option(help="Per period")] = "month",
    as_json: JsonFlag = False,
) -> None:
    """Precision of the risk alerts per rule or scenario (反馈闭环), overall and per period,
    with the Wilson 95 % interval."""
    with platform_session(start=False) as platform:
        found = platform.feedback.precision(actor=cli_actor(), by=by, period=period)
    if as_json:
        print_json(precision_public(found).model_dump(mode="json"))
        return
    rows: list[list[object]] = []
    for row in found.rows:
        for name, p in [("overall 合计", row.overall), *row.periods.items()]:
            interval = "" if p.low is None or p.high is None else f"{_pct(p.low)}–{_pct(p.high)}"
            rows.append([row.key, name, p.alerts, p.labelled, p.confirmed, p.false_positives,
                         _pct(p.precision), interval])  # fmt: skip
    key_header = "rule 规则" if by == "rule" else "scenario 场景"
    print_table([key_header, f"{period} 周期", "alerts 线索", "labelled 已标注", "confirmed 违规",
                 "false+ 误报", "precision 精确率", "95% CI"], rows)  # fmt: skip


@app.command("thresholds")
def thresholds(
    target: Annotated[float, typer.Option(help="Precision to reach, in (0, 1]")] = 0.8,
    min_labels: Annotated[int, typer.Option(help="Labels needed per scenario")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """Per scenario, the lowest review threshold whose labelled alerts reach ``--target``
    precision (阈值建议), or why there is none."""
    with platform_session(start=False) as platform:
        found = platform.feedback.threshold_suggestions(actor=cli_actor(), target=target,
                                                        min_labels=min_labels)  # fmt: skip
    if as_json:
        print_json([suggestion_public(s).model_dump(mode="json") for s in found])
        return
    print_table(["scenario 场景", "status 状态", "labelled 已标注", "precision now 现精确率",
                 "threshold 阈值", "kept 保留", "precision 精确率", "recall 召回率", "note"],
                [[s.scenario, s.status, s.labelled, _pct(s.precision_now),
                  "" if s.threshold is None else s.threshold,
                  "" if s.kept is None else s.kept, _pct(s.precision), _pct(s.recall), s.note]
                 for s in found])  # fmt: skip


@app.command("dashboard")
def dashboard(as_json: JsonFlag = False) -> None:
    """The case dashboard (案件看板): open cases by age, SLA breaches, time to close and the
    confirmed rate per rule."""
    with platform_session(start=False) as platform:
        board = platform.case_dashboards.overview(actor=cli_actor())
    if as_json:
        print_json(dashboard_public(board).model_dump(mode="json"))
        return
    typer.echo(f"as of 截至 {_local(board.as_of)} (CST)")
    buckets = list(board.open_by_age[0].buckets) if board.open_by_age else bucket_labels(AGE_BOUNDS)
    typer.echo("\nopen by age 在办案件账龄 (working days)")
    print_table(["department 部门", *buckets, "total 合计"],
                [[d.department, *d.buckets.values(), d.total]
                 for d in board.open_by_age])  # fmt: skip
    typer.echo("\nSLA breaches 超期")
    breaches = [*board.breaches.open_overdue, *board.breaches.closed_late]
    print_table(["case 案件", "department 部门", "enterprise", "scenario", "assignee 承办人",
                 "due 时限 (CST)", "overdue days", "closed (CST)"],
                [[b.case_id, b.department, b.enterprise_uscc, b.scenario, b.assignee or "",
                  _local(b.due_at), b.overdue_working_days, _local(b.closed_at)]
                 for b in breaches])  # fmt: skip
    typer.echo("\ntime to close 办结用时 (working days)")
    print_table(["department 部门", "closed 已办结", "median", "p90", "max"],
                [[t.department or "all 全部", t.closed, "" if t.median is None else t.median,
                  "" if t.p90 is None else t.p90, "" if t.max is None else t.max]
                 for t in board.time_to_close])  # fmt: skip
    typer.echo("\nconfirmed by rule 规则查实率")
    print_table(["rule 规则", "labelled 已标注", "confirmed 违规", "false+ 误报", "other",
                 "rate 查实率"],
                [[r.rule, r.labelled, r.confirmed, r.false_positives, r.other, _pct(r.rate)]
                 for r in board.confirmed_by_rule])  # fmt: skip
