"""The frame of every signed-in page: header (platform name, user, language, sign-out) and
the role-filtered navigation drawer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import events, ui

from lingang.auth.service import AuthService
from lingang.console import session
from lingang.console.components.nav import NavEntry, render_nav
from lingang.console.i18n import LANGUAGE_NAMES, Language, choose_language, role_label, t
from lingang.errors import LingangError
from lingang.types import Actor

HEADER_CLASSES = "items-center gap-4 bg-blue-900 text-white px-4 py-2"


@contextmanager
def frame(auth: AuthService, actor: Actor, lang: Language, active: NavEntry) -> Iterator[None]:
    """Header and drawer; the body of the ``with`` block is the page content."""
    drawer = ui.left_drawer(value=True, bordered=True).classes("bg-gray-50 pt-4")
    with ui.header().classes(HEADER_CLASSES):
        ui.button(icon="menu", on_click=drawer.toggle).props("flat round dense color=white")
        ui.label(t("platform.name", lang)).classes("text-lg font-semibold")
        ui.space()
        ui.label(f"{actor.username} · {role_label(actor.role, lang)}").classes("text-sm")
        language_switch(lang)
        ui.button(t("action.logout", lang), icon="logout", on_click=lambda: _sign_out(auth)).props(
            "flat color=white no-caps"
        )
    with drawer:
        render_nav(actor.role, lang, active)
    with ui.column().classes("w-full p-6 gap-6"):
        yield


def language_switch(lang: Language, *, on_dark: bool = True) -> None:
    """The 中文 / English switch; a change is remembered and the page re-rendered."""
    colours = (
        "toggle-color=white toggle-text-color=blue-10 text-color=white"
        if on_dark
        else "toggle-color=blue-10 text-color=blue-10"
    )
    ui.toggle(dict(LANGUAGE_NAMES), value=lang, on_change=_switch_language).props(
        f"dense no-caps unelevated {colours}"
    )


def forbidden_notice(lang: Language) -> None:
    """Shown instead of a page the actor's role may not open."""
    error_notice(t("common.forbidden", lang), icon="block")


def error_notice(message: str, *, icon: str = "error") -> None:
    """A one-line error in place of a page's content (never a stack trace)."""
    with ui.row().classes("items-center gap-2 text-red-800 p-6"):
        ui.icon(icon)
        ui.label(message)


def _switch_language(event: events.ValueChangeEventArguments[object]) -> None:
    if event.value in LANGUAGE_NAMES:
        choose_language("en" if event.value == "en" else "zh-CN")
        ui.navigate.reload()


def _sign_out(auth: AuthService) -> None:
    try:
        session.sign_out(auth)
    except LingangError as exc:
        ui.notify(exc.message, type="negative")
        return
    ui.navigate.to(session.LOGIN_PATH)
