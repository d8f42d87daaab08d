"""The record of a case (issue #5 §7): attachments, comments, the enterprise's answers to
information requests, and the PDF report. ``CaseRecords`` is wired as
``platform.case_records`` next to :class:`~lingang.cases.service.CaseService`, whose
visibility rules, timeline and SLA clock it uses.

- Attachments are stored by SHA-256 (:mod:`lingang.cases.attachments`): size limited, type
  read from the content; each upload is a row naming the case (and the request, for an
  enterprise's answer), who uploaded it and when.
- Every change (attachment, comment, answer) writes a timeline entry and an audit record.
  Reads that hand data out (an attachment's content, the PDF report) write an audit record.
- An enterprise user lists and answers only the information requests addressed to its own
  enterprise; any other id answers ``NotFound``. Answering ends the request, which runs the
  case's SLA clock again when no other request to the enterprise is open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission, can
from lingang.auth.service import require
from lingang.cases import store
from lingang.cases.attachments import (
    DEFAULT_MAX_BYTES,
    AttachmentStore,
    check_size,
    clean_name,
    media_type_of,
)
from lingang.cases.model import CaseState, TaskStatus
from lingang.cases.report import build_report
from lingang.cases.service import CaseService
from lingang.db import UnitOfWorkFactory
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.types import Actor

EnterpriseOf = Callable[[Actor], str | None]
"""The USCC of an enterprise user's own enterprise (None when it has none)."""
NameOf = Callable[[str], str | None]
"""The registered Chinese name of an enterprise, by USCC (None when not registered)."""

MAX_COMMENT = 2000
MAX_ANSWER = 2000


