"""The officers' desk of 一网通办 (审批工作台): the work queue, earliest deadline first, with an
"overdue only" switch; one application's page with its clock, timeline, files and the actions
its workflow state allows (correction notice, accept/reject with a receipt, pause/resume,
extension, grant/refuse, issue); and the 告知承诺 post-issue verification tasks.

Every action calls ``platform.permits`` as the signed-in officer and reloads the page; a
refusal (an illegal move, a missing reason, a second correction notice) is shown as the
service worded it. Auditors (``VIEW_PERMITS`` only) see the pages without the actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.console.components.nav import PERMIT_DESK, NavEntry
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages import permits_common as common
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.console.pages.permits_rating import SATISFACTION_PATH
from lingang.permits.model import PauseKind, ServiceItem
from lingang.permits.service import ApplicationDetail, VerificationTask
from lingang.types import Actor

QUEUE_COLUMNS = (
    ("id", "col.id"), ("item", "permits.col.item"), ("enterprise", "col.enterprise"),
    ("state", "col.state"), ("lane", "permits.col.lane"), ("department", "col.department"),
    ("sla", "col.sla"), ("due", "col.due"), ("left", "permits.col.left"),
    ("paused", "permits.col.paused"), ("received", "permits.col.received"),
)  # fmt: skip
TASK_COLUMNS = (
    ("id", "col.id"), ("application", "permits.application"), ("licence", "permits.licence"),
    ("enterprise", "col.enterprise"), ("department", "col.department"), ("due", "col.due"),
    ("status", "col.status"), ("result", "col.result"),
)  # fmt: skip
SLA_SLOT: Final = (
    '<q-td :props="props"><q-badge :color="props.row.sla_colour" :label="props.value"'
    " :data-testid=\"'permit-sla-' + props.row.sla_code\" /></q-td>"
)
VERIFICATIONS_PATH: Final = "/permits/verifications"
DETAIL_PATH: Final = "/permits/{item_id}"
#: the verification tasks' page: reached from the desk, not listed in the navigation
VERIFICATIONS: Final = NavEntry(
    "permits.verifications", VERIFICATIONS_PATH, "fact_check", Permission.VIEW_PERMITS
)
REVIEW: Final = "review"


def register(platform: Platform) -> None:
    """Register ``/permits``, ``/permits/verifications`` and ``/permits/{id}`` (the
    verifications page first: its path would otherwise match the application page's)."""

    @console_page(platform, PERMIT_DESK)
    def queue(actor: Actor, lang: Language) -> None:
        page_title(t("nav.permit_desk", lang))
        with ui.row().classes("items-center gap-4"):
            overdue = ui.switch(t("permits.overdue_only", lang)).props(
                "data-testid=permit-overdue-only"
            )
            ui.link(t("permits.verifications", lang), VERIFICATIONS_PATH).props(
                "data-testid=permit-verifications-link"
            )
            ui.link(t("permits.satisfaction", lang), SATISFACTION_PATH).props(
                "data-testid=permit-satisfaction-link"
            )
        table = data_table(lang, QUEUE_COLUMNS, [], row_key="id")
        table.props("data-testid=permit-queue")
        table.add_slot("body-cell-sla", SLA_SLOT)
        table.on("rowClick", lambda e: ui.navigate.to(f"/permits/{e.args[1]['id']}"))

        def refresh() -> None:
            service = platform.permits
            found = service.overdue(actor=actor) if overdue.value else service.queue(actor=actor)
            table.rows = [common.application_row(platform, a, lang) for a in found]

        overdue.on_value_change(lambda _: refresh())
        refresh()

    @console_page(platform, VERIFICATIONS)
    def verifications(actor: Actor, lang: Language) -> None:
        verification_page(platform, actor, lang)

    @console_detail_page(platform, PERMIT_DESK, DETAIL_PATH)
    def application(actor: Actor, lang: Language, application_id: int) -> None:
        detail = platform.permits.get(application_id, actor=actor)
        DeskPage(platform, actor, lang, detail).render()


def verification_page(platform: Platform, actor: Actor, lang: Language) -> None:
    """告知承诺 post-issue checks, earliest due first; a form per open task."""
    ui.link(t("permits.back_desk", lang), PERMIT_DESK.path)
    page_title(t("permits.verifications", lang))
    found = platform.permits.verification_tasks(actor=actor, open_only=False)
    rows = [_task_row(task, lang) for task in found]
    data_table(lang, TASK_COLUMNS, rows, row_key="id").props("data-testid=permit-verifications")
    if not can(actor.role, Permission.HANDLE_PERMITS):
        return
    for task in found:
        if task.status == "open":
            _verification_form(platform, actor, lang, task)


def _verification_form(platform: Platform, actor: Actor, lang: Language,
                       task: VerificationTask) -> None:  # fmt: skip
    with ui.card().classes("w-full p-3").props(f"data-testid=verification-{task.id}"):
        ui.label(t("permits.verification_title", lang).format(
            id=task.id, licence=task.licence_id, enterprise=task.enterprise_uscc,
        )).classes("font-medium")  # fmt: skip
        kept = ui.radio({True: t("permits.kept", lang), False: t("permits.false", lang)},
                        value=True).props("inline data-testid=verification-kept")  # fmt: skip
        result = (
            ui.textarea(t("col.result", lang))
            .classes("w-full")
            .props("data-testid=verification-result")
        )

        def save() -> None:
            done = common.guarded(lambda: platform.permits.complete_verification(
                task.id, bool(kept.value), result.value, actor=actor))  # fmt: skip
            if done is not None:
                ui.navigate.reload()

        ui.button(t("action.save", lang), on_click=save).props("data-testid=verification-save")


def _task_row(task: VerificationTask, lang: Language) -> dict[str, object]:
    return {
        "id": task.id, "application": task.application_id, "licence": task.licence_id,
        "enterprise": task.enterprise_uscc, "department": task.department,
        "due": task.due_on.isoformat(), "status": t(f"permits.task.{task.status}", lang),
        "result": task.result or "",
    }  # fmt: skip


class DeskPage:
    """One application as the officer sees it, with the actions its state allows."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language,
                 detail: ApplicationDetail) -> None:  # fmt: skip
        self.platform, self.actor, self.lang, self.detail = platform, actor, lang, detail
        self.application = detail.application
        self.item: ServiceItem = platform.permits.item(self.application.item_id)
        self.id = self.application.id

    def render(self) -> None:
        """Draw the page."""
        lang, application, item = self.lang, self.application, self.item
        ui.link(t("permits.back_desk", lang), PERMIT_DESK.path)
        page_title(f"{t('permits.application', lang)} {application.id} · {item.name}")
        common.facts(self.platform, application, lang)
        if application.missing:
            names = "、".join(common.material_label(item, m) for m in application.missing)
            ui.label(f"{t('permits.missing', lang)}：{names}").props("data-testid=permit-missing")
        if can(self.actor.role, Permission.HANDLE_PERMITS):
            self._actions()
        if self.detail.licence is not None:
            ui.label(t("permits.licence", lang)).classes("text-lg font-medium mt-4")
            common.licence_card(self.platform, self.actor, lang, self.detail.licence)
        common.timeline(self.detail, item, lang)
        common.files(self.platform, self.actor, lang, self.detail, item)

    # --- actions ---------------------------------------------------------------------------

    def _actions(self) -> None:
        allowed = set(self.application.next_actions)
        service, actor = self.platform.permits, self.actor
        with ui.row().classes("gap-2 mt-2"):
            if "request_correction" in allowed and not self.application.correction_count:
                self._button("request_correction", self._correction_dialog)
            if "accept" in allowed:
                self._button("accept", lambda: self._do(lambda: service.accept(
                    self.id, actor=actor)))  # fmt: skip
            if "reject" in allowed:
                self._button("reject", lambda: self._reason_dialog("reject", required=True))
            if self.application.state == REVIEW:
                self._clock_buttons()
            if "grant" in allowed:
                self._button("grant", lambda: self._reason_dialog("grant", required=False))
            if "refuse" in allowed:
                self._button("refuse", lambda: self._reason_dialog("refuse", required=True))
            if "issue" in allowed:
                self._button("issue", lambda: self._do(lambda: service.issue(
                    self.id, actor=actor)))  # fmt: skip

    def _clock_buttons(self) -> None:
        service, actor = self.platform.permits, self.actor
        if self.application.paused:
            self._button("resume", lambda: self._do(lambda: service.resume(
                self.id, actor=actor)))  # fmt: skip
        else:
            self._button("pause", self._pause_dialog)
        if not self.application.extended:
            self._button("extend", self._extend_dialog)

    def _button(self, action: str, handler: Callable[[], None]) -> None:
        label = (
            common.action_label(self.item, action, self.lang)
            if action in self.item.workflow.actions
            else t(f"permits.action.{action}", self.lang)
        )
        ui.button(label, on_click=handler).props(f"outline dense data-testid=permit-{action}")

    def _do(self, action: Callable[[], object]) -> None:
        if common.guarded(action) is not None:
            ui.navigate.reload()

    def _correction_dialog(self) -> None:
        have = {m.material_id for m in self.detail.materials}
        with ui.dialog() as dialog, ui.card().classes("w-[32rem]"):
            ui.label(t("permits.pick_missing", self.lang)).classes("font-medium")
            boxes = {
                m.id: ui.checkbox(m.name, value=m.id not in have).props(
                    f"data-testid=missing-{m.id}"
                )
                for m in self.item.materials
            }
            note = (
                ui.input(t("col.note", self.lang))
                .classes("w-full")
                .props("data-testid=correction-note")
            )

            def save() -> None:
                missing = [code for code, box in boxes.items() if box.value]
                self._do(lambda: self.platform.permits.request_correction(
                    self.id, actor=self.actor, missing=missing, note=note.value))  # fmt: skip

            ui.button(t("action.save", self.lang), on_click=save).props(
                "data-testid=correction-save"
            )
        dialog.open()

    def _reason_dialog(self, action: str, *, required: bool) -> None:
        key = "permits.reason_required" if required else "permits.reason_optional"
        service, actor = self.platform.permits, self.actor
        with ui.dialog() as dialog, ui.card().classes("w-[32rem]"):
            reason = (
                ui.textarea(t(key, self.lang)).classes("w-full").props("data-testid=permit-reason")
            )

            def save() -> None:
                text = reason.value or ""
                if action == "reject":
                    self._do(lambda: service.reject(self.id, text, actor=actor))
                else:
                    grant = action == "grant"
                    self._do(lambda: service.decide(self.id, grant, text, actor=actor))

            ui.button(t("action.save", self.lang), on_click=save).props(
                "data-testid=permit-reason-save"
            )
        dialog.open()

    def _pause_dialog(self) -> None:
        lang = self.lang
        with ui.dialog() as dialog, ui.card().classes("w-[32rem]"):
            kinds = {k.value: k.label(lang) for k in PauseKind}
            kind = ui.select(kinds, value=PauseKind.EXPERT_REVIEW.value,
                             label=t("permits.pause_kind", lang)).classes("w-64")  # fmt: skip
            note = ui.input(t("col.note", lang)).classes("w-full").props("data-testid=pause-note")
            ui.button(t("action.save", lang), on_click=lambda: self._do(
                lambda: self.platform.permits.pause(
                    self.id, PauseKind(kind.value), note.value or "", actor=self.actor)),
            ).props("data-testid=pause-save")  # fmt: skip
        dialog.open()

    def _extend_dialog(self) -> None:
        lang = self.lang
        with ui.dialog() as dialog, ui.card().classes("w-[32rem]"):
            reason = (
                ui.textarea(t("permits.extend_reason", lang))
                .classes("w-full")
                .props("data-testid=extend-reason")
            )
            head = ui.input(t("permits.extend_approver", lang)).props("data-testid=extend-approver")
            ui.button(t("action.save", lang), on_click=lambda: self._do(
                lambda: self.platform.permits.extend(
                    self.id, reason.value or "", head.value or "", actor=self.actor)),
            ).props("data-testid=extend-save")  # fmt: skip
        dialog.open()
