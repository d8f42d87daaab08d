"""What a grade means elsewhere (信用分级分类监管的结果运用): inspection sampling weight,
commitment-based approval, fast tracks, restrictions and policy eligibility — read from the
versioned data in ``credit/policy/`` (``effects-v*.yaml``), not from code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lingang.credit.rulesets import CustomsCategory, ZoneClass
from lingang.errors import Invalid, NotFound
from lingang.yamltext import load_yaml

FLAG_LABELS: dict[str, tuple[str, str]] = {
    "priority_clearance": ("优先通关", "Priority clearance"),
    "guarantee_exemption": ("可申请免除担保", "May apply for exemption from guarantees"),
    "reduced_inspection": ("降低查验率", "Reduced inspection rate"),
    "fewer_audits": ("减少稽查核查", "Fewer audits and verifications"),
    "export_predeclaration": ("出口货物提前申报", "Export declaration before arrival"),
    "customs_coordinator": ("海关协调员", "A dedicated customs coordinator"),
    "inspection_rate_80": ("查验率不低于 80%", "Inspection rate of at least 80 %"),
    "full_guarantee": ("加工贸易全额担保", "Full guarantee for processing trade"),
    "more_audits": ("提高稽查核查频次", "More audits and verifications"),
    "no_commitment_approval": ("不适用告知承诺", "No commitment-based approval"),
    "joint_punishment": ("失信联合惩戒", "Joint punishment for serious dishonesty"),
}


class PolicyEligibility(StrEnum):
    """Whether incentive policies (惠企政策) are open to the enterprise."""

    ELIGIBLE = "eligible"
    RESTRICTED = "restricted"
    EXCLUDED = "excluded"

    def label(self, lang: str = "zh-CN") -> str:
        """The eligibility for people (zh-CN, or ``en``)."""
        zh, en = {
            PolicyEligibility.ELIGIBLE: ("可享受", "Eligible"),
            PolicyEligibility.RESTRICTED: ("限制享受", "Restricted"),
            PolicyEligibility.EXCLUDED: ("不得享受", "Excluded"),
        }[self]
        return en if lang == "en" else zh


@dataclass(frozen=True, slots=True)
class EffectsPolicy:
    """One version of the effects data."""

    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    sampling_rates: dict[ZoneClass, float]
    reference_class: ZoneClass
    commitment_closed_to: frozenset[CustomsCategory]
    fast_track: dict[CustomsCategory, tuple[str, ...]]
    restrictions: dict[CustomsCategory, tuple[str, ...]]
    policy_by_class: dict[ZoneClass, PolicyEligibility]
    policy_excluded_categories: frozenset[CustomsCategory]
    repair_publicity_working_days: int = 5

    def in_force(self, on: dt.date) -> bool:
        """Whether this version applies on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def weight(self, zone_class: ZoneClass) -> float:
        """An enterprise's draw weight: its class's rate over the reference class's rate."""
        return self.sampling_rates[zone_class] / self.sampling_rates[self.reference_class]


@dataclass(frozen=True, slots=True)
class CreditEffects:
    """What one enterprise's grade decides on ``as_of``."""

    uscc: str
    as_of: dt.date
    zone_class: ZoneClass
    customs_category: CustomsCategory
    sampling_rate: float
    sampling_weight: float
    commitment_approval: bool
    fast_track: tuple[str, ...]
    restrictions: tuple[str, ...]
    policy: PolicyEligibility
    policy_version: str


def effects_of(
    policy: EffectsPolicy, uscc: str, as_of: dt.date, zone_class: ZoneClass,
    category: CustomsCategory, *, serious_list: bool = False,
) -> CreditEffects:  # fmt: skip
    """Apply ``policy`` to one grade."""
    closed = category in policy.commitment_closed_to or serious_list
    by_class = policy.policy_by_class[zone_class]
    excluded = category in policy.policy_excluded_categories or serious_list
    return CreditEffects(
        uscc=uscc, as_of=as_of, zone_class=zone_class, customs_category=category,
        sampling_rate=policy.sampling_rates[zone_class],
        sampling_weight=round(policy.weight(zone_class), 4),
        commitment_approval=not closed,
        fast_track=policy.fast_track.get(category, ()),
        restrictions=policy.restrictions.get(category, ()),
        policy=PolicyEligibility.EXCLUDED if excluded else by_class,
        policy_version=policy.version,
    )  # fmt: skip


def load_policies(directory: Path | None = None) -> list[EffectsPolicy]:
    """Every ``effects-*.yaml`` of ``directory`` (default: the shipped ``credit/policy``)."""
    if directory is None:
        base = resources.files("lingang.credit") / "policy"
        texts = [(p.name, p.read_text("utf-8")) for p in base.iterdir() if p.name.endswith(".yaml")]
    else:
        texts = [(p.name, p.read_text("utf-8")) for p in sorted(directory.glob("effects-*.yaml"))]
    return sorted((parse_policy(text, name) for name, text in texts),
                  key=lambda p: p.effective_from)  # fmt: skip


def policy_on(policies: list[EffectsPolicy], on: dt.date) -> EffectsPolicy:
    """The version in force on ``on``."""
    for policy in reversed(policies):
        if policy.in_force(on):
            return policy
    raise NotFound(f"no credit-effects policy is in force on {on}")


def parse_policy(text: str, source: str) -> EffectsPolicy:
    """Parse and check one version; ``Invalid`` names the key and the file."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise Invalid("effects", f"{source}: not YAML ({exc})") from None
    if not isinstance(data, dict):
        raise Invalid("effects", f"{source}: expected a mapping")
    try:
        return _policy(data)
    except (KeyError, ValueError, TypeError) as exc:
        raise Invalid("effects", f"{source}: {exc!r}") from None


def _policy(data: dict[str, Any]) -> EffectsPolicy:
    rates = {ZoneClass(k): float(v) for k, v in data["sampling_rates"].items()}
    if set(rates) != set(ZoneClass) or not all(0.0 < r <= 1.0 for r in rates.values()):
        raise ValueError("sampling_rates: give A, B, C and D, each in (0, 1]")
    categories = [CustomsCategory(c) for c in data["commitment_closed_to"]]
    flags = _flags(data["fast_track"])
    for listed in (*flags.values(), *_flags(data["restrictions"]).values()):
        unknown = [f for f in listed if f not in FLAG_LABELS]
        if unknown:
            raise ValueError(f"unknown flag {unknown[0]!r}")
    end = data.get("effective_to")
    return EffectsPolicy(
        version=str(data["version"]), effective_from=_date(data["effective_from"]),
        effective_to=_date(end) if end is not None else None, sampling_rates=rates,
        reference_class=ZoneClass(data["reference_class"]),
        commitment_closed_to=frozenset(categories), fast_track=flags,
        restrictions=_flags(data["restrictions"]),
        policy_by_class={ZoneClass(k): PolicyEligibility(v)
                         for k, v in data["policy_by_class"].items()},
        policy_excluded_categories=frozenset(
            CustomsCategory(c) for c in data["policy_excluded_categories"]),
        repair_publicity_working_days=int(data["repair_publicity_working_days"]),
    )  # fmt: skip


def _flags(node: dict[str, list[str]]) -> dict[CustomsCategory, tuple[str, ...]]:
    return {CustomsCategory(k): tuple(v or ()) for k, v in node.items()}


def _date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def flag_label(flag: str, lang: str = "zh-CN") -> str:
    """A flag's name for people (the flag itself when unknown)."""
    pair = FLAG_LABELS.get(flag)
    if pair is None:
        return flag
    return pair[1] if lang == "en" else pair[0]
