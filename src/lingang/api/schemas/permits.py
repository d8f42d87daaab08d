"""Wire schemas of 一网通办 (issue #8): the catalogue, applications, receipts, e-licences and
their public verification. Rules in docs/permits.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lingang.permits.licences import Verdict, Verification
from lingang.permits.model import Lane, PauseKind, ServiceItem
from lingang.workdays import SlaStatus


class StatePublic(BaseModel):
    """One workflow state."""

    id: str
    label: str
    sla_working_days: int | None
    final: bool
    extension_working_days: int


class ActionPublic(BaseModel):
    """One workflow action and the roles allowed."""

    id: str
    label: str
    source: str = Field(serialization_alias="from")
    target: str = Field(serialization_alias="to")
    roles: list[str]


class ItemPublic(BaseModel):
    """A service item (办事指南) with its workflow."""

    id: str
    name: str
    legal_basis: list[str]
    departments: list[str]
    materials: list[dict[str, Any]]
    statutory_working_days: int
    fee_rmb: str
    commitment_allowed: bool
    bundle: bool
    workflow: str
    states: list[StatePublic]
    actions: list[ActionPublic]


def item_public(item: ServiceItem) -> ItemPublic:
    """The wire form of an item."""
    flow = item.workflow
    return ItemPublic(
        id=item.id, name=item.name, legal_basis=list(item.legal_basis),
        departments=list(item.departments),
        materials=[{"id": m.id, "name": m.name,
                    "waivable_by_commitment": m.waivable_by_commitment} for m in item.materials],
        statutory_working_days=item.statutory_working_days, fee_rmb=str(item.fee_rmb),
        commitment_allowed=item.commitment_allowed, bundle=item.bundle, workflow=flow.id,
        states=[StatePublic(id=s.id, label=s.label_zh, sla_working_days=s.sla_working_days,
                            final=s.final, extension_working_days=s.extension_working_days)
                for s in flow.states.values()],
        actions=[ActionPublic(id=a.id, label=a.label_zh, source=a.source, target=a.target,
                              roles=sorted(a.roles)) for a in flow.actions.values()],
    )  # fmt: skip


class ApplicationPublic(BaseModel):
    """An application and its clock."""

    model_config = ConfigDict(from_attributes=True)

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


class StepPublic(BaseModel):
    """One step of an application."""

    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    detail: str


class MaterialPublic(BaseModel):
    """A submitted file (metadata)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    material_id: str
    name: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class LicencePublic(BaseModel):
    """An e-licence: the signed payload, the signature and the QR code's payload."""

    model_config = ConfigDict(from_attributes=True)

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
    qr_payload: str = Field(description="what the QR code encodes: the public verify URL")


class ApplicationDetailPublic(BaseModel):
    """An application with its steps, files and licence."""

    model_config = ConfigDict(from_attributes=True)

    application: ApplicationPublic
    steps: list[StepPublic]
    materials: list[MaterialPublic]
    licence: LicencePublic | None


class ReceiptPublic(BaseModel):
    """A dated receipt of acceptance or refusal."""

    model_config = ConfigDict(from_attributes=True)

    number: str
    application_id: int
    kind: str
    department: str
    at: dt.datetime
    text: str


class VerificationTaskPublic(BaseModel):
    """A post-issue 告知承诺 check."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: int
    licence_id: str
    enterprise_uscc: str
    department: str
    due_on: dt.date
    status: str
    result: str | None
    plan_id: str | None = Field(
        default=None, description="the inspection plan that took this check (双随机, 定向)"
    )


class NoticePublic(BaseModel):
    """A notice to an enterprise about one of its licences (a renewal reminder)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_uscc: str
    kind: str
    licence_id: str
    text_zh: str
    text_en: str
    created_at: dt.datetime


class VerifyPublic(BaseModel):
    """The public verify answer."""

    licence_id: str
    verdict: Verdict
    verdict_label: str
    reason: str
    payload: dict[str, Any] | None


def verify_public(found: Verification) -> VerifyPublic:
    """The wire form of a verification."""
    return VerifyPublic(licence_id=found.licence_id, verdict=found.verdict,
                        verdict_label=found.verdict.label(), reason=found.reason,
                        payload=found.payload)  # fmt: skip


class CorrectionRequest(BaseModel):
    """The one correction notice: the missing items (default: materials with no file)."""

    missing: list[str] | None = None
    note: str = ""


class ReasonRequest(BaseModel):
    """A reason (reject, revoke)."""

    reason: str = Field(min_length=1, max_length=2000)


class PauseRequest(BaseModel):
    """Why the review clock stops (Art. 45)."""

    kind: PauseKind
    note: str = ""


class ExtendRequest(BaseModel):
    """An extension with the head's approval (Art. 42)."""

    reason: str = Field(min_length=1, max_length=1000)
    approved_by: str = Field(min_length=1, max_length=120)


class DecisionRequest(BaseModel):
    """Grant or refuse."""

    grant: bool
    reason: str = ""


class VerificationResult(BaseModel):
    """The result of a 告知承诺 check: kept, or false (revokes the licence)."""

    kept: bool
    result: str = Field(min_length=1, max_length=2000)
