"""好差评 (government-service ratings) of 一网通办 applications (issue #8 item 5):
``RatingService`` wired as ``platform.permit_ratings``.

Facts (/work/shared/domain/regulations.md §5.5, §5.3; confidence tags as there):

- **Five levels** (国办发〔2019〕51号 [S]): 非常满意 / 满意 / 基本满意 / 不满意 /
  非常不满意, shown as 5 to 1 stars; the last two (score ≤ 2) are **差评**. Online rating is
  "一事一评": one rating per application (Shanghai 一网通办 decision [V]), so a second rating
  is refused.
- **Results and rectifications are published** [S]: :meth:`RatingService.published` lists the
  resolved 差评 with their result, without the rater's identity.
- **Real-name 差评 are followed up 100%** [S]; **Shanghai: contact a real-name 差评 within 1
  WD** (上海市优化营商环境条例 Art. 30) [V]. An anonymous 差评 has no contact deadline, and a
  real-name one cannot be resolved before the rater was contacted.
- **Rectification deadline**: no Shanghai or national number was confirmed [U]; the default of
  **15 WD** is Sichuan practice [S] (Dezhou uses 5 WD [S]). It is data
  (:class:`RatingPolicy`), not a rule of law — change it when the Shanghai figure is known.
- **Appeals** against mistaken or malicious 差评 are allowed [S]. What this module builds is
  the rater's appeal of the *rectification result*, once, within **5 WD** of the result (the
  platform's choice: no source gives a number), decided by a reviewer other than the resolver.
  An upheld appeal reopens the task with a fresh deadline; a dismissed one closes it.

When an application may be rated: once it has a receipt (受理 or 不予受理, 行政许可法 Art. 32) or
has reached a final state — the applicant has then had the service it rates. Working days come
from :class:`lingang.workdays.WorkCalendar` (weekends, public holidays, 调休) counted from the
Asia/Shanghai date of the step. Every step is audited (``permits.rate``,
``permits.rectification_*``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission, can
from lingang.auth.service import require
from lingang.db import UnitOfWorkFactory
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.permits import rating_store, store
from lingang.permits.model import Catalogue
from lingang.types import Actor, Role, utcnow
from lingang.workdays import SHANGHAI, WorkCalendar, default_calendar

EnterpriseOf = Callable[[Actor], str | None]
RatingRow = rating_store.PermitRatingRow
TaskRow = rating_store.PermitRectificationRow
MAX_COMMENT = 1000
MAX_RESULT = 2000
MAX_NOTE = 1000
SATISFIED_FROM = 4  # 满意 and 非常满意
NEGATIVE_UP_TO = 2  # 不满意 and 非常不满意: 差评


class RatingLevel(IntEnum):
    """The national five levels of 好差评 (国办发〔2019〕51号), as stars 5 → 1."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    def label(self, lang: str = "zh-CN") -> str:
        """The level's name for people (zh-CN, or ``en``)."""
        zh, en = LEVEL_LABELS[self]
        return en if lang == "en" else zh

    @property
    def negative(self) -> bool:
        """True for 差评 (不满意, 非常不满意)."""
        return self.value <= NEGATIVE_UP_TO


LEVEL_LABELS: dict[RatingLevel, tuple[str, str]] = {
    RatingLevel.VERY_SATISFIED: ("非常满意", "Very satisfied"),
    RatingLevel.SATISFIED: ("满意", "Satisfied"),
    RatingLevel.BASICALLY_SATISFIED: ("基本满意", "Basically satisfied"),
    RatingLevel.DISSATISFIED: ("不满意", "Dissatisfied"),
    RatingLevel.VERY_DISSATISFIED: ("非常不满意", "Very dissatisfied"),
}


class RectificationStatus(StrEnum):
    """Where a rectification task stands."""

    OPEN = "open"  # awaiting contact and a result (again, after an upheld appeal)
    RESOLVED = "resolved"  # result published; the rater may appeal within the window
    APPEALED = "appealed"  # awaiting the reviewer's decision
    CLOSED = "closed"  # appeal dismissed: the result stands

    def label(self, lang: str = "zh-CN") -> str:
        """The status's name for people (zh-CN, or ``en``)."""
        zh, en = STATUS_LABELS[self]
        return en if lang == "en" else zh


