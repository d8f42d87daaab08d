"""Credit pages (信用分级分类): the zone's class distribution with the lowest-graded
enterprises (``/credit``), and an enterprise's credit page (``/credit/{uscc}``) — grade,
factor breakdown, history chart, effects, records and repair applications. An enterprise
user opens only its own page (``/credit/mine``); another USCC answers like one that does not
exist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.console.components.nav import CREDIT, MY_CREDIT
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.credit.effects import CreditEffects, flag_label
from lingang.credit.grades import Distribution, Standing, StoredGrade
from lingang.credit.grading import CreditGrade
from lingang.credit.rulesets import ZoneClass, criterion_label
from lingang.errors import LingangError, NotFound
from lingang.types import Actor

CLASS_COLOURS: Final = {
    ZoneClass.A: "#2e7d32",
    ZoneClass.B: "#1565c0",
    ZoneClass.C: "#ef6c00",
    ZoneClass.D: "#c62828",
}
STANDING_COLUMNS = (
    ("uscc", "col.uscc"),
    ("class", "col.credit_class"),
    ("score", "col.credit_score"),
    ("category", "col.customs_category"),
    ("as_of", "col.date"),
)
FACTOR_COLUMNS = (("factor", "col.factor"), ("points", "col.points"), ("detail", "col.detail"))
RECORD_COLUMNS = (
    ("occurred_on", "col.date"),
    ("kind", "col.kind"),
    ("summary", "col.description"),
    ("source", "col.source"),
)
MINE: Final = "mine"


def register(platform: Platform) -> None:
    """Register ``/credit`` and ``/credit/{uscc}``."""

    @console_page(platform, CREDIT)
    def zone(actor: Actor, lang: Language) -> None:
        page_title(t("credit.title", lang))
        found = platform.credit.distribution(actor=actor)
        show_distribution(found, lang)
        with ui.row().classes("items-center gap-2 mt-4"):
            search = ui.input(t("credit.search", lang)).classes("w-72")
            search.props("data-testid=credit-search")
            ui.button(
                t("credit.open", lang),
                on_click=lambda: ui.navigate.to(f"/credit/{search.value.strip()}"),
            )
        ui.label(t("credit.lowest", lang)).classes("text-lg font-medium mt-4")
        rows = [standing_row(s, lang) for s in platform.credit.standings(actor=actor, limit=50)]
        table = data_table(lang, STANDING_COLUMNS, rows, row_key="uscc")
        table.props("data-testid=credit-lowest")
        table.on("rowClick", lambda e: ui.navigate.to(f"/credit/{e.args[1]['uscc']}"))

    @console_page(platform, MY_CREDIT)
    def mine(actor: Actor, lang: Language) -> None:
        uscc = platform.credit.own_uscc(actor)
        if uscc is None:
            raise NotFound("no enterprise is bound to this user")
        EnterpriseCreditPage(platform, actor, lang, uscc).render()

    @console_detail_page(platform, CREDIT, "/credit/{item_id}", text_id=True)
    def enterprise(actor: Actor, lang: Language, uscc: str) -> None:
        EnterpriseCreditPage(platform, actor, lang, uscc).render()


def show_distribution(found: Distribution, lang: Language) -> None:
    """Classes as a bar chart, customs categories as a table."""
    with ui.row().classes("w-full gap-4 no-wrap").props("data-testid=credit-distribution"):
        with ui.card().classes("w-1/2"):
            ui.label(t("credit.by_class", lang)).classes("font-medium")
            ui.echart(class_chart(found, lang)).classes("w-full h-64")
        with ui.card().classes("w-1/2"):
            ui.label(t("credit.by_category", lang)).classes("font-medium")
            rows = [
                {"id": k.value, "category": k.label(lang), "count": n}
                for k, n in found.by_category.items()
            ]
            data_table(
                lang,
                (("category", "col.customs_category"), ("count", "col.count")),
                rows,
                row_key="id",
            )
            ui.label(t("credit.totals", lang).format(total=found.total, ungraded=found.ungraded))


def class_chart(found: Distribution, lang: Language) -> dict[str, Any]:
    """Enterprises per class, coloured A green to D red."""
    classes = list(found.by_class)
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 10, "bottom": 30, "top": 20},
        "xAxis": {"type": "category", "data": [f"{c.value} {c.label(lang)}" for c in classes]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": found.by_class[c], "itemStyle": {"color": CLASS_COLOURS[c]}}
                    for c in classes
                ],
            }
        ],
    }


def standing_row(standing: Standing, lang: Language) -> dict[str, object]:
    """One enterprise of the list."""
    return {
        "uscc": standing.enterprise_uscc,
        "class": f"{standing.zone_class.value} {standing.zone_class.label(lang)}",
        "score": standing.score,
        "category": standing.customs_category.label(lang),
        "as_of": standing.as_of.isoformat(),
    }


class EnterpriseCreditPage:
    """One enterprise's credit: grade, factors, history, effects, records, repairs."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language, uscc: str) -> None:
        self.platform, self.actor, self.lang, self.uscc = platform, actor, lang, uscc

    def render(self) -> None:
        """Draw the page (NotFound for a USCC the reader may not see)."""
        lang = self.lang
        graded = self.platform.credit.grade(self.uscc, actor=self.actor)
        history = self.platform.credit.history(self.uscc, actor=self.actor)
        effects = self.platform.credit.effects(self.uscc, actor=self.actor)
        records = self.platform.credit_records.records(self.uscc, actor=self.actor)
        page_title(f"{t('credit.enterprise', lang)} {graded.uscc}")
        self._summary(graded)
        with ui.row().classes("w-full gap-4 no-wrap"):
            with ui.card().classes("w-1/2").props("data-testid=credit-factors"):
                ui.label(t("credit.factors", lang)).classes("font-medium")
                data_table(lang, FACTOR_COLUMNS, factor_rows(graded, lang), row_key="id")
            with ui.card().classes("w-1/2").props("data-testid=credit-history"):
                ui.label(t("credit.history", lang)).classes("font-medium")
                if history:
                    ui.echart(history_chart(history, lang)).classes("w-full h-64")
                else:
                    ui.label(t("dash.empty", lang)).classes("text-gray-500")
        show_effects(effects, lang)
        ui.label(t("credit.records", lang)).classes("text-lg font-medium mt-4")
        rows = [
            {
                "id": r.id,
                "occurred_on": r.occurred_on.isoformat(),
                "kind": r.kind.label(lang),
                "summary": r.summary,
                "source": r.source,
            }
            for r in records
        ]
        data_table(lang, RECORD_COLUMNS, rows, row_key="id").props("data-testid=credit-records")
        self._objections()
        self._repairs()

    def _summary(self, graded: CreditGrade) -> None:
        lang = self.lang
        colour = CLASS_COLOURS[graded.zone_class]
        with ui.row().classes("items-center gap-4"):
            ui.label(f"{graded.zone_class.value}").classes("text-5xl font-bold").style(
                f"color: {colour}"
            ).props(f"data-testid=credit-class-{graded.zone_class.value}")
            with ui.column().classes("gap-0"):
                ui.label(
                    t("credit.summary", lang).format(
                        score=graded.score,
                        label=graded.zone_class.label(lang),
                        category=graded.customs_category.label(lang),
                        instrument=graded.instrument,
                        as_of=graded.as_of,
                    )
                )
                if graded.dishonest_reasons:
                    ui.label(
                        t("credit.dishonest", lang).format(
                            reasons="、".join(
                                criterion_label(r, lang) for r in graded.dishonest_reasons
                            )
                        )
                    ).classes("text-red-800")

    def _objections(self) -> None:
        lang = self.lang
        service = self.platform.credit_objections
        found = service.objections(self.uscc, actor=self.actor)
        ui.label(t("credit.objections", lang)).classes("text-lg font-medium mt-4")
        rows = [{"id": o.id, "record": o.record_id, "reason": o.reason,
                 "status": o.status.label(lang), "due": o.due_on.isoformat(),
                 "note": o.decision_note or ""} for o in found]  # fmt: skip
        columns = (("id", "col.id"), ("record", "col.record"), ("reason", "col.reason"),
                   ("status", "col.status"), ("due", "col.due"), ("note", "col.note"))  # fmt: skip
        data_table(lang, columns, rows, row_key="id").props("data-testid=credit-objections")
        if not (self.actor.is_enterprise or can(self.actor.role, Permission.MANAGE_CREDIT)):
            return
        with ui.row().classes("items-end gap-2"):
            record = ui.number(t("col.record", lang), format="%d").classes("w-32")
            record.props("data-testid=objection-record")
            reason = ui.input(t("credit.objection_reason", lang)).classes("w-96")
            reason.props("data-testid=objection-reason")

            def send() -> None:
                try:
                    service.file(self.uscc, int(record.value or 0), reason.value,
                                 actor=self.actor)  # fmt: skip
                except LingangError as exc:
                    ui.notify(exc.message, type="negative", multi_line=True)
                    return
                ui.navigate.reload()

            ui.button(t("credit.object", lang), on_click=send).props(
                "outline dense data-testid=objection-file"
            )

    def _repairs(self) -> None:
        found = self.platform.credit_repairs.repairs(self.uscc, actor=self.actor)
        if not found and not can(self.actor.role, Permission.MANAGE_CREDIT):
            return
        ui.label(t("credit.repairs", self.lang)).classes("text-lg font-medium mt-4")
        rows = [
            {
                "id": r.id,
                "cause": criterion_label(r.cause, self.lang),
                "status": r.status.label(self.lang),
                "eligible": r.eligible_from.isoformat(),
                "until": r.publicity_until.isoformat() if r.publicity_until else "",
                "applied": local_time(r.applied_at),
            }
            for r in found
        ]
        columns = (
            ("id", "col.id"),
            ("cause", "col.reason"),
            ("status", "col.status"),
            ("eligible", "col.eligible_from"),
            ("until", "col.publicity_until"),
            ("applied", "col.time"),
        )
        data_table(self.lang, columns, rows, row_key="id").props("data-testid=credit-repairs")


