"""The case lifecycle as pure data: states, outcomes, and the transitions between them.

::

    new ──► triage ──► investigating ──► pending_approval ──► closed ──► reopened
     │        │             │   ▲               │                ▲           │
     │        └─────────────┼───┼───────────────┼────────────────┤           │
     └──────────────────────┘   └───────────────┘ (rejected)     │           │
                                        investigating ◄──────────┼───────────┘

A case closes straight from triage or investigating with any outcome except a confirmed
violation, which goes through ``pending_approval`` and needs a second officer
(:data:`NEEDS_APPROVAL`). An illegal move is refused with the moves that are allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from lingang.errors import Conflict, Invalid


class CaseState(StrEnum):
    """Where a case is in its lifecycle."""

    NEW = "new"
    TRIAGE = "triage"
    INVESTIGATING = "investigating"
    PENDING_APPROVAL = "pending_approval"
    CLOSED = "closed"
    REOPENED = "reopened"

    def label(self, lang: str = "zh-CN") -> str:
        """The state's name for people (zh-CN, or ``en``)."""
        zh, en = STATE_LABELS[self]
        return en if lang == "en" else zh


STATE_LABELS: dict[CaseState, tuple[str, str]] = {
    CaseState.NEW: ("新建", "New"),
    CaseState.TRIAGE: ("研判", "Triage"),
    CaseState.INVESTIGATING: ("核查中", "Investigating"),
    CaseState.PENDING_APPROVAL: ("待审批", "Pending approval"),
    CaseState.CLOSED: ("已结案", "Closed"),
    CaseState.REOPENED: ("已重开", "Reopened"),
}


class Outcome(StrEnum):
    """How a closed case ended; it labels the case's alerts for the risk engine."""

    CONFIRMED_VIOLATION = "confirmed_violation"
    FALSE_POSITIVE = "false_positive"
    INCONCLUSIVE = "inconclusive"
    REFERRED = "referred"

    def label(self, lang: str = "zh-CN") -> str:
        """The outcome's name for people (zh-CN, or ``en``)."""
        zh, en = OUTCOME_LABELS[self]
        return en if lang == "en" else zh


OUTCOME_LABELS: dict[Outcome, tuple[str, str]] = {
    Outcome.CONFIRMED_VIOLATION: ("确认违规", "Confirmed violation"),
    Outcome.FALSE_POSITIVE: ("误报", "False positive"),
    Outcome.INCONCLUSIVE: ("无法认定", "Inconclusive"),
    Outcome.REFERRED: ("移送", "Referred"),
}

#: outcomes that a second officer must approve before the case closes (四眼原则)
NEEDS_APPROVAL = frozenset({Outcome.CONFIRMED_VIOLATION})

TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.NEW: frozenset({CaseState.TRIAGE, CaseState.INVESTIGATING}),
    CaseState.TRIAGE: frozenset({CaseState.INVESTIGATING, CaseState.CLOSED}),
    CaseState.INVESTIGATING: frozenset({CaseState.PENDING_APPROVAL, CaseState.CLOSED}),
    CaseState.PENDING_APPROVAL: frozenset({CaseState.CLOSED, CaseState.INVESTIGATING}),
    CaseState.CLOSED: frozenset({CaseState.REOPENED}),
    CaseState.REOPENED: frozenset({CaseState.INVESTIGATING}),
}

OPEN_STATES = frozenset(CaseState) - {CaseState.CLOSED}


def allowed(state: CaseState) -> list[CaseState]:
    """The states a case in ``state`` may move to, in lifecycle order."""
    order = list(CaseState)
    return sorted(TRANSITIONS[state], key=order.index)


def check_transition(state: CaseState, target: CaseState) -> None:
    """Refuse a move the lifecycle does not allow, naming the moves that are allowed."""
    if target in TRANSITIONS[state]:
        return
    options = ", ".join(f"{s.value} ({s.label()})" for s in allowed(state))
    raise Conflict(
        f"a case in {state.value} ({state.label()}) cannot move to {target.value}; "
        f"allowed: {options}"
    )


