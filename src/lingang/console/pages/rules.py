"""The rule workbench: write a rule with live validation, and try it on the lake."""

from __future__ import annotations

import datetime as dt

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console.components.nav import RULES
from lingang.console.components.table import page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.errors import Invalid, LingangError
from lingang.risk.service import DayHits
from lingang.types import Actor

EXAMPLE = "declared_value > 1000000\nand origin_country in ('US', 'KR')"


def register(platform: Platform) -> None:
    """Register ``/risk/rules``."""

    @console_page(platform, RULES)
    def rules(actor: Actor, lang: Language) -> None:
        page_title(t("rules.title", lang))
        ui.label(t("rules.hint", lang)).classes("text-gray-600")
        editor = (
            ui.textarea(value=EXAMPLE)
            .classes("w-full font-mono")
            .props("outlined autogrow data-testid=rule-source")
        )
        verdict = ui.label().props("data-testid=rule-verdict")

        def check() -> None:
            try:
                platform.risk.check_rule(editor.value or "", actor=actor)
            except LingangError as exc:
                verdict.set_text(exc.message)
                verdict.classes(replace="text-red-700 font-mono")
                return
            verdict.set_text("✓ " + t("rules.valid", lang))
            verdict.classes(replace="text-green-700")

        editor.on_value_change(lambda _: check())
        check()
        last = _last_day(platform, actor)
        with ui.row().classes("items-end gap-4"):
            start = ui.input(
                t("rules.start", lang), value=(last - dt.timedelta(days=364)).isoformat()
            )
            end = ui.input(t("rules.end", lang), value=last.isoformat())
            button = ui.button(t("rules.try", lang), icon="play_arrow")
        summary = ui.label().props("data-testid=rule-trial")
        chart = ui.echart(_chart([], lang)).classes("w-full h-72")

        def run_trial() -> None:
            try:
                trial = platform.risk.trial_rule(
                    editor.value or "", actor=actor,
                    start=_date("start", start.value), end=_date("end", end.value),
                )  # fmt: skip
            except LingangError as exc:
                ui.notify(exc.message, type="negative")
                return
            summary.set_text(
                t("rules.result", lang).format(
                    rows=f"{trial.rows:,}", hits=f"{trial.hits:,}", rate=f"{trial.hit_rate:.2%}"
                )
            )
            chart.options.update(_chart(trial.days, lang))
            chart.update()

        button.on_click(run_trial)


def _last_day(platform: Platform, actor: Actor) -> dt.date:
    for stats in platform.lake.list_datasets(actor=actor):
        if stats.name == "declarations" and stats.stored.last_day:
            return stats.stored.last_day
    return dt.date.today()  # noqa: DTZ011  # a default for an empty lake, shown to the user


def _date(field: str, value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError as exc:
        raise Invalid(field, "a date as YYYY-MM-DD") from exc


def _chart(days: list[DayHits], lang: Language) -> dict[str, object]:
    points = [(d.day.isoformat(), d.hits) for d in days]
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [p[0] for p in points]},
        "yAxis": {"type": "value"},
        "series": [{"name": t("rules.hits_per_day", lang), "type": "bar",
                    "data": [p[1] for p in points]}],
    }  # fmt: skip
