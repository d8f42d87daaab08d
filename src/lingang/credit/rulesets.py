"""Versioned credit rule sets (issue #6): the YAML files of ``lingang/credit/rulesets/``
loaded into checked, typed dataclasses. Every number the grading engine uses lives in
those files, each with an instrument, a version and ``effective_from`` / ``effective_to``
dates; ``Rulesets.ruleset_for(kind, on)`` picks the version in force on a date.

A malformed file raises ``Invalid`` whose field is the YAML key (``criteria.unpaid_duty.
overdue_days_gt``) and whose reason names the file; two versions of one kind whose dates
overlap are rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from lingang.entities.model import AeoStatus
from lingang.errors import Invalid, NotFound
from lingang.yamltext import load_yaml

RULESET_PACKAGE = "lingang.credit"
RULESET_DIR = "rulesets"


class RulesetKind(StrEnum):
    """What a rule set governs."""

    CUSTOMS = "customs"
    ZONE_SCORE = "zone_score"
    CREDIT_REPAIR = "credit_repair"


class Severity(StrEnum):
    """Grade of 失信 information (轻微 / 一般 / 严重)."""

    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"


SEVERITY_ORDER = (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS)


class CustomsCategory(StrEnum):
    """Customs credit category, covering Order 251 and Order 282."""

    ADVANCED_CERTIFIED = "advanced_certified"
    CERTIFIED = "certified"
    REGULAR = "regular"
    OTHER = "other"
    DISHONEST = "dishonest"
    SERIOUSLY_DISHONEST = "seriously_dishonest"

    def label(self, lang: str = "zh-CN") -> str:
        """The category's name for people (zh-CN, or ``en``)."""
        zh, en = CATEGORY_LABELS[self]
        return en if lang == "en" else zh


CATEGORY_LABELS: dict[CustomsCategory, tuple[str, str]] = {
    CustomsCategory.ADVANCED_CERTIFIED: ("高级认证企业", "Advanced certified enterprise"),
    CustomsCategory.CERTIFIED: ("认证企业", "Certified enterprise"),
    CustomsCategory.REGULAR: ("常规企业", "Regular enterprise"),
    CustomsCategory.OTHER: ("其他企业", "Other enterprise"),
    CustomsCategory.DISHONEST: ("失信企业", "Dishonest enterprise"),
    CustomsCategory.SERIOUSLY_DISHONEST: ("严重失信企业", "Seriously dishonest enterprise"),
}


class ZoneClass(StrEnum):
    """Zone credit class, best first."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"

    def label(self, lang: str = "zh-CN") -> str:
        """The class's name for people: 优 / 良 / 中 / 差 (or excellent … poor)."""
        zh, en = CLASS_LABELS[self]
        return en if lang == "en" else zh


CLASS_LABELS: dict[ZoneClass, tuple[str, str]] = {
    ZoneClass.A: ("优", "Excellent"),
    ZoneClass.B: ("良", "Good"),
    ZoneClass.C: ("中", "Fair"),
    ZoneClass.D: ("差", "Poor"),
}
CLASS_ORDER = (ZoneClass.A, ZoneClass.B, ZoneClass.C, ZoneClass.D)

CRITERIA = (
    "smuggling_criminal",
    "smuggling_administrative",
    "violation_threshold",
    "unpaid_duty",
    "unpaid_fine",
    "obstruction",
    "bribery",
    "serious_list",
)
"""Codes of the customs 失信 criteria; they are also the grade's ``dishonest_reasons``."""
CRITERIA_LABELS: dict[str, tuple[str, str]] = {
    "smuggling_criminal": ("走私犯罪", "Smuggling crime"),
    "smuggling_administrative": ("走私行为被行政处罚", "Smuggling punished administratively"),
    "violation_threshold": ("违规次数及罚款超过限额", "Violations and penalties over the limits"),
    "unpaid_duty": ("拖欠税款超过 3 个月", "Duties unpaid for over 3 months"),
    "unpaid_fine": ("拖欠罚没款超过 6 个月", "Fines unpaid for over 6 months"),
    "obstruction": ("抗拒、阻碍海关执法", "Obstructing customs officers"),
    "bribery": ("向海关工作人员行贿", "Bribing customs officers"),
    "serious_list": ("列入严重失信主体名单", "On the serious-dishonesty list"),
}