def check_closing(state: CaseState, outcome: Outcome) -> CaseState:
    """Where a request to close with ``outcome`` takes a case in ``state``: straight to
    closed, or to pending approval for outcomes a second officer must approve."""
    target = CaseState.PENDING_APPROVAL if outcome in NEEDS_APPROVAL else CaseState.CLOSED
    if state is CaseState.PENDING_APPROVAL:
        raise Conflict("the closure already waits for a second officer's approval")
    check_transition(state, target)
    return target


class AlertSource(StrEnum):
    """Where an alert came from."""

    RISK = "risk"  # the risk engine's AlertRaised
    CREDIT = "credit"  # a change of an enterprise's credit record
    MANUAL = "manual"  # entered by a case officer (a hotline tip, 举报线索)

    def label(self, lang: str = "zh-CN") -> str:
        """The source's name for people (zh-CN, or ``en``)."""
        return _pick(ALERT_SOURCE_LABELS[self], lang)


ALERT_SOURCE_LABELS: dict[AlertSource, tuple[str, str]] = {
    AlertSource.RISK: ("风险引擎", "Risk engine"),
    AlertSource.CREDIT: ("信用变动", "Credit change"),
    AlertSource.MANUAL: ("人工录入", "Entered by hand"),
}


class AlertDisposition(StrEnum):
    """What intake did with an alert."""

    ATTACHED = "attached"  # joined (or opened) the enterprise's open case for the scenario
    SUPPRESSED = "suppressed"  # every rule it fired is suppressed for the enterprise that day
    UNATTRIBUTED = "unattributed"  # no enterprise named: recorded, no case


class TaskKind(StrEnum):
    """What a verification task asks for."""

    DOCUMENT_REVIEW = "document_review"
    ONSITE_INSPECTION = "onsite_inspection"
    LAB_TEST = "lab_test"
    INFORMATION_REQUEST = "information_request"

    def label(self, lang: str = "zh-CN") -> str:
        """The kind's name for people (zh-CN, or ``en``)."""
        return _pick(TASK_KIND_LABELS[self], lang)


TASK_KIND_LABELS: dict[TaskKind, tuple[str, str]] = {
    TaskKind.DOCUMENT_REVIEW: ("单证审核", "Document review"),
    TaskKind.ONSITE_INSPECTION: ("现场核查", "On-site inspection"),
    TaskKind.LAB_TEST: ("送检化验", "Lab test"),
    TaskKind.INFORMATION_REQUEST: ("要求企业补充材料", "Request for information"),
}


class TaskStatus(StrEnum):
    """Where a task is; only ``open`` tasks block closing."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"

    def label(self, lang: str = "zh-CN") -> str:
        """The status's name for people (zh-CN, or ``en``)."""
        return _pick(TASK_STATUS_LABELS[self], lang)


