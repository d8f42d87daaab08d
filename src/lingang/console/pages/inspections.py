"""双随机、一公开 in the console: the plan wizard (item → rates → create and commit → draw) for
credit officers, and the public page of published draws, open to anyone without signing in.

Every action calls :class:`~lingang.inspections.service.InspectionService` as the signed-in
officer; a refusal is shown as the service worded it.
"""

from __future__ import annotations

from typing import Any, Final

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console.components.layout import language_switch
from lingang.console.components.nav import INSPECTIONS
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, current_language, t
from lingang.console.pages.guard import console_page
from lingang.errors import LingangError
from lingang.inspections.model import CREDIT_CLASSES, MIN_INSPECTORS, reason_label
from lingang.inspections.service import Plan, PlanDetail
from lingang.types import Actor

PUBLIC_PATH: Final = "/public/inspections"
PLAN_COLUMNS = (
    ("id", "insp.col.plan"), ("year", "insp.col.year"), ("item", "insp.col.item"),
    ("status", "col.status"), ("publish_by", "insp.col.publish_by"),
)  # fmt: skip
TARGET_COLUMNS = (
    ("uscc", "insp.col.uscc"), ("name", "insp.col.name"), ("credit_class", "insp.col.class"),
    ("inspectors", "insp.col.inspectors"),
)  # fmt: skip
RESULT_COLUMNS = (
    ("uscc", "insp.col.uscc"), ("outcome", "insp.col.outcome"), ("finding", "insp.col.finding"),
    ("published", "insp.col.published"),
)  # fmt: skip


def register(platform: Platform) -> None:
    """Register ``/inspections`` (the wizard) and the public ``/public/inspections``."""

    @console_page(platform, INSPECTIONS)
    def wizard(actor: Actor, lang: Language) -> None:
        page_title(t("insp.title", lang))
        plans = platform.inspections.list_plans(actor=actor)
        data_table(lang, PLAN_COLUMNS, [_plan_row(p, lang) for p in plans], row_key="id").props(
            "data-testid=inspection-plans"
        )
        PlanWizard(platform, actor, lang).render()

    @ui.page(PUBLIC_PATH)
    def public_page() -> None:
        lang = current_language(platform.settings.default_language)
        ui.page_title(f"{t('insp.public.title', lang)} · {t('platform.short', lang)}")
        with ui.column().classes("w-full max-w-6xl mx-auto p-6 gap-6"):
            with ui.row().classes("w-full items-center justify-between"):
                page_title(t("insp.public.title", lang))
                language_switch(lang, on_dark=False)
            ui.label(t("insp.public.intro", lang)).classes("text-gray-700")
            found = platform.inspections.public_results()
            if not found:
                ui.label(t("insp.public.none", lang)).classes("text-gray-600")
            for detail in found:
                public_card(detail, lang)


def _plan_row(plan: Plan, lang: Language) -> dict[str, Any]:
    item = plan.item_name_en if lang == "en" else plan.item_name_zh
    return {"id": plan.id, "year": plan.year, "item": f"{plan.item_code} {item}",
            "status": plan.status.label(lang),
            "publish_by": str(plan.publish_by or "")}  # fmt: skip


def _target_rows(detail: PlanDetail, lang: Language) -> list[dict[str, Any]]:
    unstaffed = t("insp.unstaffed", lang)
    return [{"uscc": x.uscc, "name": x.name, "credit_class": x.credit_class,
             "inspectors": ", ".join(x.inspector_ids) or unstaffed}
            for x in detail.targets]  # fmt: skip


def _result_rows(detail: PlanDetail, lang: Language) -> list[dict[str, Any]]:
    return [{"uscc": r.uscc, "outcome": r.outcome.label(lang), "finding": r.finding,
             "published": local_time(r.published_at) if r.published_at else ""}
            for r in detail.results]  # fmt: skip


def _mono(label: str, value: str | None) -> None:
    with ui.row().classes("items-center gap-2"):
        ui.label(label).classes("text-gray-600")
        ui.label(value or "—").classes("font-mono text-sm break-all")


def public_card(detail: PlanDetail, lang: Language) -> None:
    """One published draw: commitment, seed, how to verify, drawn enterprises, results."""
    plan = detail.plan
    item = plan.item_name_en if lang == "en" else plan.item_name_zh
    with ui.card().classes("w-full").props(f"flat bordered data-testid=public-draw-{plan.id}"):
        ui.label(f"{plan.year} · {item} · {plan.department}").classes("text-lg font-medium")
        _mono(t("insp.col.plan", lang), plan.id)
        _mono(t("insp.drawn_at", lang), local_time(plan.drawn_at) if plan.drawn_at else None)
        _mono(t("insp.commitment", lang), plan.seed_commitment)
        _mono(t("insp.digest", lang), plan.inputs_digest)
        _mono(t("insp.seed", lang), plan.seed)
        _mono(t("insp.col.publish_by", lang), str(plan.publish_by or ""))
        record = f"/api/public/inspections/{plan.id}"
        ui.link(t("insp.public.record", lang), record, new_tab=True)
        ui.label(t("insp.public.verify", lang).format(record=record)).classes(
            "text-sm text-gray-700 font-mono"
        )
        data_table(lang, TARGET_COLUMNS, _target_rows(detail, lang), row_key="uscc")
        ui.label(t("insp.results", lang)).classes("font-medium")
        data_table(lang, RESULT_COLUMNS, _result_rows(detail, lang), row_key="uscc")


