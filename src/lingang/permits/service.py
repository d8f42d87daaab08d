"""Applications for service items (一网通办, issue #8): ``PermitService`` wired as
``platform.permits``.

The statutory stages (行政许可法 Arts. 32, 42, 44, 45; docs/permits.md): apply with materials
as files → correction, every missing item listed once (at most one correction notice) → accept
or reject, each with a receipt; an application not refused or sent for correction within 5
working days counts as accepted from the day its materials were received (:meth:`sweep`) →
review, decided within the item's statutory limit (+ the workflow's extension with the head's
approval; hearings, testing, expert review… pause the clock) → issue within 10 working days,
as an Ed25519-signed e-licence. The workflow (states, actions, roles, SLAs) is the item's data.

告知承诺: on an item that allows it, a written commitment replaces the waivable proofs and the
application is accepted, granted and issued at once, unless ``commitment_open(uscc)`` (the
credit service's ``effects(uscc).commitment_approval``) says the lane is closed to the
enterprise; a post-issue verification task is recorded. A failed verification revokes the
licence and writes a credit record.

Every step writes an event and an audit record. An enterprise user sees only its own
applications (any other id answers ``NotFound``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission, can
from lingang.cases.attachments import AttachmentStore, check_size, clean_name, media_type_of
from lingang.db import UnitOfWorkFactory
from lingang.entities.model import validate_uscc
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.permits import documents, store
from lingang.permits.licences import LicenceSigner, Verdict, Verification, qr_payload
from lingang.permits.model import Catalogue, Lane, PauseKind, ServiceItem
from lingang.types import SYSTEM, Actor, Role, utcnow
from lingang.workdays import SHANGHAI, SlaClock, SlaStatus, WorkCalendar, default_calendar

EnterpriseOf = Callable[[Actor], str | None]
CommitmentOpen = Callable[[str], bool]
RecordCredit = Callable[[str, dt.date, str, str, str, dict[str, Any]], None]
CREDIT_SOURCE = "permits"
REVIEW = "review"
SUBMITTED = "submitted"
MAX_TEXT = 2000
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
RENEWAL = "renewal"
#: a reminder goes out this many days before a licence expires (issue #8)
RENEWAL_NOTICE_DAYS = 30


@dataclass(frozen=True, slots=True)
class MaterialUpload:
    """One file for a required material."""

    material_id: str
    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Receipt:
    """The dated receipt of acceptance or refusal (受理/不予受理凭证, Art. 32)."""

    number: str
    application_id: int
    kind: str
    department: str
    at: dt.datetime
    text: str


@dataclass(frozen=True, slots=True)
class Application:
    """An application and its clock reading at the time it was read."""

    id: int
    item_id: str
    item_name: str
    enterprise_uscc: str
    lane: Lane
    state: str
    state_label: str
    final: bool
    department: str
    missing: list[str]
    correction_count: int
    received_at: dt.datetime
    receipt_no: str | None
    deemed_accepted: bool
    extended: bool
    decided_at: dt.datetime | None
    decision_reason: str | None
    closed_at: dt.datetime | None
    sla_limit: int | None
    due_at: dt.datetime | None
    sla_status: SlaStatus | None
    remaining_working_days: int | None
    paused: bool
    escalated_at: dt.datetime | None
    next_actions: list[str]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an application's history."""

    at: dt.datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    detail: str


@dataclass(frozen=True, slots=True)
class MaterialFile:
    """A file submitted for a material."""

    id: int
    material_id: str
    name: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Licence:
    """An e-licence with its signature and QR payload."""

    id: str
    application_id: int
    item_id: str
    enterprise_uscc: str
    payload: dict[str, Any]
    signature: str
    issued_at: dt.datetime
    valid_until: dt.date
    revoked_at: dt.datetime | None
    revoked_reason: str | None
    qr_payload: str


