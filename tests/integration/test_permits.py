"""一网通办 applications on SQLite and PostgreSQL: an ordinary application through correction
and review within its working-day clock, deemed acceptance and escalation, the 告知承诺 lane
(issued at once, closed to a 失信 enterprise), e-licence verification, tenant isolation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from factories import Clock, make_user
from lingang.bootstrap import Platform
from lingang.cases.attachments import AttachmentStore
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.permits.licences import Verdict
from lingang.permits.model import Lane, PauseKind, load_catalogue
from lingang.permits.service import MaterialUpload, PermitService
from lingang.types import SYSTEM, Actor, Role
from lingang.workdays import SHANGHAI, SlaStatus

CLOSED: set[str] = set()  # USCCs the stub credit service closes the 告知承诺 lane to


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
        platform.permits.signer, enterprise_of=own,
        commitment_open=lambda uscc: uscc not in CLOSED, clock=clock,
    )  # fmt: skip


def enterprise(platform: Platform) -> Actor:
    return make_user(platform, Role.ENTERPRISE).as_actor()


def officer(platform: Platform) -> Actor:
    return make_user(platform, Role.SERVICE_OFFICER).as_actor()


def upload(material: str) -> MaterialUpload:
    return MaterialUpload(material, f"{material}.txt", f"{material} 材料内容".encode())


def test_an_ordinary_application_passes_correction_and_review_within_its_clock(
    platform: Platform, permits: PermitService, clock: Clock
) -> None:
    firm, staff = enterprise(platform), officer(platform)
    applied = permits.apply("food-business-licence", [upload("application_form")], actor=firm)
    app_id = applied.application.id
    assert applied.application.state == "submitted" and applied.application.sla_limit == 5
    assert [m.media_type for m in applied.materials] == ["text/plain"]
    clock.set(2026, 6, 2, 10, 0)
    noticed = permits.request_correction(app_id, actor=staff)
    assert noticed.state == "correction"
    assert noticed.missing == ["layout_plan", "safety_system"]  # every missing item, once
    with pytest.raises(Conflict, match="allowed: resubmit"):
        permits.accept(app_id, actor=staff)
    with pytest.raises(Invalid, match="still missing: safety_system"):
        permits.resubmit(app_id, [upload("layout_plan")], actor=firm)
    clock.set(2026, 6, 3, 10, 0)
    back = permits.resubmit(app_id, [upload("layout_plan"), upload("safety_system")], actor=firm)
    assert back.state == "submitted"
    with pytest.raises(Conflict, match="listed once"):
        permits.request_correction(app_id, actor=staff)
    receipt = permits.accept(app_id, actor=staff)
    assert receipt.number.startswith("SL20260603") and receipt.kind == "accepted"
    review = permits.get(app_id, actor=firm).application
    assert (review.state, review.sla_limit, review.sla_status) == ("review", 10, SlaStatus.ON_TRACK)
    clock.set(2026, 6, 4, 10, 0)
    paused = permits.pause(app_id, PauseKind.TESTING, "送检", actor=staff)
    assert paused.paused and paused.sla_status is SlaStatus.PAUSED
    clock.set(2026, 6, 24, 10, 0)  # 13 working days later (端午 19 June), not counted
    resumed = permits.resume(app_id, actor=staff)
    assert not resumed.paused and resumed.sla_status is SlaStatus.ON_TRACK
    assert resumed.remaining_working_days == 9
    permits.decide(app_id, True, "符合条件", actor=staff)
    licence = permits.issue(app_id, actor=staff)
    detail = permits.get(app_id, actor=firm)
    assert detail.application.state == "issued" and detail.application.final
    assert [s.action for s in detail.steps] == [
        "apply", "request_correction", "resubmit", "accept", "paused", "resumed", "grant",
        "issue",
    ]  # fmt: skip
    assert detail.licence is not None and detail.licence.id == licence.id
    assert permits.verify(licence.id, licence.signature).verdict is Verdict.VALID
    assert permits.overdue(actor=staff) == []


def test_an_application_left_unanswered_counts_as_accepted_and_breaches_escalate(
    platform: Platform, permits: PermitService, clock: Clock
) -> None:
    firm, staff = enterprise(platform), officer(platform)
    app_id = permits.apply("hr-service-licence", [upload("application_form")],
                           actor=firm).application.id  # fmt: skip
    clock.set(2026, 6, 9, 10, 0)  # 6 working days later
    assert permits.sweep() == [app_id]
    found = permits.get(app_id, actor=staff).application
    assert found.state == "review" and found.deemed_accepted and found.receipt_no
    assert found.remaining_working_days == 14  # the clock started when the materials came
    clock.set(2026, 7, 10, 10, 0)
    assert permits.sweep() == [app_id]
    assert permits.sweep() == []  # escalated once
    assert [a.id for a in permits.overdue(actor=staff)] == [app_id]
    extended = permits.extend(app_id, "需专家论证", "局长", actor=staff)
    assert extended.extended and extended.sla_limit == 30
    with pytest.raises(Conflict, match="already extended"):
        permits.extend(app_id, "again", "局长", actor=staff)


def test_the_commitment_lane_issues_at_once_and_is_closed_to_a_dishonest_enterprise(
    platform: Platform, permits: PermitService
) -> None:
    firm, staff = enterprise(platform), officer(platform)
    done = platform.permits.apply("hr-service-licence", [upload("application_form")],
                                  actor=firm, commitment="本企业承诺符合许可条件")  # fmt: skip
    assert done.application.lane is Lane.COMMITMENT and done.application.state == "issued"
    assert done.licence is not None and done.licence.qr_payload.startswith(
        f"{platform.settings.resolved_public_url()}/api/public/licences/{done.licence.id}?sig="
    )
    tasks = platform.permits.verification_tasks(actor=staff)
    assert [t.licence_id for t in tasks] == [done.licence.id]
    with pytest.raises(Invalid, match="does not allow"):
        platform.permits.apply("food-business-licence", [upload("application_form")],
                               actor=firm, commitment="承诺")  # fmt: skip
    dishonest = enterprise(platform)
    CLOSED.add(_uscc(platform, dishonest))
    try:
        with pytest.raises(Forbidden, match="失信"):
            permits.apply("hr-service-licence", [upload("application_form")],
                          actor=dishonest, commitment="承诺")  # fmt: skip
    finally:
        CLOSED.clear()
    kept = platform.permits.complete_verification(tasks[0].id, False, "场所不存在",
                                                  actor=staff)  # fmt: skip
    assert kept.status == "false"
    verdict = platform.permits.verify(done.licence.id, done.licence.signature)
    assert verdict.verdict is Verdict.REVOKED and "虚假承诺" in verdict.reason
    records = platform.credit_records.records(_uscc(platform, firm), actor=SYSTEM)
    assert [r.source for r in records] == ["permits"]


def test_licence_verification_answers_valid_revoked_expired_or_forged(
    platform: Platform, permits: PermitService
) -> None:
    firm, staff = enterprise(platform), officer(platform)
    licence = permits.apply("road-freight-licence", [upload("application_form")], actor=firm,
                            commitment="承诺").licence  # fmt: skip
    assert licence is not None
    assert permits.verify(licence.id, licence.signature).verdict is Verdict.VALID
    expired = permits.verify(licence.id, licence.signature,
                             on=licence.valid_until + dt.timedelta(days=1))  # fmt: skip
    assert expired.verdict is Verdict.EXPIRED and "expired on" in expired.reason
    forged = permits.verify(licence.id, licence.signature[:-4] + "AAAA")
    assert forged.verdict is Verdict.FORGED and "signature" in forged.reason
    unknown = permits.verify("LGP-20260601-NOSUCHLICENC", licence.signature)
    assert unknown.verdict is Verdict.FORGED and "no licence" in unknown.reason
    permits.revoke(licence.id, "企业申请注销", actor=staff)
    revoked = permits.verify(licence.id, licence.signature)
    assert revoked.verdict is Verdict.REVOKED and "企业申请注销" in revoked.reason
    with pytest.raises(Conflict):
        permits.revoke(licence.id, "again", actor=staff)


def test_an_enterprise_sees_only_its_own_applications(
    platform: Platform, permits: PermitService
) -> None:
    firm, other, staff = enterprise(platform), enterprise(platform), officer(platform)
    mine = permits.apply("construction-permit", [upload("application_form")], actor=firm)
    app_id = mine.application.id
    with pytest.raises(NotFound):
        permits.get(app_id, actor=other)
    with pytest.raises(NotFound):
        permits.resubmit(app_id, [], actor=other)
    assert permits.mine(actor=other) == [] and len(permits.mine(actor=firm)) == 1
    with pytest.raises(Forbidden):
        permits.accept(app_id, actor=firm)
    with pytest.raises(Forbidden):
        permits.apply("construction-permit", [], actor=firm, uscc=_uscc(platform, other))
    auditor = make_user(platform, Role.AUDITOR).as_actor()
    with pytest.raises(Forbidden):
        permits.accept(app_id, actor=auditor)
    assert [a.id for a in permits.queue(actor=staff)] == [app_id]
    counter = permits.apply("construction-permit", [], actor=staff, uscc=_uscc(platform, other))
    assert counter.application.enterprise_uscc == _uscc(platform, other)
    rejected = permits.reject(counter.application.id, "不属于本机关职权范围", actor=staff)
    assert rejected.kind == "rejected" and "不予受理" in rejected.text
    assert (
        dataclasses.asdict(permits.get(counter.application.id, actor=other).application)["state"]
        == "rejected"
    )


def _uscc(platform: Platform, actor: Actor) -> str:
    assert actor.enterprise_id is not None
    return platform.entities.get_enterprise(actor.enterprise_id, actor=SYSTEM).uscc
