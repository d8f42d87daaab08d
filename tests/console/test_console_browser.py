"""The console in a real browser: headless Debian Chromium against ``lingang serve``.

The server runs in a subprocess on a free port with its own data directory; users are made
with the ``lingang users create`` command. Where /usr/bin/chromium or a CJK font is missing the
browser tests skip — except under CI (``CI`` set), where they fail. Every test records the URLs
its page asked for and proves that none left 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from environment import skip_or_fail

# one worker runs the whole module, so its server and browser start once (make: --dist loadgroup)
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("console-browser")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LINGANG = "from lingang.cli.app import main; main()"
ADMIN = ("console-admin", "Admin-pass-2024")
PLANNER = ("console-planner", "Planner-pass-2024")
LOCAL_HOST = "127.0.0.1"
INLINE_SCHEMES = {"data", "blob"}
LOGIN_MAX_FAILURES = 5  # Settings.login_max_failures default
PLATFORM_NAME_ZH = "临港新片区一体化信息管理服务平台"


@dataclass
class Visit:
    """A fresh browser context and page, with every URL it asked for."""

    page: Page
    urls: list[str] = field(default_factory=list)


def require_chromium() -> None:
    """Skip (or, under CI, fail) without Debian's Chromium and a CJK font to draw the labels."""
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} not found"
    elif not cjk_font_installed():
        missing = "no CJK font found by fc-list"
    else:
        return
    skip_or_fail(f"{missing}: apt-get install chromium fonts-noto-cjk")


def cjk_font_installed() -> bool:
    """Whether fontconfig knows a font covering Chinese."""
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return False
    return bool(found.stdout.strip())


