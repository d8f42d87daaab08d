"""The service catalogue (事项清单) and its workflows as data, checked when loaded.

A catalogue version (``catalogue/items-v*.yaml``) holds named workflows and the service items
that use them. A workflow is DIGIT-style data: states (each with an SLA in working days, or
final), actions (``from`` → ``to``, the roles allowed), and the start state. Loading refuses a
workflow that is incomplete — a state not reachable, a non-final state with no action out, an
action naming an unknown state or role, a missing SLA — with an error naming the item (or
workflow) and the field. Time limits: 行政许可法 Arts. 32, 42, 44, 45 (regulations.md §5.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lingang.errors import Conflict, Invalid, NotFound
from lingang.types import Role
from lingang.yamltext import load_yaml


class Lane(StrEnum):
    """How an application is handled: proofs checked first, or 告知承诺."""

    ORDINARY = "ordinary"
    COMMITMENT = "commitment"


class PauseKind(StrEnum):
    """What stops the decision clock (行政许可法 Art. 45: time not counted)."""

    HEARING = "hearing"
    TESTING = "testing"
    EXPERT_REVIEW = "expert_review"
    INSPECTION = "inspection"
    APPRAISAL = "appraisal"

    def label(self, lang: str = "zh-CN") -> str:
        """The kind's name for people (zh-CN, or ``en``)."""
        zh, en = PAUSE_LABELS[self]
        return en if lang == "en" else zh


PAUSE_LABELS: dict[PauseKind, tuple[str, str]] = {
    PauseKind.HEARING: ("听证", "Hearing"),
    PauseKind.TESTING: ("检验检测", "Testing"),
    PauseKind.EXPERT_REVIEW: ("专家评审", "Expert review"),
    PauseKind.INSPECTION: ("现场核查", "Inspection"),
    PauseKind.APPRAISAL: ("鉴定", "Appraisal"),
}

ROLE_NAMES = frozenset(role.value for role in Role)


@dataclass(frozen=True, slots=True)
class State:
    """One state of a workflow: its SLA in working days (None for a final state)."""

    id: str
    label_zh: str
    sla_working_days: int | None
    final: bool = False
    extension_working_days: int = 0


@dataclass(frozen=True, slots=True)
class Action:
    """One action: from a state to a state, by one of ``roles``."""

    id: str
    label_zh: str
    source: str
    target: str
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class Workflow:
    """States, actions and the start state of one workflow."""

    id: str
    start: str
    states: Mapping[str, State]
    actions: Mapping[str, Action]

    def actions_from(self, state: str) -> list[Action]:
        """The actions out of ``state``, in the order the data lists them."""
        return [action for action in self.actions.values() if action.source == state]

    def check(self, state: str, action_id: str) -> Action:
        """The action if it applies in ``state``; a refusal naming the allowed actions."""
        action = self.actions.get(action_id)
        if action is None or action.source != state:
            allowed = ", ".join(f"{a.id} ({a.label_zh})" for a in self.actions_from(state))
            raise Conflict(
                f"an application in {state} ({self.states[state].label_zh}) cannot "
                f"{action_id}; allowed: {allowed or 'none (final state)'}"
            )
        return action

    def check_role(self, action: Action, role: Role) -> None:
        """Refuse a role the action does not allow, naming those it does."""
        if role.value not in action.roles:
            raise Conflict(
                f"{action.id} ({action.label_zh}) is for {', '.join(sorted(action.roles))}, "
                f"not {role.value}"
            )


@dataclass(frozen=True, slots=True)
class Material:
    """A required material (申请材料)."""

    id: str
    name: str
    waivable_by_commitment: bool = True


