"""The enterprise 360° page: profile, relationship graph, recent declarations and payments,
monthly volumes."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console.components.nav import ENTERPRISES
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_detail_page
from lingang.entities.industries import INDUSTRY_BY_CODE
from lingang.entities.model import Enterprise, LinkKind
from lingang.entities.service import EnterpriseProfile
from lingang.errors import LingangError
from lingang.types import Actor

LINK_COLOURS = {
    LinkKind.SHAREHOLDING: "#1e3a8a",
    LinkKind.SHARED_LEGAL_REP: "#b45309",
    LinkKind.SHARED_ADDRESS: "#047857",
    LinkKind.SHARED_PHONE: "#7c3aed",
}
DECLARATION_COLUMNS = (
    ("declaration_id", "col.declaration_id"), ("item_no", "col.item_no"),
    ("declared_on", "col.date"),
    ("direction", "col.direction"), ("hs_code", "col.hs_code"),
    ("origin_country", "col.origin"), ("declared_value", "col.value"), ("currency", "col.currency"),
)  # fmt: skip
PAYMENT_COLUMNS = (
    ("payment_id", "col.payment_id"), ("paid_on", "col.date"), ("kind", "col.kind"),
    ("counterparty_country", "col.country"), ("amount", "col.amount"), ("currency", "col.currency"),
)  # fmt: skip


def register(platform: Platform) -> None:
    """Register ``/enterprises/{item_id}``."""

    @console_detail_page(platform, ENTERPRISES, "/enterprises/{item_id}")
    def enterprise_360(actor: Actor, lang: Language, item_id: int) -> None:
        profile = platform.entities.get_profile(item_id, actor=actor)
        enterprise = profile.enterprise
        page_title(
            enterprise.name_en if lang == "en" and enterprise.name_en else enterprise.name_zh
        )
        with ui.row().classes("w-full gap-6 items-stretch"):
            _profile_card(profile, lang)
            _graph(profile, lang)
        _lake_sections(platform, actor, lang, enterprise)


def _profile_card(profile: EnterpriseProfile, lang: Language) -> None:
    enterprise = profile.enterprise
    industry = INDUSTRY_BY_CODE.get(enterprise.industry_code or "")
    registered = enterprise.registered_on.isoformat() if enterprise.registered_on else ""
    industry_name = (industry.name_en if lang == "en" else industry.name_zh) if industry else ""
    facts = [
        ("col.uscc", enterprise.uscc),
        ("col.industry", industry_name),
        ("col.registered_on", registered),
        ("col.capital", f"{enterprise.registered_capital_wan:,.0f}"),
        ("col.legal_rep", f"{profile.legal_rep.name} ({profile.legal_rep.id_number})"
         if profile.legal_rep else ""),
        ("col.address", enterprise.address),
        ("col.phone", enterprise.phone),
        ("col.aeo", t(f"aeo.{enterprise.aeo_status.value}", lang)),
    ]  # fmt: skip
    with ui.card().classes("w-96").props("data-testid=profile"):
        ui.label(t("e360.profile", lang)).classes("text-lg font-semibold")
        for key, value in facts:
            with ui.row().classes("w-full gap-2 no-wrap"):
                ui.label(t(key, lang)).classes("w-28 text-gray-500 shrink-0")
                ui.label(str(value)).classes("break-all")


def _graph(profile: EnterpriseProfile, lang: Language) -> None:
    nodes = _nodes(profile, lang)
    edges = [
        {"source": str(link.source_id), "target": str(link.target_id),
         "label": {"show": link.percent is not None, "formatter": f"{link.percent or 0:g}%"},
         "lineStyle": {"color": LINK_COLOURS[link.kind], "width": 2},
         "name": t(f"link.{link.kind.value}", lang)}
        for link in profile.links
    ]  # fmt: skip
    with ui.card().classes("grow min-w-96").props("data-testid=graph"):
        ui.label(t("e360.graph", lang)).classes("text-lg font-semibold")
        if not profile.links:
            ui.label(t("e360.no_links", lang)).classes("text-gray-500")
        ui.echart({
            "tooltip": {},
            "legend": {"data": [t(f"link.{k.value}", lang) for k in LinkKind]},
            "series": [{"type": "graph", "layout": "force", "roam": True, "draggable": True,
                        "force": {"repulsion": 260, "edgeLength": 120},
                        "edgeSymbol": ["none", "arrow"],
                        "label": {"show": True, "position": "right", "fontSize": 11},
                        "data": nodes, "links": edges}],
        }).classes("w-full h-80")  # fmt: skip


def _nodes(profile: EnterpriseProfile, lang: Language) -> list[dict[str, Any]]:
    me = profile.enterprise.id
    everyone: dict[int, Enterprise] = {**profile.related, me: profile.enterprise}
    return [
        {"id": str(e.id), "name": _short(e, lang), "symbolSize": 46 if e.id == me else 30,
         "itemStyle": {"color": "#dc2626" if e.id == me else "#2563eb"}}
        for e in everyone.values()
    ]  # fmt: skip


def _short(enterprise: Enterprise, lang: Language) -> str:
    name = enterprise.name_en if lang == "en" and enterprise.name_en else enterprise.name_zh
    return name if len(name) <= 14 else name[:13] + "…"


def _lake_sections(
    platform: Platform, actor: Actor, lang: Language, enterprise: Enterprise
) -> None:
    try:
        declarations = platform.lake.recent_records("declarations", enterprise.uscc, actor=actor)
        payments = platform.lake.recent_records("payments", enterprise.uscc, actor=actor)
        monthly = platform.lake.monthly_volume(
            "declarations", enterprise.uscc, "declared_value", actor=actor
        )
        paid = platform.lake.monthly_volume("payments", enterprise.uscc, "amount", actor=actor)
    except LingangError as exc:
        ui.label(exc.message).classes("text-gray-500")
        return
    _monthly_chart(lang, monthly, paid)
    ui.label(t("e360.declarations", lang)).classes("text-lg font-semibold mt-4")
    rows = [{**_plain(r), "key": f"{r['declaration_id']}-{r['item_no']}"} for r in declarations]
    data_table(lang, DECLARATION_COLUMNS, rows, row_key="key")
    ui.label(t("e360.payments", lang)).classes("text-lg font-semibold mt-4")
    data_table(lang, PAYMENT_COLUMNS, [_plain(r) for r in payments], row_key="payment_id")


def _monthly_chart(lang: Language, declared: list[Any], paid: list[Any]) -> None:
    months = sorted({v.month.isoformat()[:7] for v in [*declared, *paid]})
    # counts, not sums: the rows are in several currencies and the lake holds no FX rates
    by_month = {v.month.isoformat()[:7]: v.rows for v in declared}
    paid_by_month = {v.month.isoformat()[:7]: v.rows for v in paid}
    with ui.card().classes("w-full mt-4").props("data-testid=monthly"):
        ui.label(t("e360.monthly", lang)).classes("text-lg font-semibold")
        ui.echart({
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [t("e360.declared_value", lang), t("e360.paid_amount", lang)]},
            "xAxis": {"type": "category", "data": months},
            "yAxis": {"type": "value"},
            "series": [
                {"name": t("e360.declared_value", lang), "type": "bar",
                 "data": [by_month.get(m, 0) for m in months]},
                {"name": t("e360.paid_amount", lang), "type": "line",
                 "data": [paid_by_month.get(m, 0) for m in months]},
            ],
        }).classes("w-full h-72")  # fmt: skip


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