@dataclass(frozen=True, slots=True)
class VerificationTask:
    """A post-issue check of a 告知承诺."""

    id: int
    application_id: int
    licence_id: str
    enterprise_uscc: str
    department: str
    due_on: dt.date
    status: str
    result: str | None
    plan_id: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice to an enterprise about one of its licences (a renewal reminder)."""

    id: int
    enterprise_uscc: str
    kind: str
    licence_id: str
    text_zh: str
    text_en: str
    created_at: dt.datetime

    def text(self, lang: str = "zh-CN") -> str:
        """The notice in ``lang`` (zh-CN, or ``en``)."""
        return self.text_en if lang == "en" else self.text_zh


@dataclass(frozen=True, slots=True)
class ApplicationDetail:
    """An application with its steps, files and licence."""

    application: Application
    steps: list[Step]
    materials: list[MaterialFile]
    licence: Licence | None


class PermitService:
    """The catalogue, applications through the statutory stages, 告知承诺 and e-licences."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        audit: AuditService,
        catalogue: Catalogue,
        files: AttachmentStore,
        signer: LicenceSigner,
        *,
        enterprise_of: EnterpriseOf,
        commitment_open: CommitmentOpen,
        record_credit: RecordCredit | None = None,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        max_bytes: int = DEFAULT_MAX_BYTES,
        base_url: str = "",
    ) -> None:
        self._uow = uow
        self._audit = audit
        self.catalogue = catalogue
        self._files = files
        self.signer = signer
        self._enterprise_of = enterprise_of
        self._commitment_open = commitment_open
        self._record_credit = record_credit
        self._calendar = calendar or default_calendar()
        self._now = clock
        self._max_bytes = max_bytes
        self._base_url = base_url

    # --- catalogue --------------------------------------------------------------------------

    def items(self) -> list[ServiceItem]:
        """Every item of the catalogue (public: the service guide, 办事指南)."""
        return list(self.catalogue.items.values())

    def item(self, item_id: str) -> ServiceItem:
        """One item (``NotFound`` otherwise)."""
        return self.catalogue.item(item_id)

    # --- applying ---------------------------------------------------------------------------

    def apply(
        self, item_id: str, materials: Sequence[MaterialUpload], *, actor: Actor,
        uscc: str | None = None, commitment: str | None = None,
    ) -> ApplicationDetail:  # fmt: skip
        """Apply for an item with files. An enterprise user applies for its own enterprise;
        a service officer at the counter names ``uscc``. With ``commitment`` (告知承诺) the
        application is decided and its licence issued at once."""
        code = self._applicant_uscc(actor, uscc)
        item = self.catalogue.item(item_id)
        for upload in materials:
            item.material(upload.material_id)
        text = (commitment or "").strip()
        lane = Lane.COMMITMENT if commitment is not None else Lane.ORDINARY
        if lane is Lane.COMMITMENT:
            self._check_commitment(item, code, text, materials)
        now = self._now()
        with self._uow() as uow:
            session = uow.session
            start = item.workflow.states[item.workflow.start]
            row = store.PermitApplicationRow(
                item_id=item.id, catalogue_version=self.catalogue.version,
                enterprise_uscc=code, applicant=actor.username, lane=lane.value,
                state=start.id, department=item.lead_department,
                commitment=text[:MAX_TEXT] or None, missing=[], correction_count=0,
                received_at=now, updated_at=now, deemed_accepted=False, sla_pauses=[],
            )  # fmt: skip
            session.add(row)
            session.flush()
            self._enter(row, item, start.id, now)
            self._store_files(session, row, materials, actor, now)
            self._step(session, row, actor, "apply", None, f"{item.name} ({lane.value})")
            if lane is Lane.COMMITMENT:
                self._commitment_lane(session, row, item, now)
            uow.commit()
            return self._detail(session, row)

    def _check_commitment(
        self, item: ServiceItem, uscc: str, text: str, materials: Sequence[MaterialUpload]
    ) -> None:
        if not item.commitment_allowed:
            raise Invalid("commitment", f"{item.id} does not allow 告知承诺")
        if not text:
            raise Invalid("commitment", "write the commitment (承诺书)")
        given = {m.material_id for m in materials}
        needed = [
            m.id for m in item.materials if not m.waivable_by_commitment and m.id not in given
        ]
        if needed:
            raise Invalid("materials", f"a commitment does not replace: {', '.join(needed)}")
        if not self._commitment_open(uscc):
            raise Forbidden(
                f"告知承诺 is closed to {uscc}: its credit grade rules it out (失信); "
                "apply with the proofs instead"
            )

    def _commitment_lane(
        self, session: Session, row: store.PermitApplicationRow, item: ServiceItem,
        now: dt.datetime,
    ) -> None:  # fmt: skip
        """Accept, grant and issue at once, and record the verification task."""
        note = "告知承诺: decided on the written commitment"
        self._receipt(row, "accepted", now)
        self._move(session, row, item, "accept", SYSTEM, note, now)
        row.decided_at, row.decision_reason = now, note
        self._move(session, row, item, "grant", SYSTEM, note, now)
        licence = self._issue(session, row, item, now)
        self._move(session, row, item, "issue", SYSTEM, f"licence {licence.id}", now)
        today = now.astimezone(SHANGHAI).date()
        task = store.PermitVerificationRow(
            application_id=row.id, licence_id=licence.id, enterprise_uscc=row.enterprise_uscc,
            department=row.department, status="open", created_at=now,
            due_on=self._calendar.add_working_days(today, item.verification_working_days),
        )  # fmt: skip
        session.add(task)
        session.flush()
        self._audit.record(session, actor=SYSTEM, action="permits.verification_created",
                           object_type="permit_verification", object_id=str(task.id),
                           after={"licence_id": licence.id, "due_on": task.due_on.isoformat()},
                           detail=f"承诺核查 of application {row.id}")  # fmt: skip

    # --- officers' steps --------------------------------------------------------------------

    def request_correction(
        self, application_id: int, *, actor: Actor, missing: Sequence[str] | None = None,
        note: str = "",
    ) -> Application:  # fmt: skip
        """List every missing item once (一次性告知); default: the required materials with no
        file. A second notice is refused."""
        with self._uow() as uow:
            row, item = self._locked(uow.session, application_id, actor, handler=True)
            if row.correction_count:
                raise Conflict("the missing items were already listed once (一次性告知)")
            if missing is None:
                have = {m.material_id for m in store.materials_of(uow.session, row.id)}
                listed = [m.id for m in item.materials if m.id not in have]
            else:
                listed = [item.material(code).id for code in missing]
            if not listed:
                raise Invalid("missing", "nothing is missing: accept or reject instead")
            row.missing, row.correction_count = listed, 1
            detail = f"missing: {', '.join(listed)}" + (f"; {note.strip()}" if note.strip() else "")
            self._move(uow.session, row, item, "request_correction", actor, detail, self._now())
            uow.commit()
            return self._application(row)

    def resubmit(
        self, application_id: int, materials: Sequence[MaterialUpload], *, actor: Actor
    ) -> Application:
        """The applicant supplies the missing items; back to acceptance."""
        with self._uow() as uow:
            row, item = self._locked(uow.session, application_id, actor, handler=False)
            for upload in materials:
                item.material(upload.material_id)
            now = self._now()
            self._store_files(uow.session, row, materials, actor, now)
            have = {m.material_id for m in store.materials_of(uow.session, row.id)}
            still = [code for code in row.missing if code not in have]
            if still:
                raise Invalid("materials", f"still missing: {', '.join(still)}")
            self._move(uow.session, row, item, "resubmit", actor, "materials completed", now)
            uow.commit()
            return self._application(row)

    def accept(self, application_id: int, *, actor: Actor) -> Receipt:
        """Accept (受理) with a receipt; the decision clock starts."""
        with self._uow() as uow:
            row, item = self._locked(uow.session, application_id, actor, handler=True)
            now = self._now()
            item.workflow.check(row.state, "accept")
            receipt = self._receipt(row, "accepted", now)
            self._move(uow.session, row, item, "accept", actor, receipt.number, now)
            uow.commit()
            return receipt

    def reject(self, application_id: int, reason: str, *, actor: Actor) -> Receipt:
        """Refuse to accept (不予受理) with a receipt giving the reason."""
        if not reason.strip():
            raise Invalid("reason", "give the reason for not accepting")
        with self._uow() as uow:
            row, item = self._locked(uow.session, application_id, actor, handler=True)
            now = self._now()
            item.workflow.check(row.state, "reject")
            receipt = self._receipt(row, "rejected", now, reason.strip())
            row.decision_reason = reason.strip()[:MAX_TEXT]
            self._move(uow.session, row, item, "reject", actor,
                       f"{receipt.number}: {reason.strip()[:200]}", now)  # fmt: skip
            uow.commit()
            return receipt

    def pause(self, application_id: int, kind: PauseKind, note: str, *, actor: Actor
              ) -> Application:  # fmt: skip
        """Stop the review clock for a hearing, testing, expert review… (Art. 45)."""
        return self._clock_move(application_id, actor, "paused", f"{kind.value}: {note.strip()}",
                                pause=True)  # fmt: skip

    def resume(self, application_id: int, *, actor: Actor, note: str = "") -> Application:
        """Run the review clock again."""
        return self._clock_move(application_id, actor, "resumed", note.strip(), pause=False)

    def _clock_move(self, application_id: int, actor: Actor, kind: str, detail: str, *,
                    pause: bool) -> Application:  # fmt: skip
        with self._uow() as uow:
            row, _item = self._locked(uow.session, application_id, actor, handler=True)
            if row.state != REVIEW:
                raise Conflict(f"only the review clock pauses; the application is in {row.state}")
            clock = self._clock(row)
            assert clock is not None
            now = self._now()
            clock = clock.pause(now) if pause else clock.resume(now)
            store.save_clock(row, clock)
            self._step(uow.session, row, actor, kind, row.state, detail)
            uow.commit()
            return self._application(row)

    def extend(self, application_id: int, reason: str, approved_by: str, *, actor: Actor
               ) -> Application:  # fmt: skip
        """Extend the decision limit once, by the workflow's extension (Art. 42: +10, joint
        +15), with the head's approval and the reason given."""
        if not reason.strip() or not approved_by.strip():
            raise Invalid("reason", "an extension needs the reason and the approving head")
        with self._uow() as uow:
            row, item = self._locked(uow.session, application_id, actor, handler=True)
            extra = item.workflow.states[row.state].extension_working_days
            if row.state != REVIEW or not extra:
                raise Conflict(f"no extension applies in {row.state}")
            if row.extended_by is not None:
                raise Conflict(f"already extended with the approval of {row.extended_by}")
            clock = self._clock(row)
            assert clock is not None
            store.save_clock(row, SlaClock(clock.limit + extra, clock.started_at, clock.pauses,
                                           calendar=self._calendar))  # fmt: skip
            row.extended_by = approved_by.strip()[:120]
            self._step(
                uow.session,
                row,
                actor,
                "extended",
                row.state,
                f"+{extra} WD approved by {row.extended_by}: {reason.strip()[:300]}",
            )
            uow.commit()
            return self._application(row)

    def decide(self, application_id: int, grant: bool, reason: str, *, actor: Actor
               ) -> Application:  # fmt: skip
        """Grant (准予) or refuse (不予, reason required) after review."""
        if not grant and not reason.strip():
            raise Invalid("reason", "a refusal gives its reason")
        with self._uow() as uow:
            row, item = self._locked(uow.session, application_id, actor, handler=True)
            now = self._now()
            action = "grant" if grant else "refuse"
            item.workflow.check(row.state, action)
            row.decided_at, row.decision_reason = now, reason.strip()[:MAX_TEXT] or None
            self._move(uow.session, row, item, action, actor, reason.strip()[:300], now)
            uow.commit()
            return self._application(row)

    def issue(self, application_id: int, *, actor: Actor) -> Licence:
        """Issue the e-licence of a granted application (Art. 44: within 10 working days)."""
        with self._uow() as uow:
            row, item = self._locked(uow.session, application_id, actor, handler=True)
            now = self._now()
            item.workflow.check(row.state, "issue")
            licence = self._issue(uow.session, row, item, now)
            self._move(uow.session, row, item, "issue", actor, f"licence {licence.id}", now)
            uow.commit()
            return self._licence(licence)

    # --- reading ----------------------------------------------------------------------------

    def get(self, application_id: int, *, actor: Actor) -> ApplicationDetail:
        """One application with its steps, files and licence; NotFound outside reach."""
        with self._uow.read() as session:
            row = self._visible(session, application_id, actor)
            return self._detail(session, row)

    def material_file(self, application_id: int, file_id: int, *, actor: Actor
                      ) -> tuple[MaterialFile, bytes]:  # fmt: skip
        """A submitted material and its bytes (checked against its SHA-256); NotFound outside
        the user's reach."""
        detail = self.get(application_id, actor=actor)
        meta = next((m for m in detail.materials if m.id == file_id), None)
        if meta is None:
            raise NotFound(f"file {file_id} of application {application_id} not found")
        return meta, self._files.get(meta.sha256)

    def mine(self, *, actor: Actor) -> list[Application]:
        """An enterprise user's applications, newest first."""
        code = self._own(actor)
        with self._uow.read() as session:
            statement = select(store.PermitApplicationRow).where(
                store.PermitApplicationRow.enterprise_uscc == code
            )
            rows = session.scalars(statement.order_by(store.PermitApplicationRow.id.desc()))
            return [self._application(row) for row in rows]

    def queue(self, *, actor: Actor, state: str | None = None) -> list[Application]:
        """Officers' work queue: open applications (or those in ``state``), earliest deadline
        first; an officer with a department sees its department's."""
        _require(actor, Permission.VIEW_PERMITS)
        with self._uow.read() as session:
            statement = select(store.PermitApplicationRow)
            if state is None:
                statement = statement.where(store.PermitApplicationRow.closed_at.is_(None))
            else:
                statement = statement.where(store.PermitApplicationRow.state == state)
            if actor.role is Role.SERVICE_OFFICER and actor.department:
                statement = statement.where(
                    store.PermitApplicationRow.department == actor.department
                )
            order = (store.PermitApplicationRow.sla_due_at, store.PermitApplicationRow.id)
            return [self._application(row) for row in session.scalars(statement.order_by(*order))]

    def overdue(self, *, actor: Actor) -> list[Application]:
        """The queue's applications whose state's clock is breached."""
        return [a for a in self.queue(actor=actor) if a.sla_status is SlaStatus.BREACHED]

    def sweep(self, now: dt.datetime | None = None) -> list[int]:
        """Deem accepted (Art. 32) applications left over 5 WD in acceptance without a
        correction notice, and escalate other breached clocks once; return the ids touched."""
        now = now or self._now()
        touched: list[int] = []
        with self._uow() as uow:
            statement = select(store.PermitApplicationRow).where(
                store.PermitApplicationRow.sla_due_at <= now,
                store.PermitApplicationRow.closed_at.is_(None),
            )
            for row in list(uow.session.scalars(statement.with_for_update())):
                clock = self._clock(row)
                if clock is None or clock.status(now) is not SlaStatus.BREACHED:
                    continue
                item = self.catalogue.item(row.item_id)
                if row.state == SUBMITTED:
                    started = clock.started_at
                    row.deemed_accepted = True
                    receipt = self._receipt(row, "accepted", now)
                    self._move(uow.session, row, item, "accept", SYSTEM,
                               f"{receipt.number}: deemed accepted from {started.isoformat()} "
                               "(行政许可法 Art. 32)", started)  # fmt: skip
                elif row.escalated_at is None:
                    row.escalated_at = now
                    self._step(uow.session, row, SYSTEM, "escalated", row.state,
                               f"{row.state} over its {row.sla_limit} working days")  # fmt: skip
                else:
                    continue
                touched.append(row.id)
            uow.commit()
        return touched

    # --- licences ---------------------------------------------------------------------------

    def licence(self, licence_id: str, *, actor: Actor) -> Licence:
        """A licence as its holder or staff see it."""
        with self._uow.read() as session:
            row = session.get(store.PermitLicenceRow, licence_id)
            if row is None:
                raise NotFound(f"licence {licence_id} not found")
            self._visible(session, row.application_id, actor)
            return self._licence(row)

    def verify(self, licence_id: str, signature: str, *, on: dt.date | None = None
               ) -> Verification:  # fmt: skip
        """The public check (no sign-in): valid, revoked, expired or forged, with the reason."""
        today = on or self._now().astimezone(SHANGHAI).date()
        with self._uow.read() as session:
            row = session.get(store.PermitLicenceRow, licence_id[:40])
            if row is None:
                return Verification(licence_id, Verdict.FORGED, "no licence with this number "
                                    "was issued (无此证照)")  # fmt: skip
            if not self.signer.check(row.payload, row.signature):
                return Verification(
                    licence_id, Verdict.FORGED, "the stored licence no longer matches its signature"
                )
            if not self.signer.check(row.payload, signature):
                return Verification(
                    licence_id,
                    Verdict.FORGED,
                    "the signature does not sign this licence (签名不符)",
                )
            payload = dict(row.payload)
            if row.revoked_at is not None:
                return Verification(licence_id, Verdict.REVOKED,
                                    f"revoked on {row.revoked_at.astimezone(SHANGHAI).date()}: "
                                    f"{row.revoked_reason}", payload)  # fmt: skip
            if row.valid_until < today:
                return Verification(
                    licence_id,
                    Verdict.EXPIRED,
                    f"expired on {row.valid_until.isoformat()}",
                    payload,
                )
            return Verification(
                licence_id,
                Verdict.VALID,
                f"signed by the platform, valid until {row.valid_until}",
                payload,
            )

    def revoke(self, licence_id: str, reason: str, *, actor: Actor) -> Licence:
        """Revoke a licence (撤销) with the reason; audited."""
        _require(actor, Permission.HANDLE_PERMITS)
        if not reason.strip():
            raise Invalid("reason", "give the reason for revoking")
        with self._uow() as uow:
            row = self._revoke(uow.session, licence_id, reason.strip(), actor)
            uow.commit()
            return self._licence(row)

    def _revoke(self, session: Session, licence_id: str, reason: str, actor: Actor
                ) -> store.PermitLicenceRow:  # fmt: skip
        row = session.get(store.PermitLicenceRow, licence_id, with_for_update=True)
        if row is None:
            raise NotFound(f"licence {licence_id} not found")
        if row.revoked_at is not None:
            raise Conflict(f"licence {licence_id} was already revoked")
        row.revoked_at, row.revoked_reason = self._now(), reason[:1000]
        self._audit.record(session, actor=actor, action="permits.revoke",
                           object_type="permit_licence", object_id=row.id,
                           after={"reason": row.revoked_reason}, detail=reason[:200])  # fmt: skip
        return row

    # --- 告知承诺 verification --------------------------------------------------------------

    def verification_tasks(self, *, actor: Actor, open_only: bool = True
                           ) -> list[VerificationTask]:  # fmt: skip
        """Post-issue verification tasks, earliest due first."""
        _require(actor, Permission.VIEW_PERMITS)
        with self._uow.read() as session:
            statement = select(store.PermitVerificationRow)
            if open_only:
                statement = statement.where(store.PermitVerificationRow.status == "open")
            order = (store.PermitVerificationRow.due_on, store.PermitVerificationRow.id)
            return [_task(row) for row in session.scalars(statement.order_by(*order))]

    def complete_verification(self, task_id: int, kept: bool, result: str, *, actor: Actor
                              ) -> VerificationTask:  # fmt: skip
        """Record the check's result; a false commitment revokes the licence and writes a
        credit record of the enterprise."""
        _require(actor, Permission.HANDLE_PERMITS)
        if not result.strip():
            raise Invalid("result", "describe what the check found")
        with self._uow() as uow:
            task = uow.session.get(store.PermitVerificationRow, task_id, with_for_update=True)
            if task is None:
                raise NotFound(f"verification task {task_id} not found")
            if task.status != "open":
                raise Conflict(f"verification task {task_id} is {task.status}")
            task.status = "kept" if kept else "false"
            task.result, task.closed_at = result.strip()[:MAX_TEXT], self._now()
            if not kept:
                self._revoke(uow.session, task.licence_id, f"虚假承诺 false commitment: "
                             f"{result.strip()[:300]}", actor)  # fmt: skip
            self._audit.record(uow.session, actor=actor, action="permits.verification_done",
                               object_type="permit_verification", object_id=str(task.id),
                               after={"status": task.status}, detail=task.result[:200])  # fmt: skip
            uow.commit()
            done = _task(task)
        if not kept and self._record_credit is not None:
            self._record_credit(
                done.enterprise_uscc,
                self._now().astimezone(SHANGHAI).date(),
                CREDIT_SOURCE,
                f"verification-{done.id}",
                "告知承诺不实 false commitment",
                {
                    "polarity": "negative",
                    "severity": "general",
                    "licence_id": done.licence_id,
                    "result": result.strip()[:300],
                },
            )
        return done

    def directed_checks(self, department: str) -> list[str]:
        """The enterprises with open 告知承诺 checks of ``department`` not yet fed to an
        inspection plan: the plan's directed targets (双随机 plan, docs/inspections.md)."""
        with self._uow.read() as session:
            statement = select(store.PermitVerificationRow.enterprise_uscc).where(
                store.PermitVerificationRow.status == "open",
                store.PermitVerificationRow.plan_id.is_(None),
                store.PermitVerificationRow.department == department,
            )
            return sorted(set(session.scalars(statement)))

    def feed_plan(self, plan_id: str, department: str, usccs: Sequence[str]) -> int:
        """Record that inspection plan ``plan_id`` took the open checks of these enterprises
        in ``department``; returns how many tasks it took."""
        with self._uow() as uow:
            statement = select(store.PermitVerificationRow).where(
                store.PermitVerificationRow.status == "open",
                store.PermitVerificationRow.plan_id.is_(None),
                store.PermitVerificationRow.department == department,
                store.PermitVerificationRow.enterprise_uscc.in_(list(usccs)),
            )
            tasks = list(uow.session.scalars(statement.with_for_update()))
            for task in tasks:
                task.plan_id = plan_id[:40]
                self._audit.record(uow.session, actor=SYSTEM, action="permits.verification_fed",
                                   object_type="permit_verification", object_id=str(task.id),
                                   after={"plan_id": task.plan_id},
                                   detail=f"承诺核查 fed to inspection plan {plan_id}")  # fmt: skip
            uow.commit()
            return len(tasks)

    # --- licences: the enterprise's own, QR code, PDF, renewal reminders ---------------------

    def my_licences(self, *, actor: Actor) -> list[Licence]:
        """An enterprise user's licences, newest first."""
        code = self._own(actor)
        with self._uow.read() as session:
            statement = select(store.PermitLicenceRow).where(
                store.PermitLicenceRow.enterprise_uscc == code
            )
            rows = session.scalars(statement.order_by(store.PermitLicenceRow.issued_at.desc()))
            return [self._licence(row) for row in rows]

    def licence_qr_svg(self, licence_id: str, *, actor: Actor) -> str:
        """The licence's QR code (its public verify URL) as SVG; holder or staff."""
        return documents.qr_svg(self.licence(licence_id, actor=actor).qr_payload)

    def licence_pdf(self, licence_id: str, *, actor: Actor) -> bytes:
        """The licence as a one-page PDF with its QR code, signature and the platform's
        public key; holder or staff. A revoked or expired licence says so on the page."""
        found = self.licence(licence_id, actor=actor)
        check = self.verify(found.id, found.signature)
        today = self._now().astimezone(SHANGHAI).date()
        status = (f"核验结果 status on {today}: {check.verdict.label()} "
                  f"{check.verdict.label('en')} — {check.reason}")  # fmt: skip
        return documents.licence_pdf(
            found.payload, found.signature, found.qr_payload, self.signer.public_key_hex(),
            status_lines=[status],
        )

    def remind_renewals(self, now: dt.datetime | None = None) -> list[str]:
        """Send a renewal reminder (续期提醒) for every licence, not revoked, that expires
        within :data:`RENEWAL_NOTICE_DAYS` days and was not reminded yet; returns their ids."""
        now = now or self._now()
        today = now.astimezone(SHANGHAI).date()
        horizon = today + dt.timedelta(days=RENEWAL_NOTICE_DAYS)
        with self._uow() as uow:
            reminded = select(store.PermitNoticeRow.licence_id).where(
                store.PermitNoticeRow.kind == RENEWAL
            )
            statement = select(store.PermitLicenceRow).where(
                store.PermitLicenceRow.revoked_at.is_(None),
                store.PermitLicenceRow.valid_until >= today,
                store.PermitLicenceRow.valid_until <= horizon,
                store.PermitLicenceRow.id.not_in(reminded),
            )
            sent: list[str] = []
            for row in uow.session.scalars(statement.order_by(store.PermitLicenceRow.id)):
                uow.session.add(_renewal_notice(row, now))
                self._audit.record(uow.session, actor=SYSTEM, action="permits.renewal_reminder",
                                   object_type="permit_licence", object_id=row.id,
                                   after={"valid_until": row.valid_until.isoformat()},
                                   detail=f"expires {row.valid_until}")  # fmt: skip
                sent.append(row.id)
            uow.commit()
        return sent

    def notices(self, *, actor: Actor, uscc: str | None = None) -> list[Notice]:
        """An enterprise's notices, newest first: the user's own (staff name the USCC)."""
        if can(actor.role, Permission.VIEW_PERMITS):
            if uscc is None:
                raise Invalid("uscc", "name the enterprise whose notices to read")
            code = validate_uscc(uscc)
        else:
            code = self._own(actor)
            if uscc is not None and validate_uscc(uscc) != code:
                raise NotFound(f"no notices of {uscc}")
        with self._uow.read() as session:
            statement = select(store.PermitNoticeRow).where(
                store.PermitNoticeRow.enterprise_uscc == code
            )
            rows = session.scalars(statement.order_by(store.PermitNoticeRow.id.desc()))
            return [Notice(r.id, r.enterprise_uscc, r.kind, r.licence_id, r.text_zh, r.text_en,
                           r.created_at) for r in rows]  # fmt: skip

    # --- internals --------------------------------------------------------------------------

    def _applicant_uscc(self, actor: Actor, uscc: str | None) -> str:
        if can(actor.role, Permission.APPLY_PERMITS):
            own = self._own(actor)
            if uscc is not None and validate_uscc(uscc) != own:
                raise Forbidden("an enterprise applies only for itself")
            return own
        _require(actor, Permission.HANDLE_PERMITS)
        if uscc is None:
            raise Invalid("uscc", "name the enterprise applied for")
        return validate_uscc(uscc)

    def _own(self, actor: Actor) -> str:
        _require(actor, Permission.APPLY_PERMITS)
        own = self._enterprise_of(actor)
        if own is None:
            raise Forbidden("the user belongs to no enterprise")
        return own

    def _visible(self, session: Session, application_id: int, actor: Actor
                 ) -> store.PermitApplicationRow:  # fmt: skip
        row = session.get(store.PermitApplicationRow, application_id)
        if can(actor.role, Permission.VIEW_PERMITS):
            if row is not None:
                return row
        elif can(actor.role, Permission.APPLY_PERMITS):
            if row is not None and row.enterprise_uscc == self._enterprise_of(actor):
                return row
        else:
            raise Forbidden(f"{actor.role.value} may not read applications")
        raise NotFound(f"application {application_id} not found")

    def _locked(self, session: Session, application_id: int, actor: Actor, *, handler: bool
                ) -> tuple[store.PermitApplicationRow, ServiceItem]:  # fmt: skip
        if handler:
            _require(actor, Permission.HANDLE_PERMITS)
        self._visible(session, application_id, actor)
        row = session.get(store.PermitApplicationRow, application_id, with_for_update=True)
        assert row is not None
        return row, self.catalogue.item(row.item_id)

    def _move(self, session: Session, row: store.PermitApplicationRow, item: ServiceItem,
              action_id: str, actor: Actor, detail: str, at: dt.datetime) -> None:  # fmt: skip
        """Apply a workflow action: check it and the role, enter the target state."""
        action = item.workflow.check(row.state, action_id)
        if actor is not SYSTEM:
            item.workflow.check_role(action, actor.role)
        source = row.state
        self._enter(row, item, action.target, at)
        self._step(session, row, actor, action_id, source, detail, to_state=action.target)

    def _enter(self, row: store.PermitApplicationRow, item: ServiceItem, state_id: str,
               at: dt.datetime) -> None:  # fmt: skip
        state = item.workflow.states[state_id]
        row.state, row.updated_at = state_id, self._now()
        row.escalated_at = None
        if state.final:
            row.closed_at = self._now()
            store.save_clock(row, None)
            return
        limit = item.statutory_working_days if state_id == REVIEW else state.sla_working_days
        assert limit is not None
        store.save_clock(row, SlaClock(limit, at, calendar=self._calendar))

    def _step(self, session: Session, row: store.PermitApplicationRow, actor: Actor,
              action: str, from_state: str | None, detail: str, *,
              to_state: str | None = None) -> None:  # fmt: skip
        session.add(store.PermitEventRow(
            application_id=row.id, at=self._now(), actor=actor.username, action=action,
            from_state=from_state, to_state=to_state or row.state, detail=detail[:1000],
        ))  # fmt: skip
        self._audit.record(session, actor=actor, action=f"permits.{action}",
                           object_type="permit_application", object_id=str(row.id),
                           after={"state": to_state or row.state}, detail=detail[:200])  # fmt: skip

    def _store_files(self, session: Session, row: store.PermitApplicationRow,
                     materials: Sequence[MaterialUpload], actor: Actor, now: dt.datetime
                     ) -> None:  # fmt: skip
        for upload in materials:
            check_size(upload.content, self._max_bytes)
            name = clean_name(upload.name)
            media_type = media_type_of(upload.content, name)
            sha, _new = self._files.put(upload.content)
            session.add(store.PermitMaterialRow(
                application_id=row.id, material_id=upload.material_id, sha256=sha, name=name,
                media_type=media_type, size=len(upload.content), uploaded_by=actor.username,
                uploaded_at=now,
            ))  # fmt: skip
        session.flush()

    def _receipt(self, row: store.PermitApplicationRow, kind: str, at: dt.datetime,
                 reason: str = "") -> Receipt:  # fmt: skip
        local = at.astimezone(SHANGHAI)
        number = f"{'SL' if kind == 'accepted' else 'BY'}{local:%Y%m%d}-{row.id:06d}"
        row.receipt_no, row.receipt_at = number, at
        verb = "受理 accepted" if kind == "accepted" else f"不予受理 not accepted: {reason}"
        text = f"{row.department} {local:%Y-%m-%d}: application {row.id} ({row.item_id}) {verb}"
        return Receipt(number, row.id, kind, row.department, at, text)

    def _issue(self, session: Session, row: store.PermitApplicationRow, item: ServiceItem,
               now: dt.datetime) -> store.PermitLicenceRow:  # fmt: skip
        issued_on = now.astimezone(SHANGHAI).date()
        valid_until = _years_later(issued_on, item.licence_valid_years)
        licence_id = f"LGP-{issued_on:%Y%m%d}-{uuid.uuid4().hex[:12].upper()}"
        payload = {
            "licence_id": licence_id, "item_id": item.id, "item_name": item.name,
            "holder_uscc": row.enterprise_uscc, "departments": list(item.departments),
            "issued_on": issued_on.isoformat(), "valid_until": valid_until.isoformat(),
            "application_id": row.id, "lane": row.lane,
        }  # fmt: skip
        licence = store.PermitLicenceRow(
            id=licence_id, application_id=row.id, item_id=item.id,
            enterprise_uscc=row.enterprise_uscc, payload=payload,
            signature=self.signer.sign(payload), issued_at=now, valid_until=valid_until,
        )  # fmt: skip
        session.add(licence)
        session.flush()
        self._audit.record(session, actor=SYSTEM, action="permits.licence_issued",
                           object_type="permit_licence", object_id=licence_id, after=payload,
                           detail=f"{item.name} for {row.enterprise_uscc}")  # fmt: skip
        return licence

    def _clock(self, row: store.PermitApplicationRow) -> SlaClock | None:
        return store.read_clock(row, self._calendar)

    def _application(self, row: store.PermitApplicationRow) -> Application:
        item = self.catalogue.item(row.item_id)
        state = item.workflow.states[row.state]
        clock, now = self._clock(row), self._now()
        as_of = max(now, clock.started_at) if clock is not None else now
        return Application(
            id=row.id, item_id=row.item_id, item_name=item.name,
            enterprise_uscc=row.enterprise_uscc, lane=Lane(row.lane), state=row.state,
            state_label=state.label_zh, final=state.final, department=row.department,
            missing=list(row.missing), correction_count=row.correction_count,
            received_at=row.received_at, receipt_no=row.receipt_no,
            deemed_accepted=row.deemed_accepted, extended=row.extended_by is not None,
            decided_at=row.decided_at, decision_reason=row.decision_reason,
            closed_at=row.closed_at, sla_limit=row.sla_limit,
            due_at=clock.due_at_as_of(as_of) if clock else None,
            sla_status=clock.status(as_of) if clock else None,
            remaining_working_days=clock.remaining_working_days(as_of) if clock else None,
            paused=clock.is_paused(as_of) if clock else False, escalated_at=row.escalated_at,
            next_actions=[a.id for a in item.workflow.actions_from(row.state)],
        )  # fmt: skip

    def _licence(self, row: store.PermitLicenceRow) -> Licence:
        return Licence(
            id=row.id, application_id=row.application_id, item_id=row.item_id,
            enterprise_uscc=row.enterprise_uscc, payload=dict(row.payload),
            signature=row.signature, issued_at=row.issued_at, valid_until=row.valid_until,
            revoked_at=row.revoked_at, revoked_reason=row.revoked_reason,
            qr_payload=qr_payload(row.id, row.signature, self._base_url),
        )  # fmt: skip

    def _detail(self, session: Session, row: store.PermitApplicationRow) -> ApplicationDetail:
        licences = store.licences_of(session, row.id)
        return ApplicationDetail(
            application=self._application(row),
            steps=[Step(e.at, e.actor, e.action, e.from_state, e.to_state, e.detail)
                   for e in store.events_of(session, row.id)],
            materials=[MaterialFile(m.id, m.material_id, m.name, m.media_type, m.size, m.sha256,
                                    m.uploaded_at) for m in store.materials_of(session, row.id)],
            licence=self._licence(licences[-1]) if licences else None,
        )  # fmt: skip


