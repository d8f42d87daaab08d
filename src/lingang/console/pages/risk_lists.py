"""Risk lists: every list with its values; risk officers add and remove values here."""

from __future__ import annotations

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.console.components.nav import RISK_LISTS
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.errors import LingangError
from lingang.risk.lists.model import RiskList
from lingang.types import Actor

COLUMNS = (
    ("name", "col.list"), ("kind", "col.kind"), ("type", "col.element_type"),
    ("version", "col.version"), ("size", "col.size"), ("values", "col.values"),
    ("description", "col.description"),
)  # fmt: skip


def register(platform: Platform) -> None:
    """Register ``/risk/lists``."""

    @console_page(platform, RISK_LISTS)
    def risk_lists(actor: Actor, lang: Language) -> None:
        page_title(t("lists.title", lang))
        table = data_table(lang, COLUMNS, _rows(platform, actor, lang), row_key="name")
        if not can(actor.role, Permission.WRITE_RULES):
            return
        with ui.card().classes("w-full mt-4"):
            ui.label(t("lists.edit", lang)).classes("text-lg font-semibold")
            with ui.row().classes("w-full items-end gap-4"):
                names = [x.name for x in platform.risk_lists.list_lists(actor=actor)]
                picker = ui.select(names, label=t("col.list", lang)).classes("w-64")
                values = ui.input(t("lists.values", lang)).classes("w-96")
                values.props("data-testid=list-values")
                note = ui.input(t("lists.note", lang)).classes("w-64")

            def change(adding: bool) -> None:
                items = [v for v in (values.value or "").replace("，", ",").split(",") if v.strip()]
                service = platform.risk_lists
                action = service.add_values if adding else service.remove_values
                try:
                    action(picker.value or "", items, actor=actor, note=note.value or "")
                except LingangError as exc:
                    ui.notify(exc.message, type="negative")
                    return
                table.rows = _rows(platform, actor, lang)
                values.value = ""
                ui.notify(t("lists.saved", lang), type="positive")

            with ui.row().classes("gap-2"):
                ui.button(t("lists.add", lang), icon="add", on_click=lambda: change(True))
                ui.button(t("lists.remove", lang), icon="remove",
                          on_click=lambda: change(False)).props("outline")  # fmt: skip


def _rows(platform: Platform, actor: Actor, lang: Language) -> list[dict[str, object]]:
    return [_row(x, lang) for x in platform.risk_lists.list_lists(actor=actor)]


def _row(risk_list: RiskList, lang: Language) -> dict[str, object]:
    shown = sorted(risk_list.values)
    return {
        "name": risk_list.name,
        "kind": t(f"lists.kind.{risk_list.kind.value}", lang),
        "type": risk_list.element_type.value,
        "version": risk_list.version,
        "size": len(shown),
        "values": ", ".join(shown[:20]) + (" …" if len(shown) > 20 else ""),
        "description": risk_list.description_zh if lang == "zh-CN" else risk_list.description_en,
    }
