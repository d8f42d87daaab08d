"""The enterprise portal of 一网通办 (办事大厅): the catalogue with an apply form per item
(one upload per material; 告知承诺 where the item allows it), the enterprise's applications
(我的办件) with their clock and next step, one application's page (timeline, files, the
resubmit form after a correction notice, receipt, licence, 好差评 rating), and its licences
(我的证照) with their QR code and downloads.

Every call goes to ``platform.permits`` as the signed-in user, which sees only its own
enterprise's applications: any other id answers ``NotFound`` like one that does not exist.
"""

from __future__ import annotations

from nicegui import events, ui

from lingang.bootstrap import Platform
from lingang.console.components.nav import MY_APPLICATIONS, MY_LICENCES, POLICIES, SERVICES
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages import permits_common as common
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.console.pages.permits_rating import rating_panel
from lingang.permits.model import ServiceItem
from lingang.permits.service import ApplicationDetail, MaterialUpload
from lingang.types import Actor

MINE_COLUMNS = (
    ("id", "col.id"), ("item", "permits.col.item"), ("state", "col.state"),
    ("received", "permits.col.received"), ("due", "col.due"), ("left", "permits.col.left"),
    ("paused", "permits.col.paused"), ("next", "permits.next"), ("receipt", "permits.receipt"),
)  # fmt: skip
APPLY_PATH = "/services/apply/{item_id}"
APPLICATION_PATH = "/services/applications/{item_id}"
CORRECTION = "correction"


def register(platform: Platform) -> None:
    """Register ``/services``, ``/services/apply/{item}``, ``/services/mine``,
    ``/services/applications/{id}`` and ``/services/licences``."""

    @console_page(platform, SERVICES)
    def hall(actor: Actor, lang: Language) -> None:
        page_title(t("permits.hall", lang))
        with ui.row().classes("items-center gap-4"):
            ui.label(t("permits.hall_intro", lang)).classes("text-gray-700")
            ui.link(t("permits.my_policies", lang), POLICIES.path).props(
                "data-testid=portal-policies"
            )
        with ui.column().classes("w-full gap-3").props("data-testid=permit-catalogue"):
            for item in platform.permits.items():
                item_card(item, lang, with_apply=True)

    @console_detail_page(platform, SERVICES, APPLY_PATH, text_id=True)
    def apply(actor: Actor, lang: Language, item_id: str) -> None:
        item = platform.permits.item(item_id)
        ui.link(t("permits.back_hall", lang), SERVICES.path)
        page_title(f"{t('permits.apply', lang)} · {item.name}")
        item_card(item, lang, with_apply=False)
        ApplyForm(platform, actor, lang, item).render()

    @console_page(platform, MY_APPLICATIONS)
    def mine(actor: Actor, lang: Language) -> None:
        page_title(t("nav.my_applications", lang))
        found = platform.permits.mine(actor=actor)
        rows = [common.application_row(platform, a, lang) for a in found]
        table = data_table(lang, MINE_COLUMNS, rows, row_key="id")
        table.props("data-testid=permit-mine")
        table.on("rowClick", lambda e: ui.navigate.to(
            f"/services/applications/{e.args[1]['id']}"))  # fmt: skip

    @console_detail_page(platform, MY_APPLICATIONS, APPLICATION_PATH)
    def application(actor: Actor, lang: Language, application_id: int) -> None:
        detail = platform.permits.get(application_id, actor=actor)
        application_page(platform, actor, lang, detail)

    @console_page(platform, MY_LICENCES)
    def licences(actor: Actor, lang: Language) -> None:
        page_title(t("nav.my_licences", lang))
        shown = platform.permits.my_licences(actor=actor)
        with ui.column().classes("w-full gap-3").props("data-testid=permit-licences"):
            if not shown:
                ui.label(t("permits.no_licences", lang)).classes("text-gray-500")
            for licence in shown:
                common.licence_card(platform, actor, lang, licence)


def item_card(item: ServiceItem, lang: Language, *, with_apply: bool) -> None:
    """One item of the service guide (办事指南): legal basis, materials, limit, fee,
    departments, 告知承诺; with ``with_apply`` a button to the apply form."""
    with ui.card().classes("w-full p-3").props(f"data-testid=item-{item.id}"):
        with ui.row().classes("items-center gap-3"):
            ui.label(item.name).classes("font-medium text-lg")
            if item.commitment_allowed:
                ui.badge(t("permits.commitment_allowed", lang), color="green-8")
            if item.bundle:
                ui.badge(t("permits.bundle", lang), color="blue-8")
        ui.label(t("permits.item_facts", lang).format(
            limit=item.statutory_working_days, fee=item.fee_rmb,
            departments="、".join(item.departments),
        )).classes("text-gray-700")  # fmt: skip
        ui.label(f"{t('permits.legal_basis', lang)}：{'；'.join(item.legal_basis)}").classes(
            "text-sm text-gray-600"
        )
        names = "、".join(m.name + ("" if m.waivable_by_commitment else "*")
                         for m in item.materials)  # fmt: skip
        ui.label(f"{t('permits.materials', lang)}：{names}").classes("text-sm")
        if with_apply:
            ui.button(t("permits.apply", lang), icon="edit_document",
                      on_click=lambda: ui.navigate.to(f"/services/apply/{item.id}"),
                      ).props(f"dense data-testid=apply-{item.id}")  # fmt: skip


