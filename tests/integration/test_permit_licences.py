"""E-licences beyond issue, on SQLite and PostgreSQL: the QR code decodes to the public verify
URL, the PDF, renewal reminders 30 days before expiry (once, never for a revoked licence),
who reads which notices, and the 告知承诺 checks fed to the department's next 双随机 plan."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from pypdf import PdfReader

from factories import Clock, make_user
from lingang.bootstrap import Platform
from lingang.cases.attachments import AttachmentStore
from lingang.errors import Invalid, NotFound
from lingang.inspections import draw as drawing
from lingang.inspections.service import InspectionService
from lingang.permits.model import load_catalogue
from lingang.permits.service import MaterialUpload, PermitService
from lingang.types import SYSTEM, Actor, Role
from lingang.workdays import SHANGHAI

BASE = "https://lingang.example.gov.cn"
TRANSPORT = "临港新片区交通运输管理部门"  # road-freight-licence's department
OFFICER = Actor(user_id=None, username="credit-officer-1", role=Role.CREDIT_OFFICER)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))  # a Monday


@pytest.fixture
def permits(platform: Platform, clock: Clock, tmp_path: Path) -> PermitService:
    def own(actor: Actor) -> str | None:
        if actor.enterprise_id is None:
            return None
        return platform.entities.get_enterprise(actor.enterprise_id, actor=SYSTEM).uscc

    return PermitService(
        platform.uow, platform.audit, load_catalogue(), AttachmentStore(tmp_path / "files"),
        platform.permits.signer, enterprise_of=own, commitment_open=lambda _uscc: True,
        clock=clock, base_url=BASE,
    )  # fmt: skip


def committed_licence(permits: PermitService, firm: Actor, item: str = "road-freight-licence"
                      ) -> tuple[str, str]:  # fmt: skip
    form = MaterialUpload("application_form", "form.txt", "申请表".encode())
    licence = permits.apply(item, [form], actor=firm, commitment="本企业承诺符合条件").licence
    assert licence is not None
    return licence.id, licence.signature


def decode_svg_qr(svg: str) -> str:
    """Draw the SVG's black modules into a bitmap and decode it with ZXing."""
    rects = [
        tuple(float(v) for v in m.groups())
        for m in re.finditer(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                             r'height="([\d.]+)" style="[^"]*fill: rgb\(0%,0%,0%\)', svg)
    ]  # fmt: skip
    assert rects, "no dark modules in the SVG"
    module = min(r[3] for r in rects)
    size = round(max(r[0] + r[2] for r in rects) / module) + 8
    image = np.full((size * 4, size * 4), 255, dtype=np.uint8)
    for x, y, w, h in rects:
        col, row = round(x / module) + 4, round(y / module) + 4
        image[row * 4:(row + round(h / module)) * 4, col * 4:(col + round(w / module)) * 4] = 0
    found = zxingcpp.read_barcodes(np.flipud(image).copy())  # SVG y grows upwards here
    assert found, "ZXing read no QR code"
    return str(found[0].text)


def test_the_qr_code_decodes_to_the_public_verify_url_and_the_pdf_carries_it(
    platform: Platform, permits: PermitService
) -> None:
    firm = make_user(platform, Role.ENTERPRISE).as_actor()
    other = make_user(platform, Role.ENTERPRISE).as_actor()
    licence_id, signature = committed_licence(permits, firm)
    url = decode_svg_qr(permits.licence_qr_svg(licence_id, actor=firm))
    assert url == f"{BASE}/api/public/licences/{licence_id}?sig={signature}"
    assert permits.verify(licence_id, url.rsplit("sig=", 1)[1]).verdict.value == "valid"
    pdf = permits.licence_pdf(licence_id, actor=firm)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert licence_id in text and "电子证照" in text and "有效" in text
    assert [lic.id for lic in permits.my_licences(actor=firm)] == [licence_id]
    assert permits.my_licences(actor=other) == []
    with pytest.raises(NotFound):
        permits.licence_qr_svg(licence_id, actor=other)
    with pytest.raises(NotFound):
        permits.licence_pdf(licence_id, actor=other)


