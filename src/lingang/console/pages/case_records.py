"""The records part of the case page: the PDF report, attachments (upload and download) and
comments. Each action calls :class:`~lingang.cases.records.CaseRecords` as the signed-in
officer; a refusal (a file too large or of a refused type, an empty comment) is shown as the
service worded it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from nicegui import events, ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.cases.model import CaseState
from lingang.cases.records import Attachment, Comment
from lingang.cases.service import Case
from lingang.console.components.table import data_table, local_time
from lingang.console.i18n import Language, t
from lingang.errors import LingangError
from lingang.types import Actor

ATTACHMENT_COLUMNS = (
    ("name", "col.name"), ("media_type", "col.media_type"), ("size", "col.file_size"),
    ("sha256", "col.sha256"), ("by", "col.actor"), ("at", "col.time"),
)  # fmt: skip
SHA_SHOWN = 12
T = TypeVar("T")


class CaseRecordsPanel:
    """Report download, attachments and comments of one case."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language, case: Case) -> None:
        self.platform, self.actor, self.lang, self.case = platform, actor, lang, case
        self.records = platform.case_records
        self.writable = (
            case.state is not CaseState.CLOSED and can(actor.role, Permission.MANAGE_CASES)
        )

    def render(self, number: str) -> None:
        """Draw the three parts; ``number`` names the downloaded report."""
        ui.button(t("cases.report_pdf", self.lang), icon="picture_as_pdf",
                  on_click=lambda: self._download_report(number)).props(
            "outline dense data-testid=case-report")  # fmt: skip
        self._attachments()
        self._comments()

    def _download_report(self, number: str) -> None:
        pdf = self._guard(lambda: self.records.report_pdf(self.case.id, actor=self.actor))
        if isinstance(pdf, bytes):
            ui.download.content(pdf, f"{number}.pdf", "application/pdf")

    # --- attachments -----------------------------------------------------------------------

    def _attachments(self) -> None:
        files = self.records.attachments(self.case.id, actor=self.actor)
        ui.label(t("cases.attachments", self.lang)).classes("text-lg font-medium mt-4")
        table = data_table(self.lang, ATTACHMENT_COLUMNS, [_file_row(f) for f in files],
                           row_key="id")  # fmt: skip
        table.props("data-testid=case-attachments")
        table.on("rowClick", lambda e: self._download_file(int(e.args[1]["id"])))
        if self.writable:
            ui.upload(label=t("cases.upload", self.lang), auto_upload=True,
                      max_file_size=self.records.max_bytes,
                      on_upload=self._uploaded,
                      on_rejected=lambda: ui.notify(t("cases.upload_too_large", self.lang).format(
                          limit=self.records.max_bytes), type="negative"),
                      ).props("data-testid=case-upload").classes("w-96")  # fmt: skip

    async def _uploaded(self, event: events.UploadEventArguments) -> None:
        content = await event.file.read()
        name = event.file.name
        done = self._guard(lambda: self.records.add_attachment(
            self.case.id, name, content, actor=self.actor))  # fmt: skip
        if done is not None:
            ui.navigate.reload()

    def _download_file(self, attachment_id: int) -> None:
        found = self._guard(lambda: self.records.attachment(attachment_id, actor=self.actor))
        if isinstance(found, tuple):
            meta, content = found
            ui.download.content(content, meta.name, meta.media_type)

    # --- comments --------------------------------------------------------------------------

    def _comments(self) -> None:
        comments = self.records.comments(self.case.id, actor=self.actor)
        ui.label(t("cases.comments", self.lang)).classes("text-lg font-medium mt-4")
        with ui.column().classes("gap-1").props("data-testid=case-comments"):
            if not comments:
                ui.label(t("cases.no_comments", self.lang)).classes("text-gray-500")
            for comment in comments:
                _comment(comment)
        if self.writable:
            text = ui.textarea(t("cases.comment_placeholder", self.lang)).classes("w-full")
            text.props("data-testid=comment-text")
            ui.button(t("cases.comment_post", self.lang), on_click=lambda: self._post(
                text.value)).props("outline dense data-testid=comment-post")  # fmt: skip

    def _post(self, text: str) -> None:
        done = self._guard(lambda: self.records.add_comment(self.case.id, text, actor=self.actor))
        if done is not None:
            ui.navigate.reload()

    def _guard(self, action: Callable[[], T]) -> T | None:
        try:
            return action()
        except LingangError as exc:
            ui.notify(exc.message, type="negative", multi_line=True)
            return None


def _file_row(file: Attachment) -> dict[str, object]:
    return {
        "id": file.id, "name": file.name, "media_type": file.media_type,
        "size": f"{file.size:,}", "sha256": file.sha256[:SHA_SHOWN] + "…",
        "by": file.uploaded_by, "at": local_time(file.uploaded_at),
    }  # fmt: skip


def _comment(comment: Comment) -> None:
    with ui.card().classes("w-full p-2"):
        ui.label(f"{comment.author} · {local_time(comment.at)}").classes("text-xs text-gray-500")
        ui.label(comment.text).classes("whitespace-pre-wrap")