class Uploads:
    """Files picked in the browser, one per material, kept until the form is sent."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}

    def field(self, material_id: str, label: str) -> None:
        """An upload for one material (test id ``upload-<material>``)."""

        async def kept(event: events.UploadEventArguments) -> None:
            self.files[material_id] = (event.file.name, await event.file.read())

        ui.upload(label=label, auto_upload=True, on_upload=kept).props(
            f"data-testid=upload-{material_id}"
        ).classes("w-96")

    def materials(self) -> list[MaterialUpload]:
        """The picked files as the service takes them."""
        return [MaterialUpload(m, name, content) for m, (name, content) in self.files.items()]


class ApplyForm:
    """Apply for one item: a file per material and, where allowed, the written commitment."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language, item: ServiceItem):
        self.platform, self.actor, self.lang, self.item = platform, actor, lang, item
        self.uploads = Uploads()

    def render(self) -> None:
        """Draw the form."""
        lang, item = self.lang, self.item
        with ui.card().classes("w-full p-3").props("data-testid=apply-form"):
            for material in item.materials:
                mark = "" if material.waivable_by_commitment else "*"
                self.uploads.field(material.id, f"{material.name}{mark}")
            commit = ui.checkbox(t("permits.use_commitment", lang)).props(
                "data-testid=use-commitment"
            )
            text = ui.textarea(
                t("permits.commitment_text", lang), value=t("permits.commitment_default", lang)
            ).classes("w-full")
            text.props("data-testid=commitment-text")
            text.bind_visibility_from(commit, "value")
            commit.set_visibility(item.commitment_allowed)
            ui.label(t("permits.commitment_hint", lang)).classes("text-sm text-gray-600")
            ui.button(t("permits.submit", lang), icon="send",
                      on_click=lambda: self._send(text.value if commit.value else None),
                      ).props("data-testid=apply-send")  # fmt: skip

    def _send(self, commitment: str | None) -> None:
        made = common.guarded(
            lambda: self.platform.permits.apply(
                self.item.id, self.uploads.materials(), actor=self.actor, commitment=commitment
            )
        )
        if made is not None:
            ui.navigate.to(f"/services/applications/{made.application.id}")


def application_page(platform: Platform, actor: Actor, lang: Language,
                     detail: ApplicationDetail) -> None:  # fmt: skip
    """One of the enterprise's applications: facts, missing items, licence, rating, timeline,
    files."""
    application = detail.application
    item = platform.permits.item(application.item_id)
    ui.link(t("permits.back_mine", lang), MY_APPLICATIONS.path)
    page_title(f"{t('permits.application', lang)} {application.id} · {item.name}")
    common.facts(platform, application, lang)
    if application.missing:
        names = "、".join(common.material_label(item, m) for m in application.missing)
        ui.label(f"{t('permits.missing', lang)}：{names}").classes("text-orange-900").props(
            "data-testid=permit-missing"
        )
    if application.state == CORRECTION:
        ResubmitForm(platform, actor, lang, detail, item).render()
    if detail.licence is not None:
        ui.label(t("permits.licence", lang)).classes("text-lg font-medium mt-4")
        common.licence_card(platform, actor, lang, detail.licence)
    if application.receipt_no is not None or application.final:  # when it may be rated
        rating_panel(platform, actor, lang, application.id)
    common.timeline(detail, item, lang)
    common.files(platform, actor, lang, detail, item)


class ResubmitForm:
    """After a correction notice (一次性告知): one upload per missing item, then resubmit."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language,
                 detail: ApplicationDetail, item: ServiceItem) -> None:  # fmt: skip
        self.platform, self.actor, self.lang = platform, actor, lang
        self.detail, self.item = detail, item
        self.uploads = Uploads()

    def render(self) -> None:
        """Draw the form."""
        with ui.card().classes("w-full p-3").props("data-testid=resubmit-form"):
            ui.label(t("permits.resubmit_intro", self.lang)).classes("font-medium")
            for material_id in self.detail.application.missing:
                self.uploads.field(material_id, common.material_label(self.item, material_id))
            ui.button(t("permits.resubmit", self.lang), icon="send", on_click=self._send).props(
                "data-testid=resubmit-send"
            )

    def _send(self) -> None:
        done = common.guarded(
            lambda: self.platform.permits.resubmit(
                self.detail.application.id, self.uploads.materials(), actor=self.actor
            )
        )
        if done is not None:
            ui.navigate.reload()
