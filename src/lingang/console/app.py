"""Mount the NiceGUI console on the platform's FastAPI app, under ``/console``.

NiceGUI keeps its pages and its own ASGI app per process, so the console can be mounted once
per process; a second call raises ``RuntimeError``. Everything the browser loads (Vue, Quasar,
fonts, icons) is served from the NiceGUI wheel; the favicon is inline SVG.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from nicegui import ui
from nicegui.language import Language as QuasarLanguage
from nicegui.storage import Storage

from lingang.bootstrap import Platform
from lingang.console.i18n import LABELS, Language
from lingang.console.pages import register_pages

MOUNT_PATH: Final = "/console"
SECRET_FILE: Final = "console.secret"
STORAGE_DIR: Final = "console-storage"
SESSION_COOKIE: Final = "lingang_console"
QUASAR_LANGUAGES: Final[dict[Language, QuasarLanguage]] = {"zh-CN": "zh-CN", "en": "en-US"}
FAVICON: Final = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="12" fill="#1e3a8a"/>'
    '<path d="M10 40 Q22 28 32 40 T54 40" stroke="#fff" stroke-width="6" fill="none"/>'
    '<circle cx="32" cy="20" r="7" fill="#93c5fd"/></svg>'
)

_mounted: list[FastAPI] = []  # the app the console is mounted on, once per process


def mount_console(app: FastAPI, platform: Platform) -> None:
    """Register the console pages and mount NiceGUI on ``app`` under ``/console``.

    Browser storage (the session secret and language of each browser) lives in the data
    directory, signed with a secret kept there (mode 0600).
    """
    if _mounted:
        raise RuntimeError(
            "the console is already mounted in this process (NiceGUI pages are "
            "global); build further apps with create_app(..., console=False)"
        )
    data_dir = platform.settings.ensure_data_dir()
    Storage.path = private_dir(data_dir / STORAGE_DIR)
    register_pages(platform)
    ui.run_with(
        app,
        mount_path=MOUNT_PATH,
        storage_secret=load_or_create_secret(data_dir / SECRET_FILE),
        session_middleware_kwargs={"session_cookie": SESSION_COOKIE, "same_site": "lax"},
        language=QUASAR_LANGUAGES[platform.settings.default_language],
        title=LABELS["platform.name"][0],
        favicon=FAVICON,
        show_welcome_message=False,
        reconnect_timeout=10.0,
    )
    _mounted.append(app)


def load_or_create_secret(path: Path) -> str:
    """The console's storage secret: read from ``path``, or created there with mode 0600."""
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret)
    return secret


def private_dir(path: Path) -> Path:
    """Create ``path`` readable by its owner only, and return it resolved."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path.resolve()
