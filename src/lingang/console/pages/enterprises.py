"""Enterprises: search by name or code, and the list of those the actor may see."""

from __future__ import annotations

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console.components.nav import ENTERPRISES
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.entities.industries import INDUSTRY_BY_CODE
from lingang.entities.model import Enterprise
from lingang.errors import LingangError
from lingang.types import Actor

PAGE_SIZE = 500
COLUMNS = (
    ("id", "col.id"), ("uscc", "col.uscc"), ("name", "col.name"),
    ("industry", "col.industry"), ("registered", "col.registered_on"), ("aeo", "col.aeo"),
)  # fmt: skip


def register(platform: Platform) -> None:
    """Register the enterprise list with its search box."""

    @console_page(platform, ENTERPRISES)
    def enterprises(actor: Actor, lang: Language) -> None:
        found, total = platform.entities.list_enterprises(actor=actor, limit=PAGE_SIZE)
        page_title(t("enterprises.title", lang))
        ui.label(t("enterprises.total", lang).format(total=total)).classes("text-gray-600")
        table = data_table(lang, COLUMNS, [enterprise_row(e, lang) for e in found], row_key="id")
        table.on("rowClick", lambda e: ui.navigate.to(f"/enterprises/{e.args[1]['id']}"))

        def search(query: str) -> None:
            if not query.strip():
                table.rows = [enterprise_row(e, lang) for e in found]
                return
            try:
                hits = platform.entities.search_enterprises(query, actor=actor, limit=PAGE_SIZE)
            except LingangError as exc:
                ui.notify(exc.message, type="negative")
                return
            table.rows = [enterprise_row(e, lang) for e in hits]

        box = ui.input(t("enterprises.search", lang)).props("clearable outlined dense")
        box.classes("w-96").on("keydown.enter", lambda: search(box.value or ""))
        box.move(target_index=1)


def enterprise_row(enterprise: Enterprise, lang: Language) -> dict[str, object]:
    """One table row; names and labels follow the language."""
    name = enterprise.name_en if lang == "en" and enterprise.name_en else enterprise.name_zh
    industry = INDUSTRY_BY_CODE.get(enterprise.industry_code or "")
    return {
        "id": enterprise.id,
        "uscc": enterprise.uscc,
        "name": name,
        "industry": (industry.name_en if lang == "en" else industry.name_zh) if industry else "",
        "registered": enterprise.registered_on.isoformat() if enterprise.registered_on else "",
        "aeo": t(f"aeo.{enterprise.aeo_status.value}", lang),
    }