def test_a_renewal_reminder_goes_out_once_30_days_before_expiry(
    platform: Platform, permits: PermitService, clock: Clock
) -> None:
    firm = make_user(platform, Role.ENTERPRISE).as_actor()
    other = make_user(platform, Role.ENTERPRISE).as_actor()
    staff = make_user(platform, Role.SERVICE_OFFICER).as_actor()
    licence_id, _sig = committed_licence(permits, firm)
    revoked_id, _ = committed_licence(permits, firm, "hr-service-licence")
    permits.revoke(revoked_id, "企业申请注销", actor=staff)
    valid_until = permits.licence(licence_id, actor=firm).valid_until
    day_31 = valid_until - dt.timedelta(days=31)
    assert permits.remind_renewals(dt.datetime.combine(day_31, dt.time(9), SHANGHAI)) == []
    day_30 = dt.datetime.combine(valid_until - dt.timedelta(days=30), dt.time(9), SHANGHAI)
    assert permits.remind_renewals(day_30) == [licence_id]
    assert permits.remind_renewals(day_30 + dt.timedelta(days=1)) == []  # once only
    notices = permits.notices(actor=firm)
    assert [(n.kind, n.licence_id) for n in notices] == [("renewal", licence_id)]
    assert str(valid_until) in notices[0].text() and "renew" in notices[0].text("en")
    assert permits.notices(actor=other) == []
    uscc = notices[0].enterprise_uscc
    with pytest.raises(NotFound):
        permits.notices(actor=other, uscc=uscc)
    assert len(permits.notices(actor=staff, uscc=uscc)) == 1
    with pytest.raises(Invalid, match="uscc"):
        permits.notices(actor=staff)
    after_expiry = dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(9), SHANGHAI)
    assert permits.remind_renewals(after_expiry) == []


def test_commitment_checks_are_fed_to_the_departments_next_plan_and_stay_verifiable(
    platform: Platform, permits: PermitService
) -> None:
    firms = [make_user(platform, Role.ENTERPRISE).as_actor() for _ in range(2)]
    for firm in firms:
        committed_licence(permits, firm)
    committed_licence(permits, firms[0], "hr-service-licence")  # another department
    staff = make_user(platform, Role.SERVICE_OFFICER).as_actor()
    checked = sorted(t.enterprise_uscc for t in permits.verification_tasks(actor=staff)
                     if t.department == TRANSPORT)  # fmt: skip
    assert permits.directed_checks(TRANSPORT) == checked and len(checked) == 2
    library = [(f"91310000MA1{n:07d}", f"名录企业{n}") for n in range(6)]
    service = InspectionService(
        platform.uow, platform.audit, targets=lambda: library, class_of=lambda _u: {},
        record_credit=lambda *_a: None, directed=permits.directed_checks,
        directed_fed=permits.feed_plan,
    )  # fmt: skip
    service.add_item("YS-01", "道路运输经营检查", "Road transport", TRANSPORT, actor=OFFICER)
    for n in range(3):
        service.add_inspector(f"T-{n}", f"执法员{n}", TRANSPORT, ["执法证"], actor=OFFICER)
    plan = service.create_plan(2026, "YS-01", rates={"A": 0, "B": 0, "C": 0, "D": 0},
                               actor=OFFICER)  # fmt: skip
    service.commit_plan(plan.id, actor=OFFICER)
    drawn = service.run_draw(plan.id, actor=OFFICER)
    assert drawn.result is not None
    assert list(drawn.result.directed) == checked == list(drawn.result.selected)
    assert all(len(drawn.result.inspectors_of(u)) == 2 for u in checked)
    targets = service.get_plan(plan.id, actor=OFFICER).targets
    assert [(t.uscc, t.directed) for t in targets] == [(u, True) for u in checked]
    record = service.published(plan.id)
    assert drawing.verify_draw(record, record["seed"]).ok
    tasks = {t.enterprise_uscc: t.plan_id for t in permits.verification_tasks(actor=staff)
             if t.department == TRANSPORT}  # fmt: skip
    assert {tasks[u] for u in checked} == {plan.id}
    assert permits.directed_checks(TRANSPORT) == []  # a later plan does not take them again
