"""Fixtures every browser test of the console shares: one headless Chromium per module and
fresh, cookie-less contexts that prove no request left 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page

from console.test_console_browser import foreign_hosts, launch_browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium."""
    yield from launch_browser()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """A factory of fresh contexts (no cookies), one per signed-in user of a test; at the end,
    every URL the pages asked for must be on 127.0.0.1."""
    contexts = []
    urls: list[str] = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 950}, locale="zh-CN")
        context.on("request", lambda request: urls.append(request.url))
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            context.close()
        assert foreign_hosts(urls) == set()
