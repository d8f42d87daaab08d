"""The case dashboard (案件看板): open cases by age and department, SLA breaches, time to close,
the confirmed rate by rule, and the feedback into the risk engine (precision per rule or
scenario with its Wilson interval, review-threshold suggestions per scenario).

Everything is read through :class:`~lingang.cases.dashboards.CaseDashboards` and
:class:`~lingang.cases.feedback.FeedbackService` as the signed-in reader, so a case officer
sees only their own department's numbers. Registered before the case pages, so that
``/cases/dashboard`` is never taken for a case id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.cases.dashboards import Breach, Dashboard, DepartmentAges, RuleRate, TimeToClose
from lingang.cases.feedback import Precision, PrecisionRow, ThresholdSuggestion
from lingang.console.components.nav import CASE_DASHBOARD
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.errors import LingangError
from lingang.types import Actor

AGE_COLOURS: Final = ("#16a34a", "#84cc16", "#f59e0b", "#f97316", "#dc2626")
BREACH_COLUMNS = (
    ("number", "col.case"),
    ("department", "col.department"),
    ("enterprise", "col.enterprise"),
    ("scenario", "col.scenario"),
    ("assignee", "col.assignee"),
    ("due", "col.due"),
    ("overdue", "col.overdue_days"),
)
CLOSE_COLUMNS = (
    ("department", "col.department"),
    ("closed", "col.closed_cases"),
    ("median", "col.median_days"),
    ("p90", "col.p90_days"),
    ("max", "col.max_days"),
)
RATE_COLUMNS = (
    ("rule", "col.rule"),
    ("labelled", "col.labelled"),
    ("confirmed", "col.confirmed"),
    ("false_positives", "col.false_positives"),
    ("other", "col.other_outcomes"),
    ("rate", "col.confirmed_rate"),
)
PRECISION_COLUMNS = (
    ("key", "col.group"),
    ("alerts", "col.alerts"),
    ("labelled", "col.labelled"),
    ("confirmed", "col.confirmed"),
    ("false_positives", "col.false_positives"),
    ("precision", "col.precision"),
    ("interval", "col.wilson"),
)
SUGGESTION_COLUMNS = (
    ("scenario", "col.scenario"),
    ("status", "col.status"),
    ("labelled", "col.labelled"),
    ("precision_now", "col.precision_now"),
    ("threshold", "col.threshold"),
    ("kept", "col.kept"),
    ("precision", "col.precision_at"),
    ("recall", "col.recall"),
)


def register(platform: Platform) -> None:
    """Register ``/cases/dashboard``."""

    @console_page(platform, CASE_DASHBOARD)
    def dashboard(actor: Actor, lang: Language) -> None:
        page_title(t("dash.title", lang))
        overview = platform.case_dashboards.overview(actor=actor)
        ui.label(
            t("dash.as_of", lang).format(
                time=local_time(overview.as_of),
                scope=overview.department or t("dash.all_departments", lang),
            )
        ).classes("text-gray-600")
        show_overview(overview, lang)
        FeedbackSection(platform, actor, lang).render()


# --- the case panels ----------------------------------------------------------------------


def show_overview(overview: Dashboard, lang: Language) -> None:
    """The four case panels."""
    with ui.row().classes("w-full gap-4 no-wrap"):
        with _panel(t("dash.age", lang), "dash-age", "w-1/2"):
            if overview.open_by_age:
                ui.echart(age_chart(overview.open_by_age, lang)).classes("w-full h-72")
            else:
                empty(lang)
        with _panel(t("dash.breaches", lang), "dash-breaches", "w-1/2"):
            breaches = overview.breaches
            with ui.row().classes("gap-6"):
                _count(t("dash.open_overdue", lang), len(breaches.open_overdue), "open-overdue")
                _count(t("dash.closed_late", lang), len(breaches.closed_late), "closed-late")
            if breaches.open_overdue:
                table = data_table(
                    lang, BREACH_COLUMNS, [breach_row(b) for b in breaches.open_overdue],
                    row_key="id",
                )  # fmt: skip
                table.props("data-testid=dash-overdue")
                table.props["pagination"] = {"rowsPerPage": 5}
                table.add_slot("body-cell-number", CASE_LINK_SLOT)
                table.on("rowClick", lambda e: ui.navigate.to(f"/cases/{e.args[1]['id']}"))
            else:
                empty(lang)
    with ui.row().classes("w-full gap-4 no-wrap"):
        with _panel(t("dash.time_to_close", lang), "dash-close", "w-1/2"):
            closing = [row for row in overview.time_to_close if row.closed]
            if closing:
                rows = [close_row(row, lang) for row in closing]
                data_table(lang, CLOSE_COLUMNS, rows, row_key="department")
            else:
                empty(lang)
        with _panel(t("dash.confirmed", lang), "dash-confirmed", "w-1/2"):
            if overview.confirmed_by_rule:
                rows = [rate_row(r) for r in overview.confirmed_by_rule]
                data_table(lang, RATE_COLUMNS, rows, row_key="rule")
            else:
                empty(lang)


CASE_LINK_SLOT: Final = (
    '<q-td :props="props"><span class="text-blue-800 underline cursor-pointer"'
    " :data-testid=\"'overdue-' + props.row.id\">{{ props.value }}</span></q-td>"
)


@contextmanager
def _panel(title: str, test_id: str, width: str) -> Iterator[None]:
    """A titled card; the block's content goes inside."""
    with ui.card().classes(width).props(f"data-testid={test_id}"):
        ui.label(title).classes("text-lg font-semibold")
        yield


