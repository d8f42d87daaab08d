"""好差评 in the console: the rating form on a closed application of the enterprise portal
(five levels 非常满意 … 非常不满意 = 5 … 1, a comment, real name or anonymous), and the
officers' satisfaction page (``/permits/satisfaction``): satisfaction by item and by
department, and the rectification of 差评 (contact the rater, publish the result).

Both call ``platform.permit_ratings`` (:class:`~lingang.permits.ratings.RatingService`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.console.components.nav import NavEntry
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages import permits_common as common
from lingang.console.pages.guard import console_page
from lingang.permits.ratings import (
    Rating,
    RatingLevel,
    RatingService,
    Rectification,
    RectificationStatus,
    SatisfactionRow,
)
from lingang.types import Actor

SATISFACTION_PATH: Final = "/permits/satisfaction"
SATISFACTION: Final = NavEntry(
    "permits.satisfaction", SATISFACTION_PATH, "sentiment_satisfied", Permission.VIEW_PERMITS
)
SATISFACTION_COLUMNS = (
    ("label", "col.name"), ("count", "rating.col.count"), ("mean", "rating.col.mean"),
    ("satisfied", "rating.col.satisfied"), ("negative", "rating.col.negative"),
    ("on_time", "rating.col.on_time"),
)  # fmt: skip
TASK_COLUMNS = (
    ("id", "col.id"), ("application", "permits.application"), ("item", "permits.col.item"),
    ("department", "col.department"), ("level", "rating.col.level"),
    ("comment", "rating.comment"), ("status", "col.status"), ("due", "col.due"),
    ("result", "col.result"),
)  # fmt: skip


def register(platform: Platform) -> None:
    """Register ``/permits/satisfaction`` (before the desk's ``/permits/{id}``)."""

    @console_page(platform, SATISFACTION)
    def satisfaction(actor: Actor, lang: Language) -> None:
        page_title(t("permits.satisfaction", lang))
        SatisfactionPage(platform.permit_ratings, actor, lang).render()


def rating_panel(platform: Platform, actor: Actor, lang: Language, application_id: int) -> None:
    """The enterprise's rating of a closed application: the rating given, or the form."""
    service = platform.permit_ratings
    if not can(actor.role, Permission.APPLY_PERMITS):
        return
    ui.label(t("rating.title", lang)).classes("text-lg font-medium mt-4")
    given = [r for r in service.my_ratings(actor=actor) if r.application_id == application_id]
    if given:
        _given(given[0], lang)
        return
    with ui.card().classes("w-full p-3").props("data-testid=rating-form"):
        levels = {level.value: level.label(lang) for level in RatingLevel}
        score = ui.radio(levels, value=RatingLevel.VERY_SATISFIED.value).props(
            "inline data-testid=rating-score"
        )
        comment = (
            ui.textarea(t("rating.comment", lang))
            .classes("w-full")
            .props("data-testid=rating-comment")
        )
        real_name = ui.checkbox(t("rating.real_name", lang), value=True).props(
            "data-testid=rating-real-name"
        )

        def send() -> None:
            done = common.guarded(lambda: service.rate(
                application_id, int(score.value), comment.value or "", actor=actor,
                real_name=bool(real_name.value)))  # fmt: skip
            if done is not None:
                ui.navigate.reload()

        ui.button(t("rating.send", lang), on_click=send).props("data-testid=rating-send")


def _given(rating: Rating, lang: Language) -> None:
    with ui.card().classes("w-full p-3").props("data-testid=rating-given"):
        ui.label(f"{rating.level.label(lang)} · {local_time(rating.rated_at)}").classes(
            "font-medium"
        )
        if rating.comment:
            ui.label(rating.comment)
        task = rating.rectification
        if task is not None:
            ui.label(f"{t('rating.rectification', lang)}：{task.status.label(lang)}"
                     + (f" · {task.result}" if task.result else ""))  # fmt: skip


class SatisfactionPage:
    """Satisfaction by item and department, and the rectification tasks of 差评."""

    def __init__(self, service: RatingService, actor: Actor, lang: Language) -> None:
        self.service, self.actor, self.lang = service, actor, lang

    def render(self) -> None:
        """Draw the page."""
        lang = self.lang
        found = self.service.satisfaction(actor=self.actor)
        ui.label(t("rating.overall", lang).format(**_row(found.overall))).props(
            "data-testid=satisfaction-overall"
        )
        for key, rows in (("rating.by_item", found.by_item),
                          ("rating.by_department", found.by_department)):  # fmt: skip
            ui.label(t(key, lang)).classes("text-lg font-medium mt-4")
            data_table(lang, SATISFACTION_COLUMNS, [_row(r) for r in rows], row_key="label").props(
                f"data-testid={key.replace('.', '-')}"
            )
        ui.label(t("rating.rectifications", lang)).classes("text-lg font-medium mt-4")
        tasks = self.service.rectifications(actor=self.actor, open_only=True)
        data_table(lang, TASK_COLUMNS, [self._task_row(k) for k in tasks], row_key="id").props(
            "data-testid=rating-rectifications"
        )
        if can(self.actor.role, Permission.HANDLE_PERMITS):
            for task in tasks:
                if task.status is RectificationStatus.OPEN:
                    self._task_form(task)

    def _task_row(self, task: Rectification) -> dict[str, object]:
        return {
            "id": task.id, "application": task.application_id, "item": task.item_name,
            "department": task.department, "level": task.level.label(self.lang),
            "comment": task.comment, "status": task.status.label(self.lang),
            "due": task.due_on.isoformat(), "result": task.result or "",
        }  # fmt: skip

    def _task_form(self, task: Rectification) -> None:
        lang = self.lang
        with ui.card().classes("w-full p-3").props(f"data-testid=rectification-{task.id}"):
            ui.label(t("rating.task_title", lang).format(
                id=task.id, application=task.application_id, rater=task.rater or "—",
            )).classes("font-medium")  # fmt: skip
            if task.contacted_at is None:
                note = (
                    ui.input(t("rating.contact_note", lang))
                    .classes("w-full")
                    .props("data-testid=rectification-note")
                )
                ui.button(t("rating.contact", lang), on_click=lambda: self._do(
                    lambda: self.service.contact(task.id, note.value or "", actor=self.actor)),
                ).props("outline dense data-testid=rectification-contact")  # fmt: skip
            result = (
                ui.textarea(t("col.result", lang))
                .classes("w-full")
                .props("data-testid=rectification-result")
            )
            ui.button(t("rating.resolve", lang), on_click=lambda: self._do(
                lambda: self.service.resolve(task.id, result.value or "", actor=self.actor)),
            ).props("outline dense data-testid=rectification-resolve")  # fmt: skip

    def _do(self, action: Callable[[], object]) -> None:
        if common.guarded(action) is not None:
            ui.navigate.reload()


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _row(row: SatisfactionRow) -> dict[str, object]:
    return {
        "label": row.label, "count": row.count,
        "mean": "—" if row.mean_score is None else f"{row.mean_score:.2f}",
        "satisfied": _share(row.satisfied_share), "negative": _share(row.negative_share),
        "on_time": f"{row.rectified_on_time}/{row.negative} ({_share(row.on_time_share)})",
    }  # fmt: skip
