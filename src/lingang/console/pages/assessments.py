"""The live feed of risk assessments, and one assessment with its hits, features and record.

The feed asks every two seconds only for verdicts newer than the newest it has shown
(``recent(since=…)``) and re-reads the counts per outcome; each tick resolves the session
again, so a revoked session stops seeing verdicts at once.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console import session
from lingang.console.components.cards import count_card
from lingang.console.components.nav import ASSESSMENTS
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.console.pages.rulesets import compact
from lingang.errors import LingangError
from lingang.risk.assessments.service import Assessment
from lingang.risk.scenarios.model import Outcome
from lingang.types import Actor

REFRESH_SECONDS: Final = 2.0
SHOWN: Final = 100
OUTCOME_COLOURS: Final = {"pass": "green-8", "review": "orange-8", "hold": "red-8"}
COLUMNS = (
    ("assessed_at", "col.assessed_at"),
    ("dataset", "col.dataset"),
    ("record_key", "col.record_key"),
    ("enterprise", "col.enterprise"),
    ("score", "col.score"),
    ("outcome", "col.outcome"),
    ("top_scenario", "col.top_scenario"),
    ("version", "col.version"),
    ("shadow_outcome", "col.shadow_outcome"),
)
HIT_COLUMNS = (
    ("rule", "col.rule"),
    ("scenario", "col.scenario"),
    ("weight", "col.weight"),
    ("reason", "col.reason"),
    ("values", "col.values_seen"),
)
SCENARIO_COLUMNS = (
    ("scenario", "col.scenario"),
    ("score", "col.score"),
    ("outcome", "col.outcome"),
)
PAIR_COLUMNS = (("key", "col.key"), ("value", "col.plain_value"))
BADGE_SLOT: Final = (
    '<q-td :props="props"><q-badge :color="props.row.outcome_colour" :label="props.value"'
    " :data-testid=\"'outcome-' + props.row.outcome_code\" /></q-td>"
)
DETAIL_PATH: Final = "/risk/assessments/{item_id}"


def register(platform: Platform) -> None:
    """Register ``/risk/assessments`` and ``/risk/assessments/{id}``."""

    @console_page(platform, ASSESSMENTS)
    def assessments(actor: Actor, lang: Language) -> None:
        page_title(t("feed.title", lang))
        ui.label(t("feed.live", lang).format(seconds=int(REFRESH_SECONDS))).classes(
            "text-sm text-gray-500"
        )
        with ui.row().classes("gap-4"):
            counts = {
                key: count_card(
                    t(f"outcome.{key}", lang) if key != "total" else t("feed.total", lang),
                    icon,
                    name=key,
                )
                for key, icon in (
                    ("total", "functions"),
                    ("pass", "check_circle"),
                    ("review", "visibility"),
                    ("hold", "block"),
                )
            }
        choices = {"": t("feed.all", lang)} | {
            o.value: t(f"outcome.{o.value}", lang) for o in Outcome
        }
        picker = ui.select(choices, value="", label=t("feed.filter", lang)).classes("w-48")
        picker.props("data-testid=feed-filter")
        table = data_table(lang, COLUMNS, [], row_key="id")
        table.props("data-testid=feed")
        table.add_slot("body-cell-outcome", BADGE_SLOT)
        table.on("rowClick", lambda e: ui.navigate.to(f"/risk/assessments/{e.args[1]['id']}"))
        feed = LiveFeed(platform, session.stored_token(), lang, table, counts)
        picker.on_value_change(lambda e: feed.restart(str(e.value or "")))
        feed.restart("")
        ui.timer(REFRESH_SECONDS, feed.tick, immediate=False)

    _register_detail(platform)


class LiveFeed:
    """The rows on screen, the newest time seen, and the outcome filter."""

    def __init__(
        self,
        platform: Platform,
        token: str | None,
        lang: Language,
        table: ui.table,
        counts: dict[str, ui.label],
    ) -> None:
        self.platform = platform
        self.token = token
        self.lang = lang
        self.table = table
        self.counts = counts
        self.outcome: Outcome | None = None
        self.newest: dt.datetime | None = None

    def restart(self, outcome: str) -> None:
        """Show the newest verdicts of ``outcome`` ('' for all) from scratch."""
        self.outcome = Outcome(outcome) if outcome else None
        self.newest = None
        self.table.rows = []
        self.tick()

    def tick(self) -> None:
        """Fetch what is newer than the newest row shown, and the counts."""
        try:
            actor = session.resolve(self.platform.auth, self.token)
            if actor is None:
                ui.navigate.to(session.LOGIN_PATH)
                return
            found = self.platform.assessments.recent(
                actor=actor, limit=SHOWN, outcome=self.outcome, since=self.newest
            )
            counts = self.platform.assessments.outcome_counts(actor=actor)
        except LingangError as exc:
            ui.notify(exc.message, type="negative")
            return
        self._show_counts(counts)
        if found:
            self.newest = max(a.assessed_at for a in found)
            shown = {row["id"] for row in self.table.rows}
            fresh = [feed_row(a, self.lang) for a in found if a.id not in shown]
            self.table.rows = (fresh + self.table.rows)[:SHOWN]

    def _show_counts(self, counts: dict[str, int]) -> None:
        for key, label in self.counts.items():
            value = sum(counts.values()) if key == "total" else counts.get(key, 0)
            label.set_text(f"{value:,}")


def feed_row(assessment: Assessment, lang: Language) -> dict[str, object]:
    """One row of the feed; the outcome carries its label, code and badge colour."""
    return {
        "id": assessment.id,
        "assessed_at": local_time(assessment.assessed_at),
        "dataset": assessment.dataset,
        "record_key": assessment.record_key,
        "enterprise": assessment.enterprise_uscc or "",
        "score": f"{assessment.score:g}",
        "outcome": t(f"outcome.{assessment.outcome.value}", lang),
        "outcome_code": assessment.outcome.value,
        "outcome_colour": OUTCOME_COLOURS[assessment.outcome.value],
        "top_scenario": assessment.top_scenario or "",
        "version": assessment.rule_set_version,
        "shadow_outcome": t(f"outcome.{assessment.shadow_outcome}", lang)
        if assessment.shadow_outcome
        else "",
    }


# --- one assessment ---------------------------------------------------------------------------


def _register_detail(platform: Platform) -> None:
    """``/risk/assessments/{id}``: one verdict (the id is a UUID)."""

    @console_detail_page(platform, ASSESSMENTS, DETAIL_PATH, text_id=True)
    def assessment_page(actor: Actor, lang: Language, assessment_id: str) -> None:
        show_assessment(platform.assessments.get(assessment_id, actor=actor), lang)


def show_assessment(assessment: Assessment, lang: Language) -> None:
    """The verdict, its hits with reasons in ``lang``, scenario scores, features and record."""
    ui.link(t("feed.back", lang), "/risk/assessments").classes("text-blue-800")
    code = assessment.outcome.value
    with ui.row().classes("items-center gap-3"):
        page_title(t("feed.detail", lang))
        ui.badge(t(f"outcome.{code}", lang), color=OUTCOME_COLOURS[code]).classes(
            "text-base"
        ).props(f"data-testid=outcome-{code}")
        ui.label(f"{t('col.score', lang)} {assessment.score:g}").classes("text-lg")
    ui.label(
        t("feed.facts", lang).format(
            dataset=assessment.dataset,
            key=assessment.record_key,
            enterprise=assessment.enterprise_uscc or "—",
            version=assessment.rule_set_version,
            at=local_time(assessment.assessed_at),
        )
    ).classes("text-gray-600")
    _section(t("feed.hits", lang))
    if assessment.hits:
        rows = [hit_row(i, h, lang) for i, h in enumerate(assessment.hits)]
        compact(data_table(lang, HIT_COLUMNS, rows, row_key="key")).props("data-testid=hits")
    else:
        ui.label(t("feed.no_hits", lang)).classes("text-gray-500")
    if assessment.scenarios:
        _section(t("feed.scenarios", lang))
        rows = [
            {
                "scenario": s["scenario"],
                "score": f"{s['score']:g}",
                "outcome": t(f"outcome.{s['outcome']}", lang),
            }
            for s in assessment.scenarios
        ]
        compact(data_table(lang, SCENARIO_COLUMNS, rows, row_key="scenario"))
    if assessment.shadow_version is not None:
        _shadow(assessment, lang)
    with ui.row().classes("w-full gap-4 items-start no-wrap"):
        with ui.column().classes("w-1/2"):
            _section(t("feed.features", lang))
            pair_table(lang, assessment.features)
        with ui.column().classes("w-1/2"):
            _section(t("feed.record", lang))
            pair_table(lang, assessment.record)


def _section(title: str) -> None:
    ui.label(title).classes("text-lg font-semibold mt-2")


def _shadow(assessment: Assessment, lang: Language) -> None:
    outcome = assessment.shadow_outcome
    with ui.card().classes("w-full").props("data-testid=shadow-verdict"):
        ui.label(t("feed.shadow", lang)).classes("text-lg font-semibold")
        ui.label(
            t("feed.shadow_text", lang).format(
                version=assessment.shadow_version,
                score=f"{assessment.shadow_score or 0:g}",
                outcome=t(f"outcome.{outcome}", lang) if outcome else "—",
                rules=", ".join(assessment.shadow_rules or []) or "—",
            )
        )


def hit_row(index: int, hit: dict[str, Any], lang: Language) -> dict[str, object]:
    """One rule that fired, its reason in ``lang`` and the values it looked at."""
    return {
        "key": index,
        "rule": hit.get("rule", ""),
        "scenario": hit.get("scenario", ""),
        "weight": f"{hit.get('weight', 0):g}",
        "reason": hit.get("reason_zh" if lang == "zh-CN" else "reason_en", ""),
        "values": plain(hit.get("values", {})),
    }


def pair_table(lang: Language, values: dict[str, Any]) -> None:
    """A mapping as a two-column table, or — when it is empty."""
    if not values:
        ui.label("—").classes("text-gray-500")
        return
    compact(data_table(lang, PAIR_COLUMNS, pairs(values), row_key="key"))


def pairs(values: dict[str, Any]) -> list[dict[str, object]]:
    """A mapping as (field, value) rows, in field order."""
    return [{"key": key, "value": plain(value)} for key, value in values.items()]


def plain(value: Any) -> str:
    """A value as one line of text."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
