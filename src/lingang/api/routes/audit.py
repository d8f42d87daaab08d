"""The audit log: read it and verify its chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.audit import (
    AuditRecordsPublic,
    VerifyPublic,
    record_public,
    verify_public,
)

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("/records", operation_id="audit-records", response_model=AuditRecordsPublic)
def list_records(
    platform: PlatformDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before_seq: Annotated[int | None, Query(ge=1)] = None,
) -> AuditRecordsPublic:
    """Newest records first (auditors and administrators)."""
    with platform.uow.read() as session:
        entries = platform.audit.list_records(
            session, actor=actor, limit=limit, before_seq=before_seq
        )
    return AuditRecordsPublic(data=[record_public(e) for e in entries])


@router.post("/verify", operation_id="audit-verify", response_model=VerifyPublic)
def verify(platform: PlatformDep, actor: CurrentActor) -> VerifyPublic:
    """Verify the whole chain; each defect names its row."""
    with platform.uow.read() as session:
        report = platform.audit.verify(session, actor=actor)
    return verify_public(report)
