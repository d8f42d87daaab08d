"""Users: every account and its role (administrators only)."""

from __future__ import annotations

from lingang.auth.model import User
from lingang.bootstrap import Platform
from lingang.console.components.nav import USERS
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, role_label, t
from lingang.console.pages.guard import console_page
from lingang.types import Actor

PAGE_SIZE = 500
COLUMNS = (
    ("id", "col.id"),
    ("username", "col.username"),
    ("display_name", "col.display_name"),
    ("role", "col.role"),
    ("enterprise", "col.enterprise"),
    ("active", "col.active"),
    ("created", "col.created"),
)


def register(platform: Platform) -> None:
    """Register the user list."""

    @console_page(platform, USERS)
    def users(actor: Actor, lang: Language) -> None:
        found = platform.auth.list_users(actor=actor, limit=PAGE_SIZE)
        page_title(t("users.title", lang))
        data_table(lang, COLUMNS, [user_row(u, lang) for u in found], row_key="id")


def user_row(user: User, lang: Language) -> dict[str, object]:
    """One table row, role and flags in the page's language."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": role_label(user.role, lang),
        "enterprise": user.enterprise_id or "",
        "active": t("common.yes" if user.is_active else "common.no", lang),
        "created": local_time(user.created_at),
    }