STATUS_LABELS: dict[RectificationStatus, tuple[str, str]] = {
    RectificationStatus.OPEN: ("整改中", "Open"),
    RectificationStatus.RESOLVED: ("已整改·已公开", "Resolved, published"),
    RectificationStatus.APPEALED: ("申诉复核中", "Under appeal"),
    RectificationStatus.CLOSED: ("已办结", "Closed"),
}
#: statuses that still need staff action
PENDING = (RectificationStatus.OPEN.value, RectificationStatus.APPEALED.value)
#: statuses with a published result
PUBLISHED = (RectificationStatus.RESOLVED.value, RectificationStatus.APPEALED.value,
             RectificationStatus.CLOSED.value)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RatingPolicy:
    """Deadlines in working days; data, so that a confirmed Shanghai figure replaces them."""

    contact_working_days: int = 1  # Shanghai 优化营商环境条例 Art. 30 [V]
    rectification_working_days: int = 15  # Sichuan practice [S]; no Shanghai figure [U]
    appeal_working_days: int = 5  # platform choice: no source gives a number


@dataclass(frozen=True, slots=True)
class Rectification:
    """The rectification task a 差评 opened. ``rater`` and ``enterprise_uscc`` are None for
    an anonymous rating seen by staff, and in the public list."""

    id: int
    rating_id: int
    application_id: int
    item_id: str
    item_name: str
    department: str
    score: int
    level: RatingLevel
    level_label: str
    comment: str
    real_name: bool
    rater: str | None
    enterprise_uscc: str | None
    rated_at: dt.datetime
    status: RectificationStatus
    status_label: str
    created_at: dt.datetime
    contact_due: dt.date | None
    contacted_at: dt.datetime | None
    contacted_by: str | None
    contact_note: str | None
    contact_late: bool | None
    due_on: dt.date
    overdue: bool
    resolved_at: dt.datetime | None
    resolved_by: str | None
    result: str | None
    resolved_late: bool | None
    appeal_due: dt.date | None
    appealed_at: dt.datetime | None
    appeal_reason: str | None
    appeal_decided_at: dt.datetime | None
    appeal_decided_by: str | None
    appeal_upheld: bool | None
    appeal_note: str | None


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating of one application, with the rectification task of a 差评."""

    id: int
    application_id: int
    item_id: str
    item_name: str
    department: str
    enterprise_uscc: str | None
    rater: str | None
    score: int
    level: RatingLevel
    level_label: str
    negative: bool
    comment: str
    real_name: bool
    rated_at: dt.datetime
    rectification: Rectification | None


@dataclass(frozen=True, slots=True)
class SatisfactionRow:
    """Satisfaction of one item or department (or of everything: ``key`` ``"*"``)."""

    key: str
    label: str
    count: int
    mean_score: float | None
    satisfied_share: float | None  # score ≥ 4
    negative_share: float | None  # 差评: score ≤ 2
    negative: int
    rectified: int  # 差评 whose result was published
    rectified_on_time: int  # … by the deadline
    on_time_share: float | None  # rectified_on_time / negative


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """The satisfaction dashboard: overall, by item and by department."""

    since: dt.date | None
    overall: SatisfactionRow
    by_item: list[SatisfactionRow]
    by_department: list[SatisfactionRow]


class RatingService:
    """好差评 of applications and the rectification of 差评 (see the module docstring)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        audit: AuditService,
        catalogue: Catalogue,
        *,
        enterprise_of: EnterpriseOf,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        policy: RatingPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._audit = audit
        self._catalogue = catalogue
        self._enterprise_of = enterprise_of
        self._calendar = calendar or default_calendar()
        self._now = clock
        self.policy = policy or RatingPolicy()

    # --- rating -----------------------------------------------------------------------------

    def rate(
        self, application_id: int, score: int, comment: str, *, actor: Actor,
        real_name: bool = True,
    ) -> Rating:  # fmt: skip
        """Rate an application once (一事一评), as a user of the applicant enterprise, after it
        got a receipt or reached a final state. A 差评 (score ≤ 2) opens a rectification task
        in the same transaction: contact due in 1 WD (real-name only), result due in
        ``policy.rectification_working_days``."""
        level = _level(score)
        text = comment.strip()
        if len(text) > MAX_COMMENT:
            raise Invalid("comment", f"at most {MAX_COMMENT} characters, got {len(text)}")
        own = self._own(actor)
        now = self._now()
        with self._uow() as uow:
            session = uow.session
            app = session.get(store.PermitApplicationRow, application_id, with_for_update=True)
            if app is None or app.enterprise_uscc != own:
                raise NotFound(f"application {application_id} not found")
            if app.receipt_no is None and app.closed_at is None:
                raise Conflict(
                    f"application {application_id} is in {app.state}: it can be rated once it "
                    "has a receipt (受理/不予受理) or is closed"
                )
            if rating_store.rating_of(session, application_id) is not None:
                raise Conflict(f"application {application_id} was already rated (一事一评)")
            row = rating_store.PermitRatingRow(
                application_id=app.id, item_id=app.item_id, department=app.department,
                enterprise_uscc=app.enterprise_uscc, rater=actor.username, score=level.value,
                comment=text, real_name=real_name, rated_at=now,
            )  # fmt: skip
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise Conflict(f"application {application_id} was already rated") from None
            self._audit.record(session, actor=actor, action="permits.rate",
                               object_type="permit_rating", object_id=str(row.id),
                               after={"application_id": app.id, "score": level.value,
                                      "real_name": real_name},
                               detail=f"{level.label()} {level.label('en')}: "
                                      f"{text[:150]}")  # fmt: skip
            task = self._open_task(session, row, actor, now) if level.negative else None
            uow.commit()
            return self._rating(row, task, actor)

    def _open_task(
        self, session: Session, rating: rating_store.PermitRatingRow, actor: Actor,
        now: dt.datetime,
    ) -> rating_store.PermitRectificationRow:  # fmt: skip
        today = _local_day(now)
        contact_due = (
            self._calendar.add_working_days(today, self.policy.contact_working_days)
            if rating.real_name else None
        )  # fmt: skip
        task = rating_store.PermitRectificationRow(
            rating_id=rating.id, application_id=rating.application_id,
            department=rating.department, status=RectificationStatus.OPEN.value, created_at=now,
            contact_due=contact_due,
            due_on=self._calendar.add_working_days(today, self.policy.rectification_working_days),
        )  # fmt: skip
        session.add(task)
        session.flush()
        self._audit.record(session, actor=actor, action="permits.rectification_opened",
                           object_type="permit_rectification", object_id=str(task.id),
                           after={"rating_id": rating.id, "department": task.department,
                                  "contact_due": _iso(contact_due),
                                  "due_on": task.due_on.isoformat()},
                           detail=f"差评 of application {rating.application_id}")  # fmt: skip
        return task

    # --- reading ----------------------------------------------------------------------------

    def ratings(
        self, *, actor: Actor, item_id: str | None = None, department: str | None = None
    ) -> list[Rating]:
        """Ratings for staff (VIEW_PERMITS), newest first; an officer with a department sees
        its department's. Anonymous ratings hide the rater and the enterprise."""
        require(actor, Permission.VIEW_PERMITS)
        with self._uow.read() as session:
            statement = select(rating_store.PermitRatingRow)
            if item_id is not None:
                statement = statement.where(rating_store.PermitRatingRow.item_id == item_id)
            if department is not None:
                statement = statement.where(rating_store.PermitRatingRow.department == department)
            if _scoped(actor):
                statement = statement.where(
                    rating_store.PermitRatingRow.department == actor.department
                )
            rows = session.scalars(statement.order_by(rating_store.PermitRatingRow.id.desc()))
            return self._with_tasks(session, list(rows), actor)

    def my_ratings(self, *, actor: Actor) -> list[Rating]:
        """The ratings given by the user's enterprise, newest first, with their results."""
        own = self._own(actor)
        with self._uow.read() as session:
            statement = select(rating_store.PermitRatingRow).where(
                rating_store.PermitRatingRow.enterprise_uscc == own
            )
            rows = session.scalars(statement.order_by(rating_store.PermitRatingRow.id.desc()))
            return self._with_tasks(session, list(rows), actor)

    def rectifications(
        self, *, actor: Actor, open_only: bool = True, overdue_only: bool = False
    ) -> list[Rectification]:
        """Rectification tasks for staff (VIEW_PERMITS), earliest deadline first: those that
        need action (open, appealed) unless ``open_only`` is off; ``overdue_only``: those past
        ``due_on`` without a result."""
        require(actor, Permission.VIEW_PERMITS)
        table = rating_store.PermitRectificationRow
        with self._uow.read() as session:
            statement = select(table)
            if open_only or overdue_only:
                statement = statement.where(table.status.in_(PENDING))
            if _scoped(actor):
                statement = statement.where(table.department == actor.department)
            rows = list(session.scalars(statement.order_by(table.due_on, table.id)))
            found = [self._task(session, row, actor) for row in rows]
        return [t for t in found if t.overdue] if overdue_only else found

    def rectification(self, task_id: int, *, actor: Actor) -> Rectification:
        """One task, for staff or for the rating enterprise (NotFound otherwise)."""
        with self._uow.read() as session:
            row = self._visible_task(session, task_id, actor)
            return self._task(session, row, actor)

    def published(self, limit: int = 50) -> list[Rectification]:
        """The public list (no sign-in): resolved 差评 with their result, newest first,
        without the rater, the enterprise, the comment or the officers' notes."""
        table = rating_store.PermitRectificationRow
        with self._uow.read() as session:
            statement = select(table).where(table.status.in_(PUBLISHED))
            statement = statement.order_by(table.resolved_at.desc(), table.id.desc())
            rows = list(session.scalars(statement.limit(max(1, min(limit, 500)))))
            return [_public(self._task(session, row, None)) for row in rows]

    # --- rectification ----------------------------------------------------------------------

    def contact(self, task_id: int, note: str, *, actor: Actor) -> Rectification:
        """Record that an officer contacted the rater (HANDLE_PERMITS); after ``contact_due``
        it is recorded as late. An anonymous 差评 has no one to contact."""
        text = _required(note, "note", MAX_NOTE)
        with self._uow() as uow:
            row, rating = self._handled(uow.session, task_id, actor)
            if not rating.real_name:
                raise Conflict(f"task {task_id}: an anonymous rating leaves no one to contact")
            if row.status != RectificationStatus.OPEN.value:
                raise Conflict(f"task {task_id} is {row.status}")
            now = self._now()
            row.contacted_at, row.contacted_by, row.contact_note = now, actor.username, text
            row.contact_late = row.contact_due is not None and _local_day(now) > row.contact_due
            self._record(uow.session, actor, "contact", row,
                         {"contact_late": row.contact_late}, text)  # fmt: skip
            uow.commit()
            return self._task(uow.session, row, actor)

    def resolve(self, task_id: int, result: str, *, actor: Actor) -> Rectification:
        """Record the rectification result (HANDLE_PERMITS); it is published and visible to
        the rater, who may appeal it within ``policy.appeal_working_days``. A real-name 差评 is
        resolved only after the rater was contacted (100% follow-up)."""
        text = _required(result, "result", MAX_RESULT)
        with self._uow() as uow:
            row, rating = self._handled(uow.session, task_id, actor)
            if row.status != RectificationStatus.OPEN.value:
                raise Conflict(f"task {task_id} is {row.status}")
            if rating.real_name and row.contacted_at is None:
                raise Conflict(f"task {task_id}: contact the rater first (实名差评 100% 回访)")
            now = self._now()
            today = _local_day(now)
            row.status = RectificationStatus.RESOLVED.value
            row.resolved_at, row.resolved_by, row.result = now, actor.username, text
            row.resolved_late = today > row.due_on
            if row.appealed_at is None:
                row.appeal_due = self._calendar.add_working_days(
                    today, self.policy.appeal_working_days
                )
            self._record(uow.session, actor, "resolve", row,
                         {"resolved_late": row.resolved_late,
                          "appeal_due": _iso(row.appeal_due)}, text)  # fmt: skip
            uow.commit()
            return self._task(uow.session, row, actor)

    def appeal(self, task_id: int, reason: str, *, actor: Actor) -> Rectification:
        """The rater appeals the published result, once, by ``appeal_due``."""
        text = _required(reason, "reason", MAX_NOTE)
        own = self._own(actor)
        with self._uow() as uow:
            row = self._locked_task(uow.session, task_id)
            rating = uow.session.get(rating_store.PermitRatingRow, row.rating_id)
            assert rating is not None
            if rating.enterprise_uscc != own:
                raise NotFound(f"rectification task {task_id} not found")
            if rating.rater != actor.username:
                raise Forbidden("only the user who gave the rating may appeal")
            if row.appealed_at is not None:
                raise Conflict(f"task {task_id} was already appealed once")
            if row.status != RectificationStatus.RESOLVED.value:
                raise Conflict(f"task {task_id} is {row.status}: only a result can be appealed")
            now = self._now()
            if row.appeal_due is not None and _local_day(now) > row.appeal_due:
                raise Conflict(f"the appeal window closed on {row.appeal_due.isoformat()}")
            row.status = RectificationStatus.APPEALED.value
            row.appealed_at, row.appeal_reason = now, text
            self._record(uow.session, actor, "appeal", row, {}, text)
            uow.commit()
            return self._task(uow.session, row, actor)

    def decide_appeal(self, task_id: int, upheld: bool, note: str, *, actor: Actor
                      ) -> Rectification:  # fmt: skip
        """A reviewer other than the resolver decides the appeal (HANDLE_PERMITS): upheld
        reopens the task with a fresh deadline; dismissed closes it, the result standing."""
        text = _required(note, "note", MAX_NOTE)
        with self._uow() as uow:
            row, _rating = self._handled(uow.session, task_id, actor)
            if row.status != RectificationStatus.APPEALED.value:
                raise Conflict(f"task {task_id} is {row.status}: there is no appeal to decide")
            if row.resolved_by == actor.username:
                raise Forbidden("the appeal is reviewed by someone other than the resolver")
            now = self._now()
            row.appeal_decided_at, row.appeal_decided_by = now, actor.username
            row.appeal_upheld, row.appeal_note = upheld, text
            if upheld:
                row.status = RectificationStatus.OPEN.value
                row.due_on = self._calendar.add_working_days(
                    _local_day(now), self.policy.rectification_working_days
                )
            else:
                row.status = RectificationStatus.CLOSED.value
            self._record(uow.session, actor, "appeal_decided", row,
                         {"upheld": upheld, "due_on": row.due_on.isoformat()}, text)  # fmt: skip
            uow.commit()
            return self._task(uow.session, row, actor)

    # --- dashboard --------------------------------------------------------------------------

    def satisfaction(self, *, actor: Actor, since: dt.date | None = None) -> Satisfaction:
        """Satisfaction for staff (VIEW_PERMITS): count, mean score, share satisfied (≥ 4),
        share 差评 (≤ 2) and 差评 rectified on time, overall, by item and by department;
        ratings given on or after ``since`` (Asia/Shanghai date)."""
        require(actor, Permission.VIEW_PERMITS)
        with self._uow.read() as session:
            statement = select(rating_store.PermitRatingRow)
            if since is not None:
                start = dt.datetime.combine(since, dt.time(), tzinfo=SHANGHAI)
                statement = statement.where(rating_store.PermitRatingRow.rated_at >= start)
            ratings = list(session.scalars(statement))
            tasks = {
                t.rating_id: t
                for t in session.scalars(select(rating_store.PermitRectificationRow))
            }
        pairs = [(r, tasks.get(r.id)) for r in ratings]
        items = sorted({r.item_id for r in ratings})
        departments = sorted({r.department for r in ratings})
        return Satisfaction(
            since=since,
            overall=_row("*", "全部 All", pairs),
            by_item=[_row(i, self._item_name(i), [p for p in pairs if p[0].item_id == i])
                     for i in items],
            by_department=[_row(d, d, [p for p in pairs if p[0].department == d])
                           for d in departments],
        )  # fmt: skip

    # --- internals --------------------------------------------------------------------------

    def _own(self, actor: Actor) -> str:
        require(actor, Permission.APPLY_PERMITS)
        own = self._enterprise_of(actor)
        if own is None:
            raise Forbidden("the user belongs to no enterprise")
        return own

    def _locked_task(self, session: Session, task_id: int) -> rating_store.PermitRectificationRow:
        row = session.get(rating_store.PermitRectificationRow, task_id, with_for_update=True)
        if row is None:
            raise NotFound(f"rectification task {task_id} not found")
        return row

    def _handled(self, session: Session, task_id: int, actor: Actor
                 ) -> tuple[TaskRow, RatingRow]:  # fmt: skip
        require(actor, Permission.HANDLE_PERMITS)
        row = self._locked_task(session, task_id)
        if _scoped(actor) and row.department != actor.department:
            raise Forbidden(f"task {task_id} belongs to {row.department}")
        rating = session.get(rating_store.PermitRatingRow, row.rating_id)
        assert rating is not None
        return row, rating

    def _visible_task(self, session: Session, task_id: int, actor: Actor
                      ) -> rating_store.PermitRectificationRow:  # fmt: skip
        row = session.get(rating_store.PermitRectificationRow, task_id)
        if can(actor.role, Permission.VIEW_PERMITS):
            if row is not None:
                return row
        elif can(actor.role, Permission.APPLY_PERMITS):
            rating = session.get(rating_store.PermitRatingRow, row.rating_id) if row else None
            if row is not None and rating is not None and (
                rating.enterprise_uscc == self._enterprise_of(actor)
            ):
                return row
        else:
            raise Forbidden(f"{actor.role.value} may not read rectification tasks")
        raise NotFound(f"rectification task {task_id} not found")

    def _record(self, session: Session, actor: Actor, step: str,
                row: rating_store.PermitRectificationRow, after: dict[str, object],
                detail: str) -> None:  # fmt: skip
        self._audit.record(session, actor=actor, action=f"permits.rectification_{step}",
                           object_type="permit_rectification", object_id=str(row.id),
                           after={"status": row.status, **after},
                           detail=detail[:200])  # fmt: skip

    def _item_name(self, item_id: str) -> str:
        found = self._catalogue.items.get(item_id)
        return found.name if found is not None else item_id

    def _with_tasks(self, session: Session, rows: Sequence[rating_store.PermitRatingRow],
                    actor: Actor) -> list[Rating]:  # fmt: skip
        return [self._rating(r, rating_store.rectification_of(session, r.id), actor)
                for r in rows]  # fmt: skip

    def _rating(self, row: rating_store.PermitRatingRow,
                task: TaskRow | None, actor: Actor) -> Rating:  # fmt: skip
        level = RatingLevel(row.score)
        shown = _identity_shown(row, actor)
        return Rating(
            id=row.id, application_id=row.application_id, item_id=row.item_id,
            item_name=self._item_name(row.item_id), department=row.department,
            enterprise_uscc=row.enterprise_uscc if shown else None,
            rater=row.rater if shown else None, score=row.score, level=level,
            level_label=level.label(), negative=level.negative, comment=row.comment,
            real_name=row.real_name, rated_at=row.rated_at,
            rectification=self._task_of(row, task, actor) if task is not None else None,
        )  # fmt: skip

    def _task(self, session: Session, row: rating_store.PermitRectificationRow,
              actor: Actor | None) -> Rectification:  # fmt: skip
        rating = session.get(rating_store.PermitRatingRow, row.rating_id)
        assert rating is not None
        return self._task_of(rating, row, actor)

    def _task_of(self, rating: rating_store.PermitRatingRow,
                 row: rating_store.PermitRectificationRow, actor: Actor | None
                 ) -> Rectification:  # fmt: skip
        level = RatingLevel(rating.score)
        status = RectificationStatus(row.status)
        shown = actor is not None and _identity_shown(rating, actor)
        today = _local_day(self._now())
        return Rectification(
            id=row.id, rating_id=rating.id, application_id=row.application_id,
            item_id=rating.item_id, item_name=self._item_name(rating.item_id),
            department=row.department, score=rating.score, level=level,
            level_label=level.label(), comment=rating.comment, real_name=rating.real_name,
            rater=rating.rater if shown else None,
            enterprise_uscc=rating.enterprise_uscc if shown else None,
            rated_at=rating.rated_at, status=status, status_label=status.label(),
            created_at=row.created_at, contact_due=row.contact_due,
            contacted_at=row.contacted_at, contacted_by=row.contacted_by,
            contact_note=row.contact_note, contact_late=row.contact_late, due_on=row.due_on,
            overdue=status is RectificationStatus.OPEN and today > row.due_on,
            resolved_at=row.resolved_at, resolved_by=row.resolved_by, result=row.result,
            resolved_late=row.resolved_late, appeal_due=row.appeal_due,
            appealed_at=row.appealed_at, appeal_reason=row.appeal_reason,
            appeal_decided_at=row.appeal_decided_at, appeal_decided_by=row.appeal_decided_by,
            appeal_upheld=row.appeal_upheld, appeal_note=row.appeal_note,
        )  # fmt: skip