class PlanWizard:
    """The four steps of a draw: item, rates, create and commit, draw."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language) -> None:
        self.platform, self.actor, self.lang = platform, actor, lang
        self.plan: Plan | None = None

    def render(self) -> None:
        lang = self.lang
        items = self.platform.inspections.list_items(actor=self.actor)
        options = {i.code: f"{i.code} {i.name_en if lang == 'en' else i.name_zh}" for i in items}
        departments = {i.code: i.department for i in items}
        defaults = self.platform.inspections.default_rates().as_dict()
        with ui.stepper().props("vertical flat").classes("w-full") as stepper:
            with ui.step(t("insp.step.item", lang)):
                item = ui.select(options, label=t("insp.col.item", lang)).classes("w-96")
                year = ui.number(t("insp.col.year", lang), value=2026, min=1900, max=9999,
                                 precision=0)  # fmt: skip
                department = ui.input(t("col.department", lang))
                item.on_value_change(lambda e: department.set_value(departments.get(e.value, "")))
                with ui.stepper_navigation():
                    ui.button(t("insp.next", lang), on_click=stepper.next)
            with ui.step(t("insp.step.rates", lang)):
                ui.label(t("insp.rates.hint", lang)).classes("text-sm text-gray-600")
                rates = {c: ui.number(f"{t('insp.col.class', lang)} {c}", value=defaults[c],
                                      min=0, max=1, step=0.01) for c in CREDIT_CLASSES}  # fmt: skip
                per_target = ui.number(t("insp.per_target", lang), value=MIN_INSPECTORS,
                                       min=MIN_INSPECTORS, precision=0)  # fmt: skip
                qualification = ui.input(t("insp.qualification", lang))
                with ui.stepper_navigation():
                    ui.button(t("insp.next", lang), on_click=stepper.next)
                    ui.button(t("insp.back", lang), on_click=stepper.previous).props("flat")
            with ui.step(t("insp.step.commit", lang)):
                committed = ui.column().classes("gap-1")

                def create_and_commit() -> None:
                    try:
                        made = self.platform.inspections.create_plan(
                            int(year.value or 0), str(item.value or ""), actor=self.actor,
                            rates={c: float(n.value or 0) for c, n in rates.items()},
                            inspectors_per_target=int(per_target.value or 0),
                            required_qualification=qualification.value or None,
                            department=department.value or None,
                        )  # fmt: skip
                        inspections = self.platform.inspections
                        self.plan = inspections.commit_plan(made.id, actor=self.actor)
                    except LingangError as exc:
                        ui.notify(exc.message, type="negative")
                        return
                    self._show_commitment(committed)
                    stepper.next()

                with ui.stepper_navigation():
                    ui.button(t("insp.commit", lang), on_click=create_and_commit).props(
                        "data-testid=commit-plan"
                    )
                    ui.button(t("insp.back", lang), on_click=stepper.previous).props("flat")
            with ui.step(t("insp.step.draw", lang)):
                outcome = ui.column().classes("w-full gap-2")
                ui.button(t("insp.draw", lang), on_click=lambda: self._draw(outcome)).props(
                    "data-testid=run-draw"
                )

    def _show_commitment(self, box: ui.column) -> None:
        assert self.plan is not None
        box.clear()
        with box:
            _mono(t("insp.col.plan", self.lang), self.plan.id)
            _mono(t("insp.commitment", self.lang), self.plan.seed_commitment)
            _mono(t("insp.digest", self.lang), self.plan.inputs_digest)
            ui.label(t("insp.ungraded", self.lang).format(count=self.plan.ungraded or 0))

    def _draw(self, box: ui.column) -> None:
        if self.plan is None:
            ui.notify(t("insp.commit_first", self.lang), type="warning")
            return
        try:
            self.platform.inspections.run_draw(self.plan.id, actor=self.actor)
            detail = self.platform.inspections.get_plan(self.plan.id, actor=self.actor)
        except LingangError as exc:
            ui.notify(exc.message, type="negative")
            return
        box.clear()
        with box:
            self._show_draw(detail)

    def _show_draw(self, detail: PlanDetail) -> None:
        lang, plan = self.lang, detail.plan
        _mono(t("insp.commitment", lang), plan.seed_commitment)
        _mono(t("insp.seed", lang), plan.seed)
        _mono(t("insp.col.publish_by", lang), str(plan.publish_by or ""))
        data_table(lang, TARGET_COLUMNS, _target_rows(detail, lang), row_key="uscc").props(
            "data-testid=drawn-targets"
        )
        result = plan.result
        if result is None:
            return
        for recusal in result.recusals:
            ui.label(f"{t('insp.recusal', lang)}: {recusal.inspector_id} × {recusal.uscc} "
                     f"({reason_label(recusal.reason, lang)})")  # fmt: skip
        for skip in result.skipped:
            ui.label(f"{t('insp.skipped', lang)}: {skip.uscc} ({reason_label(skip.reason, lang)})")
        for unstaffed in result.unstaffed:
            ui.label(f"{t('insp.unstaffed', lang)}: {unstaffed.uscc} "
                     f"({unstaffed.eligible}/{unstaffed.required})")  # fmt: skip
