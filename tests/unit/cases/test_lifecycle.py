"""The case state machine: legal moves, refusals that name what is allowed, four-eyes closing."""

from __future__ import annotations

import pytest

from lingang.cases.model import (
    OPEN_STATES,
    TRANSITIONS,
    CaseState,
    Outcome,
    allowed,
    check_closing,
    check_transition,
)
from lingang.errors import Conflict


def test_every_state_is_reachable_and_can_be_left() -> None:
    reached = {target for targets in TRANSITIONS.values() for target in targets}
    assert reached | {CaseState.NEW} == set(CaseState)
    assert all(TRANSITIONS[state] for state in CaseState)
    assert CaseState.CLOSED not in OPEN_STATES


@pytest.mark.parametrize(
    ("state", "target"),
    [(s, t) for s in CaseState for t in CaseState if t not in TRANSITIONS[s]],
)
def test_an_illegal_move_is_refused_with_the_allowed_ones(
    state: CaseState, target: CaseState
) -> None:
    with pytest.raises(Conflict) as refused:
        check_transition(state, target)
    for option in allowed(state):
        assert option.value in refused.value.message
    assert f"cannot move to {target.value}" in refused.value.message


def test_a_confirmed_violation_waits_for_approval_and_others_close_at_once() -> None:
    assert check_closing(CaseState.INVESTIGATING, Outcome.CONFIRMED_VIOLATION) is (
        CaseState.PENDING_APPROVAL
    )
    for outcome in (Outcome.FALSE_POSITIVE, Outcome.INCONCLUSIVE, Outcome.REFERRED):
        assert check_closing(CaseState.INVESTIGATING, outcome) is CaseState.CLOSED
    assert check_closing(CaseState.TRIAGE, Outcome.FALSE_POSITIVE) is CaseState.CLOSED
    with pytest.raises(Conflict, match="allowed: investigating"):
        check_closing(CaseState.TRIAGE, Outcome.CONFIRMED_VIOLATION)
    with pytest.raises(Conflict, match="already waits"):
        check_closing(CaseState.PENDING_APPROVAL, Outcome.INCONCLUSIVE)
    with pytest.raises(Conflict, match="allowed: reopened"):
        check_closing(CaseState.CLOSED, Outcome.FALSE_POSITIVE)


def test_labels_speak_chinese_first() -> None:
    assert CaseState.PENDING_APPROVAL.label() == "待审批"
    assert CaseState.PENDING_APPROVAL.label("en") == "Pending approval"
    assert Outcome.CONFIRMED_VIOLATION.label() == "确认违规"


def test_every_timeline_kind_the_cases_package_writes_has_a_label() -> None:
    import re
    from pathlib import Path

    from lingang.cases import model

    package = Path(model.__file__).parent
    source = "\n".join(path.read_text(encoding="utf-8") for path in package.glob("*.py"))
    written = set(re.findall(r'(?:_log|record_change|_set_assignee)\([^"{]*?"([a-z_]+)"', source))
    assert written, "no timeline kinds found: the pattern no longer matches the code"
    assert written <= set(model.TIMELINE_LABELS), written - set(model.TIMELINE_LABELS)
    assert model.timeline_label("closed") == "结案"
    assert model.timeline_label("closed", "en") == "Closed"
    assert model.timeline_label("something_new") == "something_new"
