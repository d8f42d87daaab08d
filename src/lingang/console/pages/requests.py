"""The enterprise's page of information requests (补充材料请求): the requests of cases that are
addressed to the signed-in user's own enterprise, and a form to answer an open one with a text
and an optional file. Answering the last open request runs the case's SLA clock again."""

from __future__ import annotations

from nicegui import events, ui

from lingang.bootstrap import Platform
from lingang.cases.model import TaskStatus
from lingang.cases.records import EnterpriseRequest
from lingang.console.components.nav import REQUESTS
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.errors import LingangError
from lingang.types import Actor

REQUEST_COLUMNS = (
    ("id", "col.id"), ("title", "col.title"), ("asked", "col.time"), ("due", "col.due"),
    ("status", "col.status"), ("answer", "col.result"),
)  # fmt: skip


def register(platform: Platform) -> None:
    """Register ``/requests``."""

    @console_page(platform, REQUESTS)
    def requests(actor: Actor, lang: Language) -> None:
        page_title(t("requests.title", lang))
        ui.label(t("requests.intro", lang)).classes("text-gray-700")
        found = platform.case_records.enterprise_requests(actor=actor)
        data_table(lang, REQUEST_COLUMNS, [_row(r, lang) for r in found], row_key="id").props(
            "data-testid=enterprise-requests"
        )
        for request in found:
            if request.status is TaskStatus.OPEN:
                AnswerForm(platform, actor, lang, request).render()


class AnswerForm:
    """Answer one open request: a text, and an optional file kept until it is sent."""

    def __init__(
        self, platform: Platform, actor: Actor, lang: Language, request: EnterpriseRequest
    ) -> None:
        self.platform, self.actor, self.lang, self.request = platform, actor, lang, request
        self.file: tuple[str, bytes] | None = None

    def render(self) -> None:
        """Draw the form."""
        lang, request = self.lang, self.request
        with ui.card().classes("w-full mt-4").props(f"data-testid=answer-{request.id}"):
            ui.label(t("requests.answer_title", lang).format(id=request.id, title=request.title))
            text = ui.textarea(t("requests.answer", lang)).classes("w-full")
            text.props("data-testid=answer-text")
            records = self.platform.case_records
            ui.upload(label=t("requests.file", lang), auto_upload=True,
                      max_file_size=records.max_bytes, on_upload=self._kept,
                      ).props("data-testid=answer-file").classes("w-96")  # fmt: skip
            ui.button(t("requests.send", lang), on_click=lambda: self._send(text.value)).props(
                "data-testid=answer-send"
            )

    async def _kept(self, event: events.UploadEventArguments) -> None:
        self.file = (event.file.name, await event.file.read())

    def _send(self, text: str) -> None:
        try:
            self.platform.case_records.answer_request(
                self.request.id, text, actor=self.actor, attachment=self.file
            )
        except LingangError as exc:
            ui.notify(exc.message, type="negative", multi_line=True)
            return
        ui.navigate.reload()


def _row(request: EnterpriseRequest, lang: Language) -> dict[str, object]:
    return {
        "id": request.id, "title": request.title, "asked": local_time(request.asked_at),
        "due": request.due_on.isoformat() if request.due_on else "",
        "status": request.status.label(lang), "answer": request.answer or "",
    }  # fmt: skip