def lingang(*args: str, env: dict[str, str]) -> None:
    """Run one ``lingang`` command and require success."""
    done = subprocess.run(
        [sys.executable, "-c", LINGANG, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Poll /healthz until the server answers; fail with its log if it dies or stalls."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"server exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server did not become healthy:\n{log.read_text()}")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``lingang serve`` in a subprocess, with an administrator and a planner made by the CLI."""
    data_dir = tmp_path_factory.mktemp("console-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINGANG_")}
    env |= {"LINGANG_DATA_DIR": str(data_dir), "LINGANG_BUS": "inprocess"}
    lingang("users", "create", ADMIN[0], "--role", "admin", "--password", ADMIN[1], env=env)
    lingang("simulate", "--enterprises", "40", "--days", "45", "--seed", "3", env=env)
    server, base, log = spawn_server(data_dir, env)
    try:
        # the CLI works beside a running server, as an operator's would; it overlaps the start
        lingang(
            "users", "create", PLANNER[0], "--role", "planner", "--password", PLANNER[1], env=env
        )
        wait_healthy(base, server, log)
        yield base
    finally:
        stop_server(server)


def spawn_server(data_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, Path]:
    """``lingang serve`` on a free local port, logging to ``data_dir/server.log``."""
    port = free_port()
    log = data_dir / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-c", LINGANG, "serve", "--host", LOCAL_HOST, "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return server, f"http://{LOCAL_HOST}:{port}", log


def serve_zone(tmp_path_factory: pytest.TempPathFactory, name: str, setup: str,
               *args: str) -> Iterator[str]:  # fmt: skip
    """``lingang serve`` on a fresh data directory while ``setup`` (a Python script, run with
    ``args``) prepares the zone; yields the base URL once the server is healthy (the body of
    a module-scoped ``base_url`` fixture)."""
    data_dir = tmp_path_factory.mktemp(name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINGANG_")}
    env |= {"LINGANG_DATA_DIR": str(data_dir), "LINGANG_BUS": "inprocess"}
    server, base, log = spawn_server(data_dir, env)
    try:
        made = subprocess.run([sys.executable, "-c", setup, *args], env=env,
                              capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        assert made.returncode == 0, made.stderr
        wait_healthy(base, server, log)
        yield base
    finally:
        stop_server(server)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Terminate a server subprocess, killing it if it does not stop within 10 s."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def launch_browser() -> Iterator[Browser]:
    """Headless Debian Chromium, offline-minded flags (the body of a ``browser`` fixture)."""
    require_chromium()
    with sync_playwright() as runner:
        launched = runner.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()



@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    """A new context (no cookies) whose every request and websocket URL is recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    recorded = Visit(page)
    context.on("request", lambda request: recorded.urls.append(request.url))
    page.on("websocket", lambda websocket: recorded.urls.append(websocket.url))
    try:
        yield recorded
    finally:
        context.close()


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Open the console and submit the login form with its Chinese labels."""
    page.goto(f"{base}/console/")
    expect(page).to_have_url(f"{base}/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def signed_in_as(new_page: Callable[[], Page], base: str, username: str, password: str
                 ) -> Page:  # fmt: skip
    """A new page from ``new_page`` signed in, on the console's home page."""
    page = new_page()
    sign_in(page, base, username, password)
    expect(page).to_have_url(f"{base}/console/")
    return page


def foreign_hosts(urls: list[str]) -> set[str]:
    """Every requested host other than 127.0.0.1 (inline data: and blob: URLs excepted)."""
    parts = [urlsplit(url) for url in urls]
    return {
        p.hostname or p.geturl()
        for p in parts
        if p.scheme not in INLINE_SCHEMES and p.hostname != LOCAL_HOST
    }


def test_admin_signs_in_sees_chinese_live_counts_switches_to_english_and_stays_local(
    base_url: str, visit: Visit, tmp_path: Path
) -> None:
    page = visit.page
    sign_in(page, base_url, *ADMIN)

    expect(page).to_have_url(f"{base_url}/console/")
    expect(page.get_by_text(PLATFORM_NAME_ZH)).to_be_visible()
    expect(page.get_by_text("平台概览")).to_be_visible()
    expect(page.get_by_text("企业数")).to_be_visible()
    expect(page.get_by_text("平台管理员")).to_be_visible()
    drawer = page.locator(".q-drawer")
    for label in ("首页", "企业名录", "用户管理", "审计日志"):
        expect(drawer.get_by_text(label)).to_be_visible()
    expect(page.get_by_test_id("count-users")).to_have_text("2")
    page.screenshot(path=tmp_path / "console-home-zh.png", full_page=True)

    before = int(page.get_by_test_id("count-audit_records").inner_text().replace(",", ""))
    token = httpx.post(
        f"{base_url}/api/auth/token",
        json={"username": PLANNER[0], "password": PLANNER[1]},
        timeout=10,
    )
    assert token.status_code == 200, token.text
    expect(page.get_by_test_id("count-audit_records")).not_to_have_text(str(before), timeout=10_000)

    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Platform overview")).to_be_visible()
    for label in ("Home", "Enterprises", "Users", "Audit log"):
        expect(drawer.get_by_text(label, exact=True)).to_be_visible()
    expect(page.get_by_text("Platform administrator")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base_url}/console/login")
    page.goto(f"{base_url}/console/")
    expect(page).to_have_url(f"{base_url}/console/login")

    assert any(url.startswith("ws://") for url in visit.urls), "the websocket was not recorded"
    assert foreign_hosts(visit.urls) == set()


def test_auditing_admin_verifies_the_chain_from_the_audit_page(base_url: str, visit: Visit) -> None:
    page = visit.page
    sign_in(page, base_url, *ADMIN)
    page.locator(".q-drawer").get_by_text("审计日志").click()
    expect(page).to_have_url(f"{base_url}/console/audit")
    expect(page.get_by_text("auth.login").first).to_be_visible()
    page.get_by_role("button", name="校验审计链").click()
    expect(page.get_by_test_id("audit-verdict")).to_contain_text("审计链完整")
    assert foreign_hosts(visit.urls) == set()


def test_planner_sees_no_user_management(base_url: str, visit: Visit) -> None:
    page = visit.page
    sign_in(page, base_url, *PLANNER)

    drawer = page.locator(".q-drawer")
    expect(drawer.get_by_text("首页")).to_be_visible()
    expect(drawer.get_by_text("企业名录")).to_be_visible()
    expect(drawer.get_by_text("用户管理")).to_have_count(0)
    expect(drawer.get_by_text("审计日志")).to_have_count(0)
    page.goto(f"{base_url}/console/users")
    expect(page.get_by_text("您的角色无权访问此页面")).to_be_visible()
    assert foreign_hosts(visit.urls) == set()


def test_wrong_password_and_unknown_user_get_the_same_generic_message(
    base_url: str, visit: Visit
) -> None:
    page = visit.page
    message = page.get_by_test_id("login-message")
    sign_in(page, base_url, ADMIN[0], "Wrong-pass-2024")
    expect(message).to_have_text("用户名或密码错误")
    sign_in(page, base_url, "nobody-here", "Wrong-pass-2024")
    expect(message).to_have_text("用户名或密码错误")
    expect(page).to_have_url(f"{base_url}/console/login")

    page.get_by_text("English", exact=True).click()
    page.get_by_label("Username").fill(ADMIN[0])
    page.get_by_label("Password").fill("Wrong-pass-2024")
    page.get_by_role("button", name="Sign in").click()
    expect(message).to_have_text("Invalid username or password")
    assert foreign_hosts(visit.urls) == set()


def test_too_many_failures_show_the_retry_time(base_url: str, visit: Visit) -> None:
    username = "locked-out-user"
    for _ in range(LOGIN_MAX_FAILURES):
        failed = httpx.post(
            f"{base_url}/api/auth/token",
            json={"username": username, "password": "Wrong-pass-2024"},
            timeout=10,
        )
        assert failed.status_code == 401, failed.text
    sign_in(visit.page, base_url, username, "Wrong-pass-2024")
    expect(visit.page.get_by_test_id("login-message")).to_have_text(
        re.compile(r"登录失败次数过多，请在 \d+ 秒后重试")
    )
    assert foreign_hosts(visit.urls) == set()


def test_unauthenticated_visit_to_a_console_page_redirects_to_login(base_url: str) -> None:
    for path in ("/console/", "/console/enterprises", "/console/users", "/console/audit"):
        response = httpx.get(f"{base_url}{path}", follow_redirects=False, timeout=10)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/console/login"


def test_search_opens_the_enterprise_360_page_and_the_lake_page_lists_datasets(
    base_url: str, visit: Visit
) -> None:
    token = httpx.post(
        f"{base_url}/api/auth/token", json={"username": ADMIN[0], "password": ADMIN[1]}, timeout=10
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    first = httpx.get(
        f"{base_url}/api/enterprises", params={"limit": 1}, headers=headers, timeout=10
    ).json()["data"][0]
    page = visit.page
    sign_in(page, base_url, *ADMIN)
    expect(page).to_have_url(f"{base_url}/console/")
    page.goto(f"{base_url}/console/enterprises")
    page.get_by_label("按名称或统一社会信用代码搜索，回车确认").fill(first["uscc"])
    page.keyboard.press("Enter")
    expect(page.get_by_text("1-1 / 1")).to_be_visible()
    page.get_by_role("cell", name=first["uscc"]).click()
    expect(page).to_have_url(f"{base_url}/console/enterprises/{first['id']}")
    for label in (
        "企业画像",
        "关联关系图",
        "月度报关单行数与收付汇笔数",
        "最近报关单",
        "最近收付汇",
    ):
        expect(page.get_by_text(label, exact=True)).to_be_visible()
    expect(page.get_by_test_id("profile").get_by_text(first["uscc"])).to_be_visible()
    page.goto(f"{base_url}/console/lake")
    expect(page.get_by_text("综合信息数据湖")).to_be_visible()
    expect(page.get_by_role("cell", name="报关单", exact=True)).to_be_visible()
    assert foreign_hosts(visit.urls) == set()


def test_rule_workbench_validates_as_you_type_and_tries_the_rule(
    base_url: str, visit: Visit
) -> None:
    page = visit.page
    sign_in(page, base_url, *ADMIN)
    expect(page).to_have_url(f"{base_url}/console/")
    page.locator(".q-drawer").get_by_text("规则试算").click()
    expect(page.get_by_text("规则编辑与试算")).to_be_visible()
    verdict = page.get_by_test_id("rule-verdict")
    expect(verdict).to_have_text("✓ 规则有效")
    source = page.get_by_test_id("rule-source")
    source.fill("declared_value >\nand quantity > 1")
    expect(verdict).to_contain_text("line 2, column")
    source.fill("declared_value > 0")
    expect(verdict).to_have_text("✓ 规则有效")
    page.get_by_role("button", name="试算").click()
    expect(page.get_by_test_id("rule-trial")).to_contain_text("命中")
    assert foreign_hosts(visit.urls) == set()


def test_risk_lists_page_adds_values_and_rejects_bad_ones(base_url: str, visit: Visit) -> None:
    token = httpx.post(
        f"{base_url}/api/auth/token", json={"username": ADMIN[0], "password": ADMIN[1]}, timeout=10
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    created = httpx.post(f"{base_url}/api/risk/lists", headers=headers, timeout=10, json={
        "name": "watch_origins", "kind": "block", "element_type": "country",
        "description_zh": "关注原产国"})  # fmt: skip
    assert created.status_code == 201, created.text
    page = visit.page
    sign_in(page, base_url, *ADMIN)
    expect(page).to_have_url(f"{base_url}/console/")
    page.goto(f"{base_url}/console/risk/lists")
    expect(page.get_by_role("cell", name="关注原产国")).to_be_visible()
    page.get_by_label("名单", exact=True).click()
    page.get_by_role("option", name="watch_origins").click()
    page.get_by_label("值（逗号分隔）").fill("ir， kp")
    page.get_by_role("button", name="加入").click()
    expect(page.get_by_role("cell", name="IR, KP")).to_be_visible()
    page.get_by_label("值（逗号分隔）").fill("Iran")
    page.get_by_role("button", name="加入").click()
    expect(page.get_by_text("'Iran' is not an ISO 3166-1 alpha-2 code")).to_be_visible()
    assert foreign_hosts(visit.urls) == set()
