"""Wire schemas of enterprise credit records. Rules in docs/credit.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from lingang.api.schemas.cases import LabelPublic
from lingang.credit.model import RECORD_KIND_LABELS, CreditRecord, RecordKind


class CreditRecordPublic(BaseModel):
    """One credit record of an enterprise."""

    id: int
    enterprise_uscc: str
    kind: RecordKind = Field(examples=["case_outcome"])
    kind_label: LabelPublic
    occurred_on: dt.date
    source: str = Field(examples=["cases"], description="where the record came from")
    source_ref: str = Field(examples=["42/0/case_outcome"])
    summary: str
    details: dict[str, Any]
    recorded_at: dt.datetime


class CreditRecordsPublic(BaseModel):
    """An enterprise's credit records, newest first."""

    data: list[CreditRecordPublic]
    count: int


def credit_record_public(record: CreditRecord) -> CreditRecordPublic:
    zh, en = RECORD_KIND_LABELS[record.kind]
    return CreditRecordPublic(
        id=record.id, enterprise_uscc=record.enterprise_uscc, kind=record.kind,
        kind_label=LabelPublic(zh=zh, en=en), occurred_on=record.occurred_on,
        source=record.source, source_ref=record.source_ref, summary=record.summary,
        details=record.details, recorded_at=record.recorded_at,
    )  # fmt: skip