@dataclass(frozen=True, slots=True)
class ServiceItem:
    """One service item (事项) of the catalogue."""

    id: str
    name: str
    legal_basis: tuple[str, ...]
    departments: tuple[str, ...]
    materials: tuple[Material, ...]
    statutory_working_days: int
    fee_rmb: Decimal
    commitment_allowed: bool
    workflow: Workflow
    licence_valid_years: int
    verification_working_days: int
    bundle: bool = False

    @property
    def lead_department(self) -> str:
        """The department that accepts and issues (the comprehensive counter of a bundle)."""
        return self.departments[0]

    def material(self, material_id: str) -> Material:
        """A required material by id; ``Invalid`` naming the known ones."""
        for material in self.materials:
            if material.id == material_id:
                return material
        known = ", ".join(m.id for m in self.materials)
        raise Invalid("materials", f"{self.id} has no material {material_id!r}; known: {known}")


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One version of the catalogue."""

    version: str
    items: Mapping[str, ServiceItem]

    def item(self, item_id: str) -> ServiceItem:
        """An item by id (``NotFound`` otherwise)."""
        found = self.items.get(item_id)
        if found is None:
            raise NotFound(f"no service item {item_id!r} in catalogue {self.version}")
        return found


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The newest shipped catalogue (``catalogue/items-v*.yaml``), or the file at ``path``."""
    if path is not None:
        return parse_catalogue(path.read_text("utf-8"), path.name)
    base = resources.files("lingang.permits") / "catalogue"
    files = sorted((p for p in base.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    newest = files[-1]
    return parse_catalogue(newest.read_text("utf-8"), newest.name)


def parse_catalogue(text: str, source: str) -> Catalogue:
    """Parse and check one catalogue; ``Invalid`` names the item or workflow and the field."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise Invalid("catalogue", f"{source}: not YAML ({exc})") from None
    if not isinstance(data, dict):
        raise Invalid("catalogue", f"{source}: expected a mapping")
    workflows_data = _mapping(data.get("workflows"), "workflows")
    workflows = {str(k): parse_workflow(str(k), _mapping(v, f"workflows.{k}"))
                 for k, v in workflows_data.items()}  # fmt: skip
    items: dict[str, ServiceItem] = {}
    for number, node in enumerate(_list(data.get("items"), "items")):
        item = _item(_mapping(node, f"items[{number}]"), workflows)
        if item.id in items:
            raise Invalid(f"items.{item.id}", "appears twice")
        items[item.id] = item
    if not items:
        raise Invalid("items", f"{source}: the catalogue lists no item")
    return Catalogue(version=str(data.get("version", source)), items=items)


def parse_workflow(name: str, data: Mapping[str, Any]) -> Workflow:
    """One workflow, checked for completeness; errors name ``workflows.<name>.<field>``."""
    where = f"workflows.{name}"
    states: dict[str, State] = {}
    for key, node in _mapping(data.get("states"), f"{where}.states").items():
        node = _mapping(node, f"{where}.states.{key}")
        final = bool(node.get("final", False))
        sla = node.get("sla_working_days")
        if not final and (isinstance(sla, bool) or not isinstance(sla, int) or sla < 1):
            raise Invalid(
                f"{where}.states.{key}.sla_working_days",
                f"a non-final state needs whole working days ≥ 1, got {sla!r}",
            )
        states[str(key)] = State(str(key), str(node.get("label", key)),
                                 None if final else sla, final,
                                 int(node.get("extension_working_days", 0)))  # fmt: skip
    start = str(data.get("start", ""))
    if start not in states:
        raise Invalid(f"{where}.start", f"{start!r} is not one of its states")
    actions: dict[str, Action] = {}
    for key, node in _mapping(data.get("actions"), f"{where}.actions").items():
        node = _mapping(node, f"{where}.actions.{key}")
        source, target = str(node.get("from", "")), str(node.get("to", ""))
        for field, value in (("from", source), ("to", target)):
            if value not in states:
                raise Invalid(f"{where}.actions.{key}.{field}", f"unknown state {value!r}")
        roles = frozenset(str(r) for r in _list(node.get("roles"), f"{where}.actions.{key}.roles"))
        unknown = sorted(roles - ROLE_NAMES)
        if not roles or unknown:
            raise Invalid(
                f"{where}.actions.{key}.roles",
                f"unknown role {unknown[0]!r}" if unknown else "name at least one role",
            )
        if states[source].final:
            raise Invalid(f"{where}.actions.{key}.from", f"{source} is a final state")
        actions[str(key)] = Action(str(key), str(node.get("label", key)), source, target, roles)
    workflow = Workflow(name, start, states, actions)
    for state in states.values():
        if not state.final and not workflow.actions_from(state.id):
            raise Invalid(f"{where}.states.{state.id}", "a non-final state needs an action out")
    reached, frontier = {start}, [start]
    while frontier:
        for action in workflow.actions_from(frontier.pop()):
            if action.target not in reached:
                reached.add(action.target)
                frontier.append(action.target)
    unreachable = [s for s in states if s not in reached]
    if unreachable:
        raise Invalid(f"{where}.states.{unreachable[0]}", f"not reachable from {start}")
    return workflow


#: states and actions every workflow must have: the service drives the statutory stages
REQUIRED_ACTIONS = ("request_correction", "resubmit", "accept", "reject", "grant", "refuse",
                    "issue")  # fmt: skip


def _item(data: Mapping[str, Any], workflows: Mapping[str, Workflow]) -> ServiceItem:
    item_id = str(data.get("id", "")).strip()
    if not item_id:
        raise Invalid("items.id", "every item needs an id")
    where = f"items.{item_id}"
    flow_name = str(data.get("workflow", ""))
    if flow_name not in workflows:
        raise Invalid(f"{where}.workflow", f"unknown workflow {flow_name!r}")
    workflow = workflows[flow_name]
    missing = [a for a in REQUIRED_ACTIONS if a not in workflow.actions]
    if missing:
        raise Invalid(f"{where}.workflow", f"{flow_name} lacks the action {missing[0]!r}")
    for field in ("name", "legal_basis", "departments", "materials"):
        if not data.get(field):
            raise Invalid(f"{where}.{field}", "is required")
    materials = tuple(
        Material(str(_mapping(m, f"{where}.materials").get("id")),
                 str(m.get("name")), bool(m.get("waivable_by_commitment", True)))
        for m in _list(data["materials"], f"{where}.materials")
    )  # fmt: skip
    days = data.get("statutory_working_days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise Invalid(f"{where}.statutory_working_days", f"whole working days ≥ 1, got {days!r}")
    try:
        fee = Decimal(str(data.get("fee_rmb", 0)))
    except InvalidOperation:
        raise Invalid(f"{where}.fee_rmb", "not a number") from None
    if not fee.is_finite() or fee < 0:
        raise Invalid(f"{where}.fee_rmb", "must be ≥ 0")
    return ServiceItem(
        id=item_id, name=str(data["name"]),
        legal_basis=tuple(str(x) for x in _list(data["legal_basis"], f"{where}.legal_basis")),
        departments=tuple(str(x) for x in _list(data["departments"], f"{where}.departments")),
        materials=materials, statutory_working_days=days, fee_rmb=fee,
        commitment_allowed=bool(data.get("commitment_allowed", False)), workflow=workflow,
        licence_valid_years=int(data.get("licence_valid_years", 5)),
        verification_working_days=int(data.get("verification_working_days", 20)),
        bundle=len(_list(data["departments"], f"{where}.departments")) > 1,
    )  # fmt: skip


def _mapping(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(field, "expected a mapping")
    return value


def _list(value: object, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(field, "expected a list")
    return value
