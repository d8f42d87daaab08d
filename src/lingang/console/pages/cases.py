"""The case inbox (核查处置工作台) and the case page: alerts, tasks, SLA clock, timeline, and
the actions the case's state allows (assign, tasks, pause, closure, approval, reopening).

Every action calls :class:`~lingang.cases.service.CaseService` as the signed-in officer and
reloads the page; a refusal (an illegal move, the author approving their own closure, a bad
amount) is shown as the service worded it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.cases.model import CaseState, Outcome, TaskKind, TaskStatus, timeline_label
from lingang.cases.service import Case, CaseDetail, Task
from lingang.console.components.nav import CASES
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.case_records import CaseRecordsPanel
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.errors import LingangError
from lingang.types import Actor
from lingang.workdays import SlaStatus

SLA_COLOURS: Final = {
    SlaStatus.ON_TRACK: "green-8", SlaStatus.DUE_SOON: "orange-8", SlaStatus.PAUSED: "blue-grey-6",
    SlaStatus.BREACHED: "red-8", SlaStatus.STOPPED: "grey-7",
}  # fmt: skip
INBOX_COLUMNS = (
    ("number", "col.case"),
    ("enterprise", "col.enterprise"),
    ("scenario", "col.scenario"),
    ("state", "col.state"),
    ("assignee", "col.assignee"),
    ("department", "col.department"),
    ("sla", "col.sla"),
    ("due", "col.due"),
    ("opened", "col.opened"),
)
ALERT_COLUMNS = (
    ("raised", "col.raised_at"),
    ("source", "col.source"),
    ("rules", "col.rules"),
    ("score", "col.score"),
    ("reference", "col.reference"),
    ("label", "col.alert_label"),
)
TASK_COLUMNS = (
    ("id", "col.id"),
    ("kind", "col.kind"),
    ("title", "col.title"),
    ("assignee", "col.assignee"),
    ("due", "col.due"),
    ("status", "col.status"),
    ("result", "col.result"),
)
TIMELINE_COLUMNS = (
    ("at", "col.time"), ("actor", "col.actor"), ("kind", "col.kind"), ("detail", "col.detail"),
)  # fmt: skip
SLA_SLOT: Final = (
    '<q-td :props="props"><q-badge :color="props.row.sla_colour" :label="props.value"'
    " :data-testid=\"'sla-' + props.row.sla_code\" /></q-td>"
)
DETAIL_PATH: Final = "/cases/{item_id}"


def case_number(case: Case) -> str:
    """The number officers quote: HC-<year opened>-<id>."""
    return f"HC-{case.opened_at.year}-{case.id:06d}"


def register(platform: Platform) -> None:
    """Register ``/cases`` and ``/cases/{id}``."""

    @console_page(platform, CASES)
    def inbox(actor: Actor, lang: Language) -> None:
        page_title(t("cases.title", lang))
        states = {"": t("cases.open", lang)} | {s.value: s.label(lang) for s in CaseState}
        with ui.row().classes("items-center gap-4"):
            picker = ui.select(states, value="", label=t("col.state", lang)).classes("w-48")
            overdue = ui.switch(t("cases.overdue_only", lang))
            escalated = ui.switch(t("cases.escalated_only", lang))
            escalated.props("data-testid=escalated-only")
            escalated.set_visibility(can(actor.role, Permission.SUPERVISE_CASES))
        table = data_table(lang, INBOX_COLUMNS, [], row_key="id")
        table.props("data-testid=case-inbox")
        table.add_slot("body-cell-sla", SLA_SLOT)
        table.on("rowClick", lambda e: ui.navigate.to(f"/cases/{e.args[1]['id']}"))

        def refresh() -> None:
            state = CaseState(picker.value) if picker.value else None
            if escalated.value:
                found = platform.cases.escalations(actor=actor)
            else:
                found = platform.cases.inbox(actor=actor, state=state, overdue_only=overdue.value)
            table.rows = [inbox_row(case, lang) for case in found]

        picker.on_value_change(lambda _: refresh())
        escalated.on_value_change(lambda _: refresh())
        overdue.on_value_change(lambda _: refresh())
        refresh()

    @console_detail_page(platform, CASES, DETAIL_PATH)
    def case_page(actor: Actor, lang: Language, case_id: int) -> None:
        detail = platform.cases.get(case_id, actor=actor)
        CasePage(platform, actor, lang, detail).render()


def inbox_row(case: Case, lang: Language) -> dict[str, object]:
    """One row of the inbox; the SLA carries its label, code and badge colour."""
    return {
        "id": case.id,
        "number": case_number(case),
        "enterprise": case.enterprise_uscc,
        "scenario": case.scenario,
        "state": case.state.label(lang),
        "assignee": case.assignee or "—",
        "department": case.department,
        "sla": case.sla_status.label(lang),
        "sla_code": case.sla_status.value,
        "sla_colour": SLA_COLOURS[case.sla_status],
        "due": local_time(case.due_at),
        "opened": local_time(case.opened_at),
    }


class CasePage:
    """One case: facts, SLA, alerts, tasks, timeline, and the allowed actions."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language, detail: CaseDetail):
        self.platform, self.actor, self.lang, self.detail = platform, actor, lang, detail
        self.case = detail.case

    def render(self) -> None:
        """Draw the page."""
        lang, case = self.lang, self.case
        ui.link(t("cases.back", lang), "/cases").classes("text-blue-800")
        with ui.row().classes("items-center gap-3"):
            page_title(f"{t('cases.case', lang)} {case_number(case)}")
            ui.badge(case.state.label(lang)).props(f"data-testid=state-{case.state.value}")
            ui.badge(case.sla_status.label(lang), color=SLA_COLOURS[case.sla_status]).props(
                f"data-testid=sla-{case.sla_status.value}"
            )
        ui.label(
            t("cases.facts", lang).format(
                enterprise=case.enterprise_uscc,
                scenario=case.scenario,
                department=case.department,
                assignee=case.assignee or "—",
                due=local_time(case.due_at),
                limit=case.sla.limit,
            )
        ).classes("text-gray-700")
        if case.outcome is not None:
            ui.label(self._closing_text()).props("data-testid=closing")
        if case.escalated_at is not None and case.state is not CaseState.CLOSED:
            ui.label(t("cases.escalated", lang).format(
                at=local_time(case.escalated_at), department=case.department,
            )).classes("text-red-800 font-medium").props("data-testid=escalated")  # fmt: skip
        self._actions()
        self._section(
            "cases.alerts", ALERT_COLUMNS, [self._alert_row(a) for a in self.detail.alerts]
        )
        self._section("cases.tasks", TASK_COLUMNS, [self._task_row(k) for k in self.detail.tasks])
        timeline = [
            {"id": i, "at": local_time(e.at), "actor": e.actor,
             "kind": timeline_label(e.kind, self.lang), "detail": e.text(self.lang)}
            for i, e in enumerate(reversed(self.detail.timeline))
        ]  # fmt: skip
        self._section("cases.timeline", TIMELINE_COLUMNS, timeline)
        CaseRecordsPanel(self.platform, self.actor, lang, case).render(case_number(case))

    def _closing_text(self) -> str:
        case, lang = self.case, self.lang
        assert case.outcome is not None
        disposal = case.disposal
        return t("cases.closing", lang).format(
            outcome=case.outcome.label(lang),
            penalty=disposal.penalty_rmb if disposal else "0.00",
            duty=disposal.duty_recovered_rmb if disposal else "0.00",
            goods=(disposal.goods_seized if disposal else "") or "—",
            by=case.closure_requested_by or "—", approved=case.closure_approved_by or "—",
        )  # fmt: skip

    def _section(self, key: str, columns: Any, rows: list[dict[str, object]]) -> None:
        ui.label(t(key, self.lang)).classes("text-lg font-medium mt-4")
        data_table(self.lang, columns, rows, row_key="id").props(f"data-testid={key}")

    def _alert_row(self, alert: Any) -> dict[str, object]:
        return {
            "id": alert.id, "raised": local_time(alert.raised_at),
            "source": alert.source.label(self.lang),
            "rules": ", ".join(alert.rules) or alert.text[:60], "reference": alert.reference,
            "score": "" if alert.score is None else f"{alert.score:g}",
            "label": alert.label.label(self.lang) if alert.label else "",
        }  # fmt: skip

    def _task_row(self, task: Task) -> dict[str, object]:
        return {
            "id": task.id, "kind": t(f"task.{task.kind.value}", self.lang), "title": task.title,
            "assignee": task.assignee or ("企业" if task.to_enterprise else "—"),
            "due": task.due_on.isoformat() if task.due_on else "",
            "status": t(f"task.status.{task.status.value}", self.lang), "result": task.result or "",
        }  # fmt: skip

    # --- actions ---------------------------------------------------------------------------

    def _actions(self) -> None:
        state = self.case.state
        with ui.row().classes("gap-2 mt-2"):
            if state is not CaseState.CLOSED:
                self._button("cases.assign_me", lambda: self._do(lambda: self.platform.cases.assign(
                    self.case.id, self.actor.username, actor=self.actor)))  # fmt: skip
                self._button("cases.add_task", self._task_dialog)
                self._finish_buttons()
                if self.case.sla_status is SlaStatus.PAUSED:
                    self._button("cases.resume", lambda: self._call("resume"))
                else:
                    self._button("cases.pause", lambda: self._call("pause"))
            for target in (CaseState.TRIAGE, CaseState.INVESTIGATING):
                if (
                    state in (CaseState.NEW, CaseState.TRIAGE, CaseState.REOPENED)
                    and target != state
                ):
                    self._button(f"cases.to_{target.value}", self._mover(target))
            if state in (CaseState.TRIAGE, CaseState.INVESTIGATING):
                self._button("cases.close", self._closure_dialog)
            if state is CaseState.PENDING_APPROVAL:
                self._button("cases.approve", lambda: self._call("approve"))
                self._button("cases.reject", lambda: self._note_dialog("reject", "note"))
            if state is CaseState.CLOSED:
                self._button("cases.reopen", lambda: self._note_dialog("reopen", "reason"))

    def _button(self, key: str, handler: Callable[[], None]) -> None:
        ui.button(t(key, self.lang), on_click=handler).props(
            f"outline dense data-testid={key.replace('.', '-')}"
        )

    def _finish_buttons(self) -> None:
        for task in self.detail.tasks:
            if task.status is TaskStatus.OPEN:
                label = t("cases.finish_task", self.lang).format(id=task.id)
                self._button_text(label, self._finisher(task))

    def _mover(self, target: CaseState) -> Callable[[], None]:
        def move() -> None:
            self._do(lambda: self.platform.cases.move(self.case.id, target, actor=self.actor))

        return move

    def _finisher(self, task: Task) -> Callable[[], None]:
        return lambda: self._result_dialog(task)

    def _button_text(self, text: str, handler: Callable[[], None]) -> None:
        ui.button(text, on_click=handler).props("outline dense")

    def _call(self, name: str) -> None:
        method = getattr(self.platform.cases, name)
        self._do(lambda: method(self.case.id, actor=self.actor))

    def _do(self, action: Callable[[], object]) -> None:
        try:
            action()
        except LingangError as exc:
            ui.notify(exc.message, type="negative", multi_line=True)
            return
        ui.navigate.reload()

    def _task_dialog(self) -> None:
        lang = self.lang
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            kinds = {k.value: t(f"task.{k.value}", lang) for k in TaskKind}
            kind = ui.select(kinds, value=TaskKind.DOCUMENT_REVIEW.value, label=t("col.kind", lang))
            title = ui.input(t("col.title", lang)).props("data-testid=task-title")
            due = ui.input(t("col.due", lang), placeholder="YYYY-MM-DD")

            def save() -> None:
                self._do(lambda: self.platform.cases.add_task(
                    self.case.id, TaskKind(kind.value), title.value, actor=self.actor,
                    due_on=_day(due.value)))  # fmt: skip

            ui.button(t("action.save", lang), on_click=save).props("data-testid=task-save")
        dialog.open()

    def _result_dialog(self, task: Task) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            result = ui.textarea(t("col.result", self.lang)).props("data-testid=task-result")
            ui.button(t("action.save", self.lang), on_click=lambda: self._do(
                lambda: self.platform.cases.finish_task(task.id, result.value, actor=self.actor)
            )).props("data-testid=task-finish")  # fmt: skip
        dialog.open()

    def _closure_dialog(self) -> None:
        lang = self.lang
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            outcome = ui.select({o.value: o.label(lang) for o in Outcome},
                                value=Outcome.CONFIRMED_VIOLATION.value,
                                label=t("cases.outcome", lang))  # fmt: skip
            penalty = ui.input(t("cases.penalty", lang), value="0").props("data-testid=penalty")
            duty = ui.input(t("cases.duty", lang), value="0")
            goods = ui.input(t("cases.goods", lang))
            note = ui.input(t("col.note", lang))

            def save() -> None:
                disposal = {"penalty_rmb": penalty.value, "duty_recovered_rmb": duty.value,
                            "goods_seized": goods.value}  # fmt: skip
                self._do(lambda: self.platform.cases.request_closure(
                    self.case.id, Outcome(outcome.value), disposal, actor=self.actor,
                    note=note.value))  # fmt: skip

            ui.button(t("cases.close", lang), on_click=save).props("data-testid=closure-save")
        dialog.open()

    def _note_dialog(self, method: str, keyword: str) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            text = ui.input(t("col.note", self.lang)).props("data-testid=note")
            call = getattr(self.platform.cases, method)
            ui.button(t("action.save", self.lang), on_click=lambda: self._do(
                lambda: call(self.case.id, actor=self.actor, **{keyword: text.value})
            )).props("data-testid=note-save")  # fmt: skip
        dialog.open()


def _day(text: str) -> dt.date | None:
    """A YYYY-MM-DD date from a form, or None when empty (the service validates the rest)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        from lingang.errors import Invalid

        raise Invalid("due_on", f"{text!r} is not a date YYYY-MM-DD") from None
