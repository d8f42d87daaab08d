"""The building blocks of 双随机、一公开 ("一单两库", regulations digest §3): the list of
inspection items, the library of targets, the library of inspectors, a draw plan and the
result of a draw. Pure data; the draw itself is in :mod:`lingang.inspections.draw`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from lingang.errors import Invalid

CREDIT_CLASSES: tuple[str, ...] = ("A", "B", "C", "D")
"""SAMR enterprise credit-risk classes (国市监信发〔2022〕6号): A low, B general, C relatively
high, D high (digest §2.3)."""

MIN_INSPECTORS = 2
"""At least two inspectors check each target (digest §3, draw procedure)."""

SKIP_DRAWN_THIS_YEAR = "drawn_this_year"
"""Skip reason: a general item's target already drawn in the plan's year (Shanghai Art. 70)."""

RECUSE_CONFLICT = "conflict_of_interest"
"""Recusal reason: the inspector declared a conflict of interest with the target (回避)."""

REASON_LABELS: dict[str, tuple[str, str]] = {
    SKIP_DRAWN_THIS_YEAR: ("本年度已被抽取", "Already drawn this year"),
    RECUSE_CONFLICT: ("利益冲突回避", "Recused for a conflict of interest"),
}


def reason_label(reason: str, lang: str = "zh-CN") -> str:
    """A skip or recusal reason for people (zh-CN, or ``en``); unknown codes as they are."""
    zh, en = REASON_LABELS.get(reason, (reason, reason))
    return en if lang == "en" else zh


def _require_text(field: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(field, "must be a non-empty string")


def _require_year(field: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 9999:
        raise Invalid(field, "must be a year between 1900 and 9999")


def _require_codes(field: str, value: frozenset[str]) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(v, str) and v for v in value):
        raise Invalid(field, "must be a frozenset of non-empty strings")


# --- the list and the two libraries ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InspectionItem:
    """One item of the 抽查事项清单: a general item (一般检查事项, ``key=False``, strictly
    limited sampling, a target is not redrawn the same year) or a key item (重点检查事项,
    ``key=True``, no upper limit on sampling, redrawn freely)."""

    code: str
    name_zh: str
    name_en: str
    department: str
    key: bool = False

    def __post_init__(self) -> None:
        _require_text("code", self.code)
        _require_text("department", self.department)


@dataclass(frozen=True, slots=True)
class Target:
    """An entry of the 检查对象名录库: ``credit_class`` is ``"A"``..``"D"``;
    ``last_drawn_year`` the year it was last drawn (None: never); ``items`` the item codes
    that apply to it (None: every item applies)."""

    uscc: str
    name: str
    credit_class: str
    last_drawn_year: int | None = None
    items: frozenset[str] | None = None

    def __post_init__(self) -> None:
        _require_text("uscc", self.uscc)
        if self.credit_class not in CREDIT_CLASSES:
            raise Invalid("credit_class", f"must be one of A, B, C, D, got {self.credit_class!r}")
        if self.last_drawn_year is not None:
            _require_year("last_drawn_year", self.last_drawn_year)
        if self.items is not None:
            _require_codes("items", self.items)

    def applies(self, item_code: str) -> bool:
        """Whether the item applies to this target."""
        return self.items is None or item_code in self.items


@dataclass(frozen=True, slots=True)
class Inspector:
    """An entry of the 执法检查人员名录库: ``conflicts`` holds the USCCs the inspector declared
    a conflict of interest with (recused from those targets)."""

    id: str
    name: str
    department: str
    qualifications: frozenset[str] = frozenset()
    conflicts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _require_text("id", self.id)
        _require_text("department", self.department)
        _require_codes("qualifications", self.qualifications)
        _require_codes("conflicts", self.conflicts)


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SamplingRates:
    """The share of each credit class drawn, each in [0, 1]; configurable per plan.

    The defaults are Guangzhou Yuexiu's published bands (digest §2.3, gz.gov.cn post_7994483):
    low risk (A) 5%, medium (B) 15%, relatively high (C) 30%, high (D) 50%. They are a local
    example, not a national rule; Daqing Lindian's bands (A ≤ 5%, B 5–20%, C 21–60%,
    D 61–100%) fit them too. A rate of 0 exempts a class, which Shandong forbids ("不免抽").
    """

    a: float = 0.05
    b: float = 0.15
    c: float = 0.30
    d: float = 0.50

    def __post_init__(self) -> None:
        for credit_class, rate in self.as_dict().items():
            ok = isinstance(rate, int | float) and not isinstance(rate, bool)
            if not ok or not math.isfinite(rate) or not 0.0 <= rate <= 1.0:
                raise Invalid(f"rates.{credit_class}", f"must be a number in [0, 1], got {rate!r}")

    def rate(self, credit_class: str) -> float:
        """The rate of a credit class."""
        return self.as_dict()[credit_class]

    def as_dict(self) -> dict[str, float]:
        """The rates keyed by credit class ``"A"``..``"D"``."""
        return {"A": self.a, "B": self.b, "C": self.c, "D": self.d}

    @classmethod
    def from_mapping(cls, rates: Mapping[str, float]) -> SamplingRates:
        """Rates keyed by ``"A"``..``"D"``; every class must be present and no other key."""
        for credit_class in CREDIT_CLASSES:
            if credit_class not in rates:
                raise Invalid(f"rates.{credit_class}", "missing")
        for key in rates:
            if key not in CREDIT_CLASSES:
                raise Invalid(f"rates.{key}", "not a credit class (A, B, C, D)")
        return cls(a=rates["A"], b=rates["B"], c=rates["C"], d=rates["D"])


@dataclass(frozen=True, slots=True)
class DrawPlan:
    """One batch of the annual plan: draw targets for ``item_code`` in ``year`` and staff
    each with ``inspectors_per_target`` (≥ 2) inspectors of ``department`` holding
    ``required_qualification`` (when set). ``key_item`` marks a 重点检查事项 (targets drawn
    this year are not skipped); :meth:`for_item` takes it from the catalogue. ``directed``
    lists enterprises inspected whatever the draw (定向: the post-issue checks of 告知承诺
    licences), sorted; they are left out of the random populations and staffed first."""

    plan_id: str
    year: int
    item_code: str
    department: str
    rates: SamplingRates = SamplingRates()
    inspectors_per_target: int = MIN_INSPECTORS
    required_qualification: str | None = None
    key_item: bool = False
    directed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_text("plan_id", self.plan_id)
        _require_year("year", self.year)
        _require_text("item_code", self.item_code)
        _require_text("department", self.department)
        if not isinstance(self.rates, SamplingRates):
            raise Invalid("rates", "must be SamplingRates")
        n = self.inspectors_per_target
        if isinstance(n, bool) or not isinstance(n, int) or n < MIN_INSPECTORS:
            raise Invalid("inspectors_per_target", f"at least {MIN_INSPECTORS}, got {n!r}")
        if self.required_qualification is not None:
            _require_text("required_qualification", self.required_qualification)
        if not isinstance(self.key_item, bool):
            raise Invalid("key_item", "must be true or false")
        if list(self.directed) != sorted(set(self.directed)):
            raise Invalid("directed", "must be distinct USCCs in sorted order")
        for uscc in self.directed:
            _require_text("directed", uscc)

    @classmethod
    def for_item(
        cls,
        plan_id: str,
        year: int,
        item: InspectionItem,
        *,
        rates: SamplingRates | None = None,
        inspectors_per_target: int = MIN_INSPECTORS,
        required_qualification: str | None = None,
    ) -> DrawPlan:
        """A plan for a catalogue item: its code, department and general/key kind."""
        return cls(
            plan_id=plan_id, year=year, item_code=item.code, department=item.department,
            rates=rates or SamplingRates(), inspectors_per_target=inspectors_per_target,
            required_qualification=required_qualification, key_item=item.key,
        )  # fmt: skip


# --- the result -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassTally:
    """How a credit class was sampled: ``eligible`` targets (the item applies, not skipped),
    the ``rate`` and the number ``drawn`` (rate × eligible, rounded as documented in draw)."""

    credit_class: str
    eligible: int
    rate: float
    drawn: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """The inspectors assigned to a drawn target, in the order they were drawn."""

    uscc: str
    inspector_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recusal:
    """An inspector otherwise eligible for a drawn target, recused (``reason`` a code)."""

    uscc: str
    inspector_id: str
    reason: str = RECUSE_CONFLICT


@dataclass(frozen=True, slots=True)
class Skip:
    """A target left out of the population before drawing (``reason`` a code)."""

    uscc: str
    reason: str = SKIP_DRAWN_THIS_YEAR


@dataclass(frozen=True, slots=True)
class Unstaffed:
    """A drawn target that could not be staffed: ``eligible`` inspectors, ``required`` needed.
    It stays in ``DrawResult.selected`` and must be handled by officers, never dropped."""

    uscc: str
    eligible: int
    required: int


@dataclass(frozen=True, slots=True)
class DrawResult:
    """The outcome of one draw.

    ``selected`` lists every drawn target (class A to D, each in draw order);
    ``assignments`` the staffed ones in the same order; ``unstaffed`` the drawn targets
    without enough eligible inspectors; ``recusals`` the (target, inspector) pairs recused;
    ``skipped`` the targets left out before drawing; ``tallies`` one line per credit class;
    ``directed`` the plan's directed targets (also first in ``selected``).
    """

    plan_id: str
    tallies: tuple[ClassTally, ...]
    selected: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    recusals: tuple[Recusal, ...]
    skipped: tuple[Skip, ...]
    unstaffed: tuple[Unstaffed, ...]
    directed: tuple[str, ...] = ()

    def inspectors_of(self, uscc: str) -> tuple[str, ...]:
        """The inspectors assigned to a target (empty when not drawn or unstaffed)."""
        for assignment in self.assignments:
            if assignment.uscc == uscc:
                return assignment.inspector_ids
        return ()


# --- the plan's life and the inspection results (service and store use these) --------------

PUBLISH_WITHIN_WORKING_DAYS = 20
"""Results are published within 20 working days (企业信息公示暂行条例 Art. 6; digest §3: the
Fujian 2019 practice counts 20 days from the end of the inspection; here from the draw)."""

UNGRADED_CLASS = "B"
"""The credit class of an enterprise without a grade: B, general risk (digest §2.3)."""


class PlanStatus(StrEnum):
    """Where a plan is: draft → committed (seed committed, inputs frozen) → drawn (seed
    revealed, result stored) → results_published (inspection results made public)."""

    DRAFT = "draft"
    COMMITTED = "committed"
    DRAWN = "drawn"
    RESULTS_PUBLISHED = "results_published"

    def label(self, lang: str = "zh-CN") -> str:
        """The status for people (zh-CN, or ``en``)."""
        zh, en = PLAN_STATUS_LABELS[self]
        return en if lang == "en" else zh


PLAN_STATUS_LABELS: dict[PlanStatus, tuple[str, str]] = {
    PlanStatus.DRAFT: ("草稿", "Draft"),
    PlanStatus.COMMITTED: ("已公布承诺", "Committed"),
    PlanStatus.DRAWN: ("已抽取", "Drawn"),
    PlanStatus.RESULTS_PUBLISHED: ("结果已公示", "Results published"),
}


class InspectionOutcome(StrEnum):
    """The result of inspecting one drawn target."""

    COMPLIANT = "compliant"
    ISSUES_FOUND = "issues_found"
    NOT_FOUND = "not_found"

    def label(self, lang: str = "zh-CN") -> str:
        """The outcome for people (zh-CN, or ``en``)."""
        zh, en = OUTCOME_LABELS[self]
        return en if lang == "en" else zh

    @property
    def polarity(self) -> str:
        """``negative`` for a problem found or premises not found, else ``positive``."""
        return "positive" if self is InspectionOutcome.COMPLIANT else "negative"

    @property
    def severity(self) -> str:
        """``general`` for problems found; ``minor`` otherwise."""
        return "general" if self is InspectionOutcome.ISSUES_FOUND else "minor"


OUTCOME_LABELS: dict[InspectionOutcome, tuple[str, str]] = {
    InspectionOutcome.COMPLIANT: ("未发现问题", "No problems found"),
    InspectionOutcome.ISSUES_FOUND: ("发现问题", "Problems found"),
    InspectionOutcome.NOT_FOUND: ("未找到经营场所", "Premises not found"),
}
