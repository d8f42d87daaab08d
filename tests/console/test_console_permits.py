"""一网通办 in a real browser: the enterprise portal (办事大厅, 我的办件, 我的证照) and the
officers' desk (审批工作台).

One ``lingang serve`` per module on an empty zone with two registered enterprises, a user of
each and a service officer (no simulation: the pages need nothing else). The helpers
(Chromium, free port, health wait, sign-in, foreign-host check) are the browser module's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from console.test_console_browser import (
    serve_zone,
    signed_in_as,
)

# one worker runs the whole module, so its server and browser start once (make: --dist loadgroup)
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("console-permits")]

PASSWORD = "Permit-pass-2024"
FIRM_A = "permit-firm-1"
FIRM_B = "permit-firm-2"
OFFICER = "permit-officer"
FORBIDDEN = "您的角色无权访问此页面"
MAKE_ZONE = """
import sys
from lingang.cli.common import cli_actor, platform_session
from lingang.entities.model import EnterpriseDraft, uscc_check_char
from lingang.types import SYSTEM, Role
with platform_session() as platform:
    for number, name in ((1, "临港测试甲公司"), (2, "临港测试乙公司")):
        first = f"91310115MA1P{number:05d}"
        draft = EnterpriseDraft(uscc=first + uscc_check_char(first), name_zh=name)
        firm = platform.entities.register_enterprise(draft, actor=SYSTEM)
        platform.auth.create_user(f"permit-firm-{number}", sys.argv[1], Role.ENTERPRISE,
                                  actor=cli_actor(), enterprise_id=firm.id)
    platform.auth.create_user("permit-officer", sys.argv[1], Role.SERVICE_OFFICER,
                              actor=cli_actor())
"""
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
APPLICATION_URL = re.compile(r"/console/services/applications/(\d+)$")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``lingang serve`` on an empty zone with two enterprises, their users and an officer."""
    yield from serve_zone(tmp_path_factory, "console-permits-data", MAKE_ZONE, PASSWORD)


def signed_in(new_page: Any, base: str, username: str) -> Page:
    """A new page signed in as ``username`` (this module's password), on the home page."""
    return signed_in_as(new_page, base, username, PASSWORD)


def upload(page: Page, material: str, path: Path, done: int) -> None:
    """Pick a file for one material and wait until ``done`` files have reached the server."""
    page.get_by_test_id(f"upload-{material}").locator("input[type=file]").set_input_files(path)
    expect(page.locator(".q-uploader__file--uploaded")).to_have_count(done)


def application_id(page: Page) -> int:
    """The id in the URL of the application page the portal opened."""
    expect(page).to_have_url(APPLICATION_URL)
    found = APPLICATION_URL.search(page.url)
    assert found is not None
    return int(found.group(1))


def test_a_commitment_application_shows_its_licence_at_once(
    base_url: str, new_page: Any, tmp_path: Path
) -> None:
    form = tmp_path / "form.pdf"
    form.write_bytes(PDF)
    firm = signed_in(new_page, base_url, FIRM_A)
    firm.locator(".q-drawer").get_by_text("办事大厅").click()
    catalogue = firm.get_by_test_id("permit-catalogue")
    expect(catalogue.get_by_test_id("item-hr-service-licence")).to_contain_text("可告知承诺")
    expect(catalogue).to_contain_text("人力资源市场暂行条例")
    expect(firm.get_by_test_id("portal-policies")).to_be_visible()
    firm.get_by_test_id("apply-hr-service-licence").click()
    firm.get_by_test_id("use-commitment").click()
    firm.get_by_test_id("apply-send").click()  # the form cannot be replaced by a commitment
    expect(firm.get_by_text("materials: a commitment does not replace")).to_be_visible()
    upload(firm, "application_form", form, 1)
    expect(firm.get_by_test_id("commitment-text")).to_have_value(re.compile("承诺"))
    firm.get_by_test_id("apply-send").click()
    application_id(firm)
    expect(firm.get_by_test_id("permit-state-issued")).to_be_visible()
    card = firm.locator("[data-testid^=licence-LGP-]")
    expect(card.get_by_test_id("licence-verdict-valid")).to_be_visible()
    verify = card.get_by_test_id("licence-verify")
    href = urlsplit(verify.get_attribute("href") or "")  # the configured public URL
    assert href.path.startswith("/api/public/licences/LGP-")
    checked = httpx.get(f"{base_url}{href.path}?{href.query}", timeout=10)
    assert checked.status_code == 200 and checked.json()["verdict"] == "valid"
    expect(card.get_by_test_id("licence-qr")).to_be_visible()
    licence_id = (card.get_attribute("data-testid") or "").removeprefix("licence-")
    officer = signed_in(new_page, base_url, OFFICER)
    officer.goto(f"{base_url}/console/permits/verifications")
    expect(officer.get_by_test_id("permit-verifications")).to_contain_text(licence_id)
    task = officer.locator("[data-testid^=verification-]", has_text=licence_id).last
    task.get_by_test_id("verification-result").fill("现场核查：经营场所与承诺一致")
    task.get_by_test_id("verification-save").click()
    expect(officer.get_by_test_id("permit-verifications")).to_contain_text("现场核查")
    firm.locator(".q-drawer").get_by_text("我的证照").click()
    expect(firm.get_by_test_id("permit-licences")).to_contain_text("人力资源服务许可")
    with firm.expect_download() as download:
        firm.get_by_test_id("permit-licences").get_by_test_id("licence-json").first.click()
    assert b'"signature"' in Path(download.value.path()).read_bytes()