@dataclass(frozen=True, slots=True)
class Attachment:
    """One upload to a case; the content is read with :meth:`CaseRecords.attachment`."""

    id: int
    case_id: int
    task_id: int | None
    sha256: str
    name: str
    media_type: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on a case."""

    id: int
    case_id: int
    author: str
    at: dt.datetime
    text: str


@dataclass(frozen=True, slots=True)
class EnterpriseRequest:
    """An information request as the enterprise it is addressed to sees it."""

    id: int
    case_id: int
    title: str
    due_on: dt.date | None
    status: TaskStatus
    asked_at: dt.datetime
    answer: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    attachments: list[Attachment]


class CaseRecords:
    """Attachments, comments, enterprise answers and the PDF report of cases.

    ``files`` holds the content, ``enterprise_of`` names an enterprise user's USCC,
    ``max_bytes`` limits one file (``LINGANG_CASE_ATTACHMENT_MAX_BYTES``, 20 MiB by default).
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        audit: AuditService,
        cases: CaseService,
        files: AttachmentStore,
        *,
        enterprise_of: EnterpriseOf,
        name_of: NameOf | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if max_bytes < 1:
            raise Invalid("max_bytes", "must be ≥ 1")
        self._uow = uow
        self._audit = audit
        self._cases = cases
        self.files = files
        self._enterprise_of = enterprise_of
        self._name_of: NameOf = name_of or (lambda _uscc: None)
        self.max_bytes = max_bytes

    # --- attachments -----------------------------------------------------------------------

    def add_attachment(
        self, case_id: int, name: str, content: bytes, *, actor: Actor
    ) -> Attachment:
        """Attach a file to an open case: at most ``max_bytes``, of an allowed type read from
        the content (the name is kept as given, without folders)."""
        require(actor, Permission.MANAGE_CASES)
        clean, media_type = self._checked_file(name, content)
        with self._uow() as uow:
            row = self._cases.lock_visible(uow.session, case_id, actor)
            _require_open(row)
            meta = self._store_file(uow.session, row.id, None, clean, media_type, content, actor)
            self._cases.record_change(
                uow.session, row, actor, "attachment_added",
                (f"{clean}（{media_type}，{meta.size} 字节）",
                 f"{clean} ({media_type}, {meta.size} bytes)"),
                {"attachment_id": meta.id, "sha256": meta.sha256, "media_type": media_type,
                 "size": meta.size},
            )  # fmt: skip
            uow.commit()
            return _attachment(meta)

    def attachments(self, case_id: int, *, actor: Actor) -> list[Attachment]:
        """A case's attachments, oldest first."""
        require(actor, Permission.VIEW_CASES)
        with self._uow.read() as session:
            self._cases.visible_case(session, case_id, actor)
            return [_attachment(row) for row in store.attachments_of(session, case_id)]

    def attachment(self, ref: int | str, *, actor: Actor) -> tuple[Attachment, bytes]:
        """An attachment and its content, by row id or SHA-256; the content's hash is checked
        (``AttachmentDamaged`` when it no longer matches). Officers reach the attachments of
        the cases they see; enterprise users those of their own enterprise's answers."""
        with self._uow() as uow:
            meta = self._readable(uow.session, ref, actor)
            content = self.files.get(meta.sha256)
            self._audit.record(uow.session, actor=actor, action="cases.attachment_read",
                               object_type="case_attachment", object_id=str(meta.id),
                               after={"sha256": meta.sha256},
                               detail=f"case {meta.case_id}: {meta.name}")  # fmt: skip
            uow.commit()
            return _attachment(meta), content

    def _readable(self, session: Session, ref: int | str, actor: Actor) -> store.CaseAttachmentRow:
        if isinstance(ref, int) and not isinstance(ref, bool):
            found = session.get(store.CaseAttachmentRow, ref)
            rows = [found] if found is not None else []
        else:
            rows = store.attachments_by_sha(session, str(ref).strip().lower())
        for row in rows:
            if self._may_read(session, row, actor):
                return row
        raise NotFound(f"attachment {ref} not found")

    def _may_read(self, session: Session, row: store.CaseAttachmentRow, actor: Actor) -> bool:
        if actor.is_enterprise:
            uscc = self._enterprise_of(actor)
            if uscc is None or row.task_id is None:
                return False
            return bool(store.enterprise_requests(session, uscc, row.task_id))
        if not can(actor.role, Permission.VIEW_CASES):
            return False
        try:
            self._cases.visible_case(session, row.case_id, actor)
        except NotFound:
            return False
        return True

    def _checked_file(self, name: str, content: bytes) -> tuple[str, str]:
        if not isinstance(content, bytes | bytearray):
            raise Invalid("file", "expected the file's bytes")
        check_size(content, self.max_bytes)
        clean = clean_name(name)
        return clean, media_type_of(bytes(content), clean)

    def _store_file(
        self, session: Session, case_id: int, task_id: int | None, name: str, media_type: str,
        content: bytes, actor: Actor,
    ) -> store.CaseAttachmentRow:  # fmt: skip
        """Write the content (once per hash) and its row; a file written for a transaction
        that then rolls back stays on disk, unreferenced and harmless."""
        sha, _ = self.files.put(bytes(content))
        meta = store.CaseAttachmentRow(
            case_id=case_id, task_id=task_id, sha256=sha, name=name, media_type=media_type,
            size=len(content), uploaded_by=actor.username, uploaded_at=self._cases.now(),
        )  # fmt: skip
        session.add(meta)
        session.flush()
        return meta

    # --- comments --------------------------------------------------------------------------

    def add_comment(self, case_id: int, text: str, *, actor: Actor) -> Comment:
        """Comment on an open case (1–2000 characters)."""
        require(actor, Permission.MANAGE_CASES)
        body = _text("text", text, MAX_COMMENT)
        with self._uow() as uow:
            row = self._cases.lock_visible(uow.session, case_id, actor)
            _require_open(row)
            comment = store.CaseCommentRow(case_id=row.id, author=actor.username,
                                           at=self._cases.now(), text=body)  # fmt: skip
            uow.session.add(comment)
            uow.session.flush()
            self._cases.record_change(uow.session, row, actor, "commented", body,
                                      {"comment_id": comment.id})  # fmt: skip
            uow.commit()
            return _comment(comment)

    def comments(self, case_id: int, *, actor: Actor) -> list[Comment]:
        """A case's comments, oldest first."""
        require(actor, Permission.VIEW_CASES)
        with self._uow.read() as session:
            self._cases.visible_case(session, case_id, actor)
            return [_comment(row) for row in store.comments_of(session, case_id)]

    # --- information requests, as the enterprise sees them ----------------------------------

    def enterprise_requests(self, *, actor: Actor) -> list[EnterpriseRequest]:
        """The information requests addressed to the actor's own enterprise, oldest first."""
        uscc = self._own_enterprise(actor)
        if uscc is None:
            return []
        with self._uow.read() as session:
            return [
                self._request(session, task) for task, _ in store.enterprise_requests(session, uscc)
            ]

    def answer_request(
        self, task_id: int, text: str, *, actor: Actor,
        attachment: tuple[str, bytes] | None = None,
    ) -> EnterpriseRequest:  # fmt: skip
        """The enterprise answers an open request addressed to it, with an optional file
        ``(name, content)``. The request is done; the SLA clock runs again when no other
        request to the enterprise is open. Any other request id answers ``NotFound``."""
        uscc = self._own_enterprise(actor)
        answer = _text("text", text, MAX_ANSWER)
        checked = self._checked_file(*attachment) if attachment is not None else None
        with self._uow() as uow:
            session = uow.session
            found = store.enterprise_requests(session, uscc, task_id) if uscc else []
            if not found:
                raise NotFound(f"request {task_id} not found")
            task, case = found[0]
            row = store.case_for_update(session, case.id)
            session.refresh(task)
            if row is None:  # pragma: no cover - the join found it
                raise NotFound(f"request {task_id} not found")
            if task.status != TaskStatus.OPEN.value:
                raise Conflict(f"request {task_id} is {task.status}")
            data: dict[str, object] = {"task_id": task.id}
            if checked is not None and attachment is not None:
                name, media_type = checked
                meta = self._store_file(session, row.id, task.id, name, media_type,
                                        attachment[1], actor)  # fmt: skip
                data |= {"attachment_id": meta.id, "sha256": meta.sha256}
            task.status, task.result = TaskStatus.DONE.value, answer
            task.closed_by, task.closed_at = actor.username, self._cases.now()
            self._cases.record_change(session, row, actor, "request_answered",
                                      f"{task.title}: {answer}", dict(data))  # fmt: skip
            self._cases.request_ended(session, row, task, actor)
            uow.commit()
            return self._request(session, task)

    def _own_enterprise(self, actor: Actor) -> str | None:
        if not actor.is_enterprise:
            raise Forbidden("only enterprise users see and answer information requests")
        return self._enterprise_of(actor)

    def _request(self, session: Session, task: store.CaseTaskRow) -> EnterpriseRequest:
        files = [
            _attachment(row)
            for row in store.attachments_of(session, task.case_id)
            if row.task_id == task.id
        ]
        done = task.status == TaskStatus.DONE.value
        return EnterpriseRequest(
            id=task.id, case_id=task.case_id, title=task.title, due_on=task.due_on,
            status=TaskStatus(task.status), asked_at=task.created_at,
            answer=task.result if done else None, answered_by=task.closed_by if done else None,
            answered_at=task.closed_at if done else None, attachments=files,
        )  # fmt: skip

    # --- report ----------------------------------------------------------------------------

    def report_pdf(self, case_id: int, *, actor: Actor) -> bytes:
        """The case report (核查处置报告) as a PDF in Chinese; the export is audited."""
        detail = self._cases.get(case_id, actor=actor)
        with self._uow() as uow:
            comments = [_comment(row) for row in store.comments_of(uow.session, case_id)]
            files = [_attachment(row) for row in store.attachments_of(uow.session, case_id)]
            generated_at = self._cases.now()
            name = self._name_of(detail.case.enterprise_uscc)
            pdf = build_report(detail, comments=comments, attachments=files,
                               generated_by=actor.username, generated_at=generated_at,
                               enterprise_name=name)  # fmt: skip
            self._audit.record(uow.session, actor=actor, action="cases.report_exported",
                               object_type="case", object_id=str(case_id),
                               after={"bytes": len(pdf)},
                               detail=f"case {case_id} report (PDF)")  # fmt: skip
            uow.commit()
        return pdf



def _require_open(row: store.CaseRow) -> None:
    if row.state == CaseState.CLOSED.value:
        raise Conflict(f"case {row.id} is closed; reopen it first")


def _text(field: str, value: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(field, "write something")
    if len(value.strip()) > limit:
        raise Invalid(field, f"at most {limit} characters")
    return value.strip()


def _attachment(row: store.CaseAttachmentRow) -> Attachment:
    return Attachment(
        id=row.id, case_id=row.case_id, task_id=row.task_id, sha256=row.sha256, name=row.name,
        media_type=row.media_type, size=row.size, uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )  # fmt: skip


def _comment(row: store.CaseCommentRow) -> Comment:
    return Comment(id=row.id, case_id=row.case_id, author=row.author, at=row.at, text=row.text)
