"""Case management (核查处置): the inbox, case pages, the lifecycle, tasks, suppressions.

Officers reach only their own department's cases (another department's case answers 404);
auditors read; enterprise users and other roles get 403. Rules in docs/cases.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.cases import (
    AlertPublic,
    AssignRequest,
    CaseDetailPublic,
    CasePublic,
    ClosureRequest,
    ManualAlertRequest,
    MoveRequest,
    NoteRequest,
    ReasonRequest,
    SuppressionPublic,
    SuppressionRequest,
    TaskPublic,
    TaskRequest,
    TaskResultRequest,
    alert_public,
    case_public,
    detail_public,
    suppression_public,
    task_public,
)
from lingang.cases.model import CaseState
from lingang.errors import Invalid
from lingang.types import utcnow

router = APIRouter(prefix="/api/cases", tags=["cases"])
_NO_NOTE = NoteRequest()  # approve, reject, pause and resume may be posted without a body


# --- reading (fixed paths before /{case_id}) ------------------------------------------------


@router.get("", operation_id="cases-inbox", response_model=list[CasePublic])
def inbox(
    platform: PlatformDep,
    actor: CurrentActor,
    state: Annotated[
        CaseState | None, Query(description="only cases in this state (default: open ones)")
    ] = None,
    overdue_only: bool = Query(False, description="only cases whose SLA is breached"),
    assignee: str | None = Query(None, max_length=64, description="only cases assigned to"),
) -> list[CasePublic]:
    """The caller's inbox (案件工作台): open cases of the caller's department, earliest
    deadline first, each with its SLA status and working days left."""
    found = platform.cases.inbox(actor=actor, state=state, overdue_only=overdue_only)
    if assignee is not None:
        found = [case for case in found if case.assignee == assignee]
    return [case_public(case) for case in found]


@router.get("/escalations", operation_id="cases-escalations", response_model=list[CasePublic])
def escalations(platform: PlatformDep, actor: CurrentActor) -> list[CasePublic]:
    """The supervisor's inbox (督办): open cases of the caller's department escalated for a
    breached SLA (needs ``cases.supervise``: case supervisors and administrators)."""
    return [case_public(case) for case in platform.cases.escalations(actor=actor)]


@router.get("/overdue", operation_id="cases-overdue", response_model=list[CasePublic])
def overdue(
    platform: PlatformDep,
    actor: CurrentActor,
    at: Annotated[
        dt.datetime | None, Query(description="the instant to judge at (default: now)")
    ] = None,
) -> list[CasePublic]:
    """Open cases whose SLA is breached (超期), within the caller's reach."""
    now = at or utcnow()
    if now.tzinfo is None:
        raise Invalid("at", "give a time zone, e.g. 2026-03-02T09:00:00+08:00")
    return [case_public(case) for case in platform.cases.overdue(now, actor=actor)]


@router.get("/suppressions", operation_id="cases-suppressions",
            response_model=list[SuppressionPublic])  # fmt: skip
def suppressions(
    platform: PlatformDep,
    actor: CurrentActor,
    active_only: bool = Query(False, description="only those in force today"),
) -> list[SuppressionPublic]:
    """Rules silenced per enterprise (规则屏蔽), newest first."""
    found = platform.cases.suppressions(actor=actor, active_only=active_only)
    return [suppression_public(s) for s in found]


@router.post("/suppressions", operation_id="cases-suppress", status_code=201,
             response_model=SuppressionPublic)  # fmt: skip
def suppress(
    body: SuppressionRequest, platform: PlatformDep, actor: CurrentActor
) -> SuppressionPublic:
    """Silence a rule for one enterprise up to and including ``until``: its alerts open no case
    while every rule they fired is silenced. Needs a reason; audited."""
    made = platform.cases.suppress_rule(body.rule_id, body.enterprise_uscc, body.until,
                                        body.reason, actor=actor)  # fmt: skip
    return suppression_public(made)


@router.post("/alerts", operation_id="cases-alert", status_code=201, response_model=AlertPublic)
def manual_alert(
    body: ManualAlertRequest, platform: PlatformDep, actor: CurrentActor
) -> AlertPublic:
    """Enter a tip by hand (举报线索, e.g. from the hotline): grouped into the enterprise's open
    case of the category like any alert. A repeated ``reference`` answers 409."""
    made = platform.cases.raise_manual_alert(body.enterprise_uscc, body.category, body.text,
                                             actor=actor, reference=body.reference)  # fmt: skip
    return alert_public(made)


@router.post("/tasks/{task_id}/finish", operation_id="cases-task-finish",
             response_model=TaskPublic)  # fmt: skip
def finish_task(
    task_id: int, body: TaskResultRequest, platform: PlatformDep, actor: CurrentActor
) -> TaskPublic:
    """Record what a task found and mark it done."""
    return task_public(platform.cases.finish_task(task_id, body.result, actor=actor))


@router.post("/tasks/{task_id}/cancel", operation_id="cases-task-cancel",
             response_model=TaskPublic)  # fmt: skip
