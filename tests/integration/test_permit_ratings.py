"""好差评 of 一网通办 applications on SQLite and PostgreSQL: one rating per application on the
five levels, a 差评 opening a rectification task with working-day deadlines (across 端午),
contact on time or late, the published result, one appeal decided by another officer, and the
satisfaction dashboard computed on a known set."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import Clock, make_user
from lingang.bootstrap import Platform
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.permits.ratings import RatingLevel, RatingService, RectificationStatus
from lingang.permits.service import MaterialUpload
from lingang.types import SYSTEM, Actor, Role
from lingang.workdays import SHANGHAI


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 6, 18, 10, 0, tzinfo=SHANGHAI))  # Thursday before 端午


@pytest.fixture
def ratings(platform: Platform, clock: Clock) -> RatingService:
    def own(actor: Actor) -> str | None:
        if actor.enterprise_id is None:
            return None
        return platform.entities.get_enterprise(actor.enterprise_id, actor=SYSTEM).uscc

    return RatingService(platform.uow, platform.audit, platform.permits.catalogue,
                         enterprise_of=own, clock=clock)  # fmt: skip


def enterprise(platform: Platform) -> Actor:
    return make_user(platform, Role.ENTERPRISE).as_actor()


def officer(platform: Platform) -> Actor:
    return make_user(platform, Role.SERVICE_OFFICER).as_actor()


def colleague(platform: Platform, firm: Actor) -> Actor:
    return make_user(platform, Role.ENTERPRISE, enterprise_id=firm.enterprise_id).as_actor()


def audited(platform: Platform, object_type: str) -> list[str]:
    """The audited actions on objects of a type, oldest first."""
    with platform.uow.read() as session:
        found = platform.audit.list_records(session, actor=SYSTEM, limit=500)
    return [e.action for e in reversed(found) if e.object_type == object_type]


def issued(platform: Platform, firm: Actor, item: str = "hr-service-licence") -> int:
    """An application accepted at the counter (it has its 受理 receipt)."""
    upload = MaterialUpload("application_form", "form.txt", "申请表".encode())
    made = platform.permits.apply(item, [upload], actor=firm)
    platform.permits.accept(made.application.id, actor=SYSTEM)
    return made.application.id


def test_a_rating_is_given_once_on_the_five_levels_by_the_applicant_only(
    platform: Platform, ratings: RatingService
) -> None:
    firm, other, staff = enterprise(platform), enterprise(platform), officer(platform)
    app_id = issued(platform, firm)
    for score in (0, 6):
        with pytest.raises(Invalid, match="score"):
            ratings.rate(app_id, score, "", actor=firm)
    with pytest.raises(Invalid, match="comment"):
        ratings.rate(app_id, 5, "长" * 1001, actor=firm)
    with pytest.raises(NotFound):
        ratings.rate(app_id, 5, "", actor=other)
    with pytest.raises(Forbidden):
        ratings.rate(app_id, 5, "", actor=staff)
    given = ratings.rate(app_id, 5, "办理很快", actor=firm)
    assert (given.level, given.level_label, given.negative) == (
        RatingLevel.VERY_SATISFIED, "非常满意", False)  # fmt: skip
    assert given.level.label("en") == "Very satisfied" and given.rectification is None
    with pytest.raises(Conflict, match="already rated"):
        ratings.rate(app_id, 4, "", actor=colleague(platform, firm))
    assert [r.id for r in ratings.my_ratings(actor=firm)] == [given.id]
    assert ratings.my_ratings(actor=other) == []
    assert [r.rater for r in ratings.ratings(actor=staff)] == [firm.username]
    assert ratings.rectifications(actor=staff) == []
    assert audited(platform, "permit_rating") == ["permits.rate"]


def test_an_application_without_a_receipt_cannot_be_rated_yet(
    platform: Platform, ratings: RatingService
) -> None:
    firm = enterprise(platform)
    upload = MaterialUpload("application_form", "form.txt", "申请表".encode())
    app_id = platform.permits.apply("food-business-licence", [upload], actor=firm).application.id
    with pytest.raises(Conflict, match="receipt"):
        ratings.rate(app_id, 3, "", actor=firm)
    platform.permits.reject(app_id, "不属于本机关职权范围", actor=officer(platform))
    assert ratings.rate(app_id, 3, "", actor=firm).level_label == "基本满意"


def test_a_real_name_negative_rating_opens_a_task_with_working_day_deadlines(
    platform: Platform, ratings: RatingService, clock: Clock
) -> None:
    firm, staff, reviewer = enterprise(platform), officer(platform), officer(platform)
    app_id = issued(platform, firm)
    given = ratings.rate(app_id, 2, "窗口态度差", actor=firm)
    task = given.rectification
    assert given.negative and task is not None
    assert task.status is RectificationStatus.OPEN and task.status_label == "整改中"
    assert task.department == "临港新片区人力资源和社会保障局"
    assert task.contact_due == dt.date(2026, 6, 22)  # Thu 18 → Mon 22: 端午 Fri 19 and weekend
    assert task.due_on == dt.date(2026, 7, 10)  # 15 working days
    with pytest.raises(Conflict, match="contact the rater first"):
        ratings.resolve(task.id, "已整改", actor=staff)
    clock.set(2026, 6, 23, 9, 0)  # a day after contact_due
    contacted = ratings.contact(task.id, "电话回访，已致歉", actor=staff)
    assert contacted.contact_late is True and contacted.contacted_by == staff.username
    assert [t.id for t in ratings.rectifications(actor=staff)] == [task.id]
    resolved = ratings.resolve(task.id, "已对窗口人员进行培训", actor=staff)
    assert resolved.status is RectificationStatus.RESOLVED and resolved.resolved_late is False
    assert resolved.appeal_due == dt.date(2026, 6, 30)  # 5 working days
    assert ratings.rectifications(actor=staff) == []
    mine = ratings.my_ratings(actor=firm)[0].rectification
    assert mine is not None and mine.result == "已对窗口人员进行培训"
    public = ratings.published()
    assert [p.result for p in public] == ["已对窗口人员进行培训"]
    assert public[0].rater is None and public[0].enterprise_uscc is None
    assert public[0].comment == "" and public[0].contact_note is None
    with pytest.raises(Forbidden, match="only the user"):
        ratings.appeal(task.id, "并未整改", actor=colleague(platform, firm))
    with pytest.raises(NotFound):
        ratings.appeal(task.id, "并未整改", actor=enterprise(platform))
    with pytest.raises(Forbidden):
        ratings.appeal(task.id, "并未整改", actor=staff)
    appealed = ratings.appeal(task.id, "并未整改", actor=firm)
    assert appealed.status is RectificationStatus.APPEALED
    with pytest.raises(Conflict, match="already appealed"):
        ratings.appeal(task.id, "again", actor=firm)
    with pytest.raises(Forbidden, match="other than the resolver"):
        ratings.decide_appeal(task.id, True, "复核", actor=staff)
    clock.set(2026, 6, 24, 9, 0)
    reopened = ratings.decide_appeal(task.id, True, "整改不到位，重新整改", actor=reviewer)
    assert reopened.status is RectificationStatus.OPEN and reopened.appeal_upheld
    assert reopened.due_on == dt.date(2026, 7, 15)  # 15 WD from the decision
    again = ratings.resolve(task.id, "已调整窗口排班并复训", actor=staff)
    assert again.status is RectificationStatus.RESOLVED
    with pytest.raises(Conflict, match="already appealed"):
        ratings.appeal(task.id, "再次申诉", actor=firm)
    assert audited(platform, "permit_rectification") == ([
        "permits.rectification_opened", "permits.rectification_contact",
        "permits.rectification_resolve", "permits.rectification_appeal",
        "permits.rectification_appeal_decided", "permits.rectification_resolve",
    ])  # fmt: skip


def test_an_anonymous_negative_rating_has_no_contact_deadline_and_hides_the_rater(
    platform: Platform, ratings: RatingService
) -> None:
    firm, staff, reviewer = enterprise(platform), officer(platform), officer(platform)
    given = ratings.rate(issued(platform, firm), 1, "等了很久", actor=firm, real_name=False)
    task = given.rectification
    assert task is not None and task.contact_due is None and task.level_label == "非常不满意"
    seen = ratings.ratings(actor=staff)[0]
    assert seen.rater is None and seen.enterprise_uscc is None and seen.comment == "等了很久"
    assert ratings.my_ratings(actor=firm)[0].rater == firm.username
    with pytest.raises(Conflict, match="anonymous"):
        ratings.contact(task.id, "回访", actor=staff)
    resolved = ratings.resolve(task.id, "优化了排队流程", actor=staff)
    ratings.appeal(task.id, "仍然很慢", actor=firm)
    closed = ratings.decide_appeal(task.id, False, "整改已到位", actor=reviewer)
    assert closed.status is RectificationStatus.CLOSED and closed.result == resolved.result
    assert [p.id for p in ratings.published()] == [task.id]


def test_overdue_tasks_and_an_appeal_out_of_time(
    platform: Platform, ratings: RatingService, clock: Clock
) -> None:
    firm, staff = enterprise(platform), officer(platform)
    task = ratings.rate(issued(platform, firm), 2, "", actor=firm).rectification
    assert task is not None
    assert ratings.rectifications(actor=staff, overdue_only=True) == []
    clock.set(2026, 7, 13, 9, 0)  # past due_on (10 July)
    late = ratings.rectifications(actor=staff, overdue_only=True)
    assert [t.id for t in late] == [task.id] and late[0].overdue
    ratings.contact(task.id, "回访", actor=staff)
    done = ratings.resolve(task.id, "已整改", actor=staff)
    assert done.resolved_late is True and done.appeal_due == dt.date(2026, 7, 20)
    clock.set(2026, 7, 21, 9, 0)
    with pytest.raises(Conflict, match="appeal window closed"):
        ratings.appeal(task.id, "不服", actor=firm)
    auditor = make_user(platform, Role.AUDITOR).as_actor()
    assert [t.id for t in ratings.rectifications(actor=auditor, open_only=False)] == [task.id]
    with pytest.raises(Forbidden):
        ratings.contact(task.id, "x", actor=auditor)
    with pytest.raises(Forbidden):
        ratings.rectifications(actor=firm)


def test_satisfaction_by_item_and_department_on_a_known_set(
    platform: Platform, ratings: RatingService, clock: Clock
) -> None:
    staff = officer(platform)
    scores = {"hr-service-licence": [5, 4, 2], "road-freight-licence": [3, 1]}
    tasks = []
    for item, given in scores.items():
        for score in given:
            firm = enterprise(platform)
            found = ratings.rate(issued(platform, firm, item), score, "", actor=firm)
            if found.rectification is not None:
                tasks.append(found.rectification.id)
    ratings.contact(tasks[0], "回访", actor=staff)
    ratings.resolve(tasks[0], "已整改", actor=staff)  # on time
    clock.set(2026, 7, 13, 9, 0)  # past due
    ratings.contact(tasks[1], "回访", actor=staff)
    ratings.resolve(tasks[1], "已整改", actor=staff)  # late
    board = ratings.satisfaction(actor=staff)
    overall = board.overall
    assert (overall.count, overall.mean_score, overall.satisfied_share) == (5, 3.0, 0.4)
    assert (overall.negative, overall.negative_share) == (2, 0.4)
    assert (overall.rectified, overall.rectified_on_time, overall.on_time_share) == (2, 1, 0.5)
    by_item = {row.key: row for row in board.by_item}
    hr = by_item["hr-service-licence"]
    assert (hr.label, hr.count, hr.mean_score) == ("人力资源服务许可", 3, 3.67)
    assert (hr.satisfied_share, hr.negative_share, hr.rectified_on_time) == (0.6667, 0.3333, 1)
    road = by_item["road-freight-licence"]
    assert (road.count, road.mean_score, road.satisfied_share, road.on_time_share) == (
        2, 2.0, 0.0, 0.0)  # fmt: skip
    assert {row.key: row.count for row in board.by_department} == {
        "临港新片区人力资源和社会保障局": 3, "临港新片区交通运输管理部门": 2}  # fmt: skip
    assert ratings.satisfaction(actor=staff, since=dt.date(2026, 6, 19)).overall.count == 0
    with pytest.raises(Forbidden):
        ratings.satisfaction(actor=enterprise(platform))