def _count(label: str, value: int, test_id: str) -> None:
    with ui.column().classes("gap-0"):
        ui.label(str(value)).classes("text-3xl font-semibold text-red-800").props(
            f"data-testid=count-{test_id}"
        )
        ui.label(label).classes("text-gray-600")


def empty(lang: Language) -> None:
    """The friendly note of a panel without data."""
    ui.label(t("table.no_data", lang)).classes("text-gray-500").props("data-testid=dash-empty")


def age_chart(ages: Sequence[DepartmentAges], lang: Language) -> dict[str, Any]:
    """Open cases per department, stacked by age bucket (youngest at the bottom)."""
    buckets = list(ages[0].buckets) if ages else []
    unit = t("dash.days", lang)
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"data": [f"{b} {unit}" for b in buckets]},
        "grid": {"left": 40, "right": 10, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": [a.department for a in ages]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": f"{bucket} {unit}",
                "type": "bar",
                "stack": "age",
                "color": AGE_COLOURS[min(index, len(AGE_COLOURS) - 1)],
                "data": [a.buckets.get(bucket, 0) for a in ages],
            }
            for index, bucket in enumerate(buckets)
        ],
    }


def breach_row(breach: Breach) -> dict[str, object]:
    """One open overdue case."""
    return {
        "id": breach.case_id,
        "number": f"HC-{breach.case_id:06d}",
        "department": breach.department,
        "enterprise": breach.enterprise_uscc,
        "scenario": breach.scenario,
        "assignee": breach.assignee or "—",
        "due": local_time(breach.due_at),
        "overdue": breach.overdue_working_days,
    }


def close_row(row: TimeToClose, lang: Language) -> dict[str, object]:
    """One department's time to close (``None``: all departments together)."""
    return {
        "department": row.department or t("dash.all_departments", lang),
        "closed": row.closed,
        "median": "—" if row.median is None else f"{row.median:g}",
        "p90": "—" if row.p90 is None else row.p90,
        "max": "—" if row.max is None else row.max,
    }


def rate_row(rate: RuleRate) -> dict[str, object]:
    """One rule's confirmed rate."""
    return {
        "rule": rate.rule,
        "labelled": rate.labelled,
        "confirmed": rate.confirmed,
        "false_positives": rate.false_positives,
        "other": rate.other,
        "rate": share(rate.rate),
    }


def share(value: float | None) -> str:
    """A share as a percentage, or — when it is unknown."""
    return "—" if value is None else f"{value:.1%}"


# --- the feedback section -----------------------------------------------------------------


class FeedbackSection:
    """Precision per rule or scenario (switchable) and threshold suggestions per scenario."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language) -> None:
        self.platform = platform
        self.actor = actor
        self.lang = lang

    def render(self) -> None:
        """The section's heading, switch, and both tables."""
        lang = self.lang
        ui.label(t("dash.feedback", lang)).classes("text-xl font-semibold mt-4")
        with _panel(t("dash.precision", lang), "dash-precision", "w-full"):
            grouping = ui.toggle(
                {"rule": t("dash.by_rule", lang), "scenario": t("dash.by_scenario", lang)},
                value="rule",
            ).props("no-caps data-testid=dash-grouping")
            holder = ui.column().classes("w-full")

            def show(by: str) -> None:
                holder.clear()
                with holder:
                    self._precision(by)

            grouping.on_value_change(lambda e: show(str(e.value)))
            show("rule")
        with _panel(t("dash.thresholds", lang), "dash-thresholds", "w-full"):
            ui.label(t("dash.thresholds_hint", lang)).classes("text-gray-600")
            try:
                found = self.platform.feedback.threshold_suggestions(actor=self.actor)
            except LingangError as exc:
                ui.label(exc.message).classes("text-gray-500")
                return
            if found:
                rows = [suggestion_row(s, lang) for s in found]
                data_table(lang, SUGGESTION_COLUMNS, rows, row_key="scenario").props(
                    "data-testid=dash-suggestions"
                )
            else:
                empty(lang)

    def _precision(self, by: str) -> None:
        try:
            report = self.platform.feedback.precision(
                actor=self.actor, by="scenario" if by == "scenario" else "rule"
            )
        except LingangError as exc:
            ui.label(exc.message).classes("text-gray-500")
            return
        if not report.rows:
            empty(self.lang)
            return
        rows = [precision_row(row) for row in report.rows]
        data_table(self.lang, PRECISION_COLUMNS, rows, row_key="key").props(
            f"data-testid=dash-precision-{by}"
        )


def interval(value: Precision) -> str:
    """The Wilson 95 % interval, or — while nothing is labelled."""
    if value.low is None or value.high is None:
        return "—"
    return f"{value.low:.1%} – {value.high:.1%}"


def precision_row(row: PrecisionRow) -> dict[str, object]:
    """One rule's or scenario's overall precision."""
    overall = row.overall
    return {
        "key": row.key,
        "alerts": overall.alerts,
        "labelled": overall.labelled,
        "confirmed": overall.confirmed,
        "false_positives": overall.false_positives,
        "precision": share(overall.precision),
        "interval": interval(overall),
    }


def suggestion_row(suggestion: ThresholdSuggestion, lang: Language) -> dict[str, object]:
    """One scenario's suggestion, its status in words."""
    return {
        "scenario": suggestion.scenario,
        "status": t(f"dash.status.{suggestion.status}", lang),
        "labelled": suggestion.labelled,
        "precision_now": share(suggestion.precision_now),
        "threshold": "—" if suggestion.threshold is None else f"{suggestion.threshold:g}",
        "kept": "—" if suggestion.kept is None else suggestion.kept,
        "precision": share(suggestion.precision),
        "recall": share(suggestion.recall),
    }
