"""Enterprises: the registered enterprises the actor may see."""

from __future__ import annotations

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console.components.nav import ENTERPRISES
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.entities.model import Enterprise
from lingang.types import Actor

PAGE_SIZE = 500
COLUMNS = (("id", "col.id"), ("uscc", "col.uscc"), ("name", "col.name"),
           ("registered", "col.registered"))


def register(platform: Platform) -> None:
    """Register the enterprise list."""

    @console_page(platform, ENTERPRISES)
    def enterprises(actor: Actor, lang: Language) -> None:
        found, total = platform.entities.list_enterprises(actor=actor, limit=PAGE_SIZE)
        page_title(t("enterprises.title", lang))
        ui.label(t("enterprises.total", lang).format(total=total)).classes("text-gray-600")
        data_table(lang, COLUMNS, [enterprise_row(e, lang) for e in found], row_key="id")


def enterprise_row(enterprise: Enterprise, lang: Language) -> dict[str, object]:
    """One table row; the English name is shown in English when there is one."""
    name = enterprise.name_en if lang == "en" and enterprise.name_en else enterprise.name_zh
    return {"id": enterprise.id, "uscc": enterprise.uscc, "name": name,
            "registered": local_time(enterprise.created_at)}
