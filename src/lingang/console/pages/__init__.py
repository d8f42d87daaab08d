"""Console pages; :func:`register_pages` registers every one of them with NiceGUI."""

from __future__ import annotations

from lingang.bootstrap import Platform
from lingang.console.pages import (
    audit,
    enterprise360,
    enterprises,
    home,
    lake,
    login,
    risk_lists,
    rules,
    users,
)


def register_pages(platform: Platform) -> None:
    """Register the login page and every signed-in page (once per process)."""
    for module in (login, home, enterprises, enterprise360, lake, rules, risk_lists, users, audit):
        module.register(platform)