def test_an_ordinary_application_goes_through_correction_acceptance_and_issue(
    base_url: str, new_page: Any, tmp_path: Path
) -> None:
    form, plan, rules = (tmp_path / n for n in ("form.pdf", "plan.pdf", "rules.txt"))
    form.write_bytes(PDF)
    plan.write_bytes(PDF)
    rules.write_text("食品安全管理制度 v1\n", encoding="utf-8")
    firm = signed_in(new_page, base_url, FIRM_A)
    firm.goto(f"{base_url}/console/services/apply/food-business-licence")
    expect(firm.get_by_test_id("use-commitment")).to_be_hidden()  # not allowed for food
    upload(firm, "application_form", form, 1)
    upload(firm, "layout_plan", plan, 2)  # the safety system is left out
    firm.get_by_test_id("apply-send").click()
    number = application_id(firm)
    expect(firm.get_by_test_id("permit-state-submitted")).to_be_visible()
    expect(firm.get_by_test_id("permit-clock")).to_contain_text("剩余")

    officer = signed_in(new_page, base_url, OFFICER)
    officer.locator(".q-drawer").get_by_text("审批工作台").click()
    expect(officer.get_by_test_id("permit-queue")).to_contain_text("食品经营许可")
    officer.goto(f"{base_url}/console/permits/{number}")
    expect(officer.get_by_test_id("permit-files")).to_contain_text("plan.pdf")
    officer.get_by_test_id("permit-request_correction").click()
    ticked = officer.get_by_test_id("missing-safety_system")  # the file-less material
    expect(ticked).to_have_attribute("aria-checked", "true")
    officer.get_by_test_id("correction-save").click()
    expect(officer.get_by_test_id("permit-state-correction")).to_be_visible()

    firm.reload()
    expect(firm.get_by_test_id("permit-missing")).to_contain_text("食品安全管理制度")
    upload(firm, "safety_system", rules, 1)
    firm.get_by_test_id("resubmit-send").click()
    expect(firm.get_by_test_id("permit-state-submitted")).to_be_visible()

    officer.reload()
    officer.get_by_test_id("permit-accept").click()
    expect(officer.get_by_test_id("permit-receipt")).to_contain_text(re.compile(r"SL\d{8}-"))
    expect(officer.get_by_test_id("permit-state-review")).to_be_visible()
    officer.get_by_test_id("permit-grant").click()
    officer.get_by_test_id("permit-reason-save").click()
    expect(officer.get_by_test_id("permit-state-granted")).to_be_visible()
    officer.get_by_test_id("permit-issue").click()
    expect(officer.get_by_test_id("permit-state-issued")).to_be_visible()
    expect(officer.get_by_test_id("permit-timeline")).to_contain_text("一次性告知补正")

    firm.locator(".q-drawer").get_by_text("我的办件").click()
    expect(firm.get_by_test_id("permit-mine")).to_contain_text("已发证")
    firm.goto(f"{base_url}/console/services/applications/{number}")
    expect(firm.get_by_test_id("permit-receipt")).to_contain_text("SL")
    expect(firm.locator("[data-testid^=licence-LGP-]")).to_contain_text("食品经营许可")
    firm.get_by_test_id("rating-score").get_by_text("不满意", exact=True).click()  # a 差评
    firm.get_by_test_id("rating-comment").fill("窗口答复不清楚")
    firm.get_by_test_id("rating-send").click()
    expect(firm.get_by_test_id("rating-given")).to_contain_text("整改中")
    with firm.expect_download() as download:
        firm.get_by_test_id("licence-pdf").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    officer.locator(".q-drawer").get_by_text("审批工作台").click()
    officer.get_by_test_id("permit-satisfaction-link").click()
    expect(officer.get_by_test_id("satisfaction-overall")).to_contain_text("差评率 100%")
    expect(officer.get_by_test_id("rating-rectifications")).to_contain_text("窗口答复不清楚")
    officer.get_by_test_id("rectification-note").fill("已电话回访企业")
    officer.get_by_test_id("rectification-contact").click()
    expect(officer.get_by_test_id("rectification-note")).to_have_count(0)
    officer.get_by_test_id("rectification-result").fill("已明确一次性告知口径并培训窗口人员")
    officer.get_by_test_id("rectification-resolve").click()
    expect(officer.get_by_test_id("rating-rectifications")).not_to_contain_text("窗口答复不清楚")
    firm.reload()
    expect(firm.get_by_test_id("rating-given")).to_contain_text("培训窗口人员")

    other = signed_in(new_page, base_url, FIRM_B)
    other.goto(f"{base_url}/console/services/applications/{number}")
    expect(other.get_by_text(re.compile("not found"))).to_be_visible()
    expect(other.get_by_test_id("permit-timeline")).to_have_count(0)
    other.goto(f"{base_url}/console/permits")
    expect(other.get_by_text(FORBIDDEN)).to_be_visible()
    expect(other.locator(".q-drawer").get_by_text("审批工作台")).to_have_count(0)
