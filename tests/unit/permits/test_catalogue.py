"""The service catalogue: the shipped items load, and an incomplete workflow is refused with
an error naming the item or workflow and the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from lingang.errors import Conflict, Invalid, NotFound
from lingang.permits.model import load_catalogue, parse_catalogue
from lingang.types import Role

FLOW: dict[str, Any] = {
    "start": "submitted",
    "states": {
        "submitted": {"sla_working_days": 5},
        "correction": {"sla_working_days": 20},
        "review": {"sla_working_days": 20, "extension_working_days": 10},
        "granted": {"sla_working_days": 10},
        "issued": {"final": True},
        "refused": {"final": True},
        "rejected": {"final": True},
    },
    "actions": {
        "request_correction": {"from": "submitted", "to": "correction", "roles": ["admin"]},
        "resubmit": {"from": "correction", "to": "submitted", "roles": ["enterprise"]},
        "accept": {"from": "submitted", "to": "review", "roles": ["service_officer"]},
        "reject": {"from": "submitted", "to": "rejected", "roles": ["service_officer"]},
        "grant": {"from": "review", "to": "granted", "roles": ["service_officer"]},
        "refuse": {"from": "review", "to": "refused", "roles": ["service_officer"]},
        "issue": {"from": "granted", "to": "issued", "roles": ["service_officer"]},
    },
}
ITEM: dict[str, Any] = {
    "id": "x", "name": "X 许可", "legal_basis": ["行政许可法"], "departments": ["A 局"],
    "materials": [{"id": "form", "name": "申请表"}], "statutory_working_days": 20,
    "workflow": "w",
}  # fmt: skip


def document(**changes: Any) -> str:
    data: dict[str, Any] = {"version": "t", "workflows": {"w": copy.deepcopy(FLOW)},
                            "items": [dict(ITEM)]}  # fmt: skip
    for path, value in changes.items():
        node: Any = data
        *parents, last = path.split("__")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return yaml.safe_dump(data, allow_unicode=True)


def test_the_shipped_catalogue_has_five_items_and_a_bundle_across_departments() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.items) >= 5
    bundles = [item for item in catalogue.items.values() if item.bundle]
    assert bundles and len(bundles[0].departments) >= 3
    assert bundles[0].workflow.states["review"].sla_working_days == 45  # Art. 42(2)
    assert any(item.commitment_allowed for item in catalogue.items.values())
    with pytest.raises(NotFound):
        catalogue.item("nope")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"workflows__w__states__review__sla_working_days": None},
         "workflows.w.states.review.sla_working_days"),
        ({"workflows__w__actions__grant__roles": ["clerk"]}, "workflows.w.actions.grant.roles"),
        ({"workflows__w__actions__issue__to": "nowhere"}, "workflows.w.actions.issue.to"),
        ({"workflows__w__states__limbo": {"sla_working_days": 3}}, "workflows.w.states.limbo"),
        ({"workflows__w__start": "draft"}, "workflows.w.start"),
        ({"items__0__workflow": "other"}, "items.x.workflow"),
        ({"items__0__statutory_working_days": 0}, "items.x.statutory_working_days"),
        ({"items__0__legal_basis": []}, "items.x.legal_basis"),
    ],
)  # fmt: skip
def test_an_incomplete_catalogue_is_refused_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        parse_catalogue(document(**changes), "test.yaml")
    assert refused.value.field == field


def test_an_unreachable_state_and_a_dead_end_are_named() -> None:
    flow = copy.deepcopy(FLOW)
    flow["states"]["appeal"] = {"sla_working_days": 5}
    flow["actions"]["appeal_done"] = {"from": "appeal", "to": "issued", "roles": ["admin"]}
    data = {"workflows": {"w": flow}, "items": [ITEM]}
    with pytest.raises(Invalid, match="not reachable from submitted") as refused:
        parse_catalogue(yaml.safe_dump(data), "t")
    assert refused.value.field == "workflows.w.states.appeal"
    dead = copy.deepcopy(FLOW)
    del dead["actions"]["issue"]
    with pytest.raises(Invalid) as refused:
        parse_catalogue(yaml.safe_dump({"workflows": {"w": dead}, "items": [ITEM]}), "t")
    assert refused.value.field == "workflows.w.states.granted"


def test_the_state_machine_refuses_a_move_naming_the_allowed_ones() -> None:
    flow = parse_catalogue(document(), "t").item("x").workflow
    assert flow.check("submitted", "accept").target == "review"
    with pytest.raises(Conflict, match=r"allowed: grant \(grant\), refuse \(refuse\)"):
        flow.check("review", "issue")
    with pytest.raises(Conflict, match="none \\(final state\\)"):
        flow.check("issued", "grant")
    with pytest.raises(Conflict, match="is for service_officer, not enterprise"):
        flow.check_role(flow.actions["accept"], Role.ENTERPRISE)
