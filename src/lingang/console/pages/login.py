"""The login page: username and password, one generic message for any wrong credential."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from nicegui import run, ui

from lingang.auth.model import SessionKind
from lingang.bootstrap import Platform
from lingang.console import session
from lingang.console.components.layout import error_notice, language_switch
from lingang.console.i18n import Language, current_language, t
from lingang.errors import LingangError, Throttled, Unauthenticated


class LoginForm:
    """The form's inputs and its message line."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang
        self.username = (
            ui.input(t("login.username", lang))
            .props("outlined autofocus autocomplete=username")
            .classes("w-full")
        )
        self.password = (
            ui.input(t("login.password", lang), password=True)
            .props("outlined autocomplete=current-password")
            .classes("w-full")
        )
        self.message = (
            ui.label("")
            .classes("text-red-700 text-sm min-h-5")
            .props("role=alert data-testid=login-message")
        )
        self.button = ui.button(t("login.submit", lang)).classes("w-full").props("unelevated")

    def show(self, key: str, **values: object) -> None:
        """Show a translated message under the inputs."""
        self.message.set_text(t(key, self.lang).format(**values))


def register(platform: Platform) -> None:
    """Register the login page."""

    @ui.page(session.LOGIN_PATH)
    def login(request: Request) -> Response | None:
        try:
            if session.current_actor(platform.auth) is not None:
                return session.redirect_to(request, session.HOME_PATH)
        except LingangError as exc:  # e.g. Unavailable: the database does not answer
            error_notice(exc.message)
            return None
        lang = current_language(platform.settings.default_language)
        ui.page_title(f"{t('login.title', lang)} · {t('platform.short', lang)}")
        source = request.client.host if request.client else "unknown"
        form = render_login(lang)

        async def submit() -> None:
            await sign_in(platform, form, source)

        form.button.on_click(submit)
        form.password.on("keydown.enter", submit)
        return None


def render_login(lang: Language) -> LoginForm:
    """The centred login card."""
    ui.query("body").classes("bg-gray-100")
    with (
        ui.column().classes("w-full min-h-[80vh] items-center justify-center"),
        ui.card().classes("w-96 p-8 gap-4"),
    ):
        with ui.row().classes("w-full items-center"):
            ui.icon("hub").classes("text-3xl text-blue-900")
            ui.space()
            language_switch(lang, on_dark=False)
        ui.label(t("platform.name", lang)).classes("text-xl font-semibold text-blue-900")
        ui.label(t("login.title", lang)).classes("text-gray-600")
        return LoginForm(lang)


async def sign_in(platform: Platform, form: LoginForm, source: str) -> None:
    """Parse the form, call ``AuthService.login`` (off the event loop), then go home."""
    username, password = str(form.username.value or ""), str(form.password.value or "")
    if not username.strip() or not password:
        form.show("login.required")
        return
    form.button.disable()
    try:
        issued = await run.io_bound(
            platform.auth.login, username, password, source=source, kind=SessionKind.CONSOLE
        )
    except Throttled as exc:
        form.show("login.throttled", seconds=exc.retry_after)
        return
    except Unauthenticated:
        form.password.set_value("")
        form.show("login.failed")
        return
    except LingangError as exc:
        ui.notify(exc.message, type="negative")
        return
    finally:
        form.button.enable()
    if issued is not None:
        session.remember(issued)
        ui.navigate.to(session.HOME_PATH)
