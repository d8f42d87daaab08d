"""Home dashboard: the platform's headline counts, refreshed live."""

from __future__ import annotations

from dataclasses import asdict

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console import session
from lingang.console.components.cards import count_card
from lingang.console.components.nav import HOME
from lingang.console.components.table import page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.errors import LingangError
from lingang.types import Actor

REFRESH_SECONDS = 3.0
COUNTS: tuple[tuple[str, str, str], ...] = (
    # (Overview field, label key, icon)
    ("enterprises", "count.enterprises", "business"),
    ("users", "count.users", "group"),
    ("audit_records", "count.audit_records", "fact_check"),
    ("events_published", "count.events_published", "outbox"),
    ("events_pending", "count.events_pending", "pending"),
)


def register(platform: Platform) -> None:
    """Register the dashboard at the console root."""

    @console_page(platform, HOME)
    def home(actor: Actor, lang: Language) -> None:
        page_title(t("home.title", lang))
        ui.label(t("home.live", lang).format(seconds=int(REFRESH_SECONDS))).classes(
            "text-sm text-gray-500"
        )
        with ui.row().classes("gap-4"):
            values = {
                field: count_card(t(key, lang), icon, name=field) for field, key, icon in COUNTS
            }
        token = session.stored_token()
        refresh_counts(platform, token, values)
        ui.timer(REFRESH_SECONDS, lambda: refresh_counts(platform, token, values), immediate=False)


def refresh_counts(platform: Platform, token: str | None, values: dict[str, ui.label]) -> None:
    """Re-read the counts for the session behind ``token``; a dead session goes to login."""
    try:
        actor = session.resolve(platform.auth, token)
        if actor is None:
            ui.navigate.to(session.LOGIN_PATH)
            return
        counts = asdict(platform.overview.get_overview(actor=actor))
    except LingangError as exc:
        ui.notify(exc.message, type="negative")
        return
    for field, label in values.items():
        label.set_text(f"{counts[field]:,}")