def criterion_label(code: str, lang: str = "zh-CN") -> str:
    """A 失信 criterion's name for people (the code when unknown)."""
    pair = CRITERIA_LABELS.get(code)
    if pair is None:
        return code
    return pair[1] if lang == "en" else pair[0]

CASE_OUTCOMES = ("confirmed_violation", "false_positive", "inconclusive", "referred")
SERIOUS_LIST_CAP = "serious_list"


# --- typed rule sets --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Version:
    """Identity and validity of one rule-set file."""

    kind: RulesetKind
    instrument: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    confidence: str
    source: str

    def in_force(self, on: dt.date) -> bool:
        """Whether the version applies on ``on`` (both ends inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    @property
    def tag(self) -> str:
        """``instrument@version``, as recorded on a grade."""
        return f"{self.instrument}@{self.version}"


@dataclass(frozen=True, slots=True)
class ViolationThreshold:
    """Criterion 3 for one kind of enterprise: count ratio and cumulative penalties."""

    per_mille_gt: Decimal
    penalty_rmb_gt: Decimal


@dataclass(frozen=True, slots=True)
class Relaxation:
    """A dated exception: violations without subjective intent do not count."""

    code: str
    start: dt.date
    end: dt.date
    applies_to: str  # non_broker | broker | all
    applies_by: str  # as_of | occurred_on

    def covers(self, *, is_broker: bool) -> bool:
        """Whether the exception applies to this kind of enterprise."""
        return self.applies_to == "all" or (self.applies_to == "broker") == is_broker


@dataclass(frozen=True, slots=True)
class CustomsRuleset:
    """A customs credit instrument (Order 251, Order 282): categories, criteria, repair."""

    meta: Version
    aeo_categories: Mapping[AeoStatus, CustomsCategory]
    severity_categories: Mapping[Severity, CustomsCategory | None]
    severities: Mapping[str, Severity]
    confidences: Mapping[str, str]
    event_lookback_days: int
    window_days: int
    non_broker: ViolationThreshold
    broker: ViolationThreshold
    duty_overdue_days_gt: int
    fine_overdue_days_gt: int
    fine_amount_rmb_gt: Decimal
    serious_goods: tuple[str, ...]
    solid_waste_penalty_rmb_gt: Decimal
    relaxations: tuple[Relaxation, ...]
    repair_months: Mapping[str, int]
    repair_confidence: str


@dataclass(frozen=True, slots=True)
class DecayStep:
    """Records up to ``max_age_days`` old weigh ``weight``."""

    max_age_days: int
    weight: Decimal


@dataclass(frozen=True, slots=True)
class PerRecord:
    """Points of one record: a fixed part plus a part per unit, capped per record."""

    per_record: int
    per_unit: Decimal
    max_per_record: int


@dataclass(frozen=True, slots=True)
class ZoneScoreRuleset:
    """The zone score: base, deductions, additions, decay, class cut-offs and caps."""

    meta: Version
    base: int
    min_score: int
    max_score: int
    decay: tuple[DecayStep, ...]
    violation: PerRecord  # per_unit: per RMB 10,000 of penalty
    unpaid_duty: PerRecord  # per_unit: per full 30 days overdue
    unpaid_fine: PerRecord
    smuggling_administrative: int
    smuggling_criminal: int
    case_outcome: Mapping[str, int]
    public_credit_negative: Mapping[Severity, int]
    public_credit_positive: Mapping[Severity, int]
    aeo: Mapping[AeoStatus, int]
    award_default: int
    award_max_per_record: int
    award_max_total: int
    classes: tuple[tuple[ZoneClass, int], ...]
    caps: Mapping[str, ZoneClass]

    def weight(self, age_days: int) -> Decimal:
        """Decay weight of a record ``age_days`` old (0 beyond the last step)."""
        for step in self.decay:
            if age_days <= step.max_age_days:
                return step.weight
        return Decimal(0)

    def zone_class(self, score: int) -> ZoneClass:
        """The class a score reaches."""
        for zone_class, min_score in self.classes:
            if score >= min_score:
                return zone_class
        return self.classes[-1][0]


@dataclass(frozen=True, slots=True)
class PublicityPeriod:
    """Minimum and maximum publicity of 失信 information of one severity, in months."""

    severity: Severity
    min_months: int
    max_months: int


@dataclass(frozen=True, slots=True)
class CreditRepairRuleset:
    """National credit-repair rules: publicity periods by severity."""

    meta: Version
    publicity: Mapping[Severity, PublicityPeriod]


Ruleset = CustomsRuleset | ZoneScoreRuleset | CreditRepairRuleset


@dataclass(frozen=True, slots=True)
class Rulesets:
    """Every loaded version of every kind; pick one with ``ruleset_for``."""

    versions: tuple[Ruleset, ...]

    def ruleset_for(self, kind: RulesetKind | str, on: dt.date) -> Ruleset:
        """The version of ``kind`` in force on ``on``; ``NotFound`` when none is."""
        wanted = RulesetKind(kind)
        for ruleset in self.versions:
            if ruleset.meta.kind is wanted and ruleset.meta.in_force(on):
                return ruleset
        raise NotFound(f"no {wanted.value} rule set in force on {on.isoformat()}")

    def customs(self, on: dt.date) -> CustomsRuleset:
        """The customs credit rule set in force on ``on``."""
        ruleset = self.ruleset_for(RulesetKind.CUSTOMS, on)
        assert isinstance(ruleset, CustomsRuleset)
        return ruleset

    def zone_score(self, on: dt.date) -> ZoneScoreRuleset:
        """The zone score rule set in force on ``on``."""
        ruleset = self.ruleset_for(RulesetKind.ZONE_SCORE, on)
        assert isinstance(ruleset, ZoneScoreRuleset)
        return ruleset

    def credit_repair(self, on: dt.date) -> CreditRepairRuleset:
        """The national credit-repair rule set in force on ``on``."""
        ruleset = self.ruleset_for(RulesetKind.CREDIT_REPAIR, on)
        assert isinstance(ruleset, CreditRepairRuleset)
        return ruleset


# --- loading ----------------------------------------------------------------------------------


def load_rulesets(directory: Path | None = None) -> Rulesets:
    """Every ``*.yaml`` of ``directory`` (default: the shipped ``lingang/credit/rulesets``),
    parsed and checked; overlapping versions of one kind raise ``Invalid``."""
    root: Traversable = (
        directory if directory is not None else resources.files(RULESET_PACKAGE) / RULESET_DIR
    )
    files = sorted((f for f in root.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return rulesets_from(parse_ruleset(f.read_text("utf-8"), f.name) for f in files)


def rulesets_from(rulesets: Iterable[Ruleset]) -> Rulesets:
    """Gather versions, rejecting two versions of one kind whose dates overlap."""
    ordered = sorted(rulesets, key=lambda r: (r.meta.kind.value, r.meta.effective_from))
    for before, after in pairwise(ordered):
        if before.meta.kind is not after.meta.kind:
            continue
        end = before.meta.effective_to
        if end is None or end >= after.meta.effective_from:
            raise Invalid(
                "effective_from",
                f"{after.meta.source} overlaps {before.meta.source} "
                f"({before.meta.kind.value} versions may not overlap)",
            )
    return Rulesets(tuple(ordered))


def parse_ruleset(text: str, source: str) -> Ruleset:
    """One rule-set file's text; ``source`` (the file name) goes into error messages."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise Invalid("(file)", f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise Invalid("(file)", f"{source}: must be a mapping")
    node = _Node(data, "", source)
    meta = _version(node)
    if meta.kind is RulesetKind.CUSTOMS:
        return _customs(node, meta)
    if meta.kind is RulesetKind.ZONE_SCORE:
        return _zone_score(node, meta)
    return _credit_repair(node, meta)