def _require(actor: Actor, permission: Permission) -> None:
    if not can(actor.role, permission):
        raise Forbidden(f"{actor.role.value} lacks {permission.value}")


def _task(row: store.PermitVerificationRow) -> VerificationTask:
    return VerificationTask(row.id, row.application_id, row.licence_id, row.enterprise_uscc,
                            row.department, row.due_on, row.status, row.result,
                            row.plan_id)  # fmt: skip


def _renewal_notice(row: store.PermitLicenceRow, now: dt.datetime) -> store.PermitNoticeRow:
    name = str(row.payload.get("item_name", row.item_id))
    return store.PermitNoticeRow(
        enterprise_uscc=row.enterprise_uscc, kind=RENEWAL, licence_id=row.id, created_at=now,
        text_zh=f"您的电子证照 {row.id}（{name}）将于 {row.valid_until} 到期，请及时申请延续。",
        text_en=f"Your e-licence {row.id} ({name}) expires on {row.valid_until}; "
                "apply to renew it in time.",
    )  # fmt: skip


def _years_later(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later, less one day (a licence of N years); 29 Feb → 28 Feb."""
    try:
        end = day.replace(year=day.year + years)
    except ValueError:
        end = day.replace(year=day.year + years, day=28)
    return end - dt.timedelta(days=1)
