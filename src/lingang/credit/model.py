"""Credit records of an enterprise (信用记录): what happened, when, where it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class RecordKind(StrEnum):
    """What a credit record tells of the enterprise."""

    VIOLATION = "violation"
    UNPAID_DUTY = "unpaid_duty"
    UNPAID_FINE = "unpaid_fine"
    CASE_OUTCOME = "case_outcome"
    SMUGGLING = "smuggling"
    AEO_CERTIFICATION = "aeo_certification"
    AWARD = "award"
    PUBLIC_CREDIT = "public_credit"

    def label(self, lang: str = "zh-CN") -> str:
        """The kind's name for people (zh-CN, or ``en``)."""
        zh, en = RECORD_KIND_LABELS[self]
        return en if lang == "en" else zh


RECORD_KIND_LABELS: dict[RecordKind, tuple[str, str]] = {
    RecordKind.VIOLATION: ("违规记录", "Violation"),
    RecordKind.UNPAID_DUTY: ("欠缴税款", "Unpaid duty"),
    RecordKind.UNPAID_FINE: ("未缴罚款", "Unpaid fine"),
    RecordKind.CASE_OUTCOME: ("案件结果", "Case outcome"),
    RecordKind.SMUGGLING: ("走私记录", "Smuggling"),
    RecordKind.AEO_CERTIFICATION: ("AEO 认证", "AEO certification"),
    RecordKind.AWARD: ("表彰奖励", "Award"),
    RecordKind.PUBLIC_CREDIT: ("公共信用信息", "Public credit information"),
}


@dataclass(frozen=True, slots=True)
class CreditRecord:
    """One credit record: ``source`` and ``source_ref`` name where it came from (unique
    together, so a replayed event adds nothing); ``details`` are the kind's own facts."""

    id: int
    enterprise_uscc: str
    kind: RecordKind
    occurred_on: dt.date
    source: str
    source_ref: str
    summary: str
    details: dict[str, Any]
    recorded_at: dt.datetime