def _level(score: int) -> RatingLevel:
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise Invalid("score", f"a whole number of stars from 1 to 5, got {score!r}")
    return RatingLevel(score)


def _required(text: str, field: str, limit: int) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise Invalid(field, "is required")
    if len(cleaned) > limit:
        raise Invalid(field, f"at most {limit} characters, got {len(cleaned)}")
    return cleaned


def _local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _scoped(actor: Actor) -> bool:
    """An officer with a department works on its department's ratings only (as the queue)."""
    return actor.role is Role.SERVICE_OFFICER and bool(actor.department)


def _identity_shown(rating: rating_store.PermitRatingRow, actor: Actor) -> bool:
    """Real-name ratings show who rated; anonymous ones only to the rating enterprise."""
    return rating.real_name or can(actor.role, Permission.APPLY_PERMITS)


def _public(task: Rectification) -> Rectification:
    return replace(task, rater=None, enterprise_uscc=None, comment="", contacted_by=None,
                   contact_note=None, resolved_by=None, appeal_reason=None,
                   appeal_decided_by=None, appeal_note=None)  # fmt: skip


def _row(key: str, label: str,
         pairs: Iterable[tuple[RatingRow, TaskRow | None]]) -> SatisfactionRow:
    found = list(pairs)
    scores = [r.score for r, _ in found]
    count = len(scores)
    tasks = [t for _, t in found if t is not None]
    rectified = [t for t in tasks if t.status in PUBLISHED]
    on_time = sum(1 for t in rectified if not t.resolved_late)
    negative = sum(1 for s in scores if s <= NEGATIVE_UP_TO)
    return SatisfactionRow(
        key=key, label=label, count=count,
        mean_score=round(sum(scores) / count, 2) if count else None,
        satisfied_share=_share(sum(1 for s in scores if s >= SATISFIED_FROM), count),
        negative_share=_share(negative, count), negative=negative,
        rectified=len(rectified), rectified_on_time=on_time,
        on_time_share=_share(on_time, negative),
    )  # fmt: skip


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