def cancel_task(
    task_id: int, body: ReasonRequest, platform: PlatformDep, actor: CurrentActor
) -> TaskPublic:
    """Cancel an open task, with the reason."""
    return task_public(platform.cases.cancel_task(task_id, body.reason, actor=actor))


@router.get("/{case_id}", operation_id="cases-get", response_model=CaseDetailPublic)
def get(case_id: int, platform: PlatformDep, actor: CurrentActor) -> CaseDetailPublic:
    """One case (案件详情) with its alerts, tasks and timeline; 404 outside the caller's
    department."""
    return detail_public(platform.cases.get(case_id, actor=actor))


# --- lifecycle -------------------------------------------------------------------------------


@router.post("/{case_id}/move", operation_id="cases-move", response_model=CasePublic)
def move(case_id: int, body: MoveRequest, platform: PlatformDep, actor: CurrentActor) -> CasePublic:
    """Move to triage (研判) or investigating (核查中). An illegal move answers 409 naming the
    moves allowed; closing, approving and reopening have their own calls."""
    return case_public(platform.cases.move(case_id, body.to, actor=actor, note=body.note))


@router.post("/{case_id}/assign", operation_id="cases-assign", response_model=CasePublic)
def assign(
    case_id: int, body: AssignRequest, platform: PlatformDep, actor: CurrentActor
) -> CasePublic:
    """Assign to an active case officer of the case's department (``username``), or with
    ``auto`` to the one with the fewest open cases."""
    if body.auto == (body.username is not None):
        raise Invalid("username", "give a username, or auto: true (not both)")
    if body.auto:
        return case_public(platform.cases.auto_assign(case_id, actor=actor))
    assert body.username is not None
    return case_public(platform.cases.assign(case_id, body.username, actor=actor))


@router.post("/{case_id}/tasks", operation_id="cases-task-add", status_code=201,
             response_model=TaskPublic)  # fmt: skip
def add_task(
    case_id: int, body: TaskRequest, platform: PlatformDep, actor: CurrentActor
) -> TaskPublic:
    """Add a verification task: document review, on-site inspection, lab test, or a request
    for information (addressed to the enterprise unless ``to_enterprise`` is false)."""
    made = platform.cases.add_task(case_id, body.kind, body.title, actor=actor,
                                   assignee=body.assignee, due_on=body.due_on,
                                   to_enterprise=body.to_enterprise)  # fmt: skip
    return task_public(made)


@router.post("/{case_id}/closure", operation_id="cases-closure", response_model=CasePublic)
def request_closure(
    case_id: int, body: ClosureRequest, platform: PlatformDep, actor: CurrentActor
) -> CasePublic:
    """Close with an outcome and a disposal record (处置结果). A confirmed violation goes to
    pending approval for a second officer; 409 while tasks are open."""
    disposal = body.disposal.model_dump(exclude_unset=True)
    done = platform.cases.request_closure(case_id, body.outcome, disposal, actor=actor,
                                          note=body.note)  # fmt: skip
    return case_public(done)


@router.post("/{case_id}/approve", operation_id="cases-approve", response_model=CasePublic)
def approve(
    case_id: int, platform: PlatformDep, actor: CurrentActor, body: NoteRequest = _NO_NOTE
) -> CasePublic:
    """A second officer approves a pending closure and the case closes (四眼原则); the
    officer who asked for it gets 403."""
    return case_public(platform.cases.approve(case_id, actor=actor, note=body.note))


@router.post("/{case_id}/reject", operation_id="cases-reject", response_model=CasePublic)
def reject(
    case_id: int, platform: PlatformDep, actor: CurrentActor, body: NoteRequest = _NO_NOTE
) -> CasePublic:
    """A second officer sends a pending closure back to investigating; the note (why) is
    required."""
    return case_public(platform.cases.reject(case_id, actor=actor, note=body.note))


@router.post("/{case_id}/reopen", operation_id="cases-reopen", response_model=CasePublic)
def reopen(
    case_id: int, body: ReasonRequest, platform: PlatformDep, actor: CurrentActor
) -> CasePublic:
    """Reopen a closed case with the reason: a new SLA clock starts and the labels of the
    previous closing are withdrawn."""
    return case_public(platform.cases.reopen(case_id, actor=actor, reason=body.reason))


@router.post("/{case_id}/pause", operation_id="cases-pause", response_model=CasePublic)
def pause(
    case_id: int, platform: PlatformDep, actor: CurrentActor, body: NoteRequest = _NO_NOTE
) -> CasePublic:
    """Pause the SLA clock while the case waits for the enterprise (暂停计时)."""
    return case_public(platform.cases.pause(case_id, actor=actor, note=body.note))


@router.post("/{case_id}/resume", operation_id="cases-resume", response_model=CasePublic)
def resume(
    case_id: int, platform: PlatformDep, actor: CurrentActor, body: NoteRequest = _NO_NOTE
) -> CasePublic:
    """Run the SLA clock again once the enterprise has answered; the working days paused push
    the deadline back."""
    return case_public(platform.cases.resume(case_id, actor=actor, note=body.note))