class _Node:
    """A mapping inside a YAML file that knows its dotted key path, for error messages."""

    def __init__(self, data: Mapping[str, Any], path: str, source: str) -> None:
        self.data = data
        self.path = path
        self.source = source

    def key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, reason: str) -> Invalid:
        return Invalid(self.key(key), f"{self.source}: {reason}")

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(key, "missing")
        return self.data[key]

    def node(self, key: str) -> _Node:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.error(key, "must be a mapping")
        return _Node(value, self.key(key), self.source)

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be non-empty text")
        return value

    def choice(self, key: str, allowed: Iterable[str]) -> str:
        value = self.text(key)
        options = tuple(allowed)
        if value not in options:
            raise self.error(key, f"must be one of {', '.join(options)}; got {value!r}")
        return value

    def count(self, key: str) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, "must be a whole number ≥ 0")
        return value

    def decimal(self, key: str) -> Decimal:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.error(key, "must be a number")
        try:
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise self.error(key, f"must be a number; got {value!r}") from exc
        if not amount.is_finite() or amount < 0:
            raise self.error(key, "must be a finite number ≥ 0")
        return amount

    def date(self, key: str) -> dt.date:
        value = self.raw(key)
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.error(key, "must be a date (YYYY-MM-DD)")
        return value

    def optional_date(self, key: str) -> dt.date | None:
        return None if self.raw(key) is None else self.date(key)

    def items(self, key: str) -> list[_Node]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "must be a list of mappings")
        return [_Node(v, f"{self.key(key)}[{i}]", self.source) for i, v in enumerate(value)]

    def words(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of text")
        return tuple(value)


def _version(node: _Node) -> Version:
    meta = Version(
        kind=RulesetKind(node.choice("kind", (k.value for k in RulesetKind))),
        instrument=node.text("instrument"),
        version=str(node.raw("version")),
        effective_from=node.date("effective_from"),
        effective_to=node.optional_date("effective_to"),
        confidence=node.choice("confidence", ("V", "S", "U")),
        source=node.source,
    )
    if meta.effective_to is not None and meta.effective_to < meta.effective_from:
        raise node.error("effective_to", "must not be before effective_from")
    return meta


def _severity_map(node: _Node, key: str) -> dict[Severity, int]:
    sub = node.node(key)
    return {s: sub.count(s.value) for s in Severity}


def _customs(node: _Node, meta: Version) -> CustomsRuleset:
    categories, criteria = node.node("categories"), node.node("criteria")
    aeo, by_sev = categories.node("aeo"), categories.node("by_severity")
    all_categories = [c.value for c in CustomsCategory]
    severity_categories = {
        s: None
        if by_sev.raw(s.value) is None
        else CustomsCategory(by_sev.choice(s.value, all_categories))
        for s in Severity
    }
    subs = {code: criteria.node(code) for code in CRITERIA}
    threshold, fine, serious = (
        subs["violation_threshold"],
        subs["unpaid_fine"],
        subs["serious_list"],
    )
    repair = node.node("repair")
    months = repair.node("months")
    for cause in months.data:
        if cause not in CRITERIA:
            raise months.error(str(cause), f"unknown cause; expected one of {', '.join(CRITERIA)}")
    return CustomsRuleset(
        meta=meta,
        aeo_categories={a: CustomsCategory(aeo.choice(a.value, all_categories)) for a in AeoStatus},
        severity_categories=severity_categories,
        severities={
            c: Severity(s.choice("severity", (v.value for v in Severity))) for c, s in subs.items()
        },
        confidences={c: s.choice("confidence", ("V", "S", "U")) for c, s in subs.items()},
        event_lookback_days=criteria.count("event_lookback_days"),
        window_days=threshold.count("window_days"),
        non_broker=_threshold(threshold.node("non_broker")),
        broker=_threshold(threshold.node("broker")),
        duty_overdue_days_gt=subs["unpaid_duty"].count("overdue_days_gt"),
        fine_overdue_days_gt=fine.count("overdue_days_gt"),
        fine_amount_rmb_gt=fine.decimal("amount_rmb_gt"),
        serious_goods=serious.words("criminal_goods"),
        solid_waste_penalty_rmb_gt=serious.decimal("solid_waste_penalty_rmb_gt"),
        relaxations=tuple(_relaxation(item) for item in node.items("exceptions")),
        repair_months={str(cause): months.count(str(cause)) for cause in months.data},
        repair_confidence=repair.choice("confidence", ("V", "S", "U")),
    )


def _threshold(node: _Node) -> ViolationThreshold:
    return ViolationThreshold(node.decimal("per_mille_gt"), node.decimal("penalty_rmb_gt"))


def _relaxation(node: _Node) -> Relaxation:
    node.choice("ignore", ("violations_without_subjective_intent",))
    relaxation = Relaxation(
        code=node.text("code"),
        start=node.date("from"),
        end=node.date("to"),
        applies_to=node.choice("applies_to", ("non_broker", "broker", "all")),
        applies_by=node.choice("applies_by", ("as_of", "occurred_on")),
    )
    if relaxation.end < relaxation.start:
        raise node.error("to", "must not be before from")
    return relaxation


def _per_record(node: _Node, unit_key: str) -> PerRecord:
    return PerRecord(node.count("per_record"), node.decimal(unit_key), node.count("max_per_record"))


def _zone_score(node: _Node, meta: Version) -> ZoneScoreRuleset:
    minus, plus = node.node("deductions"), node.node("additions")
    smuggling, outcome = minus.node("smuggling"), minus.node("case_outcome")
    aeo, award = plus.node("aeo"), plus.node("award")
    ruleset = ZoneScoreRuleset(
        meta=meta,
        base=node.count("base"),
        min_score=node.count("min"),
        max_score=node.count("max"),
        decay=tuple(
            DecayStep(step.count("max_age_days"), step.decimal("weight"))
            for step in node.items("decay")
        ),
        violation=_per_record(minus.node("violation"), "per_10k_rmb"),
        unpaid_duty=_per_record(minus.node("unpaid_duty"), "per_30_days_overdue"),
        unpaid_fine=_per_record(minus.node("unpaid_fine"), "per_30_days_overdue"),
        smuggling_administrative=smuggling.count("administrative"),
        smuggling_criminal=smuggling.count("criminal"),
        case_outcome={o: outcome.count(o) for o in CASE_OUTCOMES},
        public_credit_negative=_severity_map(minus, "public_credit"),
        public_credit_positive=_severity_map(plus, "public_credit"),
        aeo={a: aeo.count(a.value) for a in AeoStatus},
        award_default=award.count("default_points"),
        award_max_per_record=award.count("max_per_record"),
        award_max_total=award.count("max_total"),
        classes=_classes(node),
        caps=_caps(node),
    )
    if not ruleset.min_score <= ruleset.base <= ruleset.max_score:
        raise node.error("base", "must lie between min and max")
    return ruleset


def _classes(node: _Node) -> tuple[tuple[ZoneClass, int], ...]:
    items = node.items("classes")
    classes = tuple(
        (ZoneClass(item.choice("class", (c.value for c in ZoneClass))), item.count("min_score"))
        for item in items
    )
    if [c for c, _ in classes] != list(CLASS_ORDER):
        raise node.error("classes", "must list A, B, C, D in that order")
    if any(a[1] <= b[1] for a, b in pairwise(classes)):
        raise node.error("classes", "min_score must fall from A to D")
    return classes


def _caps(node: _Node) -> dict[str, ZoneClass]:
    caps = node.node("caps")
    allowed = [c.value for c in CustomsCategory] + [SERIOUS_LIST_CAP]
    for key in caps.data:
        if key not in allowed:
            raise caps.error(str(key), f"unknown category; expected one of {', '.join(allowed)}")
    return {
        str(key): ZoneClass(caps.choice(str(key), (c.value for c in ZoneClass)))
        for key in caps.data
    }


def _credit_repair(node: _Node, meta: Version) -> CreditRepairRuleset:
    publicity = node.node("publicity")
    periods: dict[Severity, PublicityPeriod] = {}
    for severity in Severity:
        sub = publicity.node(severity.value)
        period = PublicityPeriod(severity, sub.count("min_months"), sub.count("max_months"))
        if period.max_months < period.min_months:
            raise sub.error("max_months", "must not be below min_months")
        periods[severity] = period
    return CreditRepairRuleset(meta=meta, publicity=periods)
