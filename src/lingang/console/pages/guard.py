"""``console_page``: sign-in check, role check and frame around every signed-in page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from nicegui import ui

from lingang.auth.model import can
from lingang.bootstrap import Platform
from lingang.console import session
from lingang.console.components.layout import error_notice, forbidden_notice, frame
from lingang.console.components.nav import NavEntry
from lingang.console.i18n import Language, current_language, t
from lingang.errors import LingangError
from lingang.types import Actor

PageBody = Callable[[Actor, Language], None]
DetailBody = Callable[[Actor, Language, Any], None]  # the id: int, or text with text_id


def console_page(platform: Platform, entry: NavEntry) -> Callable[[PageBody], PageBody]:
    """Register the decorated body at ``entry.path``, behind sign-in and ``entry.permission``.

    No session: redirect to the login page. A role without the permission: a notice instead
    of the body. A platform error raised by the body: a notification, never a stack trace.
    """

    def register(body: PageBody) -> PageBody:
        @ui.page(entry.path)
        def page(request: Request) -> Response | None:
            try:
                actor = session.current_actor(platform.auth)
            except LingangError as exc:  # e.g. Unavailable: the database does not answer
                error_notice(exc.message)
                return None
            if actor is None:
                return session.redirect_to(request, session.LOGIN_PATH)
            lang = current_language(platform.settings.default_language)
            ui.page_title(f"{t(entry.key, lang)} · {t('platform.short', lang)}")
            with frame(platform.auth, actor, lang, entry):
                _render(body, actor, lang, allowed=can(actor.role, entry.permission))
            return None

        return body

    return register


def console_detail_page(
    platform: Platform, entry: NavEntry, path: str, *, text_id: bool = False
) -> Callable[[DetailBody], DetailBody]:
    """Like :func:`console_page`, for a page of one object: ``path`` holds ``{item_id}``
    (an integer, or with ``text_id`` a text such as a UUID).

    The navigation highlights ``entry``; an id the actor may not see shows the service's
    ``NotFound`` message, exactly like an id that does not exist.
    """

    def register(body: DetailBody) -> DetailBody:
        def show(request: Request, item_id: Any) -> Response | None:
            try:
                actor = session.current_actor(platform.auth)
            except LingangError as exc:
                error_notice(exc.message)
                return None
            if actor is None:
                return session.redirect_to(request, session.LOGIN_PATH)
            lang = current_language(platform.settings.default_language)
            ui.page_title(f"{t(entry.key, lang)} · {t('platform.short', lang)}")
            with frame(platform.auth, actor, lang, entry):
                _render(
                    lambda a, lg: body(a, lg, item_id),
                    actor,
                    lang,
                    allowed=can(actor.role, entry.permission),
                )
            return None

        if text_id:

            @ui.page(path)
            def text_page(request: Request, item_id: str) -> Response | None:
                return show(request, item_id)

        else:

            @ui.page(path)
            def number_page(request: Request, item_id: int) -> Response | None:
                return show(request, item_id)

        return body

    return register


def _render(body: PageBody, actor: Actor, lang: Language, *, allowed: bool) -> None:
    if not allowed:
        forbidden_notice(lang)
        return
    try:
        body(actor, lang)
    except LingangError as exc:
        ui.notify(exc.message, type="negative")