def factor_rows(graded: CreditGrade, lang: Language) -> list[dict[str, object]]:
    """The base, then each factor with its signed points."""
    rows: list[dict[str, object]] = [
        {"id": 0, "factor": t("credit.base", lang), "points": graded.base, "detail": ""}
    ]
    for index, factor in enumerate(graded.factors, start=1):
        rows.append(
            {
                "id": index,
                "factor": factor.label_en if lang == "en" else factor.label_zh,
                "points": f"{factor.points:+d}",
                "detail": factor.detail,
            }
        )
    return rows


def history_chart(history: Sequence[StoredGrade], lang: Language) -> dict[str, Any]:
    """The score at each stored change, with the class cut-offs as guides."""
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 10, "bottom": 30, "top": 20},
        "xAxis": {"type": "category", "data": [local_time(g.graded_at)[:16] for g in history]},
        "yAxis": {"type": "value", "min": 0, "max": 1000},
        "series": [
            {
                "type": "line",
                "name": t("col.credit_score", lang),
                "step": "end",
                "data": [g.score for g in history],
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "data": [
                        {"yAxis": 850, "name": "A"},
                        {"yAxis": 700, "name": "B"},
                        {"yAxis": 550, "name": "C"},
                    ],
                },
            }
        ],
    }


def show_effects(effects: CreditEffects, lang: Language) -> None:
    """What the grade decides, as a small table."""
    yes, no = t("credit.yes", lang), t("credit.no", lang)
    rows = [
        (t("credit.sampling", lang), f"{effects.sampling_rate:.0%} (×{effects.sampling_weight:g})"),
        (t("credit.commitment", lang), yes if effects.commitment_approval else no),
        (
            t("credit.fast_track", lang),
            "、".join(flag_label(f, lang) for f in effects.fast_track) or "—",
        ),
        (
            t("credit.restrictions", lang),
            "、".join(flag_label(f, lang) for f in effects.restrictions) or "—",
        ),
        (t("credit.policy", lang), effects.policy.label(lang)),
    ]
    ui.label(t("credit.effects", lang)).classes("text-lg font-medium mt-4")
    data_table(
        lang,
        (("effect", "col.description"), ("value", "col.outcome_value")),
        [{"id": i, "effect": k, "value": v} for i, (k, v) in enumerate(rows)],
        row_key="id",
    ).props("data-testid=credit-effects")
