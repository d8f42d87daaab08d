"""Pieces shared by the 一网通办 pages: the enterprise portal (``permits_portal``) and the
officers' desk (``permits_desk``) — application rows, the clock, the timeline, the files with
their download, and the licence card (QR code, verdict, downloads).

Material files are read back from the content-addressed store the service writes
(``<data_dir>/permits/materials``, as bootstrap wires it), after :meth:`PermitService.get`
has proved that the signed-in user may see the application.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Final, TypeVar

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console.components.table import data_table, local_time
from lingang.console.i18n import Language, t
from lingang.errors import LingangError
from lingang.permits.model import ServiceItem
from lingang.permits.service import Application, ApplicationDetail, Licence, MaterialFile
from lingang.types import Actor
from lingang.workdays import SlaStatus

T = TypeVar("T")
SLA_COLOURS: Final = {
    SlaStatus.ON_TRACK: "green-8", SlaStatus.DUE_SOON: "orange-8", SlaStatus.PAUSED: "blue-grey-6",
    SlaStatus.BREACHED: "red-8", SlaStatus.STOPPED: "grey-7",
}  # fmt: skip
TIMELINE_COLUMNS = (
    ("at", "col.time"), ("actor", "col.actor"), ("action", "col.action"),
    ("state", "col.state"), ("detail", "col.detail"),
)  # fmt: skip
FILE_COLUMNS = (
    ("material", "permits.col.material"), ("name", "col.name"),
    ("media_type", "col.media_type"), ("size", "col.file_size"), ("at", "col.time"),
)  # fmt: skip
SHA_SHOWN = 12


def guarded(action: Callable[[], T]) -> T | None:
    """Run a service call; a platform error becomes a notification naming the field."""
    try:
        return action()
    except LingangError as exc:
        ui.notify(exc.message, type="negative", multi_line=True)
        return None


def action_label(item: ServiceItem, action_id: str, lang: Language) -> str:
    """A workflow action as the catalogue names it (zh), with its id in English."""
    action = item.workflow.actions.get(action_id)
    label = action.label_zh if action is not None else action_id
    return label if lang == "zh-CN" else f"{label} ({action_id})"


def material_label(item: ServiceItem, material_id: str) -> str:
    """A material's name from the catalogue, or its id when the catalogue no longer lists it."""
    found = next((m for m in item.materials if m.id == material_id), None)
    return found.name if found is not None else material_id


def clock_text(application: Application, lang: Language) -> str:
    """The clock in one line: due date, working days left, paused; empty once closed."""
    if application.due_at is None or application.final:
        return ""
    left = application.remaining_working_days
    text = t("permits.clock", lang).format(
        due=local_time(application.due_at), left="—" if left is None else left,
        limit=application.sla_limit or "—",
    )  # fmt: skip
    return text + (f" · {t('permits.paused', lang)}" if application.paused else "")


def next_step(platform: Platform, application: Application, lang: Language) -> str:
    """What happens next: the actions the workflow allows in the application's state."""
    if application.final:
        return t("permits.closed", lang)
    item = platform.permits.item(application.item_id)
    labels = [action_label(item, a, lang) for a in application.next_actions]
    return " / ".join(labels)


def application_row(platform: Platform, application: Application, lang: Language
                    ) -> dict[str, object]:  # fmt: skip
    """One row of a list of applications (the portal's and the desk's)."""
    status = application.sla_status
    return {
        "id": application.id, "item": application.item_name,
        "enterprise": application.enterprise_uscc, "state": application.state_label,
        "lane": t(f"permits.lane.{application.lane.value}", lang),
        "department": application.department,
        "received": local_time(application.received_at),
        "due": local_time(application.due_at) if application.due_at else "",
        "left": "" if application.remaining_working_days is None
        else application.remaining_working_days,
        "paused": t("permits.paused", lang) if application.paused else "",
        "sla": status.label(lang) if status else "",
        "sla_colour": SLA_COLOURS[status] if status else "grey-7",
        "sla_code": status.value if status else "none",
        "next": next_step(platform, application, lang),
        "receipt": application.receipt_no or "",
    }  # fmt: skip


def facts(platform: Platform, application: Application, lang: Language) -> None:
    """The state, the clock, the receipt and the decision of one application."""
    with ui.row().classes("items-center gap-3"):
        ui.badge(application.state_label).props(f"data-testid=permit-state-{application.state}")
        status = application.sla_status
        if status is not None and not application.final:
            ui.badge(status.label(lang), color=SLA_COLOURS[status]).props(
                f"data-testid=permit-sla-{status.value}"
            )
        ui.label(t(f"permits.lane.{application.lane.value}", lang)).classes("text-gray-600")
    ui.label(t("permits.facts", lang).format(
        enterprise=application.enterprise_uscc, department=application.department,
        received=local_time(application.received_at),
    )).classes("text-gray-700")  # fmt: skip
    clock = clock_text(application, lang)
    if clock:
        ui.label(clock).props("data-testid=permit-clock")
    ui.label(f"{t('permits.next', lang)}：{next_step(platform, application, lang)}").props(
        "data-testid=permit-next"
    )
    if application.receipt_no:
        ui.label(f"{t('permits.receipt', lang)}：{application.receipt_no}").classes(
            "font-medium"
        ).props("data-testid=permit-receipt")
    if application.decision_reason:
        ui.label(f"{t('permits.decision', lang)}：{application.decision_reason}").props(
            "data-testid=permit-decision"
        )


