"""Wire schemas of the audit log."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from lingang.audit.model import AuditEntry, VerifyReport


class AuditRecordPublic(BaseModel):
    """One audit record."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before_digest: str | None
    after_digest: str | None
    detail: str
    hash: str


class AuditRecordsPublic(BaseModel):
    """A page of audit records, newest first."""

    data: list[AuditRecordPublic]


class FindingPublic(BaseModel):
    """One defect in the chain."""

    kind: str
    seq: int
    message: str


class VerifyPublic(BaseModel):
    """The outcome of verifying the chain."""

    ok: bool
    checked: int
    head_seq: int
    findings: list[FindingPublic]


def record_public(entry: AuditEntry) -> AuditRecordPublic:
    """Domain entry → wire schema."""
    return AuditRecordPublic(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before_digest=entry.before_digest,
        after_digest=entry.after_digest,
        detail=entry.detail,
        hash=entry.hash,
    )


def verify_public(report: VerifyReport) -> VerifyPublic:
    """Domain report → wire schema."""
    return VerifyPublic(
        ok=report.ok,
        checked=report.checked,
        head_seq=report.head_seq,
        findings=[
            FindingPublic(kind=f.kind.value, seq=f.seq, message=f.message) for f in report.findings
        ],
    )
