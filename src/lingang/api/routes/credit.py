"""Enterprise credit records (issue #6): read by staff, and by an enterprise for itself.
Rules in docs/credit.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.credit import CreditRecordsPublic, credit_record_public

router = APIRouter(prefix="/api/enterprises", tags=["credit"])


@router.get("/{uscc}/credit-records", operation_id="enterprises-credit-records",
            response_model=CreditRecordsPublic)  # fmt: skip
def credit_records(
    platform: PlatformDep,
    actor: CurrentActor,
    uscc: Annotated[str, Path(min_length=18, max_length=18)],
) -> CreditRecordsPublic:
    """The enterprise's credit records, newest first; an enterprise user reads only its own
    (any other USCC answers 404)."""
    found = platform.credit_records.records(uscc, actor=actor)
    return CreditRecordsPublic(data=[credit_record_public(r) for r in found], count=len(found))
