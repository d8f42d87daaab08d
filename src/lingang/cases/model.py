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

from enum import StrEnum

from lingang.errors import Conflict


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
