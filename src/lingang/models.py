"""Every ORM table of the platform, imported so that migrations see one complete metadata."""

from __future__ import annotations

from lingang.audit.store import AuditHeadRow, AuditRecordRow
from lingang.auth.store import AuthSessionRow, LoginAttemptRow, UserRow
from lingang.bus.outbox import OutboxRow, ProcessedEvent
from lingang.cases.store import (
    CaseAlertRow,
    CaseAttachmentRow,
    CaseCommentRow,
    CaseRow,
    CaseTaskRow,
    CaseTimelineRow,
    RuleSuppressionRow,
)
from lingang.city.sensors.store import CityDeadLetterRow, CitySensorRow
from lingang.city.store import CityEventRow, CityStepRow, CityTrainingRow
from lingang.credit.store import (
    CreditGradeRow,
    CreditObjectionRow,
    CreditProfileRow,
    CreditRecordRow,
    CreditRepairRow,
    CreditStandingRow,
)
from lingang.db import Base
from lingang.entities.store import EnterpriseRow
from lingang.inspections.store import (
    InspectionItemRow,
    InspectionPlanRow,
    InspectionResultRow,
    InspectorRow,
)
from lingang.lake.ledger import LakeImportRow
from lingang.permits.rating_store import PermitRatingRow, PermitRectificationRow
from lingang.permits.store import (
    PermitApplicationRow,
    PermitEventRow,
    PermitLicenceRow,
    PermitMaterialRow,
    PermitVerificationRow,
)
from lingang.plan.store import PlanIndicatorRow, PlanObservationRow
from lingang.policies.store import (
    PolicyGrantRow,
    PolicyInboxRow,
    PolicyMatchRow,
    PolicyProfileRow,
    PolicyRow,
)
from lingang.risk.assessments.store import AssessmentRow
from lingang.risk.lists.store import RiskListItemRow, RiskListRow
from lingang.risk.rulesets.store import RuleSetVersionRow

metadata = Base.metadata

__all__ = [
    "AssessmentRow",
    "AuditHeadRow",
    "AuditRecordRow",
    "AuthSessionRow",
    "CaseAlertRow",
    "CaseAttachmentRow",
    "CaseCommentRow",
    "CaseRow",
    "CaseTaskRow",
    "CaseTimelineRow",
    "CityDeadLetterRow",
    "CityEventRow",
    "CitySensorRow",
    "CityStepRow",
    "CityTrainingRow",
    "CreditGradeRow",
    "CreditObjectionRow",
    "CreditProfileRow",
    "CreditRecordRow",
    "CreditRepairRow",
    "CreditStandingRow",
    "EnterpriseRow",
    "InspectionItemRow",
    "InspectionPlanRow",
    "InspectionResultRow",
    "InspectorRow",
    "LakeImportRow",
    "LoginAttemptRow",
    "OutboxRow",
    "PermitApplicationRow",
    "PermitEventRow",
    "PermitLicenceRow",
    "PermitMaterialRow",
    "PermitRatingRow",
    "PermitRectificationRow",
    "PermitVerificationRow",
    "PlanIndicatorRow",
    "PlanObservationRow",
    "PolicyGrantRow",
    "PolicyInboxRow",
    "PolicyMatchRow",
    "PolicyProfileRow",
    "PolicyRow",
    "ProcessedEvent",
    "RiskListItemRow",
    "RiskListRow",
    "RuleSetVersionRow",
    "RuleSuppressionRow",
    "UserRow",
    "metadata",
]