def timeline(detail: ApplicationDetail, item: ServiceItem, lang: Language) -> None:
    """The steps of an application, newest first."""
    ui.label(t("permits.timeline", lang)).classes("text-lg font-medium mt-4")
    states = item.workflow.states
    rows = [
        {"id": i, "at": local_time(s.at), "actor": s.actor,
         "action": action_label(item, s.action, lang),
         "state": states[s.to_state].label_zh if s.to_state in states else s.to_state,
         "detail": s.detail}
        for i, s in enumerate(reversed(detail.steps))
    ]  # fmt: skip
    data_table(lang, TIMELINE_COLUMNS, rows, row_key="id").props("data-testid=permit-timeline")


def files(platform: Platform, actor: Actor, lang: Language, detail: ApplicationDetail,
          item: ServiceItem) -> None:  # fmt: skip
    """The submitted files; a click downloads one."""
    ui.label(t("permits.files", lang)).classes("text-lg font-medium mt-4")
    rows = [_file_row(f, item) for f in detail.materials]
    table = data_table(lang, FILE_COLUMNS, rows, row_key="id").props("data-testid=permit-files")
    application_id = detail.application.id
    table.on("rowClick", lambda e: download_material(
        platform, actor, application_id, int(e.args[1]["id"])))  # fmt: skip


def download_material(platform: Platform, actor: Actor, application_id: int, file_id: int
                      ) -> None:  # fmt: skip
    """Send one material file to the browser, if the user may see its application."""
    found = guarded(lambda: material_content(platform, actor, application_id, file_id))
    if found is not None:
        meta, content = found
        ui.download.content(content, meta.name, meta.media_type)


def material_content(platform: Platform, actor: Actor, application_id: int, file_id: int
                     ) -> tuple[MaterialFile, bytes]:  # fmt: skip
    """A material file and its bytes; ``NotFound`` outside the user's reach."""
    return platform.permits.material_file(application_id, file_id, actor=actor)


def _file_row(file: MaterialFile, item: ServiceItem) -> dict[str, object]:
    return {
        "id": file.id, "material": material_label(item, file.material_id), "name": file.name,
        "media_type": file.media_type, "size": f"{file.size:,}",
        "at": local_time(file.uploaded_at),
    }  # fmt: skip


# --- licences ------------------------------------------------------------------------------


def licence_card(platform: Platform, actor: Actor, lang: Language, licence: Licence) -> None:
    """A licence: holder, item, validity or revocation, QR code (or verify link), downloads."""
    verdict = platform.permits.verify(licence.id, licence.signature)
    payload = licence.payload
    with ui.card().classes("w-full p-3").props(f"data-testid=licence-{licence.id}"):
        with ui.row().classes("items-center gap-3"):
            ui.label(str(payload.get("item_name", licence.item_id))).classes("font-medium")
            ui.badge(verdict.verdict.label(lang)).props(
                f"data-testid=licence-verdict-{verdict.verdict.value}"
            )
        ui.label(t("permits.licence_facts", lang).format(
            id=licence.id, holder=licence.enterprise_uscc, issued=local_time(licence.issued_at),
            until=licence.valid_until.isoformat(),
        )).classes("text-gray-700")  # fmt: skip
        if licence.revoked_at is not None:
            ui.label(t("permits.revoked", lang).format(
                at=local_time(licence.revoked_at), reason=licence.revoked_reason or "",
            )).classes("text-red-800")  # fmt: skip
        _qr(platform, actor, lang, licence)
        _downloads(platform, actor, lang, licence)


def _qr(platform: Platform, actor: Actor, lang: Language, licence: Licence) -> None:
    svg = guarded(lambda: platform.permits.licence_qr_svg(licence.id, actor=actor))
    if svg:
        source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        ui.image(source).classes("w-40 h-40").props("data-testid=licence-qr")
    link = ui.element("a").classes("text-blue-800 underline")
    link.props["href"] = licence.qr_payload  # the API's URL, outside the console's prefix
    link.props["target"] = "_blank"
    link.props["data-testid"] = "licence-verify"
    with link:
        ui.label(t("permits.verify_link", lang))


def _downloads(platform: Platform, actor: Actor, lang: Language, licence: Licence) -> None:
    with ui.row().classes("gap-2"):
        ui.button(t("permits.download_pdf", lang), icon="picture_as_pdf",
                  on_click=lambda: _download_pdf(platform, actor, licence.id)).props(
            "outline dense data-testid=licence-pdf")  # fmt: skip
        ui.button(t("permits.download_json", lang), icon="download",
                  on_click=lambda: _download_json(licence)).props(
            "outline dense data-testid=licence-json")  # fmt: skip


def _download_pdf(platform: Platform, actor: Actor, licence_id: str) -> None:
    pdf = guarded(lambda: platform.permits.licence_pdf(licence_id, actor=actor))
    if pdf is not None:
        ui.download.content(pdf, f"{licence_id}.pdf", "application/pdf")


def _download_json(licence: Licence) -> None:
    """The signed licence as JSON: its payload and signature, checkable offline."""
    document = {"payload": licence.payload, "signature": licence.signature,
                "verify": licence.qr_payload}  # fmt: skip
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    ui.download.content(text.encode(), f"{licence.id}.json", "application/json")