TASK_STATUS_LABELS: dict[TaskStatus, tuple[str, str]] = {
    TaskStatus.OPEN: ("进行中", "Open"),
    TaskStatus.DONE: ("已完成", "Done"),
    TaskStatus.CANCELLED: ("已取消", "Cancelled"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


#: where a case whose scenario is unknown is grouped
UNCLASSIFIED = "unclassified"
MAX_GOODS_SEIZED = 500
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Disposal:
    """The disposal record of a closing (处置结果): amounts in RMB, goods seized as text."""

    penalty_rmb: Decimal = Decimal("0.00")
    duty_recovered_rmb: Decimal = Decimal("0.00")
    goods_seized: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Disposal:
        """Validate a mapping of the three named fields; errors name ``disposal.<field>``."""
        unknown = sorted(set(data) - set(DISPOSAL_FIELDS))
        if unknown:
            raise Invalid(f"disposal.{unknown[0]}", f"unknown field; expected {DISPOSAL_FIELDS}")
        goods = data.get("goods_seized", "")
        if not isinstance(goods, str):
            raise Invalid("disposal.goods_seized", "must be text")
        if len(goods.strip()) > MAX_GOODS_SEIZED:
            raise Invalid("disposal.goods_seized", f"at most {MAX_GOODS_SEIZED} characters")
        return cls(
            penalty_rmb=_amount("penalty_rmb", data.get("penalty_rmb", 0)),
            duty_recovered_rmb=_amount("duty_recovered_rmb", data.get("duty_recovered_rmb", 0)),
            goods_seized=goods.strip(),
        )

    def to_data(self) -> dict[str, str]:
        """The JSON form: amounts as decimal strings with two places."""
        return {
            "penalty_rmb": str(self.penalty_rmb),
            "duty_recovered_rmb": str(self.duty_recovered_rmb),
            "goods_seized": self.goods_seized,
        }


DISPOSAL_FIELDS = ("penalty_rmb", "duty_recovered_rmb", "goods_seized")


def _amount(name: str, value: object) -> Decimal:
    """A non-negative RMB amount with at most two decimal places."""
    field = f"disposal.{name}"
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid(field, "must be a number of RMB")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(field, f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise Invalid(field, "must be a finite number")
    if amount < 0:
        raise Invalid(field, f"must not be negative, got {amount}")
    if amount != amount.quantize(_CENT):
        raise Invalid(field, "at most two decimal places (fen)")
    return amount.quantize(_CENT)


@dataclass(frozen=True)
class CaseRouting:
    """Which department gets a new case: by scenario, else the default department."""

    default: str
    by_scenario: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.default.strip():
            raise Invalid("routing.default", "a default department is required")
        blank = [scenario for scenario, unit in self.by_scenario.items() if not unit.strip()]
        if blank:
            raise Invalid(f"routing.by_scenario.{blank[0]}", "department is blank")

    def department_for(self, scenario: str) -> str:
        """The department that handles cases of ``scenario``."""
        return self.by_scenario.get(scenario, self.default)


#: the shipped routing; a deployment passes its own to :class:`CaseService`
DEFAULT_ROUTING = CaseRouting(
    default="核查一处",
    by_scenario={
        "dg_misdeclaration": "查验一处",
        "bonded_leakage": "保税监管处",
        "circular_flow": "稽查处",
        "payment_mismatch": "稽查处",
        "shell_company": "稽查处",
    },
)


@dataclass(frozen=True)
class SlaPolicy:
    """The time limit of a case in working days: per scenario, else the default."""

    default_working_days: int = 15
    by_scenario: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        limits = {"default_working_days": self.default_working_days}
        limits |= {f"by_scenario.{key}": days for key, days in self.by_scenario.items()}
        for name, days in limits.items():
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise Invalid(f"sla.{name}", f"must be whole working days ≥ 1, got {days!r}")

    def limit_for(self, scenario: str) -> int:
        """Working days a case of ``scenario`` may stay open."""
        return self.by_scenario.get(scenario, self.default_working_days)


#: what each kind of timeline entry is called (zh-CN, en); the entry's detail says the rest
TIMELINE_LABELS: dict[str, tuple[str, str]] = {
    "opened": ("立案", "Opened"),
    "alert_attached": ("关联预警", "Alert attached"),
    "moved": ("状态变更", "Moved"),
    "assigned": ("指派", "Assigned"),
    "auto_assigned": ("自动指派", "Assigned by workload"),
    "closure_requested": ("申请结案", "Closure requested"),
    "closure_rejected": ("退回结案申请", "Closure sent back"),
    "closed": ("结案", "Closed"),
    "reopened": ("重新打开", "Reopened"),
    "paused": ("时限暂停", "Clock paused"),
    "resumed": ("时限恢复", "Clock resumed"),
    "escalated": ("超期上报", "Escalated"),
    "task_added": ("新增任务", "Task added"),
    "task_done": ("任务完成", "Task done"),
    "task_cancelled": ("任务取消", "Task cancelled"),
    "attachment_added": ("上传附件", "Attachment added"),
    "commented": ("评论", "Comment"),
    "request_answered": ("企业答复", "Enterprise answered"),
}


def timeline_label(kind: str, lang: str = "zh-CN") -> str:
    """The name of a timeline entry's kind for people (the kind itself when unknown)."""
    pair = TIMELINE_LABELS.get(kind)
    if pair is None:
        return kind
    return pair[1] if lang == "en" else pair[0]
